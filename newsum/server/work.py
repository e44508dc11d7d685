"""The work of one request, run in a worker process (newsum.server.pool): story in, answer out.

Every request goes through the library's own path (readers.load_document ->
summarize_document); this module adds what the API answer needs (UTF-16 offsets, document info).
"""

from __future__ import annotations

import bisect
import logging
import re
from typing import Any

from fastapi.encoders import jsonable_encoder

from ..budget import Budget
from ..document import Document, Summary
from ..files import clean_text
from ..methods.base import Method, get_method, method_classes
from ..readers import load_document, read_document
from ..summarizer import default_method, summarize_document
from .schemas import SummarizeRequest, SummarySettings

log = logging.getLogger("newsum.server")

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_METHODS: dict[str, Method] = {}  # per worker process: one instance per method name


def method_instance(name: str) -> Method:
    """The worker's instance of the method `name` (made on first use)."""
    method = _METHODS.get(name)
    if method is None:
        method = _METHODS[name] = get_method(name)
    return method


def request_budget(req: SummarySettings) -> Budget:
    """The length budget a request asks for."""
    return Budget(req.sentences, req.words, req.ratio)


def read_request(text: str | None, html: str | None, format: str = "auto") -> Document:
    """The Document of a request's `text` or `html` (the one reader). JSON may carry lone
    surrogates or NULs ("\ud800"): U+FFFD instead, offsets unchanged."""
    if html is not None:
        return load_document(clean_text(html), format="html")
    return load_document(clean_text(text or ""), format=format)


def utf16_offsets(text: str, offsets: list[int]) -> list[int]:
    """Code-point offsets into `text` as UTF-16 code-unit offsets (astral characters count 2)."""
    astral = [m.start() for m in _ASTRAL.finditer(text)] if not text.isascii() else []
    return [i + bisect.bisect_left(astral, i) for i in offsets]


def summarize_request(req: SummarizeRequest, method_name: str | None = None) -> dict[str, Any]:
    """The JSON answer for one request: the library's Summary plus what the page needs."""
    doc = read_request(req.text, req.html, req.format)
    method = method_instance(method_name or req.method or default_method())
    summary: Summary = summarize_document(
        doc, method, order=req.order, redundancy=req.redundancy, budget=request_budget(req)
    )
    return summary_answer(doc, summary, req.html is not None, req.include_text)


def summary_answer(
    doc: Document, summary: Summary, html: bool, include_text: bool
) -> dict[str, Any]:
    """A story's Summary as the API answers it (`SummaryOut`): UTF-16 offsets too, how the
    story was read, and its text where asked for (always for a web page: `html`)."""
    out = summary.to_dict()
    sentences = out["sentences"]
    spans = [s for s in sentences if s["start"] is not None]
    units = utf16_offsets(doc.text, [x for s in spans for x in (s["start"], s["end"])])
    for k, s in enumerate(spans):
        s["start16"], s["end16"] = units[2 * k], units[2 * k + 1]
    for s in sentences:
        s.setdefault("start16", None)
        s.setdefault("end16", None)
    result: dict[str, Any] = {
        "sentences": sentences,
        "method": out["method"],
        "title": doc.title,
        "settings": jsonable_encoder(out["settings"]),  # method params may be paths, numpy...
        "document": {
            "sentences": len(doc),
            "characters": len(doc.text),
            "kind": doc.kind,
            "input": "html" if html else "text",
            "meta": {k: v for k, v in doc.meta.items() if isinstance(v, str | int | float)},
        },
    }
    sources = sorted({i for s in sentences for i in s.get("sources") or ()})
    if sources:  # the story sentences that abstractive highlights point at
        result["story_sentences"] = _story_sentences(doc, sources)
        result["text"] = doc.text
    if include_text or html:
        result["text"] = doc.text
    return result


def _story_sentences(doc: Document, indices: list[int]) -> list[dict[str, Any]]:
    picked = [doc.sentences[i] for i in indices]
    units = utf16_offsets(doc.text, [x for s in picked for x in (s.start, s.end)])
    return [
        {
            "index": s.index,
            "text": s.text,
            "start": s.start,
            "end": s.end,
            "start16": units[2 * k],
            "end16": units[2 * k + 1],
        }
        for k, s in enumerate(picked)
    ]


def served_methods() -> dict[str, type[Method]]:
    """The methods the service offers: every one, but an abstractive method (llm) only when
    it is configured (`newsum serve --llm-url ... --llm-model ...`)."""
    return {
        name: cls
        for name, cls in method_classes().items()
        if not cls.abstractive or cls().configured
    }


def method_list() -> dict[str, Any]:
    default = default_method()
    methods = []
    for name, cls in served_methods().items():
        try:
            params = cls().get_params()
        except Exception:  # a method needing arguments: list it without defaults
            params = {}
        methods.append(
            {
                "name": name,
                "description": cls.description,
                "default": name == default,
                "abstractive": cls.abstractive,
                "params": params,
            }
        )
    return {"default": default, "methods": methods}


def warm_up() -> None:
    """Import what requests need (numpy, trafilatura...) and load every method once.

    Runs in the forkserver (so each worker forked from it starts warm) and in each worker.
    """
    try:
        from ..html import read_html

        read_html(
            "<html><body><article><p>"
            + "The service starts and reads a page. " * 3
            + "</p></article></body></html>"
        )
    except Exception:  # HTML input will report its own error per request
        log.exception("HTML extraction failed its warm-up")
    doc = read_document("The service starts. Each method scores this story once. Then it serves.")
    for name, cls in method_classes().items():
        if cls.abstractive:  # needs its server: nothing to load here
            continue
        try:
            summarize_document(doc, method_instance(name), sentences=1)
        except Exception:  # a broken method must not stop the service; its requests will say
            log.exception("method %s failed its warm-up", name)
