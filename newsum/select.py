"""The selector: choose sentences by score under a length budget, without repeating content."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from .document import Document
from .errors import UsageError


@dataclass(frozen=True, slots=True)
class Greedy:
    """Selection by descending score, with trigram blocking when `redundancy` is on.

    A sentence sharing a word trigram with one already chosen is skipped.
    """

    def to_dict(self) -> dict[str, Any]:
        return {"strategy": "greedy"}


@dataclass(frozen=True, slots=True)
class Combination:
    """Selection of the best set of sentences rather than the best sentences one at a time.

    A set is worth the sum of its sentences' values minus a redundancy penalty:

        value(i)   = score(i) + length_weight * log(1 + words(i))
        penalty    = overlap_penalty * sum over pairs (i, j) of overlap(i, j)
        overlap    = shared word bigrams / bigrams of the shorter sentence (0 to 1)

    With a sentence-count budget of k <= `candidates` (and no word budget), every k-subset of
    the `candidates` best-scored sentences is tried and the best one kept (C(6, 3) = 20 sets
    by default); otherwise (a word budget, or more sentences than candidates) sentences are
    added one at a time, each time the one that most raises the set's worth and still fits.
    With `redundancy` off the penalty is 0. `length_weight` and `overlap_penalty` are in the
    units of the scores: the defaults were tuned on the `model` method's log-odds.
    """

    candidates: int = 6
    overlap_penalty: float = 3.0
    length_weight: float = -0.3

    def __post_init__(self) -> None:
        if self.candidates < 1:
            raise UsageError(f"candidates must be at least 1, got {self.candidates}")
        if not self.overlap_penalty >= 0:
            raise UsageError(f"overlap_penalty must be >= 0, got {self.overlap_penalty}")
        if not math.isfinite(self.length_weight):
            raise UsageError(f"length_weight must be finite, got {self.length_weight}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "strategy": "combination",
            "candidates": self.candidates,
            "overlap_penalty": self.overlap_penalty,
            "length_weight": self.length_weight,
        }


@dataclass(frozen=True, slots=True)
class Ranked:
    """Learned selection: the candidate summary the model file's ranker scores best.

    Candidates are every set of 2 or 3 of the 6 best-scored sentences (newsum.candidates);
    a second tree ensemble in the model file at `path` (None: the shipped one) scores each set
    as a whole. Used for a budget of 2 or 3 sentences with redundancy on; other budgets (and
    model files without a ranker) use `fallback`. Only meaningful with the `model` method's
    scores.
    """

    path: str | None = None
    fallback: Combination = Combination()

    def to_dict(self) -> dict[str, Any]:
        return {"strategy": "ranked", "fallback": self.fallback.to_dict()}


Selection = Greedy | Combination | Ranked


def check_budget(
    sentences: int | None = 3,
    words: int | None = None,
    ratio: float | None = None,
    order: str = "position",
) -> None:
    """Raise UsageError for a length budget or order that makes no sense."""
    if sentences is not None and sentences < 1:
        raise UsageError(f"sentences must be at least 1, got {sentences}")
    if words is not None and words < 1:
        raise UsageError(f"words must be at least 1, got {words}")
    if ratio is not None and not 0 < ratio <= 1:
        raise UsageError(f"ratio must be in (0, 1], got {ratio}")
    if order not in ("position", "score"):
        raise UsageError(f"order must be 'position' or 'score', got {order!r}")


def budget_sentences(n: int, sentences: int | None, ratio: float | None) -> int | None:
    """How many sentences a budget allows for a story of `n` sentences (None: no count limit).

    A ratio rounds down (never more than asked) but keeps at least one sentence.
    """
    if ratio is None:
        return sentences
    by_ratio = max(1, math.floor(ratio * n + 1e-9))
    return by_ratio if sentences is None else min(by_ratio, sentences)


def trigrams(tokens: Sequence[str]) -> set[tuple[str, str, str]]:
    return set(zip(tokens, tokens[1:], tokens[2:], strict=False))


def bigrams(tokens: Sequence[str]) -> set[tuple[str, str]]:
    return set(zip(tokens, tokens[1:], strict=False))


def bigram_overlap(a: set[tuple[str, str]], b: set[tuple[str, str]]) -> float:
    """Shared bigrams over the bigrams of the sentence with fewer (0 when either has none)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def select(
    doc: Document,
    scores: Sequence[float],
    sentences: int | None = 3,
    words: int | None = None,
    ratio: float | None = None,
    order: str = "position",
    redundancy: bool = True,
    selection: Selection | None = None,
) -> list[int]:
    """Indices of the chosen sentences.

    Chooses within the budget: at most `sentences` (or `ratio` of the story's sentences) and
    at most `words` words in total; never more than asked. `selection` says how (default
    `Greedy()`): `Greedy` takes sentences by descending score (ties: earlier first) while the
    budget allows and, with `redundancy`, skips a sentence sharing a word trigram with one
    already chosen (trigram blocking); `Combination` picks the best-valued set (see its
    docstring). Returned in story order, or by descending score with order="score".
    """
    return select_many([doc], [scores], sentences, words, ratio, order, redundancy, selection)[0]


