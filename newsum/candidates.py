"""The summary-level scorer of the `model` method: candidate summaries ranked as a whole.

The sentence trees (newsum.methods.model) score sentences one at a time. Here the `TOP` best
of them are combined into every candidate summary of 2 or 3 sentences (C(6,2) + C(6,3) = 35
candidates), each candidate gets features of the set as a whole (sentence scores, length,
positions, pairwise overlap, how much of the story's content it covers, the members' predicted
ROUGE-2 from the `gain` trees, ...), and a second tree ensemble, trained with LambdaRank against
the candidates' ROUGE (`newsum train`), picks the best.
Everything is numpy arrays over the top sentences of a batch of stories (`candidates_of`;
`summarize_many` sends 64 at a time, `summarize` one): about 0.3 ms a story in batches, 0.5 ms
alone, most of it per-story Python (words, bigrams) and the two tree ensembles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
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


@lru_cache(maxsize=16)
def _template(top: int, sizes: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """The candidate rows of a story with `top` or more sentences (candidate_sets(top, sizes),
    slot `top` = no sentence), each row's size and highest slot (to drop the rows a shorter
    story or a smaller budget lacks), and its 3 pairs of slots as (top+1) x (top+1) cells."""
    import numpy as np

    sets = candidate_sets(top, sizes)
    size = (sets < top).sum(axis=1)
    last = np.where(sets < top, sets, -1).max(axis=1)
    pairs = sets[:, [0, 0, 1]] * (top + 1) + sets[:, [1, 2, 2]]
    for shared in (size, last, pairs):  # cached: read-only
        shared.setflags(write=False)
    return sets, size, last, pairs


@lru_cache(maxsize=16)
def _pair_cells(k: int, top: int) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """The pairs a < b of range(k) in row-major order (as np.triu_indices), and the cells of
    (a, b) and of (b, a) in a flattened (top+1) x (top+1) table."""
    pairs = list(combinations(range(k), 2))
    return pairs, [a * (top + 1) + b for a, b in pairs], [b * (top + 1) + a for a, b in pairs]


def _row_sums(a: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """`a[i, :lengths[i]].sum()` for each row i (lengths < a.shape[1]) in one call.

    newsum.features.segment_sums without its copy: every row's first item is a 0 here, which
    is what makes np.add.reduceat agree with ndarray.sum bit for bit (see there)."""
    import numpy as np

    edges = np.arange(0, a.size, a.shape[1], dtype=np.intp).repeat(2)
    edges[1::2] += lengths
    return np.add.reduceat(a.reshape(-1), edges)[::2]


@dataclass(frozen=True)
class Candidates:
    """The candidate summaries of several stories, one story after the other.

    Story b's best-scored sentences are `top[b]` (indices, best first); its candidates are rows
    `bounds[b]:bounds[b + 1]` of `sets` (slots into `top[b]`; the `top` argument of
    `candidates_of` = no sentence) and of the feature matrix `x` (CANDIDATE_FEATURES order)."""

    top: list[np.ndarray]
    sets: np.ndarray
    bounds: list[int]
    x: np.ndarray


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
    row per row of `candidate_sets(k, sizes)`, columns in `CANDIDATE_FEATURES` order.
    (`candidates_of` for a batch of one story.)"""
    found = candidates_of([doc], [scores], sent_x, [0], idf, gain, top, sizes)
    return found.top[0], found.x


