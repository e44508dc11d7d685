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
"""

from __future__ import annotations

import contextlib
import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from typing import IO, Any

from .document import Document
from .errors import InputError, NewsumError, UsageError
from .progress import Progress
from .readers import decode, read_document

DEFAULT_CHUNK_SIZE = 500
STORY_SUFFIXES = (".txt", ".story", ".html", ".htm")
MANIFEST = "manifest.json"
_PART = re.compile(r"^part-(\d{8})\.jsonl$")
_HIGHLIGHT = re.compile(r"(?m)^@highlight\s*$")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_FORMAT_VERSION = 1


class BatchError(NewsumError):
    """The run cannot go on (a worker died, the cluster went away); committed chunks are kept."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; `signum` says which (exit code 128 + signum)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum


# --------------------------------------------------------------------------------------------
# Sources: stream records in input order as plain tuples that pickle cheaply.


@dataclass(slots=True)
class Chunk:
    """Records [index*C, (index+1)*C) of the input, raw, with a digest of exactly those bytes.

    `items` by `kind`: "jsonl": (line number, line bytes); "files": (relative path, bytes or
    None, read error or None); "rows": (row number, id or None, text or None).
    """

    index: int
    kind: str
    items: list[tuple]
    digest: str


class Source:
    """An input read front to back; `fraction()` says how much of it was read (for the ETA)."""

    kind = ""
    path = ""

    def items(self) -> Iterator[tuple]:
        raise NotImplementedError

    def fraction(self) -> float | None:
        return None

    def total(self) -> int | None:
        """The number of records when it is cheap to know in advance, else None."""
        return None

    def describe(self) -> dict[str, Any]:
        st = os.stat(self.path)
        return {"path": os.path.abspath(self.path), "kind": self.kind, "size": st.st_size}


class JsonlSource(Source):
    """One record per non-blank line of a JSONL file, gzip-compressed or not (by magic bytes)."""

    kind = "jsonl"

    def __init__(self, path: str) -> None:
        self.path = path
        self._size = os.path.getsize(path)
        self._raw: IO[bytes] | None = None
        self._finished = False

    def items(self) -> Iterator[tuple[int, bytes]]:
        lineno = 0
        try:
            with open(self.path, "rb") as raw:
                self._raw = raw
                gz = raw.read(2) == b"\x1f\x8b"
                raw.seek(0)
                fh: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
                for lineno, line in enumerate(fh, 1):  # noqa: B007  (lineno used in the error)
                    if not line.isspace():
                        yield lineno, line
            self._finished = True
        except (OSError, EOFError) as exc:
            raise InputError(f"{self.path}: cannot read past line {lineno} ({exc})") from None
        finally:
            self._raw = None

    def fraction(self) -> float | None:
        raw = self._raw
        if self._finished:
            return 1.0
        if raw is None or not self._size:
            return None
        with contextlib.suppress(ValueError, OSError):
            return min(1.0, raw.tell() / self._size)
        return None


class DirSource(Source):
    """Each .txt / .story / .html file under a directory, depth first, sorted by name per folder.

    Hidden files and folders are skipped, symlinked folders are not followed. Memory grows with
    the largest single folder (its sorted listing), not with the whole tree.
    """

    kind = "files"

    def __init__(self, path: str) -> None:
        self.path = path
        self._count: int | None = None

    def _walk(self, folder: str, rel: str) -> Iterator[str]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(
                    (e.name, e.is_dir(follow_symlinks=False)) for e in it if e.name[0] != "."
                )
        except OSError as exc:
            raise InputError(f"{folder}: cannot list ({exc.strerror})") from None
        for name, is_dir in entries:
            sub = f"{rel}{name}"
            if is_dir:
                yield from self._walk(os.path.join(folder, name), sub + "/")
            elif name.lower().endswith(STORY_SUFFIXES):
                yield sub

    def items(self) -> Iterator[tuple[str, bytes | None, str | None]]:
        for rel in self._walk(self.path, ""):
            try:
                with open(os.path.join(self.path, rel), "rb") as fh:
                    yield rel, fh.read(), None
            except OSError as exc:
                yield rel, None, f"cannot read ({exc.strerror})"

    def total(self) -> int | None:
        if self._count is None:
            self._count = sum(1 for _ in self._walk(self.path, ""))
        return self._count

    def describe(self) -> dict[str, Any]:
        return {"path": os.path.abspath(self.path), "kind": self.kind}


