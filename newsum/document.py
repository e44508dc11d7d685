"""The data types every front end shares: Document (what was read) and Summary (what was chosen)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from .segment import word_tokens


class Sentence:
    """One sentence of the input (read-only).

    `start`/`end` are character offsets into `Document.text` (the input as given), so
    `doc.text[s.start:s.end] == s.source`; `plain` is the readable display form, `tokens` the
    lowercased word tokens of `plain` that methods score with, and `text` what a summary shows:
    for lowercased input (`truecased`) `plain` truecased, else `plain`.

    `plain`, `tokens` and `text` may be made when first asked for (`displays(index)` gives
    `plain`): a summary shows a few sentences, and `lead` needs no other.
    """

    __slots__ = ("_index", "_start", "_end", "_source", "_truecased")
    __slots__ += ("_plain", "_tokens", "_text", "_displays")  # made when first asked for

    # Read-only: properties over private slots (an __init__ going around a __setattr__ guard
    # cost ~1.4 us a sentence, a sixth of reading a story for `lead`).
    index: int = property(attrgetter("_index"))  # type: ignore[assignment]
    start: int = property(attrgetter("_start"))  # type: ignore[assignment]
    end: int = property(attrgetter("_end"))  # type: ignore[assignment]
    source: str = property(attrgetter("_source"))  # type: ignore[assignment]
    truecased: bool = property(attrgetter("_truecased"))  # type: ignore[assignment]

    def __init__(
        self,
        index: int,
        start: int,
        end: int,
        source: str,
        plain: str | None = None,
        tokens: tuple[str, ...] | None = None,
        truecased: bool = False,
        *,
        displays: Callable[[int], str] | None = None,
    ) -> None:
        if plain is None and displays is None:
            raise TypeError("Sentence needs its plain text or a displays function")
        self._index = index
        self._start = start
        self._end = end
        self._source = source
        self._truecased = truecased
        self._plain = plain
        self._tokens = tokens
        self._text: str | None = None
        self._displays = displays

    @property
    def plain(self) -> str:
        if self._plain is None:
            self._plain = self._displays(self._index)
        return self._plain

    @property
    def tokens(self) -> tuple[str, ...]:
        if self._tokens is None:
            self._tokens = tuple(word_tokens(self.plain))
        return self._tokens

    @property
    def text(self) -> str:
        if not self._truecased:
            return self.plain
        if self._text is None:
            from .truecase import truecase

            self._text = truecase(self.plain)
        return self._text

    def _key(self) -> tuple[Any, ...]:
        return (
            self.index,
            self.start,
            self.end,
            self.source,
            self.plain,
            self.tokens,
            self.truecased,
        )

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, Sentence) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        names = ("index", "start", "end", "source", "plain", "tokens", "truecased")
        args = ", ".join(f"{n}={v!r}" for n, v in zip(names, self._key(), strict=True))
        return f"Sentence({args})"

    def __reduce__(self) -> tuple[Any, ...]:
        return Sentence, self._key()


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
