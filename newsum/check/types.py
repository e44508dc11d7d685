"""The checker's results: Check (one summary) made of CheckedSentence, each with its Spans."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    """Part of a summary sentence the story does not back; `start`/`end` index the sentence text.

    `reason` is "absent" (the story never says it) or "elsewhere" (the story says it, but not in
    the sentences this one rests on: a name or number moved to another fact).
    """

    start: int
    end: int
    text: str
    type: str  # name, number, date, quantity or word
    reason: str = "absent"

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "type": self.type,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class CheckedSentence:
    """One summary sentence: its score in [0, 1], verdict, supporting story sentences (indices
    into the story's sentences, best first) and the spans the story does not back."""

    text: str
    score: float
    supported: bool
    sources: tuple[int, ...]
    unsupported: tuple[Span, ...]
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "score": round(self.score, 4),
            "supported": self.supported,
            "sources": list(self.sources),
            "unsupported": [s.to_dict() for s in self.unsupported],
        }


@dataclass(slots=True)
class Check:
    """How far the story supports a summary: `score` in [0, 1] (the mean of the sentences'
    scores; higher = more faithful) and one CheckedSentence per summary sentence.
    `story` is the Document the story was read into (its sentences are what `sources` index)."""

    score: float
    sentences: list[CheckedSentence]
    story: Any = field(repr=False, default=None)

    @property
    def supported(self) -> bool:
        return all(s.supported for s in self.sentences)

    def to_dict(self, story: bool = False) -> dict[str, Any]:
        """The JSON shape; with `story`, the story sentences the sources point at (index, text,
        start and end offsets in the story text)."""
        out: dict[str, Any] = {
            "score": round(self.score, 4),
            "supported": self.supported,
            "sentences": [s.to_dict() for s in self.sentences],
        }
        if story and self.story is not None:
            used = sorted({i for s in self.sentences for i in s.sources})
            out["story_sentences"] = [
                {
                    "index": i,
                    "text": self.story.sentences[i].text,
                    "start": self.story.sentences[i].start,
                    "end": self.story.sentences[i].end,
                }
                for i in used
            ]
        return out
