"""Shared numeric helpers for the similarity-based methods (numpy, imported lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..document import Document
from ..stopwords import STOPWORDS

if TYPE_CHECKING:
    import numpy as np


def content_words(doc: Document, limit: int) -> list[list[str]]:
    """Each of the first `limit` sentences as its non-stopword tokens."""
    return [
        [t for t in s.tokens if t not in STOPWORDS and not t.isdigit()]
        for s in doc.sentences[:limit]
    ]


def count_matrix(sents: list[list[str]]) -> np.ndarray:
    """Term counts, one row per sentence, one column per distinct word (first-seen order)."""
    import numpy as np

    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, words in enumerate(sents):
        for w in words:
            rows.append(i)
            cols.append(vocab.setdefault(w, len(vocab)))
    mat = np.zeros((len(sents), max(1, len(vocab))), dtype=np.float64)
    np.add.at(mat, (rows, cols), 1.0)
    return mat


def tfidf(counts: np.ndarray) -> np.ndarray:
    """Sentence tf-idf vectors, idf from the story's own sentences (smoothed, never zero)."""
    import numpy as np

    n = counts.shape[0]
    df = (counts > 0).sum(axis=0)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    return counts * idf


def cosine_matrix(vecs: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(vecs, axis=1)
    norms[norms == 0] = 1.0
    unit = vecs / norms[:, None]
    return unit @ unit.T


def pagerank(weights: np.ndarray, damping: float, tol: float = 1e-8, max_iter: int = 200):
    """Stationary scores of a weighted graph (power iteration; dangling rows jump uniformly)."""
    import numpy as np

    n = weights.shape[0]
    w = weights.copy()
    np.fill_diagonal(w, 0.0)
    sums = w.sum(axis=1)
    dangling = sums == 0
    sums[dangling] = 1.0
    trans = w / sums[:, None]
    trans[dangling] = 1.0 / n
    scores = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        new = (1.0 - damping) / n + damping * (scores @ trans)
        if np.abs(new - scores).sum() < tol:
            scores = new
            break
        scores = new
    return scores


def pad_scores(scores: list[float], n: int) -> list[float]:
    """Sentences past a method's limit score 0, below every scored one."""
    return [float(x) for x in scores] + [0.0] * (n - len(scores))
