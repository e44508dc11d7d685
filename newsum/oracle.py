"""Greedy extractive oracle: the sentences that best match a reference summary.

Scores are the mean of ROUGE-1 and ROUGE-2 F1 (rouge-score tokenization, Porter stemming) of the
chosen sentences joined in story order (or, optionally, in the order they were chosen), bigrams
across the joins included: exactly what scoring the joined text with `newsum.rouge` (or
rouge-score) gives. Each sentence is tokenized once, and a candidate's effect is computed from its
n-gram counts against the running counts of the chosen set, so one greedy step costs a pass over
the sentences' n-grams that occur in the reference.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain

from newsum.rouge import Tokenizer, fmeasure, shared_tokenizer

__all__ = [
    "OracleScorer",
    "greedy_oracle",
    "oracle_labels",
    "sentence_gains",
    "subset_score",
]

Gram = tuple[int, int]


def _mean_f(inter1: int, pred1: int, ref1: int, inter2: int, ref2: int) -> float:
    """Mean of ROUGE-1 and ROUGE-2 F1, with rouge-score's arithmetic, for a prediction of pred1
    tokens (so pred1 - 1 bigrams) whose clipped overlaps with the reference are inter1, inter2."""
    p1 = inter1 / max(pred1, 1)
    r1 = inter1 / max(ref1, 1)
    p2 = inter2 / max(pred1 - 1, 1)
    r2 = inter2 / max(ref2, 1)
    return (fmeasure(p1, r1) + fmeasure(p2, r2)) / 2


def _clipped_gain(grams: Iterable[tuple], ref: dict, have: dict) -> int:
    """Increase of sum(min(ref[g], have[g])) when each (g, delta) is added to `have`."""
    gain = 0
    for g, c in grams:
        r = ref[g]
        h = have.get(g, 0)
        if c > 0:
            if h < r:
                gain += c if h + c <= r else r - h
        elif h + c < r:
            gain -= (r - h - c) if h >= r else -c
    return gain


class OracleScorer:
    """One story against one reference: scores sentence subsets and runs the greedy oracle.

    `sentences` are the story's sentences (any text; tokenized like rouge-score), `reference`
    the reference summary. `tokenizer` defaults to the shared stemming rouge-score tokenizer.
    """

    def __init__(
        self,
        sentences: Sequence[str],
        reference: str,
        use_stemmer: bool = True,
        tokenizer: Tokenizer | None = None,
    ) -> None:
        ids = (tokenizer or shared_tokenizer(use_stemmer)).ids
        ref = ids(reference)
        self.ref1 = Counter(ref)
        self.ref2: Counter = Counter(zip(ref, ref[1:], strict=False))
        self.len1 = len(ref)
        self.len2 = max(len(ref) - 1, 0)
        self.sentences = [ids(s) for s in sentences]
        r1, r2 = self.ref1, self.ref2
        self._uni: list[list[tuple[int, int]]] = []
        self._bi: list[list[tuple[Gram, int]]] = []
        for toks in self.sentences:
            self._uni.append([(g, c) for g, c in Counter(toks).items() if g in r1])
            bigrams = Counter(zip(toks, toks[1:], strict=False))
            self._bi.append([(g, c) for g, c in bigrams.items() if g in r2])

    def __len__(self) -> int:
        return len(self.sentences)

    def score(self, indices: Iterable[int], story_order: bool = True) -> float:
        """Mean ROUGE-1/ROUGE-2 F1 of the sentences `indices` joined in story order (or in the
        order given, with `story_order=False`)."""
        order = sorted(set(indices)) if story_order else list(indices)
        toks = list(chain.from_iterable(self.sentences[i] for i in order))
        inter1 = _clipped_gain(Counter(toks).items(), self.ref1, {})
        inter2 = _clipped_gain(Counter(zip(toks, toks[1:], strict=False)).items(), self.ref2, {})
        return _mean_f(inter1, len(toks), self.len1, inter2, self.len2)

    def gains(self) -> list[float]:
        """Each sentence's own score (mean ROUGE-1/ROUGE-2 F1 alone against the reference)."""
        out = []
        for toks, uni, bi in zip(self.sentences, self._uni, self._bi, strict=True):
            inter1 = sum(min(c, self.ref1[g]) for g, c in uni)
            inter2 = sum(min(c, self.ref2[g]) for g, c in bi)
            out.append(_mean_f(inter1, len(toks), self.len1, inter2, self.len2))
        return out

    def greedy(
        self, max_sentences: int = 3, order: str = "story", ties: str = "first"
    ) -> list[int]:
        """Greedy oracle: add the sentence that most raises the score until none raises it or
        `max_sentences` are chosen; returns indices in story order.

        The chosen sentences are scored joined in story order (`order="story"`) or in the order
        they were added (`order="added"`); among equal best candidates the lowest index wins
        (`ties="first"`) or the highest (`ties="last"`). `order="added", ties="last"` is the
        variant behind the data README's cross-check figures.
        """
        if order not in ("story", "added") or ties not in ("first", "last"):
            raise ValueError("order must be 'story' or 'added', ties 'first' or 'last'")
        state = _State()
        while len(state.chosen) < max_sentences:
            pick = self._best_addition(state, order == "story", ties == "last")
            if pick is None:
                break
            k, d1, bigrams, d2, state.score = pick
            for g, c in self._uni[k]:
                state.have1[g] = state.have1.get(g, 0) + c
            for g, c in bigrams:
                state.have2[g] = state.have2.get(g, 0) + c
            state.inter1 += d1
            state.inter2 += d2
            state.length += len(self.sentences[k])
            state.added.append(k)
            insort(state.chosen, k)
        return state.chosen

    def _best_addition(
        self, state: _State, story_order: bool, last_wins: bool
    ) -> tuple[int, int, list[tuple[Gram, int]], int, float] | None:
        """The sentence whose addition scores highest above the current score, with its deltas."""
        ref1, ref2, len1, len2 = self.ref1, self.ref2, self.len1, self.len2
        chosen, have1, have2 = state.chosen, state.have1, state.have2
        current = top = state.score
        pick = None
        for k, toks in enumerate(self.sentences):
            if not toks or _contains(chosen, k):
                continue
            d1 = _clipped_gain(self._uni[k], ref1, have1)
            if story_order:
                bigrams = self._bigram_changes(k, chosen)
            else:
                bigrams = self._appended_bigrams(k, state.added)
            d2 = _clipped_gain(bigrams, ref2, have2)
            if not d1 and d2 <= 0:
                continue  # overlaps no better, prediction longer: the score cannot rise
            score = _mean_f(
                state.inter1 + d1, state.length + len(toks), len1, state.inter2 + d2, len2
            )
            if score > top or (last_wins and score == top and score > current):
                top = score
                pick = (k, d1, bigrams, d2, score)
        return pick

    def _appended_bigrams(self, k: int, added: list[int]) -> list[tuple[Gram, int]]:
        """Reference bigrams gained when sentence k is appended after the sentences `added`."""
        if not added:
            return self._bi[k]
        join = (self.sentences[added[-1]][-1], self.sentences[k][0])
        if join not in self.ref2:
            return self._bi[k]
        merged = dict(self._bi[k])
        merged[join] = merged.get(join, 0) + 1
        return list(merged.items())

    def _bigram_changes(self, k: int, chosen: list[int]) -> list[tuple[Gram, int]]:
        """Reference bigrams gained (+) or lost (-) when sentence k joins the chosen ones in
        story order: its own bigrams, plus the bigrams across its joins with its neighbours."""
        bigrams = self._bi[k]
        toks = self.sentences
        pos = bisect_left(chosen, k)
        prev = toks[chosen[pos - 1]][-1] if pos > 0 else None
        nxt = toks[chosen[pos]][0] if pos < len(chosen) else None
        joins = []
        if prev is not None:
            joins.append(((prev, toks[k][0]), 1))
        if nxt is not None:
            joins.append(((toks[k][-1], nxt), 1))
            if prev is not None:
                joins.append(((prev, nxt), -1))
        joins = [(g, c) for g, c in joins if g in self.ref2]
        if not joins:
            return bigrams
        merged = dict(bigrams)
        for g, c in joins:
            merged[g] = merged.get(g, 0) + c
        return [(g, c) for g, c in merged.items() if c]


