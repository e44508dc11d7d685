"""The length budget of a summary, one object for the CLI, the Python API and the service.

A sentence count that is given is a maximum: `words` and `ratio` can only lower it. A count that
is not given (None) means the default of 3 sentences, unless `words` or `ratio` is given, in
which case they alone limit the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .select import budget_sentences, check_budget

DEFAULT_SENTENCES = 3


@dataclass(frozen=True, slots=True)
class Budget:
    """At most `sentences` sentences (None: not given), `words` words, `ratio` of the story."""

    sentences: int | None = None
    words: int | None = None
    ratio: float | None = None

    def __post_init__(self) -> None:
        check_budget(self.sentences, self.words, self.ratio)

    @property
    def max_sentences(self) -> int | None:
        """The sentence-count limit before the ratio: the given count, else the default of 3
        when neither words nor ratio is given, else None (no count limit)."""
        if self.sentences is not None:
            return self.sentences
        if self.words is None and self.ratio is None:
            return DEFAULT_SENTENCES
        return None

    def limit(self, n: int) -> int | None:
        """How many sentences a story of `n` sentences may give (None: no count limit)."""
        return budget_sentences(n, self.max_sentences, self.ratio)

    def to_dict(self) -> dict[str, Any]:
        """The effective settings (the default count resolved), as a summary reports them."""
        return {"sentences": self.max_sentences, "words": self.words, "ratio": self.ratio}