def select_many(
    docs: Sequence[Document],
    scores: Sequence[Sequence[float]],
    sentences: int | None = 3,
    words: int | None = None,
    ratio: float | None = None,
    order: str = "position",
    redundancy: bool = True,
    selection: Selection | None = None,
) -> list[list[int]]:
    """`[select(doc, s, ...) for doc, s in zip(docs, scores)]`, with `Ranked`'s choices made
    for all the stories at once (the ranker's trees run once over every story's candidates).
    """
    check_budget(sentences, words, ratio, order)
    for doc, story_scores in zip(docs, scores, strict=True):
        if len(story_scores) != len(doc.sentences):
            raise ValueError(f"{len(story_scores)} scores for {len(doc.sentences)} sentences")
    if selection is not None and not isinstance(selection, Greedy | Combination | Ranked):
        raise UsageError(
            f"selection must be Greedy(), Combination(...) or Ranked(...), got {selection!r}"
        )
    chosen: list[list[int] | None] = [None] * len(docs)
    if isinstance(selection, Ranked):
        chosen = _ranked(docs, scores, sentences, words, ratio, redundancy, selection.path)
        selection = selection.fallback
    return [
        _select(doc, story_scores, sentences, words, ratio, order, redundancy, selection, pick)
        for doc, story_scores, pick in zip(docs, scores, chosen, strict=True)
    ]


def _select(
    doc: Document,
    scores: Sequence[float],
    sentences: int | None,
    words: int | None,
    ratio: float | None,
    order: str,
    redundancy: bool,
    selection: Greedy | Combination | None,
    chosen: list[int] | None,
) -> list[int]:
    """`select` for one story whose arguments are checked, given what the ranker chose."""
    limit = budget_sentences(len(doc.sentences), sentences, ratio)
    if isinstance(selection, Combination):
        if chosen is None:
            ranked = _by_score(range(len(scores)), scores)
            chosen = _combination(doc, scores, ranked, limit, words, redundancy, selection)
        return _by_score(chosen, scores) if order == "score" else sorted(chosen)
    ranked = _by_score(range(len(scores)), scores)
    chosen = []
    seen: set[tuple[str, str, str]] = set()
    used_words = 0
    for i in ranked:
        if limit is not None and len(chosen) >= limit:
            break
        sent = doc.sentences[i]
        if words is not None:
            length = len(sent.plain.split())
            if used_words + length > words:
                continue
        if redundancy:
            grams = trigrams(sent.tokens)
            if grams & seen:
                continue
            seen |= grams
        chosen.append(i)
        if words is not None:
            used_words += length
    return chosen if order == "score" else sorted(chosen)


def _by_score(indices: Iterable[int], scores: Sequence[float]) -> list[int]:
    """`indices` by descending score, ties: the earlier sentence first."""
    return sorted(indices, key=lambda i: (-scores[i], i))


def _ranked(
    docs: Sequence[Document],
    scores: Sequence[Sequence[float]],
    sentences: int | None,
    words: int | None,
    ratio: float | None,
    redundancy: bool,
    path: str | None,
) -> list[list[int] | None]:
    """The ranker's choice for each story with a budget of 2 or 3 sentences; None where it
    does not apply."""
    chosen: list[list[int] | None] = [None] * len(docs)
    if words is not None or not redundancy:
        return chosen
    sizes = []
    for doc in docs:
        n = len(doc.sentences)
        limit = budget_sentences(n, sentences, ratio)
        sizes.append(n if limit is None else min(limit, n))
    asked = [b for b, size in enumerate(sizes) if size in (2, 3)]
    if not asked:
        return chosen
    from .methods.model import load_model

    picks = load_model(path).choose_many(
        [docs[b] for b in asked], [scores[b] for b in asked], [sizes[b] for b in asked]
    )
    for b, pick in zip(asked, picks, strict=True):
        chosen[b] = pick
    return chosen


def _combination(
    doc: Document,
    scores: Sequence[float],
    ranked: list[int],
    limit: int | None,
    words: int | None,
    redundancy: bool,
    how: Combination,
) -> list[int]:
    """The sentences `Combination` chooses, in no particular order."""
    n = len(ranked)
    penalty = how.overlap_penalty if redundancy else 0.0
    grams: dict[int, set[tuple[str, str]]] = {}

    def length(i: int) -> int:
        return len(doc.sentences[i].plain.split())

    def value(i: int) -> float:
        return float(scores[i]) + how.length_weight * math.log1p(length(i))

    def overlap(i: int, j: int) -> float:
        for k in (i, j):
            if k not in grams:
                grams[k] = bigrams(doc.sentences[k].tokens)
        return bigram_overlap(grams[i], grams[j])

    size = n if limit is None else min(limit, n)
    if words is None and size <= how.candidates:
        # Exact: every `size`-subset of the best-scored candidates (ties: the earlier set).
        pool = ranked[: how.candidates]
        values = {i: value(i) for i in pool}
        pairs = {(i, j): overlap(i, j) for i, j in combinations(pool, 2)} if penalty else {}
        best: tuple[int, ...] = tuple(pool[:size])
        best_worth = -math.inf
        for subset in combinations(pool, size):
            worth = sum(values[i] for i in subset)
            if penalty:
                worth -= penalty * sum(pairs[pair] for pair in combinations(subset, 2))
            if worth > best_worth + 1e-12:
                best, best_worth = subset, worth
        return list(best)
    # Greedy on the same worth: add the sentence that most raises it (and fits), until full.
    lengths = [length(i) for i in range(n)]
    gain = [value(i) for i in range(n)]  # what each sentence would add, given those chosen
    chosen: list[int] = []
    used_words = 0
    left = list(ranked)
    while len(chosen) < size:
        pick = None
        for i in left:
            if words is not None and used_words + lengths[i] > words:
                continue
            if pick is None or gain[i] > gain[pick] + 1e-12:
                pick = i
        if pick is None:
            break
        chosen.append(pick)
        left.remove(pick)
        used_words += lengths[pick]
        if penalty:
            for i in left:
                gain[i] -= penalty * overlap(i, pick)
    return chosen
