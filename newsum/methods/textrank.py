"""TextRank (Mihalcea & Tarau, 2004): PageRank over a sentence graph weighted by word overlap."""

from __future__ import annotations

from ..document import Document
from ._vectors import content_words, count_matrix, pad_scores, pagerank
from .base import Method, register


@register
class TextRank(Method):
    """Edge weight = shared content words / (log|Si| + log|Sj|); score = PageRank."""

    name = "textrank"
    description = "PageRank over sentences linked by shared words (Mihalcea & Tarau 2004)"

    def __init__(self, damping: float = 0.85, max_sentences: int = 1000) -> None:
        self.damping = damping
        self.max_sentences = max_sentences

    def score(self, doc: Document) -> list[float]:
        import numpy as np

        sents = content_words(doc, self.max_sentences)
        present = (count_matrix(sents) > 0).astype(np.float64)
        overlap = present @ present.T
        lengths = np.array([len(set(s)) for s in sents], dtype=np.float64)
        logs = np.log(np.maximum(lengths, 1.0))
        denom = logs[:, None] + logs[None, :]
        weights = np.divide(overlap, denom, out=np.zeros_like(overlap), where=denom > 0)
        return pad_scores(pagerank(weights, self.damping).tolist(), len(doc.sentences))
