"""Renderers: a Summary as plain text, JSON or markdown; and all-or-nothing output files."""

from __future__ import annotations

import json

from .document import Summary
from .files import AtomicOutput, atomic_write, clean_text

__all__ = ["AtomicOutput", "atomic_write", "render"]


def render(
    summary: Summary, fmt: str = "text", name: str | None = None, record_id: str | None = None
) -> str:
    """The summary in `fmt` ("text", "json" or "markdown"), ending with a newline.

    Lone surrogates in a record's id or title (JSON escapes) come out as U+FFFD."""
    return clean_text(_render(summary, fmt, name, record_id))


def _render(summary: Summary, fmt: str, name: str | None, record_id: str | None) -> str:
    if fmt == "json":
        obj = summary.to_dict()
        if record_id is not None:
            obj = {"id": record_id, **obj}
        elif name:
            obj = {"source": name, **obj}
        return json.dumps(obj, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        heading = summary.document.title or record_id or name
        lines = [f"### {heading}", ""] if heading else []
        lines += [f"- {s.text}" for s in summary.sentences]
        return "\n".join(lines) + "\n"
    if fmt == "text":
        return str(summary) + "\n"
    raise ValueError(f"unknown output format {fmt!r}")