class ParquetSource(Source):
    """Rows of a Parquet file, streamed batch by batch (pyarrow's `iter_batches`)."""

    kind = "rows"

    def __init__(self, path: str, id_field: str, text_field: str) -> None:
        pq = require_pyarrow()
        self.path = path
        try:
            self._file = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
        names = self._file.schema_arrow.names
        if text_field not in names:
            raise InputError(
                f"{path}: no column {text_field!r} (columns: {', '.join(names)}); "
                "name the story column with --text-field"
            )
        self.id_field = id_field if id_field in names else None
        self.text_field = text_field
        self._rows = self._file.metadata.num_rows
        self._read = 0

    def items(self) -> Iterator[tuple[int, str | None, str | bytes | None]]:
        columns = [self.text_field] + ([self.id_field] if self.id_field else [])
        row = 0
        for batch in self._file.iter_batches(batch_size=1024, columns=columns):
            texts = batch.column(0).to_pylist()
            ids = batch.column(1).to_pylist() if self.id_field else [None] * len(texts)
            for rid, text in zip(ids, texts, strict=True):
                row += 1
                self._read = row
                yield row, (None if rid is None else str(rid)), text

    def fraction(self) -> float | None:
        return self._read / self._rows if self._rows else None

    def total(self) -> int | None:
        return self._rows


def open_source(path: str, id_field: str = "id", text_field: str = "article") -> Source:
    """The source for `path`: a directory, a .parquet / .pq file, or else JSONL (gzipped or not)."""
    if os.path.isdir(path):
        return DirSource(path)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or directory")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: cannot read (permission denied)")
    if path.lower().endswith((".parquet", ".pq")):
        return ParquetSource(path, id_field, text_field)
    return JsonlSource(path)


def _feed(h: Any, kind: str, item: tuple) -> None:
    if kind == "jsonl":
        h.update(b"%d\n" % item[0])
        h.update(item[1])
    elif kind == "files":
        rel, data, err = item
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        h.update(data if data is not None else (err or "").encode())
    else:
        row, rid, text = item
        h.update(repr((row, rid, type(text).__name__)).encode("utf-8", "surrogatepass"))
        if text is not None:
            h.update(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))


def iter_chunks(source: Source, size: int) -> Iterator[Chunk]:
    """The source's records in chunks of `size`, each with a digest of exactly its input."""
    index = 0
    items: list[tuple] = []
    h = hashlib.blake2b(digest_size=16)
    for item in source.items():
        items.append(item)
        _feed(h, source.kind, item)
        if len(items) == size:
            yield Chunk(index, source.kind, items, h.hexdigest())
            index += 1
            items = []
            h = hashlib.blake2b(digest_size=16)
    if items:
        yield Chunk(index, source.kind, items, h.hexdigest())


# --------------------------------------------------------------------------------------------
# The worker function: pure (apart from a per-process cache of method instances).


class _RecordError(Exception):
    def __init__(self, info: dict[str, Any], reason: str) -> None:
        super().__init__(reason)
        self.info = info
        self.reason = reason


_METHODS: dict[str, Any] = {}


def _method(name: str) -> Any:
    method = _METHODS.get(name)
    if method is None:
        from .methods.base import get_method

        method = _METHODS[name] = get_method(name)
    return method


def _story_text(data: bytes, name: str) -> str:
    """A .story file (CNN/DailyMail layout) holds the article, then `@highlight` blocks."""
    text = decode(data, name)
    m = _HIGHLIGHT.search(text)
    return text[: m.start()] if m else text


