"""Streaming, parallel, resumable batch summarization: many stories in, one record each out.

The pipeline, in order:
  source (JSONL[.gz] lines | directory of story files | Parquet rows)
    -> chunks of `chunk_size` records (chunk k = records [k*C, (k+1)*C), with a digest of its input)
    -> engine maps `process_chunk` over the chunks (in-process, local processes, or Dask)
    -> each finished chunk is committed as OUTPUT.parts/part-<k>.jsonl (temp file, fsync, rename)
    -> once every chunk has a part, the parts are joined in input order into OUTPUT and
       OUTPUT.errors.jsonl (temp files, renamed; OUTPUT last) and OUTPUT.parts is removed.

So OUTPUT exists only when complete, a kill at any moment loses at most the chunks in flight, and
rerunning the same command recomputes exactly the chunks without a part. Every record goes through
`read_document` (or `read_html`) and `summarize_document`; nothing here splits or selects.

Modules: `sources` (inputs and chunks), `work` (the per-chunk worker function), `engines` (the
engine type and the local engine), `dask_engine` (the Dask engine; imported on its own, only
when asked for), `output` (part files and the final files), `run` (`run_batch`: lock, manifest,
resume).
"""

from .engines import BatchError, Engine, local_engine
from .output import assemble, commit_part, errors_path, output_format, parts_path
from .run import DEFAULT_CHUNK_SIZE, MANIFEST, BatchResult, Interrupted, run_batch
from .sources import (
    STORY_SUFFIXES,
    Chunk,
    DirSource,
    JsonlSource,
    ParquetSource,
    Source,
    iter_chunks,
    open_source,
    require_pyarrow,
)
from .work import process_chunk

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "MANIFEST",
    "STORY_SUFFIXES",
    "BatchError",
    "BatchResult",
    "Chunk",
    "DirSource",
    "Engine",
    "Interrupted",
    "JsonlSource",
    "ParquetSource",
    "Source",
    "assemble",
    "commit_part",
    "errors_path",
    "iter_chunks",
    "local_engine",
    "open_source",
    "output_format",
    "parts_path",
    "process_chunk",
    "require_pyarrow",
    "run_batch",
]
