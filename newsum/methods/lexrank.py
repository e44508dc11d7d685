"""Continuous LexRank (Erkan & Radev, 2004): PageRank over idf-weighted cosine similarities."""

from __future__ import annotations

from ..document import Document
from ._vectors import content_words, cosine_matrix, count_matrix, pad_scores, pagerank, tfidf
from .base import Method, register


@register
class LexRank(Method):
    """Continuous LexRank: edges are idf-modified cosines; `threshold` drops weak edges."""

    name = "lexrank"
    description = "PageRank over idf-weighted cosine similarity, continuous (Erkan & Radev 2004)"

    def __init__(
        self, damping: float = 0.85, threshold: float = 0.0, max_sentences: int = 1000
    ) -> None:
        self.damping = damping
        self.threshold = threshold
        self.max_sentences = max_sentences

    def score(self, doc: Document) -> list[float]:
        sim = cosine_matrix(tfidf(count_matrix(content_words(doc, self.max_sentences))))
        sim[sim < self.threshold] = 0.0
        return pad_scores(pagerank(sim, self.damping).tolist(), len(doc.sentences))