class _State:
    """The greedy oracle's chosen set and its running n-gram overlaps."""

    __slots__ = ("added", "chosen", "have1", "have2", "inter1", "inter2", "length", "score")

    def __init__(self) -> None:
        self.chosen: list[int] = []  # sorted; only sentences with tokens
        self.added: list[int] = []  # the same, in the order they were added
        self.have1: dict[int, int] = {}  # reference unigram -> count in the chosen text
        self.have2: dict[Gram, int] = {}  # reference bigram -> count in the chosen text
        self.inter1 = self.inter2 = self.length = 0
        self.score = 0.0


def _contains(sorted_list: list[int], k: int) -> bool:
    pos = bisect_left(sorted_list, k)
    return pos < len(sorted_list) and sorted_list[pos] == k


def greedy_oracle(
    sentences: Sequence[str],
    reference: str,
    max_sentences: int = 3,
    order: str = "story",
    ties: str = "first",
) -> list[int]:
    """Indices (story order) of the greedy oracle: repeatedly add the sentence that most raises
    the mean ROUGE-1/ROUGE-2 F1 of the joined selection; stop when none does.

    See `OracleScorer.greedy` for `order` and `ties`; `order="added", ties="last"` reproduces
    the data README's cross-check figures."""
    return OracleScorer(sentences, reference).greedy(max_sentences, order, ties)


def oracle_labels(
    sentences: Sequence[str],
    reference: str,
    max_sentences: int = 3,
    order: str = "story",
    ties: str = "first",
) -> list[int]:
    """0/1 per sentence: 1 for the sentences `greedy_oracle` picks (extractive training labels)."""
    labels = [0] * len(sentences)
    for i in greedy_oracle(sentences, reference, max_sentences, order, ties):
        labels[i] = 1
    return labels


def sentence_gains(sentences: Sequence[str], reference: str) -> list[float]:
    """Each sentence's mean ROUGE-1/ROUGE-2 F1 against the reference (a soft training target)."""
    return OracleScorer(sentences, reference).gains()


def subset_score(
    sentences: Sequence[str], reference: str, indices: Iterable[int], story_order: bool = True
) -> float:
    """Mean ROUGE-1/ROUGE-2 F1 of the sentences `indices`, joined in story order (or as given)."""
    return OracleScorer(sentences, reference).score(indices, story_order)
