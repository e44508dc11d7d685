"""The worker function `process_chunk`: a chunk's records in, its part lines out.

Pure apart from a per-process cache of method instances; engines pickle it by reference (spawned
processes, Dask workers), so it stays a module-level function. Every record goes through
`read_document` (or `read_html`) and `summarize_document`; nothing here splits or selects.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..document import Document
from ..errors import InputError
from ..files import too_long
from ..readers import decode, read_document
from .sources import Chunk

_HIGHLIGHT = re.compile(r"(?m)^@highlight\s*$")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


class _RecordError(Exception):
    def __init__(self, info: dict[str, Any], reason: str) -> None:
        super().__init__(reason)
        self.info = info
        self.reason = reason


_METHODS: dict[str, Any] = {}


def _method(name: str) -> Any:
    method = _METHODS.get(name)
    if method is None:
        from ..methods.base import get_method

        method = _METHODS[name] = get_method(name)
    return method


def _story_text(data: bytes, name: str) -> str:
    """A .story file (CNN/DailyMail layout) holds the article, then `@highlight` blocks."""
    text = decode(data, name)
    m = _HIGHLIGHT.search(text)
    return text[: m.start()] if m else text


def _html_document(data: bytes, name: str) -> Document:
    try:
        from ..html import read_html
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


def _origin(kind: str, item: tuple) -> dict[str, Any]:
    """Where a record came from, and its id as far as known before reading it."""
    if kind == "jsonl":
        return {"id": None, "line": item[0]}
    if kind == "files":
        return {"id": item[0], "path": item[0]}
    return {"id": item[1] if item[1] is not None else str(item[0]), "row": item[0]}


def _read_item(kind: str, item: tuple, job: dict[str, Any]) -> tuple[dict[str, Any], Document]:
    """(id and where it came from, its Document); _RecordError when the record is unusable."""
    info = _origin(kind, item)
    if kind == "jsonl":
        lineno, line = item
        if line is None:  # over the size limit (newsum.files.bounded_lines)
            raise _RecordError(info, too_long("line").removeprefix("line: "))
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
    story = item[2]
    if isinstance(story, bytes):
        try:
            story = decode(story, "")
        except InputError as exc:
            raise _RecordError(info, _strip_name(str(exc), "")) from None
    if story is None:
        raise _RecordError(info, f"row has no {job['text_field']!r} value")
    if not isinstance(story, str):
        kind = type(story).__name__
        raise _RecordError(info, f"row's {job['text_field']!r} value is not text ({kind})")
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
    from ..summarizer import summarize_document

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
            info = info or _origin(chunk.kind, item)
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