def _html_document(data: bytes, name: str) -> Document:
    try:
        from .html import read_html
    except ImportError:
        raise InputError("reading HTML needs newsum.html, which this install lacks") from None
    try:
        html = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # a legacy page: its declared charset, else Windows-1252
        m = _META_CHARSET.search(data[:8192])
        try:
            html = data.decode(m.group(1).decode("ascii") if m else "cp1252", errors="replace")
        except LookupError:
            html = data.decode("cp1252", errors="replace")
    return read_html(html)


def _read_item(kind: str, item: tuple, job: dict[str, Any]) -> tuple[dict[str, Any], Document]:
    """(id and where it came from, its Document); _RecordError when the record is unusable."""
    if kind == "jsonl":
        lineno, line = item
        info: dict[str, Any] = {"id": None, "line": lineno}
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            info["id"] = _salvage_id(line, job["id_field"])
            raise _RecordError(info, f"not valid UTF-8 (byte offset {exc.start})") from None
        try:
            record = json.loads(text)
        except ValueError as exc:
            raise _RecordError(info, f"not valid JSON ({getattr(exc, 'msg', exc)})") from None
        if not isinstance(record, dict):
            raise _RecordError(info, "not a JSON object")
        rid = record.get(job["id_field"])
        info["id"] = str(lineno) if rid is None else str(rid)
        story = record.get(job["text_field"])
        if not isinstance(story, str):
            why = "has no" if story is None else "has a non-text"
            raise _RecordError(info, f"record {why} {job['text_field']!r} field")
        return info, _document(info, story)
    if kind == "files":
        rel, data, err = item
        info = {"id": rel, "path": rel}
        if err is not None:
            raise _RecordError(info, err)
        lower = rel.lower()
        try:
            if lower.endswith((".html", ".htm")):
                return info, _html_document(data, rel)
            text = _story_text(data, rel) if lower.endswith(".story") else decode(data, rel)
        except InputError as exc:
            raise _RecordError(info, _strip_name(str(exc), rel)) from None
        return info, _document(info, text)
    row, rid, story = item
    info = {"id": str(row) if rid is None else rid, "row": row}
    if isinstance(story, bytes):
        try:
            story = decode(story, "")
        except InputError as exc:
            raise _RecordError(info, _strip_name(str(exc), "")) from None
    if not isinstance(story, str):
        raise _RecordError(info, f"row has no {job['text_field']!r} value")
    return info, _document(info, story)


def _salvage_id(line: bytes, id_field: str) -> str | None:
    """The id of a record whose line is not valid UTF-8, when the rest of it parses."""
    try:
        record = json.loads(line.decode("utf-8", "replace"))
    except ValueError:
        return None
    rid = record.get(id_field) if isinstance(record, dict) else None
    return None if rid is None else str(rid)


def _strip_name(message: str, name: str) -> str:
    prefix = f"{name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _document(info: dict[str, Any], text: str) -> Document:
    try:
        return read_document(text, meta={"id": info["id"]})
    except InputError as exc:
        raise _RecordError(info, str(exc)) from None


def _line(tag: bytes, obj: dict[str, Any]) -> bytes:
    try:
        return tag + json.dumps(obj, ensure_ascii=False).encode("utf-8") + b"\n"
    except UnicodeEncodeError:  # lone surrogates from a "\ud800" escape in the input
        return tag + json.dumps(obj).encode("ascii") + b"\n"


