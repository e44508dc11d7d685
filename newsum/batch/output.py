"""Output: each finished chunk committed as a part file, then the parts joined into OUTPUT.

A part is OUTPUT.parts/part-<k>.jsonl: a header line (b"H {chunk, digest, records}") and the
chunk's b"R <record>" / b"E <error>" lines, written to a temp file, fsynced and renamed. Once
every chunk has a part, `assemble` joins them in input order into OUTPUT (.jsonl, .jsonl.gz or
.parquet) and OUTPUT.errors.jsonl.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import tempfile
from typing import IO, Any

from .sources import Chunk

_PART = re.compile(r"^part-(\d{8})\.jsonl$")


def output_format(path: str) -> str:
    """ "parquet" for .parquet / .pq, "jsonl.gz" for .gz, else "jsonl"."""
    lower = path.lower()
    if lower.endswith((".parquet", ".pq")):
        return "parquet"
    return "jsonl.gz" if lower.endswith(".gz") else "jsonl"


def errors_path(output: str) -> str:
    return output + ".errors.jsonl"


def parts_path(output: str) -> str:
    return output + ".parts"


def _part_file(parts: str, index: int) -> str:
    return os.path.join(parts, f"part-{index:08d}.jsonl")


def committed_parts(parts: str) -> set[int]:
    """The indexes of the chunks with a part in `parts` (the chunks a rerun skips)."""
    return {int(m.group(1)) for name in os.listdir(parts) if (m := _PART.match(name))}


def part_header(parts: str, index: int) -> dict[str, Any]:
    """A committed part's header: {"chunk", "digest", "records"} ({} if it has none)."""
    with open(_part_file(parts, index), "rb") as fh:
        line = fh.readline()
    return json.loads(line[2:]) if line.startswith(b"H ") else {}


def _fsync_dir(folder: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def commit_part(parts: str, chunk: Chunk, body: list[bytes]) -> None:
    """Write a chunk's part beside its final name, fsync it, rename it: the chunk is done."""
    final = _part_file(parts, chunk.index)
    tmp = f"{final}.tmp-{os.getpid()}"
    header = {"chunk": chunk.index, "digest": chunk.digest, "records": len(chunk.items)}
    with open(tmp, "wb") as fh:
        fh.write(b"H " + json.dumps(header).encode() + b"\n")
        fh.writelines(body)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)


class _JsonlWriter:
    def __init__(self, fh: IO[bytes], gz: bool) -> None:
        self._fh = fh
        self._gz = (
            gzip.GzipFile(filename="", mode="wb", fileobj=fh, compresslevel=6, mtime=0)
            if gz
            else None
        )

    def write(self, line: bytes) -> None:
        (self._gz or self._fh).write(line)

    def close(self) -> None:
        if self._gz:
            self._gz.close()


class _ParquetWriter:
    ROWS = 10_000

    def __init__(self, fh: IO[bytes]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        self._schema = pa.schema(
            [
                ("id", pa.string()),
                ("summary", pa.list_(pa.string())),
                ("indices", pa.list_(pa.int32())),
                ("method", pa.string()),
            ]
        )
        self._writer = pq.ParquetWriter(fh, self._schema)
        self._rows: list[dict[str, Any]] = []

    def write(self, line: bytes) -> None:
        self._rows.append(json.loads(line))
        if len(self._rows) >= self.ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self._schema))
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


def assemble(parts: str, n_chunks: int, output: str) -> tuple[int, int]:
    """Join parts 0..n-1 in order into OUTPUT and its errors file; (records, errors).

    Both are written to temp files and renamed, the errors file (or its removal) first and
    OUTPUT last, so OUTPUT appearing means everything is in place.
    """
    folder = os.path.dirname(os.path.abspath(output))
    base = os.path.basename(output)
    fmt = output_format(output)
    out_fd, out_tmp = tempfile.mkstemp(prefix=f".{base}.tmp-", dir=folder)
    err_fd, err_tmp = tempfile.mkstemp(prefix=f".{base}.tmp-", dir=folder)
    records = errors = 0
    try:
        with os.fdopen(out_fd, "wb") as out_fh, os.fdopen(err_fd, "wb") as err_fh:
            writer: Any = (
                _ParquetWriter(out_fh)
                if fmt == "parquet"
                else _JsonlWriter(out_fh, fmt == "jsonl.gz")
            )
            for k in range(n_chunks):
                with open(_part_file(parts, k), "rb") as part:
                    for line in part:
                        tag = line[:2]
                        if tag == b"R ":
                            writer.write(line[2:])
                            records += 1
                        elif tag == b"E ":
                            err_fh.write(line[2:])
                            errors += 1
            writer.close()
            for fh in (out_fh, err_fh):
                fh.flush()
                os.fsync(fh.fileno())
        for tmp in (out_tmp, err_tmp):
            os.chmod(tmp, 0o666 & ~_umask())
        if errors:
            os.replace(err_tmp, errors_path(output))
        else:
            os.unlink(err_tmp)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(errors_path(output))
        os.replace(out_tmp, output)
        _fsync_dir(folder)
    except BaseException:
        for tmp in (out_tmp, err_tmp):
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    return records, errors


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