def candidates_of(
    docs: Sequence[Document],
    scores: Sequence[Any],
    sent_x: np.ndarray,
    starts: Sequence[int],
    idf: IdfTable,
    gain: Callable[[np.ndarray], np.ndarray],
    top: int = TOP,
    sizes: tuple[int, ...] = SIZES,
    most: Sequence[int] | None = None,
) -> Candidates:
    """`candidate_features` of several stories with numpy calls over all of them at once (a
    story's few candidates cost per-call overhead more than arithmetic).

    Story b's sentence features are the rows of `sent_x` from `starts[b]` on; `gain(rows)`
    gets rows of `sent_x` (every story's top sentences in one call); story b's candidates
    have at most `most[b]` sentences (default: any of `sizes`). Every value comes from the same
    floating-point operations in the same order as for the story alone: tables padded to
    `top` sentences a story, sums over a story's words over exactly its words (`_row_sums`),
    and each story's Gram matrix from its own matrix product."""
    import numpy as np

    nb = len(docs)
    n = np.array([len(d.sentences) for d in docs], dtype=np.intp)
    if nb == 0 or not n.all():
        return _without_empty(docs, scores, sent_x, starts, idf, gain, top, sizes, most)
    sets, set_size, set_last, set_pairs = _template(top, sizes)
    rows_a_story = len(sets)
    slots = top + 1  # a story's slots in the padded tables: `top` sentences, then "none"
    k = np.minimum(n, top)
    kl = k.tolist()
    valid = set_last < k[:, None]  # (story, template row): the story's own candidate rows
    if most is not None:
        valid &= set_size <= np.asarray(most)[:, None]
    bounds = [0, *np.cumsum(valid.sum(axis=1)).tolist()]

    # Every story's sentences by descending score (ties: the earlier first) in one stable
    # sort; slots past a story's k repeat its last top sentence (in no candidate of it).
    first = np.zeros(nb + 1, dtype=np.intp)
    np.cumsum(n, out=first[1:])
    s_all = np.concatenate(scores, dtype=np.float64)
    order = np.lexsort((-s_all, np.repeat(np.arange(nb), n)))
    rank = np.arange(top)
    pick = first[:-1, None] + np.minimum(rank, (k - 1)[:, None])
    at_top = order[pick]  # (story, slot): positions among all the stories' sentences
    top_pad = at_top - first[:-1, None]  # and in the story

    # Python per story: the top sentences' lengths, content words (their column in the
    # story's vocabulary) and pairwise bigram overlap (Combination's measure: shared / bigrams
    # of the one with fewer).
    n_words: list[int] = []
    row_words: list[int] = []
    columns: list[int] = []
    vocab_words: list[str] = []
    v_list: list[int] = []
    cells: list[int] = []
    mirror: list[int] = []
    overlap: list[float] = []
    tops = []
    for b, (doc, kb, row) in enumerate(zip(docs, kl, top_pad.tolist(), strict=True)):
        tops.append(top_pad[b, :kb])
        toks = [doc.sentences[i].tokens for i in row]
        n_words.extend(map(len, toks))
        toks = toks[:kb]
        top_words = [_content(t) for t in toks]
        vocab = dict.fromkeys(chain.from_iterable(top_words))
        vocab = dict(zip(vocab, range(len(vocab)), strict=True))
        columns.extend(map(vocab.__getitem__, chain.from_iterable(top_words)))
        row_words.extend(map(len, top_words))
        row_words.extend([0] * (slots - kb))
        vocab_words.extend(vocab)
        v_list.append(len(vocab))
        grams = [set(zip(t, t[1:], strict=False)) for t in toks]
        sizes_of = [len(g) for g in grams]
        pairs, upper, lower = _pair_cells(kb, top)
        at = b * slots * slots
        cells += [at + c for c in upper]
        mirror += [at + c for c in lower]
        overlap += [
            len(grams[a] & grams[c]) / min(sizes_of[a], sizes_of[c])
            if sizes_of[a] and sizes_of[c]
            else 0.0
            for a, c in pairs
        ]

    # The top sentences' tf-idf vectors (as newsum.features does) as a (story, slot, column)
    # array: column 0 stays 0 (see _row_sums), a story's words are columns 1 to v.
    v = np.array(v_list, dtype=np.intp)
    width = int(v.max()) + 2
    weight = np.zeros((nb, width))
    col = np.arange(width)
    weight[(col >= 1) & (col <= v[:, None])] = idf.values[
        idf.positions(vocab_words, len(vocab_words))
    ]
    at_word = np.repeat(np.arange(nb * slots, dtype=np.intp) * width + 1, row_words)
    counts = np.bincount(at_word + np.array(columns, dtype=np.intp), minlength=nb * slots * width)
    counts = counts.reshape(nb, slots, width).astype(np.float64)
    vecs = counts * weight[:, None, :]
    present = ((counts > 0) * weight[:, None, :]).reshape(nb * slots, width)  # idf per word
    mass = _row_sums(present, np.repeat(v + 1, slots))
    gram = np.zeros((nb, slots, slots))
    for b, (kb, vb) in enumerate(zip(kl, v_list, strict=True)):
        if kb > 1:
            vec = np.ascontiguousarray(vecs[b, :kb, 1 : vb + 1])
            gram[b, :kb, :kb] = vec @ vec.T
    diag = np.ascontiguousarray(gram.diagonal(axis1=1, axis2=2))
    norm = np.sqrt(diag)
    safe = np.where(norm > 0, norm, 1.0)
    cosine = gram / safe[:, :, None] / safe[:, None, :]
    pair = np.zeros((nb * slots * slots, 3))
    pair[cells + mirror, 0] = overlap + overlap
    pair[:, 1] = cosine.reshape(-1)
    pair[:, 2] = gram.reshape(-1)

    # Per-sentence values in (story, slot) tables, with the "no sentence" slot: 0 for sums,
    # -inf/+inf so that it never wins a max/min. One fancy-indexing step gathers every
    # candidate's members.
    rows = np.asarray(starts, dtype=np.intp)[:, None] + top_pad
    top_x = sent_x[rows].reshape(nb * top, -1)
    g = gain(rows.ravel())
    s = s_all[at_top].ravel()
    words = np.array(n_words, dtype=np.float64)
    pos = top_pad.ravel().astype(np.float64)
    rank_f = rank.astype(np.float64)[None, :].repeat(nb, axis=0).ravel()
    member = top_x[:, _MEMBER_COLUMNS].reshape(nb, top, -1)
    # (np.array of the columns, then transposed: fewer calls than np.column_stack)
    per = np.zeros((nb, slots, 11 + _N_MEMBER))
    per[:, :top, :11] = np.array(
        [
            np.ones(nb * top),
            s,
            1.0 / (1.0 + np.exp(-s)),
            rank_f,
            words,
            np.log1p(words),
            pos / np.repeat(np.maximum(n, 1), top),
            pos < 3,
            pos == 0,
            top_x[:, _SIM_CENTROID] * norm[:, :top].ravel(),
            g,
        ]
    ).T.reshape(nb, top, 11)
    per[:, :top, 11:] = member
    extreme = np.empty((nb, slots, 5 + _N_MEMBER))
    extreme[:, :top, :5] = np.array([s, words, pos, rank_f, g]).T.reshape(nb, top, 5)
    extreme[:, :top, 5:] = member
    lo, hi = extreme[:, :, :5].copy(), extreme
    lo[:, top] = np.inf
    hi[:, top] = -np.inf
    members = (np.arange(nb, dtype=np.intp)[:, None, None] * slots + sets).reshape(-1, 3)
    sums = per.reshape(nb * slots, -1)[members].sum(axis=1)
    mins = lo.reshape(nb * slots, -1)[members].min(axis=1)
    maxs = hi.reshape(nb * slots, -1)[members].max(axis=1)
    at_pairs = np.arange(nb, dtype=np.intp)[:, None, None] * (slots * slots) + set_pairs
    pairs3 = pair[at_pairs.reshape(-1, 3)]  # (candidates, 3 pairs, 3)
    pair_sum = pairs3.sum(axis=1)
    pair_max = pairs3.max(axis=1)
    cand_norm = np.sqrt(np.maximum(diag.ravel()[members].sum(axis=1) + 2.0 * pair_sum[:, 2], 0.0))
    coverage = sums[:, 9] / np.where(cand_norm > 0, cand_norm, 1.0)
    # The idf mass of a candidate's distinct words: each word's largest idf over the members.
    cover = present[members[:, 0]]
    np.maximum(cover, present[members[:, 1]], out=cover)
    np.maximum(cover, present[members[:, 2]], out=cover)
    union = _row_sums(cover, np.repeat(v + 1, rows_a_story))
    mass_sum = mass[members].sum(axis=1)
    size, score_sum = sums[:, 0], sums[:, 1]
    worth = score_sum - 0.3 * sums[:, 5] - 3.0 * pair_sum[:, 0]
    # score_sum, coverage and worth less the best of the story's own candidates
    best = np.array([score_sum, coverage, worth]).reshape(3, nb, rows_a_story)
    gaps = (best - np.where(valid, best, -np.inf).max(axis=2, keepdims=True)).reshape(3, -1)
    head = sent_x[starts][:, [_N_SENTENCES, _DOC_TOKENS]]
    head = head.repeat(rows_a_story, axis=0)
    derived = np.array(
        [
            gaps[0],
            sums[:, 6] / size,
            maxs[:, 2] - mins[:, 2],
            coverage,
            gaps[1],
            union / np.where(mass_sum > 0, mass_sum, 1.0),
            union,
            worth,
            gaps[2],
            head[:, 0],
            head[:, 1],
            k.astype(np.float64).repeat(rows_a_story),
        ]
    ).T
    # Blocks side by side, then one gather into CANDIDATE_FEATURES order (the story's rows).
    x = np.concatenate([sums, mins, maxs, pair_sum, pair_max, derived], axis=1)
    keep = valid.ravel()
    return Candidates(tops, sets[valid.nonzero()[1]], bounds, x[keep][:, _ORDER])


