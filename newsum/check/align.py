"""Alignment: the 1-3 story sentences that best cover a summary sentence's words (idf-weighted)."""

from __future__ import annotations

from .story import StoryIndex

MAX_SOURCES = 3
MIN_GAIN = 0.15  # a further source must cover at least this share of the sentence's weight


def align(keys: set[str], story: StoryIndex) -> tuple[list[int], float]:
    """Story sentence indices, best first, and the idf-weighted share of `keys` they cover."""
    # sorted: float sums in one order, so results do not depend on the process's string hashing
    weight = {k: story.idf(k) for k in sorted(keys)}
    total = sum(weight.values())
    if not total:
        return [], 0.0
    uncovered = {k for k in keys if k in story.where}
    chosen: list[int] = []
    covered = 0.0
    while uncovered and len(chosen) < MAX_SOURCES:
        gains: dict[int, float] = {}
        for k in sorted(uncovered):
            w = weight[k]
            for j in story.where[k]:
                gains[j] = gains.get(j, 0.0) + w
        best = min(gains, key=lambda j: (-gains[j], j))
        if chosen and gains[best] < MIN_GAIN * total:
            break
        chosen.append(best)
        covered += gains[best]
        uncovered -= story.sentences[best].keys
    return chosen, covered / total
