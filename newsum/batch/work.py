"""The worker function `process_chunk`: a chunk's records in, its part lines out.

Pure apart from a per-process cache of method instances; engines pickle it by reference (spawned
processes, Dask workers), so it stays a module-level function. Every record goes through
`readers.load_document` (the reader of every front end) and `summarize_many` (or, for the llm
method, `summarize_document`); nothing here reads formats, splits or selects.
"""

from __future__ import annotations

import json
from typing import Any

from ..document import Document, Summary
from ..errors import InputError, NewsumError
from ..files import too_long
from ..readers import load_document, parse_record, record_id
from ..summarizer import BATCH, summarize_document, summarize_read
from .sources import Chunk


class _RecordError(Exception):
    def __init__(self, info: dict[str, Any], reason: str) -> None:
        super().__init__(reason)
        self.info = info
        self.reason = reason


_METHODS: dict[str, Any] = {}


def _method(name: str, params: dict[str, Any] | None = None) -> Any:
    key = json.dumps([name, params], sort_keys=True)
    method = _METHODS.get(key)
    if method is None:
        from ..methods.base import get_method

        method = _METHODS[key] = get_method(name, **(params or {}))
    return method


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
            record = parse_record(line)
        except InputError as exc:
            if isinstance(line, bytes) and str(exc).startswith("not valid UTF-8"):
                info["id"] = _salvage_id(line, job["id_field"])
            raise _RecordError(info, str(exc)) from None
        rid = record_id(record, job["id_field"])
        info["id"] = str(lineno) if rid is None else rid
        return info, _document(info, record, job=job)
    if kind == "files":
        rel, data, err = item
        if err is not None:
            raise _RecordError(info, err)
        return info, _document(info, data, name=rel)
    story = item[2]
    if story is None:
        raise _RecordError(info, f"row has no {job['text_field']!r} value")
    if not isinstance(story, str | bytes):
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


def _document(
    info: dict[str, Any],
    source: str | bytes | dict[str, Any],
    name: str = "",
    job: dict[str, Any] | None = None,
) -> Document:
    fields = {"field": job["text_field"], "id_field": job["id_field"]} if job else {}
    try:
        return load_document(source, name, meta={"id": info["id"]}, **fields)
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
    goes on. An extractive method summarizes the chunk's readable records together
    (`summarize_many`: the model's trees and ranker run over many stories at once).
    """
    method = _method(job["method"], job.get("params"))

    def one(item: tuple) -> bytes:
        info: dict[str, Any] = {}
        try:
            info, doc = _read_item(chunk.kind, item, job)
            summary = summarize_document(doc, method, **job["length"])
        except _RecordError as exc:
            return _line(b"E ", {**exc.info, "error": exc.reason})
        except NewsumError as exc:  # e.g. the llm method's server kept failing
            return _line(b"E ", {**(info or _origin(chunk.kind, item)), "error": str(exc)})
        except Exception as exc:  # a bug must not stop a million-record run: report, go on
            info = info or _origin(chunk.kind, item)
            return _line(b"E ", {**info, "error": f"internal error: {exc!r}"})
        return _result(info, summary, method.abstractive)

    if method.abstractive:  # waits on a server: at most `concurrency` requests at once
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=job.get("concurrency") or 1) as pool:
            return list(pool.map(one, chunk.items))
    # BATCH records at a time: their Documents (display text and tokens of every sentence)
    # are let go before the next are read, so memory does not grow with the chunk size.
    out: list[bytes] = []
    for start in range(0, len(chunk.items), BATCH):
        items = chunk.items[start : start + BATCH]
        lines = _together(chunk.kind, items, job, method)
        out += [one(item) for item in items] if lines is None else lines
    return out


def _together(
    kind: str, items: list[tuple], job: dict[str, Any], method: Any
) -> list[bytes] | None:
    """The lines of `items` read, then summarized together (`summarize_read`); None after an
    unexpected error (a bug), which the one-record path then reports for its record alone."""
    read: list[tuple[dict[str, Any], Document] | bytes] = []
    for item in items:
        try:
            read.append(_read_item(kind, item, job))
        except _RecordError as exc:
            read.append(_line(b"E ", {**exc.info, "error": exc.reason}))
        except Exception:
            return None
    try:
        summarized = summarize_read(
            [r[1] if isinstance(r, tuple) else r for r in read], method, **job["length"]
        )
    except Exception:
        return None
    return [
        _result(r[0], summary, False) if isinstance(r, tuple) else r
        for r, summary in zip(read, summarized, strict=True)
    ]


def _result(info: dict[str, Any], summary: Summary, abstractive: bool) -> bytes:
    """The output line of a summarized record."""
    record = {
        "id": info["id"],
        "summary": [s.text for s in summary.sentences],
        "indices": summary.indices,
        "method": summary.method,
    }
    if abstractive:  # each highlight with its sources and check verdict
        record["highlights"] = [s.to_dict() for s in summary.sentences]
    return _line(b"R ", record)