def _without_empty(
    docs: Sequence[Document],
    scores: Sequence[Any],
    sent_x: np.ndarray,
    starts: Sequence[int],
    idf: IdfTable,
    gain: Callable[[np.ndarray], np.ndarray],
    top: int,
    sizes: tuple[int, ...],
    most: Sequence[int] | None,
) -> Candidates:
    """`candidates_of` where some stories have no sentence (and so no candidate)."""
    import numpy as np

    some = [b for b, doc in enumerate(docs) if doc.sentences]
    if some:
        found = candidates_of(
            [docs[b] for b in some],
            [scores[b] for b in some],
            sent_x,
            [starts[b] for b in some],
            idf,
            gain,
            top,
            sizes,
            None if most is None else [most[b] for b in some],
        )
    else:
        none = np.zeros((0, N_CANDIDATE_FEATURES))
        found = Candidates([], np.zeros((0, 3), np.intp), [0], none)
    tops, bounds, j = [], [0], 0
    for doc in docs:
        if doc.sentences:
            tops.append(found.top[j])
            j += 1
        else:
            tops.append(np.zeros(0, dtype=np.intp))
        bounds.append(found.bounds[j])
    return Candidates(tops, found.sets, bounds, found.x)


# The candidate tables of a run of stories are as wide as the largest vocabulary of one story's
# top sentences: stories go at most `_WORDS_AT_ONCE` (stories x the most words of one story) at
# a time. 64 validation stories need at most 120,000; 63 of them with one 50,000-word paragraph
# took 2.3 GB in one pass.
_WORDS_AT_ONCE = 250_000