def process_chunk(chunk: Chunk, job: dict[str, Any]) -> list[bytes]:
    """One part's body: b"R <output record>" / b"E <error record>" lines, in input order.

    `job` holds "method", "length" (summarize_document's length settings), "id_field" and
    "text_field". A record that cannot be read or summarized becomes an error line; the chunk
    goes on.
    """
    from .summarizer import summarize_document

    method = _method(job["method"])
    out: list[bytes] = []
    for item in chunk.items:
        info: dict[str, Any] = {}
        try:
            info, doc = _read_item(chunk.kind, item, job)
            summary = summarize_document(doc, method, **job["length"])
        except _RecordError as exc:
            out.append(_line(b"E ", {**exc.info, "error": exc.reason}))
            continue
        except Exception as exc:  # a bug must not stop a million-record run: report, go on
            info = info or _fallback_info(chunk.kind, item)
            out.append(_line(b"E ", {**info, "error": f"internal error: {exc!r}"}))
            continue
        record = {
            "id": info["id"],
            "summary": [s.text for s in summary.sentences],
            "indices": summary.indices,
            "method": summary.method,
        }
        out.append(_line(b"R ", record))
    return out


def _fallback_info(kind: str, item: tuple) -> dict[str, Any]:
    if kind == "jsonl":
        return {"id": None, "line": item[0]}
    if kind == "files":
        return {"id": item[0], "path": item[0]}
    return {"id": item[1] if item[1] is not None else str(item[0]), "row": item[0]}


# --------------------------------------------------------------------------------------------
# Engines: map process_chunk over chunks, yielding (chunk, part body) as chunks finish.

Engine = Callable[[Iterator[Chunk], dict[str, Any]], Iterator[tuple[Chunk, list[bytes]]]]


def _worker_init(parent: int) -> None:
    """Worker processes leave SIGINT/SIGTERM to the parent and exit if the parent disappears."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(0.25)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def local_engine(workers: int, in_flight: int | None = None) -> Engine:
    """Run chunks in this process (workers=1) or in `workers` spawned processes.

    At most `in_flight` chunks (default 2 per worker) are submitted and not yet collected, so
    memory stays bounded whatever the input size.
    """

    def run(chunks: Iterator[Chunk], job: dict[str, Any]) -> Iterator[tuple[Chunk, list[bytes]]]:
        if workers <= 1:
            for chunk in chunks:
                yield chunk, process_chunk(chunk, job)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        limit = in_flight or 2 * workers
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
        pending: dict[Any, Chunk] = {}
        clean = False
        try:
            source = iter(chunks)
            exhausted = False
            while True:
                while not exhausted and len(pending) < limit:
                    chunk = next(source, None)
                    if chunk is None:
                        exhausted = True
                        break
                    pending[pool.submit(process_chunk, chunk, job)] = chunk
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=lambda f: pending[f].index):
                    chunk = pending.pop(fut)
                    try:
                        body = fut.result()
                    except BrokenProcessPool:
                        raise BatchError(
                            "a worker process died (out of memory?); finished chunks are kept, "
                            "run the same command again to continue"
                        ) from None
                    yield chunk, body
            clean = True
        finally:
            if clean:
                pool.shutdown(wait=True)
            else:  # interrupted or failed: stop the workers now, the chunks will be redone
                for proc in list((getattr(pool, "_processes", None) or {}).values()):
                    with contextlib.suppress(Exception):
                        proc.kill()
                pool.shutdown(wait=False, cancel_futures=True)

    return run


# --------------------------------------------------------------------------------------------
# Output: committed parts, then the final files.


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


def require_pyarrow() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(
            "Parquet input or output needs pyarrow: pip install 'newsum[parquet]'"
        ) from None
    return pq


def _fsync_dir(folder: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def commit_part(parts: str, chunk: Chunk, body: list[bytes]) -> None:
    """Write a chunk's part beside its final name, fsync it, rename it: the chunk is done."""
    final = os.path.join(parts, f"part-{chunk.index:08d}.jsonl")
    tmp = f"{final}.tmp-{os.getpid()}"
    header = {"chunk": chunk.index, "digest": chunk.digest, "records": len(chunk.items)}
    with open(tmp, "wb") as fh:
        fh.write(b"H " + json.dumps(header).encode() + b"\n")
        fh.writelines(body)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)


