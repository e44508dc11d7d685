"""Lead-k: the first sentences of a news story, the baseline every summarizer must beat."""

from __future__ import annotations

from ..document import Document
from .base import Method, register


@register
class Lead(Method):
    """Scores sentences by position: earlier is better."""

    name = "lead"
    description = "first sentences of the story (Lead-k), the classic news baseline"
    redundancy = False  # Lead-k means the first k sentences, repeats or not

    def __init__(self) -> None:
        pass

    def score(self, doc: Document) -> list[float]:
        n = len(doc.sentences)
        return [1.0 - i / n for i in range(n)]
