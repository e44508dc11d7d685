"""Readers: turn input (text, corpus-style text, JSONL records, files, pages, stdin) into Documents.

`load_document` is the one way every front end (summarize, batch, eval, train, the service)
turns a record, a file's bytes or a page into a Document, so they all read the same way: gzip
is recognized by its magic bytes, a `.story` file's `@highlight` blocks are dropped, an HTML
page is decoded by its `<meta charset>` (else Windows-1252) when it is not UTF-8.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from . import files
from .document import Document, Sentence
from .errors import InputError
from .segment import (
    detokenize_many,
    looks_lowercased,
    looks_tokenized,
    normalize_space,
    split_sentences,
)

FORMATS = ("auto", "text", "tokenized", "jsonl", "html")


def read_document(
    text: str, format: str = "auto", title: str | None = None, meta: dict | None = None
) -> Document:
    """Split one story into a Document; `format` is "auto", "text" (raw), "tokenized" or "html"."""
    if format == "html":  # a web page: extract the story first (newsum.html)
        from .html import read_html

        doc = read_html(text)
        doc.title = title or doc.title
        doc.meta.update(meta or {})
        return doc
    if format not in ("auto", "text", "tokenized"):
        raise InputError(f"unknown text format {format!r} (expected auto, text or tokenized)")
    text = files.story_text(text)  # size limit; lone surrogates and NULs -> U+FFFD
    if not text or not text.strip():
        raise InputError("story is empty")
    tokenized = looks_tokenized(text) if format == "auto" else format == "tokenized"
    lowercased = looks_lowercased(text)
    spans = split_sentences(text, tokenized, lowercased)
    if title is None and not tokenized and _is_headline(text, spans):
        title = _title(text[spans[0][0] : spans[0][1]], lowercased)
        spans = spans[1:]
    sources = [text[start:end] for start, end in spans]
    displays = _Displays(sources, tokenized, lowercased)
    # Lowercased input is truecased for display (Sentence.text); display text and tokens are
    # made when first asked for.
    sentences = [
        Sentence(k, start, end, source, truecased=lowercased, displays=displays)
        for k, ((start, end), source) in enumerate(zip(spans, sources, strict=True))
    ]
    if not sentences:
        raise InputError("story has no sentences (no letters or digits)")
    return Document(
        text=text,
        sentences=sentences,
        kind="tokenized" if tokenized else "raw",
        lowercased=lowercased,
        title=title,
        meta=meta or {},
    )


class _Displays:
    """The display text of a story's sentences, made when first asked for: `lead` shows the
    first few and needs no other; the methods that read every sentence ask for all of them.

    Corpus-style sentences are detokenized a few on the first request (a summary's sentences),
    then all the rest on the next (`detokenize_many` has a fixed cost per call of ~10 regex
    passes, so the rest go in one call); raw text's are only whitespace-normalized, one at a
    time."""

    FIRST = 4

    def __init__(self, sources: list[str], tokenized: bool, lowercased: bool) -> None:
        self.sources = sources
        self.tokenized = tokenized
        self.capitalize = lowercased
        self.plain: list[str | None] = [None] * len(sources)
        self.missed = False

    def __call__(self, k: int) -> str:
        plain = self.plain[k]
        if plain is not None:
            return plain
        if not self.tokenized:
            return normalize_space(self.sources[k])
        n = len(self.sources)
        wanted = range(n) if self.missed else range(k, min(k + self.FIRST, n))
        self.missed = True
        todo = [j for j in wanted if self.plain[j] is None]
        made = detokenize_many([self.sources[j] for j in todo], capitalize=self.capitalize)
        for j, plain in zip(todo, made, strict=True):
            self.plain[j] = plain
        return self.plain[k]


def _title(line: str, lowercased: bool) -> str:
    """A headline line as a title: one line, truecased when the story is lowercased."""
    title = normalize_space(line)
    if lowercased:
        from .truecase import truecase

        title = truecase(title)
    return title


def _is_headline(text: str, spans: list[tuple[int, int]]) -> bool:
    """A raw story's first line is its headline: short, no final stop, then a blank line."""
    if len(spans) < 2:
        return False
    (start, end), (next_start, _) = spans[0], spans[1]
    line = text[start:end]
    return (
        "\n" not in line
        and len(line.split()) <= 20
        and not line.rstrip().endswith((".", "!", "?", ":", '"', "”", "'", "’"))
        and "\n\n" in text[end:next_start].replace("\r", "")
    )


def decode(data: bytes, name: str = "input") -> str:
    """Bytes to text (UTF-8, or UTF-16/32 with a BOM); binary data and invalid text are
    InputErrors naming what is wrong (newsum.files.decode_text)."""
    return files.decode_text(data, name)


def _decode(data: bytes) -> str:
    return files.decode_text(data, "")


# ----------------------------------------------------------------------------- one reader

GZIP_MAGIC = b"\x1f\x8b"
_HIGHLIGHT = re.compile(r"(?m)^@highlight\s*$")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
HTML_SUFFIXES = (".html", ".htm")


def gunzip(data: bytes) -> bytes:
    """The data, decompressed when it starts with gzip's magic bytes (whatever its name), at
    most files.MAX_STORY_BYTES of it."""
    if not data.startswith(GZIP_MAGIC):
        return data
    return files.gunzip(data, "")


def story_text(text: str) -> str:
    """The article of a CNN/DailyMail `.story` file: the text before its first `@highlight`."""
    m = _HIGHLIGHT.search(text)
    return text[: m.start()] if m else text


def decode_page(data: bytes) -> str:
    """An HTML page's text: UTF-8 when it is, else its `<meta charset>`, else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # a legacy page
        m = _META_CHARSET.search(data[:8192])
        try:
            return data.decode(m.group(1).decode("ascii") if m else "cp1252", errors="replace")
        except LookupError:  # a charset Python does not know
            return data.decode("cp1252", errors="replace")


def parse_record(line: str | bytes) -> dict[str, Any]:
    """One JSONL line as a dict; InputError (no line number) when it is not one."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not valid UTF-8 (byte offset {exc.start})") from None
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise InputError(f"not valid JSON ({getattr(exc, 'msg', exc)})") from None
    if not isinstance(record, dict):
        raise InputError("not a JSON object")
    return record