def _part_header(parts: str, index: int) -> dict[str, Any]:
    with open(os.path.join(parts, f"part-{index:08d}.jsonl"), "rb") as fh:
        line = fh.readline()
    return json.loads(line[2:]) if line.startswith(b"H ") else {}


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
                with open(os.path.join(parts, f"part-{k:08d}.jsonl"), "rb") as part:
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


# --------------------------------------------------------------------------------------------
# The run: lock, manifest, resume, engine, assemble.


@dataclass(slots=True)
class BatchResult:
    """What a finished run did: records written, errors, chunks and how many were resumed."""

    output: str
    records: int = 0
    errors: int = 0
    chunks: int = 0
    resumed_chunks: int = 0
    new_records: int = 0
    seconds: float = 0.0

    @property
    def errors_file(self) -> str:
        return errors_path(self.output)


def _lock(path: str, output: str) -> int:
    """An exclusive lock (flock) on `path`, held until the process ends or the fd is closed."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, one run per OUTPUT is up to the user
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise UsageError(f"another `newsum batch` is writing {output}") from None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the lock file was replaced while we waited: take the new one


def _manifest(
    source: Source, job: dict[str, Any], settings: dict[str, Any], chunk_size: int
) -> dict[str, Any]:
    from . import __version__

    return {
        "format": _FORMAT_VERSION,
        "newsum": __version__,
        "input": source.describe(),
        "method": job["method"],
        "settings": settings,
        "id_field": job["id_field"],
        "text_field": job["text_field"],
        "chunk_size": chunk_size,
    }


_COMPARED = ("format", "newsum", "method", "settings", "id_field", "text_field", "chunk_size")


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    diffs = [k for k in _COMPARED if old.get(k) != new.get(k)]
    o_in, n_in = old.get("input", {}), new.get("input", {})
    diffs += [f"input {k}" for k in ("path", "kind") if o_in.get(k) != n_in.get(k)]
    return diffs


def _remove_stale(output: str) -> None:
    folder = os.path.dirname(os.path.abspath(output))
    base = glob.escape(os.path.basename(output))
    for path in glob.glob(os.path.join(folder, f".{base}.tmp-*")):
        with contextlib.suppress(OSError):
            os.unlink(path)
    for path in glob.glob(os.path.join(folder, f".{base}.parts-*")):
        shutil.rmtree(path, ignore_errors=True)


def _start_parts(output: str, manifest: dict[str, Any]) -> str:
    """Create OUTPUT.parts atomically with its manifest inside (so it never exists without)."""
    folder = os.path.dirname(os.path.abspath(output))
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(output)}.parts-new-", dir=folder)
    with open(os.path.join(tmp, MANIFEST), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.rename(tmp, parts_path(output))
    return parts_path(output)


def run_batch(
    input: str,
    output: str,
    *,
    method: str | None = None,
    length: dict[str, Any] | None = None,
    engine: Engine | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    id_field: str = "id",
    text_field: str = "article",
    overwrite: bool = False,
    restart: bool = False,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
) -> BatchResult:
    """Summarize every record of `input` into `output`, resuming an interrupted run.

    `length` takes summarize_document's keywords (sentences, words, ratio, order, redundancy);
    `engine` defaults to in-process. Raises UsageError/InputError before any work for bad
    settings, an unreadable input, an existing OUTPUT (unless `overwrite`) or an unfinished run
    with other settings (unless `restart`, which discards it).
    """
    from .methods.base import get_method
    from .summarizer import default_method, summarize_document

    started = time.monotonic()
    log = log or (lambda message: None)
    if chunk_size < 1:
        raise UsageError(f"chunk size must be at least 1, got {chunk_size}")
    length = dict(length or {})
    scorer = get_method(method or default_method())
    # The settings a summary reports are the effective ones (defaults resolved): the manifest's.
    probe = summarize_document(read_document("Check the settings once."), scorer, **length)
    settings = json.loads(json.dumps(probe.settings, default=repr, sort_keys=True))
    job = {"method": scorer.name, "length": length, "id_field": id_field, "text_field": text_field}

    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise UsageError(f"{output}: its folder {folder} does not exist")
    if os.path.isdir(output):
        raise UsageError(f"{output}: is a directory; give an output file name")
    if os.path.abspath(output) == os.path.abspath(input):
        raise UsageError("the output would overwrite the input")
    if output_format(output) == "parquet":
        require_pyarrow()
    source = open_source(input, id_field, text_field)
    manifest = _manifest(source, job, settings, chunk_size)

    lock_path = os.path.join(folder, f".{os.path.basename(output)}.lock")
    lock_fd = _lock(lock_path, output)
    try:
        _remove_stale(output)
        parts = parts_path(output)
        if os.path.isdir(parts) and restart:
            shutil.rmtree(parts)
        if os.path.isdir(parts):
            try:
                with open(os.path.join(parts, MANIFEST), encoding="utf-8") as fh:
                    old = json.load(fh)
            except (OSError, ValueError):
                old = {}
            diffs = _differences(old, manifest)
            if diffs:
                raise UsageError(
                    f"{parts} holds an unfinished run with other settings ({', '.join(diffs)}); "
                    "rerun with the same settings to continue it, or pass --restart to discard it"
                )
        else:
            if os.path.exists(output):
                if not overwrite:
                    raise UsageError(
                        f"{output} already exists (a finished run); pass --overwrite to redo it"
                    )
                os.unlink(output)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(errors_path(output))
            _start_parts(output, manifest)
        done = {int(m.group(1)) for name in os.listdir(parts) if (m := _PART.match(name))}
        result = BatchResult(output)
        if done:
            log(f"resuming the unfinished run in {parts}: {len(done)} chunks already done")
        _process(source, chunk_size, parts, done, job, engine, progress, result)
        result.records, result.errors = assemble(parts, result.chunks, output)
        trash = tempfile.mkdtemp(prefix=f".{os.path.basename(output)}.parts-done-", dir=folder)
        os.replace(parts, os.path.join(trash, "parts"))
        shutil.rmtree(trash, ignore_errors=True)
    finally:
        if not os.path.isdir(parts_path(output)):  # nothing to resume: no lock file left behind
            with contextlib.suppress(OSError):
                os.unlink(lock_path)
        os.close(lock_fd)
    result.seconds = time.monotonic() - started
    return result


def _process(
    source: Source,
    chunk_size: int,
    parts: str,
    done: set[int],
    job: dict[str, Any],
    engine: Engine | None,
    progress: Progress | None,
    result: BatchResult,
) -> None:
    total = source.total() if progress is not None and progress.enabled else None
    counted = {"read": 0, "resumed": 0}

    def remaining() -> int | None:
        """Records left to summarize: known, or estimated from how much input was read."""
        estimate = total
        if estimate is None:
            share = source.fraction()
            if not share or share < 0.001:
                return None
            estimate = max(int(counted["read"] / share), counted["read"])
        return estimate - counted["resumed"]

    def pending() -> Iterator[Chunk]:
        for chunk in iter_chunks(source, chunk_size):
            result.chunks = chunk.index + 1
            counted["read"] += len(chunk.items)
            if chunk.index in done:
                header = _part_header(parts, chunk.index)
                if header.get("digest") != chunk.digest:
                    raise UsageError(
                        f"the input changed since the unfinished run in {parts} "
                        f"(chunk {chunk.index} differs); pass --restart to start over"
                    )
                result.resumed_chunks += 1
                counted["resumed"] += len(chunk.items)
                continue
            yield chunk

    run = engine or local_engine(1)
    with contextlib.closing(run(pending(), job)) as finished:
        for chunk, body in finished:
            commit_part(parts, chunk, body)
            result.new_records += len(chunk.items)
            if progress is not None:
                progress.total = remaining()
                progress.update(len(chunk.items))
    if progress is not None:
        progress.total = result.new_records
