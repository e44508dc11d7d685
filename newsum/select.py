"""The selector: choose sentences by score under a length budget, without repeating content."""

from __future__ import annotations

import math
from collections.abc import Sequence

from .document import Document
from .errors import UsageError


def check_budget(
    sentences: int | None = 3,
    words: int | None = None,
    ratio: float | None = None,
    order: str = "position",
) -> None:
    """Raise UsageError for a length budget or order that makes no sense."""
    if sentences is not None and sentences < 1:
        raise UsageError(f"sentences must be at least 1, got {sentences}")
    if words is not None and words < 1:
        raise UsageError(f"words must be at least 1, got {words}")
    if ratio is not None and not 0 < ratio <= 1:
        raise UsageError(f"ratio must be in (0, 1], got {ratio}")
    if order not in ("position", "score"):
        raise UsageError(f"order must be 'position' or 'score', got {order!r}")


def budget_sentences(n: int, sentences: int | None, ratio: float | None) -> int | None:
    """How many sentences a budget allows for a story of `n` sentences (None: no count limit).

    A ratio rounds down (never more than asked) but keeps at least one sentence.
    """
    if ratio is None:
        return sentences
    by_ratio = max(1, math.floor(ratio * n + 1e-9))
    return by_ratio if sentences is None else min(by_ratio, sentences)


def trigrams(tokens: Sequence[str]) -> set[tuple[str, str, str]]:
    return set(zip(tokens, tokens[1:], tokens[2:], strict=False))


def select(
    doc: Document,
    scores: Sequence[float],
    sentences: int | None = 3,
    words: int | None = None,
    ratio: float | None = None,
    order: str = "position",
    redundancy: bool = True,
) -> list[int]:
    """Indices of the chosen sentences.

    Takes sentences by descending score (ties: earlier first) while the budget allows: at most
    `sentences` (or `ratio` of the story's sentences) and at most `words` words in total; never
    more than asked. With `redundancy`, a sentence sharing a word trigram with one already chosen
    is skipped (trigram blocking). Returned in story order, or by score with order="score".
    """
    check_budget(sentences, words, ratio, order)
    if len(scores) != len(doc.sentences):
        raise ValueError(f"{len(scores)} scores for {len(doc.sentences)} sentences")
    limit = budget_sentences(len(doc.sentences), sentences, ratio)
    ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    seen: set[tuple[str, str, str]] = set()
    used_words = 0
    for i in ranked:
        if limit is not None and len(chosen) >= limit:
            break
        sent = doc.sentences[i]
        if words is not None:
            length = len(sent.text.split())
            if used_words + length > words:
                continue
        if redundancy:
            grams = trigrams(sent.tokens)
            if grams & seen:
                continue
            seen |= grams
        chosen.append(i)
        if words is not None:
            used_words += length
    return chosen if order == "score" else sorted(chosen)
