"""Readers: turn input (text, corpus-style text, JSONL records, files, stdin) into Documents."""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import files
from .document import Document, Sentence
from .errors import InputError
from .segment import (
    detokenize,
    looks_lowercased,
    looks_tokenized,
    normalize_space,
    split_sentences,
    word_tokens,
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
    spans = split_sentences(text, tokenized)
    if title is None and not tokenized and not lowercased and _is_headline(text, spans):
        title = normalize_space(text[spans[0][0] : spans[0][1]])
        spans = spans[1:]
    sentences = []
    for start, end in spans:
        source = text[start:end]
        display = (
            detokenize(source, capitalize=lowercased) if tokenized else normalize_space(source)
        )
        sentences.append(
            Sentence(len(sentences), start, end, source, display, tuple(word_tokens(display)))
        )
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


@dataclass(slots=True)
class Item:
    """One story to summarize, or the error that stopped it being read."""

    name: str
    document: Document | None = None
    error: str | None = None
    record_id: str | None = None


def _read_bytes(path: str) -> bytes:
    # Regular files only (a FIFO or /dev/zero is refused by type), at most MAX_STORY_BYTES.
    return files.read_stdin() if path == "-" else files.read_file(path)


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


def iter_jsonl(
    lines: Iterable[str | bytes | None], name: str, field: str = "article", id_field: str = "id"
) -> Iterator[Item]:
    """One Item per non-blank line; a bad line becomes an Item with an error and its line number."""
    for lineno, line in enumerate(lines, 1):
        where = f"{name}:{lineno}"
        if line is None:  # over the size limit (files.bounded_lines)
            yield Item(where, error=files.too_long(where))
            continue
        if not line.strip():
            continue
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield Item(where, error=f"{where}: not valid UTF-8 (offset {exc.start})")
                continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            yield Item(where, error=f"{where}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield Item(where, error=f"{where}: not a JSON object")
            continue
        rid = record.get(id_field)
        rid = None if rid is None else str(rid)
        value = record.get(field)
        if not isinstance(value, str):
            why = "has no" if value is None else "has a non-text"
            yield Item(where, error=f"{where}: record {why} {field!r} field", record_id=rid)
            continue
        try:
            doc = read_document(value, title=record.get("title") or None, meta={"id": rid})
        except InputError as exc:
            yield Item(where, error=f"{where}: {exc}", record_id=rid)
            continue
        yield Item(where, document=doc, record_id=rid)


def _open_lines(path: str) -> Iterator[bytes | None]:
    """Stream a JSONL(.gz) file line by line, undecoded, so a bad line fails alone."""
    try:
        with files.open_regular(path) as raw:
            fh = gzip.GzipFile(fileobj=raw, mode="rb") if path.endswith(".gz") else raw
            yield from files.bounded_lines(fh)
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None


# A web page opens with <!doctype html> or <html>, maybe after a BOM, XML declaration or comments.
_HTML_START = re.compile(
    r"\ufeff?\s*(?:<\?xml[^>]*>\s*|<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S
)


def _is_url(path: str) -> bool:
    return path.lower().startswith(("http://", "https://"))


def _looks_html(path: str, text: str) -> bool:
    """An .html/.htm file, or text that opens like a web page."""
    if path.lower().endswith((".html", ".htm", ".html.gz", ".htm.gz")):
        return True
    return _HTML_START.match(text[:4096]) is not None


def _html_item(name: str, text: str | None, path: str) -> Item:
    """One Item for a web page: the text given, or the page fetched when `path` is a URL."""
    from .html import fetch_url, read_html

    try:
        url = path if _is_url(path) else None
        page = fetch_url(path) if text is None else text
        doc = read_html(page, url=url)
    except InputError as exc:
        msg = str(exc)
        return Item(name, error=msg if msg.startswith(name) else f"{name}: {msg}")
    if not url:
        doc.meta["path"] = os.fspath(path)
    return Item(name, document=doc)


def iter_items(
    paths: Iterable[str], format: str = "auto", field: str = "article"
) -> Iterator[Item]:
    """Items for each path ("-" is stdin): one per story file, one per JSONL record."""
    if format not in FORMATS:
        raise InputError(f"unknown format {format!r} (expected one of {', '.join(FORMATS)})")
    for path in paths:
        name = "<stdin>" if path == "-" else path
        if _is_url(path) and format in ("auto", "html"):
            yield _html_item(name, None, path)
            continue
        by_name = path != "-" and (format == "jsonl" or (format == "auto" and _is_jsonl_name(path)))
        if by_name and Path(path).is_file():
            try:
                yield from iter_jsonl(_open_lines(path), name, field)
            except InputError as exc:
                yield Item(name, error=str(exc))
            continue
        try:
            text = decode(_read_bytes(path), name)
        except InputError as exc:
            yield Item(name, error=str(exc))
            continue
        if format == "html" or (format == "auto" and _looks_html(path, text)):
            yield _html_item(name, text, path)
            continue
        if format == "jsonl" or (format == "auto" and _looks_jsonl(text)):
            yield from iter_jsonl(text.splitlines(), name, field)
            continue
        try:
            fmt = format if format in ("text", "tokenized") else "auto"
            yield Item(name, document=read_document(text, fmt, meta={"path": os.fspath(path)}))
        except InputError as exc:
            yield Item(name, error=f"{name}: {exc}")
