"""Faithfulness checking: which claims of a summary does its story support, and where?

>>> result = newsum.check(story_text, "Locke replaced Johnston in February.")
>>> result.score, result.sentences[0].unsupported, result.sentences[0].sources

Pipeline: the story is read by `newsum.readers.read_document` (any form `summarize` reads) and
indexed (`story.py`); each summary sentence is split into words with normalized keys
(`text.py`), grouped into spans (`spans.py`), aligned to its best 1-3 story sentences
(`align.py`) and scored (`score.py`, weights in `weights.json`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..document import Document
from ..errors import InputError
from ..readers import read_document
from ..segment import looks_lowercased, split_sentences
from .types import Check, CheckedSentence, Span

__all__ = ["FEATURES", "Check", "CheckedSentence", "Span", "check", "split_summary"]


def __getattr__(name: str) -> Any:
    # The scorer's modules load on first use: `import newsum` (every command's start-up)
    # needs only the result types here (~3 ms less).
    if name == "FEATURES":
        from .score import FEATURES

        return FEATURES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def split_summary(summary: str | Sequence[str]) -> list[str]:
    """Summary sentences: a string is split as usual, a list is taken as given (blanks dropped)."""
    if isinstance(summary, str):
        parts = [summary[s:e] for s, e in split_sentences(summary)]
    elif isinstance(summary, Sequence) and all(isinstance(s, str) for s in summary):
        parts = [s.strip() for s in summary]
    else:
        raise InputError("summary must be a string or a list of strings")
    parts = [p for p in parts if any(c.isalnum() for c in p)]
    if not parts:
        raise InputError("summary is empty")
    return parts


def check(
    story: str | Document,
    summary: str | Sequence[str],
    format: str = "auto",
    weights: str | None = None,
) -> Check:
    """How far `story` supports `summary`.

    `story`: text in any form `newsum.summarize` reads (`format="html"` for a web page) or a
    Document already read; `summary`: a string or a list of sentences. `weights`: another
    weights file (the default ships with the package).
    """
    from .score import check_sentence, load_weights
    from .story import StoryIndex

    if not isinstance(story, str | Document):
        raise InputError("story must be text or a newsum Document")
    doc = story if isinstance(story, Document) else read_document(story, format)
    sentences = split_summary(summary)
    index = StoryIndex(doc)
    cased = not looks_lowercased(" ".join(sentences))
    w = load_weights(weights) if weights else load_weights()
    checked: list[CheckedSentence] = [check_sentence(s, index, cased, w) for s in sentences]
    score = sum(s.score for s in checked) / len(checked)
    return Check(score=score, sentences=checked, story=doc)
