"""The data types every front end shares: Document (what was read) and Summary (what was chosen)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the input.

    `start`/`end` are character offsets into `Document.text` (the input as given), so
    `doc.text[s.start:s.end] == s.source`; `text` is the readable display form and `tokens`
    the lowercased word tokens methods score with. For lowercased input `text` is `plain`
    (the detokenized display form) truecased, made when first asked for: a summary shows a few
    sentences, and scoring needs no casing (`plain` has the same words and length).
    """

    index: int
    start: int
    end: int
    source: str
    plain: str
    tokens: tuple[str, ...]
    truecased: bool = False
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def text(self) -> str:
        if not self.truecased:
            return self.plain
        if self._text is None:
            from .truecase import truecase

            object.__setattr__(self, "_text", truecase(self.plain))
        return self._text


@dataclass(slots=True)
class Document:
    """A story split into sentences, with how it was read (`kind`: "raw" or "tokenized")."""

    text: str
    sentences: list[Sentence]
    kind: str = "raw"
    lowercased: bool = False
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.sentences)


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """A chosen sentence: display `text`, its `index` in the story, its `score` and input span.

    An abstractive highlight (the `llm` method) has no index or span of its own (None); it
    carries the story sentences that support it (`sources`), its check `score`, whether it is
    `supported` and the `unsupported` spans, and the sentences the model `cited`. A highlight
    that `--strict` replaced by a story sentence keeps the rejected text in `replaced`.
    """

    text: str
    index: int | None
    score: float
    start: int | None
    end: int | None
    sources: tuple[int, ...] | None = None
    supported: bool | None = None
    unsupported: tuple[dict[str, Any], ...] | None = None
    cited: tuple[int, ...] | None = None
    replaced: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "index": self.index,
            "score": self.score,
            "start": self.start,
            "end": self.end,
        }
        if self.sources is not None:  # checked highlights (abstractive methods)
            out["sources"] = list(self.sources)
            out["supported"] = self.supported
            out["unsupported"] = list(self.unsupported or ())
            if self.cited is not None:
                out["cited"] = list(self.cited)
            if self.replaced is not None:
                out["replaced"] = self.replaced
        return out


@dataclass(slots=True)
class Summary:
    """The highlights of one Document; `str(summary)` is the plain-text output."""

    sentences: list[SummarySentence]
    method: str
    settings: dict[str, Any]
    document: Document

    def __str__(self) -> str:
        return "\n".join(s.text for s in self.sentences)

    def __len__(self) -> int:
        return len(self.sentences)

    @property
    def indices(self) -> list[int]:
        return [s.index for s in self.sentences]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by the CLI, the HTTP service and batch output."""
        out: dict[str, Any] = {
            "sentences": [s.to_dict() for s in self.sentences],
            "method": self.method,
            "settings": dict(self.settings),
        }
        if self.document.title:
            out["title"] = self.document.title
        return out