def record_id(record: dict[str, Any], id_field: str = "id") -> str | None:
    rid = record.get(id_field)
    return None if rid is None else str(rid)


def load_document(
    source: str | bytes | dict[str, Any],
    name: str = "",
    format: str = "auto",
    *,
    field: str = "article",
    id_field: str = "id",
    url: str | None = None,
    meta: dict[str, Any] | None = None,
) -> Document:
    """The Document of a record, a file's bytes or a page: the one reader of every front end.

    - a dict is a JSONL record: its `field` is the story (its `title`, when text, the title;
      its `id_field` goes in meta["id"]);
    - bytes are a file's content (`name` is its path, for its suffix): gzip is undone by magic
      bytes; an HTML page (format "html", a .html/.htm name or markup that opens like a page)
      is decoded by `decode_page` and its story extracted; other text must be UTF-8, and
      `@highlight` blocks (`.story` files) are dropped;
    - a str is text (`format` "auto", "text" or "tokenized") or, with format "html", a page
      (`url` is where it came from).
    InputErrors say what is wrong without naming the input: callers add the name or line.
    """
    if isinstance(source, dict):
        value = source.get(field)
        if not isinstance(value, str):
            why = "has no" if value is None else "has a non-text"
            raise InputError(f"record {why} {field!r} field")
        title = source.get("title")
        info = {"id": record_id(source, id_field), **(meta or {})}
        return read_document(
            value, title=title if isinstance(title, str) and title else None, meta=info
        )
    if isinstance(source, bytes):
        data = gunzip(source)
        base = name.lower().removesuffix(".gz")
        if format == "html" or (
            format == "auto" and (base.endswith(HTML_SUFFIXES) or _looks_html(data))
        ):
            return _page_document(decode_page(data), url, meta)
        return read_document(story_text(_decode(data)), format, meta=meta)
    if format == "html":
        return _page_document(source, url, meta)
    return read_document(source, format, meta=meta)


def _page_document(html: str, url: str | None, meta: dict[str, Any] | None) -> Document:
    from .html import read_html

    doc = read_html(html, url=url)
    doc.meta.update(meta or {})
    return doc


@dataclass(slots=True)
class Item:
    """One story to summarize, or the error that stopped it being read."""

    name: str
    document: Document | None = None
    error: str | None = None
    record_id: str | None = None


