"""The summary-level scorer of the `model` method: candidate summaries ranked as a whole.

The sentence trees (newsum.methods.model) score sentences one at a time. Here the `TOP` best
of them are combined into every candidate summary of 2 or 3 sentences (C(6,2) + C(6,3) = 35
candidates), each candidate gets features of the set as a whole (sentence scores, length,
positions, pairwise overlap, how much of the story's content it covers, the members' predicted
ROUGE-2 from the `gain` trees, ...), and a second tree ensemble, trained with LambdaRank against
the candidates' ROUGE (`newsum train`), picks the best.
Everything is numpy arrays over the few top sentences: a few hundred microseconds a story.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, combinations
from typing import TYPE_CHECKING, Any

from .document import Document
from .features import FEATURE_NAMES
from .stopwords import STOPWORDS

if TYPE_CHECKING:
    import numpy as np

    from .features import IdfTable
    from .methods.model import TreeEnsemble

TOP = 6  # candidates are built from the TOP best-scored sentences
SIZES = (2, 3)  # sentences per candidate (a summary of "3 sentences" may have fewer)
# Sentence features summed and maxed over a candidate's members (chosen by their gain in an
# earlier ranker, and the bigram prior's mean and sum; docs/model.md).
MEMBER_FEATURES = (
    "sim_rest",
    "opener_pronoun",
    "n_double_quotes",
    "cue_speech",
    "idf_mean",
    "frac_stop",
    "n_commas",
    "novelty",
    "cue_media",
    "sim_first",
    "prior_mean",
    "prior_sum",
)

CANDIDATE_FEATURES: tuple[str, ...] = (
    "n_sent",
    "score_sum",
    "score_min",
    "score_max",
    "score_sum_gap",  # score_sum minus the best score_sum of the story's candidates
    "prob_sum",
    "rank_sum",
    "rank_max",
    "words",
    "words_min",
    "words_max",
    "pos_min",
    "pos_max",
    "rel_pos_mean",
    "in_lead3",
    "has_first",
    "span",
    "bigram_overlap_sum",
    "bigram_overlap_max",
    "cosine_sum",
    "cosine_max",
    "coverage",  # tf-idf cosine of the candidate to the whole story
    "coverage_gap",
    "unique_idf_frac",  # idf mass of its distinct content words / the sum over its sentences
    "unique_idf",  # idf mass of its distinct content words
    "worth",  # the hand-tuned Combination value (score - 0.3 log(1+w) - 3 overlap)
    "worth_gap",
    "story_sentences",
    "story_words",
    "top_available",
    # the members' predicted ROUGE-2 (the ranker's `gain` trees, one value per sentence)
    "gain_sum",
    "gain_max",
    "gain_min",
    *(f"{name}_sum" for name in MEMBER_FEATURES),
    *(f"{name}_max" for name in MEMBER_FEATURES),
)
N_CANDIDATE_FEATURES = len(CANDIDATE_FEATURES)
_SIM_CENTROID = FEATURE_NAMES.index("sim_centroid")
_N_SENTENCES = FEATURE_NAMES.index("n_sentences")
_DOC_TOKENS = FEATURE_NAMES.index("doc_tokens")
_MEMBER_COLUMNS = [FEATURE_NAMES.index(name) for name in MEMBER_FEATURES]
_N_MEMBER = len(MEMBER_FEATURES)


# Where each feature sits among the blocks `candidate_features` computes: sums over the members
# (10: count, score, sigmoid, rank, words, log words, relative position, in lead-3, first,
# projection on the story, gain, member features), mins (5: score, words, position, rank, gain)
# and maxs (the same and the member features), pair sums and maxes (3 each: bigram overlap,
# cosine, Gram), then 12 derived columns.
_BLOCK_NAMES = (
    "n_sent score_sum prob_sum rank_sum words - - in_lead3 has_first - gain_sum".split()
    + [f"{name}_sum" for name in MEMBER_FEATURES]
    + "score_min words_min pos_min - gain_min".split()
    + "score_max words_max pos_max rank_max gain_max".split()
    + [f"{name}_max" for name in MEMBER_FEATURES]
    + "bigram_overlap_sum cosine_sum - bigram_overlap_max cosine_max -".split()
    + "score_sum_gap rel_pos_mean span coverage coverage_gap unique_idf_frac unique_idf worth "
    "worth_gap story_sentences story_words top_available".split()
)
_ORDER = [_BLOCK_NAMES.index(name) for name in CANDIDATE_FEATURES]


@lru_cache(maxsize=16)
def _upper(k: int) -> tuple[Any, Any]:
    import numpy as np

    return np.triu_indices(k, 1)


@lru_cache(maxsize=64)
def candidate_sets(k: int, sizes: tuple[int, ...] = SIZES) -> np.ndarray:
    """Every subset of `sizes` sentences of range(k) as rows of 3 slots, padded with k.

    Rows are in a fixed order (by size, then lexicographic), so ties go to the earlier one."""
    import numpy as np

    rows = [list(c) + [k] * (3 - m) for m in sizes if m <= k for c in combinations(range(k), m)]
    out = np.array(rows, dtype=np.intp).reshape(-1, 3)
    out.setflags(write=False)
    return out


def _content(tokens: tuple[str, ...]) -> list[str]:
    return [t for t in tokens if t not in STOPWORDS and not t[0].isdigit()]


def candidate_features(
    doc: Document,
    scores: np.ndarray,
    sent_x: np.ndarray,
    idf: IdfTable,
    gain: Callable[[np.ndarray], np.ndarray],
    top: int = TOP,
    sizes: tuple[int, ...] = SIZES,
) -> tuple[np.ndarray, np.ndarray]:
    """The top sentences (indices, best first) and the candidates' feature matrix.

    `sent_x` is the story's sentence feature matrix (newsum.features.document_features; rows
    past its end are never among the top ones); `gain(idx)` the predicted ROUGE-2 of the
    sentences `idx` (the ranker's gain trees; out-of-fold values in training).

    Candidate c is made of `top_idx[sets[c]]` (slot value k = no sentence); the matrix has one
    row per row of `candidate_sets(k, sizes)`, columns in `CANDIDATE_FEATURES` order."""
    import numpy as np

    sents = doc.sentences
    n = len(sents)
    scores = np.asarray(scores, dtype=np.float64)
    order = np.argsort(-scores, kind="stable")  # ties: the earlier sentence first
    k = min(top, n)
    top_idx = order[:k]
    sets = candidate_sets(k, sizes)
    m = len(sets)
    if m == 0:
        return top_idx, np.zeros((0, N_CANDIDATE_FEATURES))

    # The top sentences' content words as a small dense tf-idf matrix (as newsum.features does).
    top_words = [_content(sents[i].tokens) for i in top_idx]
    vocab = {w: j for j, w in enumerate(dict.fromkeys(chain.from_iterable(top_words)))}
    weight = idf.values[idf.positions(vocab, len(vocab))]
    v = max(len(vocab), 1)
    flat = [r * v + vocab[w] for r, words in enumerate(top_words) for w in words]
    counts = np.bincount(flat, minlength=k * v).reshape(k, v)[:, : len(vocab)].astype(np.float64)
    vecs = counts * weight
    gram = vecs @ vecs.T
    norm = np.sqrt(np.diag(gram))
    safe = np.where(norm > 0, norm, 1.0)
    cosine = gram / safe[:, None] / safe[None, :]
    # vec_i . story / |story| from the sentence features' cosine to the story centroid.
    to_story = sent_x[top_idx, _SIM_CENTROID] * norm
    present = (counts > 0) * weight  # idf of each distinct word per sentence
    mass = present.sum(axis=1)

    # Pairwise bigram overlap (Combination's measure: shared / bigrams of the one with fewer).
    grams = [set(zip(sents[i].tokens, sents[i].tokens[1:], strict=False)) for i in top_idx]
    upper = _upper(k)
    overlap = np.zeros((k, k))
    overlap[upper] = [
        len(grams[a] & grams[b]) / min(len(grams[a]), len(grams[b]))
        if grams[a] and grams[b]
        else 0.0
        for a, b in zip(*upper, strict=True)
    ]
    overlap += overlap.T

    # Per-sentence values, with a "no sentence" row at index k: 0 for sums, -inf/+inf so that
    # it never wins a max/min. One fancy-indexing step gathers every candidate's members.
    s = scores[top_idx]
    words = np.array([len(sents[i].tokens) for i in top_idx], dtype=np.float64)
    pos = top_idx.astype(np.float64)
    rank = np.arange(k, dtype=np.float64)
    member = sent_x[top_idx][:, _MEMBER_COLUMNS]
    g = gain(top_idx)
    per = np.zeros((k + 1, 11 + _N_MEMBER))
    per[:k] = np.column_stack(
        [
            np.ones(k),
            s,
            1.0 / (1.0 + np.exp(-s)),
            rank,
            words,
            np.log1p(words),
            pos / n,
            pos < 3,
            pos == 0,
            to_story,
            g,
            member,
        ]
    )
    extreme = np.empty((k + 1, 5 + _N_MEMBER))
    extreme[:k] = np.column_stack([s, words, pos, rank, g, member])
    lo, hi = extreme[:, :5].copy(), extreme
    lo[k] = np.inf
    hi[k] = -np.inf
    sums = per[sets].sum(axis=1)
    mins = lo[sets].min(axis=1)
    maxs = hi[sets].max(axis=1)
    pair = np.zeros((k + 1, k + 1, 3))  # bigram overlap, cosine, Gram of each pair
    pair[:k, :k, 0] = overlap
    pair[:k, :k, 1] = cosine
    pair[:k, :k, 2] = gram
    pairs = pair[sets[:, [0, 0, 1]], sets[:, [1, 2, 2]]]  # (candidates, 3 pairs, 3)
    pair_sum = pairs.sum(axis=1)
    pair_max = pairs.max(axis=1)
    diag = np.append(np.diag(gram), 0.0)
    cand_norm = np.sqrt(np.maximum(diag[sets].sum(axis=1) + 2.0 * pair_sum[:, 2], 0.0))
    coverage = sums[:, 9] / np.where(cand_norm > 0, cand_norm, 1.0)
    pres = np.vstack([present, np.zeros((1, present.shape[1]))])
    union = pres[sets].max(axis=1).sum(axis=1)
    mass_sum = np.append(mass, 0.0)[sets].sum(axis=1)
    size, score_sum = sums[:, 0], sums[:, 1]
    worth = score_sum - 0.3 * sums[:, 5] - 3.0 * pair_sum[:, 0]
    head = sent_x[0]
    derived = np.column_stack(
        [
            score_sum - score_sum.max(),
            sums[:, 6] / size,
            maxs[:, 2] - mins[:, 2],
            coverage,
            coverage - coverage.max(),
            union / np.where(mass_sum > 0, mass_sum, 1.0),
            union,
            worth,
            worth - worth.max(),
            np.full(m, head[_N_SENTENCES]),
            np.full(m, head[_DOC_TOKENS]),
            np.full(m, float(k)),
        ]
    )
    # Blocks side by side, then one gather into CANDIDATE_FEATURES order.
    x = np.concatenate([sums, mins, maxs, pair_sum, pair_max, derived], axis=1)[:, _ORDER]
    return top_idx, x


@dataclass(frozen=True)
class CandidateRanker:
    """The trees that score candidate summaries, the trees that predict each top sentence's
    ROUGE-2 for them (`gain`), and the candidates they were trained on."""

    trees: TreeEnsemble
    gain: TreeEnsemble
    top: int = TOP
    sizes: tuple[int, ...] = SIZES

    def choose(
        self, doc: Document, scores: Any, sent_x: np.ndarray, idf: IdfTable, size: int
    ) -> list[int]:
        """The best candidate of at most `size` sentences (2 or 3), as story indices."""
        import numpy as np

        sizes = tuple(m for m in self.sizes if m <= size)

        def gain(idx: np.ndarray) -> np.ndarray:
            return self.gain.predict(sent_x[idx])

        top_idx, x = candidate_features(doc, scores, sent_x, idf, gain, self.top, sizes)
        if len(x) == 0:
            return [int(i) for i in top_idx[:size]]
        k = len(top_idx)
        best = candidate_sets(k, sizes)[int(np.argmax(self.trees.predict(x)))]
        return sorted(int(top_idx[j]) for j in best if j < k)


def candidate_rouge(
    sentence_ids: list[list[int]], reference_ids: list[int], sets: np.ndarray
) -> np.ndarray:
    """Mean ROUGE-1/ROUGE-2 F1 of each candidate (rows of `sets` over `sentence_ids`, padded
    with len(sentence_ids)) against the reference token ids (stemmed, as newsum.rouge).

    Bigrams across the joins between sentences are left out: a training label, not a score."""
    rouge1, rouge2 = _rouge_f1(sentence_ids, reference_ids, sets)
    return (rouge1 + rouge2) / 2


def sentence_rouge2(sentence_ids: list[list[int]], reference_ids: list[int]) -> np.ndarray:
    """ROUGE-2 F1 of each sentence alone against the reference (the gain trees' target)."""
    import numpy as np

    k = len(sentence_ids)
    sets = np.full((k, 3), k, dtype=np.intp)
    sets[:, 0] = np.arange(k)
    return _rouge_f1(sentence_ids, reference_ids, sets)[1]


def _rouge_f1(
    sentence_ids: list[list[int]], reference_ids: list[int], sets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """ROUGE-1 and ROUGE-2 F1 of each candidate (see candidate_rouge)."""
    import numpy as np

    k = len(sentence_ids)
    ref1 = Counter(reference_ids)
    ref2 = Counter(zip(reference_ids, reference_ids[1:], strict=False))
    v1 = {g: j for j, g in enumerate(ref1)}
    v2 = {g: j for j, g in enumerate(ref2)}
    c1 = np.zeros((k + 1, len(v1) + 1))
    c2 = np.zeros((k + 1, len(v2) + 1))
    lens = np.zeros(k + 1)
    for r, ids in enumerate(sentence_ids):
        lens[r] = len(ids)
        for g in ids:
            c1[r, v1.get(g, len(v1))] += 1
        for g in zip(ids, ids[1:], strict=False):
            c2[r, v2.get(g, len(v2))] += 1
    r1 = np.array([*ref1.values(), 0], dtype=np.float64)
    r2 = np.array([*ref2.values(), 0], dtype=np.float64)
    inter1 = np.minimum(c1[sets].sum(axis=1), r1).sum(axis=1)
    inter2 = np.minimum(c2[sets].sum(axis=1), r2).sum(axis=1)
    pred1 = lens[sets].sum(axis=1)
    pred2 = np.maximum(pred1 - 1, 1)

    def f(inter: np.ndarray, pred: np.ndarray, ref: float) -> np.ndarray:
        p = inter / np.maximum(pred, 1)
        r = inter / max(ref, 1)
        return np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)

    return f(inter1, pred1, len(reference_ids)), f(inter2, pred2, max(len(reference_ids) - 1, 0))
