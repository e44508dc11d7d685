"""Sources: stream records in input order as plain tuples that pickle cheaply, in chunks.

A source is a JSONL[.gz] file (one record per line), a directory of story files or a Parquet
file; chunk k holds records [k*C, (k+1)*C) with a digest of exactly their input, which is what
a resumed run checks its committed parts against.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from ..errors import InputError, missing_module
from ..files import MAX_STORY_BYTES, bounded_lines, check_regular, read_file

STORY_SUFFIXES = (".txt", ".story", ".html", ".htm")


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

    def items(self) -> Iterator[tuple[int, bytes | None]]:
        lineno = 0
        try:
            with open(self.path, "rb") as raw:
                self._raw = raw
                gz = raw.read(2) == b"\x1f\x8b"
                raw.seek(0)
                fh: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
                # A line over MAX_STORY_BYTES comes as None: a record error, never in memory.
                for lineno, line in enumerate(bounded_lines(fh), 1):  # noqa: B007
                    if line is None or not line.isspace():
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

    Hidden files and folders are skipped, symlinked folders are not followed. The walk keeps its
    own stack (a tree thousands of levels deep is fine); memory grows with the listings on that
    stack, not with the whole tree. Files are read as regular files only, at most
    MAX_STORY_BYTES each: a FIFO, a device or a link to /dev/zero is a record error, not a hang.
    """

    kind = "files"

    def __init__(self, path: str) -> None:
        self.path = path
        self._count: int | None = None

    @staticmethod
    def _listing(folder: str, rel: str) -> Iterator[tuple[str, bool]]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(
                    (e.name, e.is_dir(follow_symlinks=False)) for e in it if e.name[0] != "."
                )
        except OSError as exc:
            raise InputError(f"{folder}: cannot list ({exc.strerror})") from None
        return iter([(f"{rel}{name}", is_dir) for name, is_dir in entries])

    def _walk(self, folder: str, rel: str) -> Iterator[str]:
        """Story files depth first, sorted by name per folder, with an explicit stack."""
        stack = [self._listing(folder, rel)]
        while stack:
            entry = next(stack[-1], None)
            if entry is None:
                stack.pop()
                continue
            sub, is_dir = entry
            if is_dir:
                stack.append(self._listing(os.path.join(self.path, sub), sub + "/"))
            elif sub.lower().endswith(STORY_SUFFIXES):
                yield sub

    def items(self) -> Iterator[tuple[str, bytes | None, str | None]]:
        for rel in self._walk(self.path, ""):
            try:
                yield rel, read_file(os.path.join(self.path, rel), MAX_STORY_BYTES), None
            except InputError as exc:
                message = str(exc)
                prefix = os.path.join(self.path, rel) + ": "
                yield rel, None, message.removeprefix(prefix)

    def total(self) -> int | None:
        if self._count is None:
            self._count = sum(1 for _ in self._walk(self.path, ""))
        return self._count

    def describe(self) -> dict[str, Any]:
        return {"path": os.path.abspath(self.path), "kind": self.kind}


def require_pyarrow() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise missing_module(exc, "Parquet input or output") from None
    return pq


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
    check_regular(path)  # a FIFO or a device would block or never end
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: cannot read (permission denied)")
    if path.lower().endswith((".parquet", ".pq")):
        return ParquetSource(path, id_field, text_field)
    return JsonlSource(path)


def _feed(h: Any, kind: str, item: tuple) -> None:
    if kind == "jsonl":
        h.update(b"%d\n" % item[0])
        h.update(item[1] if item[1] is not None else b"\0line too large")
    elif kind == "files":
        rel, data, err = item
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        h.update(data if data is not None else (err or "").encode())
    else:
        row, rid, text = item
        h.update(repr((row, rid, type(text).__name__)).encode("utf-8", "surrogatepass"))
        if isinstance(text, bytes):
            h.update(text)
        elif isinstance(text, str):
            h.update(text.encode("utf-8", "surrogatepass"))
        elif text is not None:  # a column of numbers, lists...: a record error later
            h.update(repr(text).encode("utf-8", "surrogatepass"))


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