def _read_bytes(path: str) -> bytes:
    # Regular files only (a FIFO or /dev/zero is refused by type), at most MAX_STORY_BYTES.
    data = files.read_stdin() if path == "-" else files.read_file(path)
    try:
        return gunzip(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


def _is_jsonl_name(path: str) -> bool:
    return path.endswith((".jsonl", ".jsonl.gz", ".ndjson", ".json", ".json.gz"))


def _looks_jsonl(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first.lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def iter_records(
    lines: Iterable[str | bytes | None], name: str
) -> Iterator[tuple[str, dict[str, Any] | None, str | None]]:
    """(where, record, None) per non-blank JSONL line, or (where, None, error) for a bad one."""
    for lineno, line in enumerate(lines, 1):
        where = f"{name}:{lineno}"
        if line is None:  # over the size limit (files.bounded_lines)
            yield where, None, files.too_long(where)
            continue
        if not line.strip():
            continue
        try:
            yield where, parse_record(line), None
        except InputError as exc:
            yield where, None, f"{where}: {exc}"


def record_lines(path: str) -> Iterator[bytes | None]:
    """The lines of a JSONL(.gz) file, or of standard input for "-" (see open_lines), with a
    line over the size limit given as None."""
    if path == "-":
        return files.bounded_lines(sys.stdin.buffer)
    return _bounded_lines(path)


def iter_jsonl(
    lines: Iterable[str | bytes | None], name: str, field: str = "article", id_field: str = "id"
) -> Iterator[Item]:
    """One Item per non-blank line; a bad line becomes an Item with an error and its line number."""
    for where, record, error in iter_records(lines, name):
        if record is None:
            yield Item(where, error=error)
            continue
        rid = record_id(record, id_field)
        try:
            doc = load_document(record, field=field, id_field=id_field)
        except InputError as exc:
            yield Item(where, error=f"{where}: {exc}", record_id=rid)
            continue
        yield Item(where, document=doc, record_id=rid)


def open_lines(path: str) -> Iterator[bytes]:
    """Stream a JSONL file line by line, undecoded, so a bad line fails alone; gzip-compressed
    or not by its magic bytes. A missing file, a folder, a special file or a line over the size
    limit is an InputError."""
    for lineno, line in enumerate(_bounded_lines(path), 1):
        if line is None:
            raise InputError(files.too_long(f"{path}:{lineno}"))
        yield line


def _bounded_lines(path: str) -> Iterator[bytes | None]:
    """open_lines, with a line over the size limit given as None (skipped, never in memory)."""
    try:
        with files.open_regular(path) as raw:
            gz = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            stream: IO[bytes] = raw
            if gz:
                import gzip  # only for a gzipped file (start-up)

                stream = gzip.GzipFile(fileobj=raw, mode="rb")
            yield from files.bounded_lines(stream)
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None


# A web page opens with <!doctype html> or <html>, maybe after a BOM, XML declaration or comments.
_HTML_START = re.compile(
    r"\ufeff?\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S
)


def _looks_html(data: bytes) -> bool:
    """Markup that opens like a web page (in any ASCII-compatible encoding)."""
    return (
        _HTML_START.match(data[:4096].removeprefix(b"\xef\xbb\xbf").decode("latin-1")) is not None
    )


def _first_line(data: bytes) -> bytes:
    """The first non-blank line of a file's bytes (after a UTF-8 BOM)."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    start = len(data) - len(data.lstrip())
    end = data.find(b"\n", start)
    return data[start : end if end >= 0 else len(data)]


def _is_url(path: str) -> bool:
    return path.lower().startswith(("http://", "https://"))


def _url_item(url: str) -> Item:
    """One Item for the web page at `url`, fetched."""
    from .html import fetch_url

    try:
        doc = load_document(fetch_url(url), url, "html", url=url)
    except InputError as exc:
        msg = str(exc)
        return Item(url, error=msg if msg.startswith(url) else f"{url}: {msg}")
    return Item(url, document=doc)


def iter_items(
    paths: Iterable[str], format: str = "auto", field: str = "article"
) -> Iterator[Item]:
    """Items for each path ("-" is stdin): one per story file, one per JSONL record."""
    if format not in FORMATS:
        raise InputError(f"unknown format {format!r} (expected one of {', '.join(FORMATS)})")
    for path in paths:
        name = "<stdin>" if path == "-" else path
        if _is_url(path) and format in ("auto", "html"):
            yield _url_item(path)
            continue
        by_name = path != "-" and (format == "jsonl" or (format == "auto" and _is_jsonl_name(path)))
        if by_name and Path(path).is_file():
            try:
                yield from iter_jsonl(record_lines(path), name, field)
            except InputError as exc:
                yield Item(name, error=str(exc))
            continue
        try:
            data = _read_bytes(path)
        except InputError as exc:
            yield Item(name, error=str(exc))
            continue
        if format == "jsonl" or (
            format == "auto"
            and not path.lower().removesuffix(".gz").endswith(HTML_SUFFIXES)
            and _looks_jsonl(_first_line(data).decode("utf-8", "replace"))
        ):
            yield from iter_jsonl(data.splitlines(), name, field)
            continue
        try:
            doc = load_document(data, path, format, meta={"path": os.fspath(path)})
        except InputError as exc:
            msg = str(exc)
            yield Item(name, error=msg if msg.startswith(f"{name}:") else f"{name}: {msg}")
            continue
        yield Item(name, document=doc)
