"""Spans of a summary sentence worth checking: names, numbers, dates, quantities, content words."""

from __future__ import annotations

from dataclasses import dataclass

from .story import StoryIndex
from .text import Token

SPAN_TYPES = ("name", "number", "date", "quantity", "word")


@dataclass(slots=True)
class Candidate:
    """A span before its verdict: tokens [i, j) of the sentence and its type."""

    i: int
    j: int
    type: str
    keys: tuple[str, ...]


def find_spans(toks: list[Token], story: StoryIndex, cased: bool) -> list[Candidate]:
    """Group the tokens into spans: a run of name words is one name ("Allan Johnston"), a number
    with its units and date words one quantity or date ("39-year-old", "May 2015")."""
    spans: list[Candidate] = []
    names = [story.is_name(t, k == 0, cased) for k, t in enumerate(toks)]
    k, n = 0, len(toks)
    while k < n:
        t = toks[k]
        if names[k]:
            j = k + 1
            while j < n and names[j] and toks[j].start - toks[j - 1].end <= 1:
                j += 1
            spans.append(Candidate(k, j, "name", tuple(x.key for x in toks[k:j])))
            k = j
        elif t.kind in ("number", "date"):
            j = k + 1
            while j < n and toks[j].kind in ("number", "date", "unit"):
                j += 1
            kinds = {x.kind for x in toks[k:j]}
            kind = "date" if "date" in kinds else "quantity" if "unit" in kinds else "number"
            spans.append(Candidate(k, j, kind, tuple(x.key for x in toks[k:j])))
            k = j
        elif t.kind in ("word", "unit"):
            spans.append(Candidate(k, k + 1, "word", (t.key,)))
            k += 1
        else:
            k += 1
    return spans
