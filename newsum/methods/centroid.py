"""Centroid summarization (Radev et al., 2004): closeness to the story's tf-idf centroid."""

from __future__ import annotations

from ..document import Document
from ._vectors import content_words, count_matrix, pad_scores, tfidf
from .base import Method, register


@register
class Centroid(Method):
    """Score = cosine between a sentence's tf-idf vector and the centroid's `top_words` words."""

    name = "centroid"
    description = "cosine similarity to the story's tf-idf centroid (Radev et al. 2004)"

    def __init__(self, top_words: int = 50, max_sentences: int = 1000) -> None:
        self.top_words = top_words
        self.max_sentences = max_sentences

    def score(self, doc: Document) -> list[float]:
        import numpy as np

        vecs = tfidf(count_matrix(content_words(doc, self.max_sentences)))
        centroid = vecs.sum(axis=0)
        if self.top_words and centroid.size > self.top_words:
            # Keep the heaviest words; stable sort so ties resolve by first appearance.
            keep = np.argsort(-centroid, kind="stable")[: self.top_words]
            mask = np.zeros_like(centroid)
            mask[keep] = 1.0
            centroid = centroid * mask
        norms = np.linalg.norm(vecs, axis=1) * (np.linalg.norm(centroid) or 1.0)
        norms[norms == 0] = 1.0
        return pad_scores((vecs @ centroid / norms).tolist(), len(doc.sentences))