def _runs(words: Sequence[float]) -> list[tuple[int, int]]:
    """[lo, hi) runs of stories, each with at most `_WORDS_AT_ONCE` stories x most words."""
    runs: list[tuple[int, int]] = []
    lo, most = 0, 0.0
    for k, n in enumerate(words):
        most = max(most, n)
        if (k + 1 - lo) * most > _WORDS_AT_ONCE and k > lo:
            runs.append((lo, k))
            lo, most = k, n
    runs.append((lo, len(words)))
    return runs


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
        return self.choose_many([doc], [scores], sent_x, [0], idf, [size])[0]

    def choose_many(
        self,
        docs: Sequence[Document],
        scores: Sequence[Any],
        sent_x: np.ndarray,
        starts: Sequence[int],
        idf: IdfTable,
        sizes: Sequence[int],
    ) -> list[list[int]]:
        """`choose` for several stories (story b: `scores[b]`, the rows of `sent_x` from
        `starts[b]` on, at most `sizes[b]` sentences), each set of trees run once for all."""
        import numpy as np

        pairs = zip(docs, starts, strict=True)
        runs = _runs([sent_x[at, _DOC_TOKENS] if d.sentences else 0 for d, at in pairs])
        if len(runs) > 1:  # a story's choice does not depend on the others in its run
            return [
                pick
                for lo, hi in runs
                for pick in self.choose_many(
                    docs[lo:hi], scores[lo:hi], sent_x, starts[lo:hi], idf, sizes[lo:hi]
                )
            ]

        def gain(rows: np.ndarray) -> np.ndarray:
            return self.gain.predict(sent_x[rows])

        found = candidates_of(docs, scores, sent_x, starts, idf, gain, self.top, self.sizes, sizes)
        value = self.trees.predict(found.x)
        # Each story's best candidate, the first of equals (as np.argmax), for all at once.
        bounds = np.array(found.bounds)
        counts = np.diff(bounds)
        starts = bounds[:-1][counts > 0]
        hits = np.flatnonzero(
            value == np.maximum.reduceat(value, starts).repeat(counts[counts > 0])
        )
        best = iter(found.sets[hits[np.searchsorted(hits, starts)]].tolist())
        chosen = []
        for top_idx, size, count in zip(found.top, sizes, counts.tolist(), strict=True):
            top_list = top_idx.tolist()
            if count == 0:
                chosen.append(top_list[:size])
            else:
                chosen.append(sorted(top_list[j] for j in next(best) if j < self.top))
        return chosen


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
