"""The candidate ranker of the `model` method: candidate sets, features, labels, choice, loading."""

from __future__ import annotations

import math
import random
from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from conftest import SHIPPED_EXAMPLE

import newsum
import newsum.candidates as candidates_module
from newsum.candidates import (
    CANDIDATE_FEATURES,
    MEMBER_FEATURES,
    SIZES,
    TOP,
    CandidateRanker,
    candidate_features,
    candidate_rouge,
    candidate_sets,
    candidates_of,
    sentence_rouge2,
)
from newsum.errors import InputError
from newsum.features import FEATURE_NAMES, IdfTable, document_features
from newsum.methods.model import MODEL_PATH, ModelFile, TreeEnsemble, load_model
from newsum.oracle import OracleScorer
from newsum.rouge import RougeScorer, shared_tokenizer
from newsum.select import Combination, Ranked, select
from newsum.stopwords import STOPWORDS

STORY = newsum.read_document(
    "The river burst its banks on Monday and flooded the old town. "
    "Hundreds of families left their homes as the water rose. "
    "The mayor said the river had burst its banks twice in ten years. "
    "Rescue boats carried elderly residents to the school on the hill. "
    "Forecasters expect more rain later this week. "
    "The town's football club offered its ground as a shelter. "
    "Insurers said the damage could cost millions."
)
SCORES = np.array([2.0, 1.5, 1.8, 0.7, -0.5, 0.1, 0.9])
GAINS = np.array([0.30, 0.10, 0.20, 0.05, 0.00, 0.15, 0.40])  # predicted ROUGE-2 per sentence
IDF = IdfTable(["river", "banks", "flooded", "families", "mayor", "boats"], [3, 2, 4, 2.5, 3, 5], 6)
COL = {name: k for k, name in enumerate(CANDIDATE_FEATURES)}


def test_candidate_sets_by_hand() -> None:
    sets = candidate_sets(4)
    assert sets.shape == (6 + 4, 3)  # C(4,2) pairs, then C(4,3) triples
    assert sets[0].tolist() == [0, 1, 4] and sets[5].tolist() == [2, 3, 4]
    assert sets[6].tolist() == [0, 1, 2] and sets[-1].tolist() == [1, 2, 3]
    assert candidate_sets(2).tolist() == [[0, 1, 2]]
    assert len(candidate_sets(1)) == 0
    assert candidate_sets(6, (3,)).shape == (20, 3)


def _tfidf(tokens: tuple[str, ...]) -> Counter:
    words = [t for t in tokens if t not in STOPWORDS and not t[0].isdigit()]
    return Counter({w: c * IDF.idf.get(w, IDF.unknown) for w, c in Counter(words).items()})


def _cos(a: Counter, b: Counter) -> float:
    dot = sum(v * b[w] for w, v in a.items())
    na, nb = math.sqrt(sum(v * v for v in a.values())), math.sqrt(sum(v * v for v in b.values()))
    return dot / na / nb if na and nb else 0.0


def test_candidate_features_by_hand() -> None:
    x_sent = document_features(STORY, IDF)
    asked = []

    def gain(idx: np.ndarray) -> np.ndarray:
        asked.append(idx.tolist())
        return GAINS[idx]

    top, x = candidate_features(STORY, SCORES, x_sent, IDF, gain)
    assert asked == [top.tolist()]  # the gain of the top sentences only, asked once
    assert top.tolist() == [0, 2, 1, 6, 3, 5]  # the six best scores, best first
    sets = candidate_sets(6)
    assert x.shape == (len(sets), len(CANDIDATE_FEATURES)) == (35, len(CANDIDATE_FEATURES))
    assert np.isfinite(x).all()
    sents = STORY.sentences
    story_vec = sum((_tfidf(s.tokens) for s in sents), Counter())
    for row, slots in zip(x, sets, strict=True):
        members = [int(top[j]) for j in slots if j < 6]
        assert row[COL["n_sent"]] == len(members)
        assert row[COL["score_sum"]] == pytest.approx(SCORES[members].sum())
        assert row[COL["score_min"]] == SCORES[members].min()
        assert row[COL["words"]] == sum(len(sents[i].tokens) for i in members)
        assert row[COL["pos_min"]] == min(members) and row[COL["pos_max"]] == max(members)
        assert row[COL["has_first"]] == (0 in members)
        grams = [set(zip(sents[i].tokens, sents[i].tokens[1:], strict=False)) for i in members]
        overlap = [len(a & b) / min(len(a), len(b)) for a, b in combinations(grams, 2)]
        assert row[COL["bigram_overlap_sum"]] == pytest.approx(sum(overlap))
        cand_vec = sum((_tfidf(sents[i].tokens) for i in members), Counter())
        assert row[COL["coverage"]] == pytest.approx(_cos(cand_vec, story_vec), abs=1e-12)
        worth = sum(SCORES[i] - 0.3 * math.log1p(len(sents[i].tokens)) for i in members)
        assert row[COL["worth"]] == pytest.approx(worth - 3.0 * sum(overlap))
        assert row[COL["gain_sum"]] == pytest.approx(GAINS[members].sum())
        assert row[COL["gain_max"]] == GAINS[members].max()
        assert row[COL["gain_min"]] == GAINS[members].min()
        for name in MEMBER_FEATURES:
            values = x_sent[members, FEATURE_NAMES.index(name)]
            assert row[COL[f"{name}_sum"]] == pytest.approx(values.sum())
            assert row[COL[f"{name}_max"]] == values.max()
    # Sentences 0 and 2 share "the river", "river burst", "burst its", "its banks", ...
    both = [k for k, s in enumerate(sets) if sorted(s[:2]) == [0, 1] and s[2] == 6][0]
    assert x[both, COL["bigram_overlap_sum"]] > 0.25
    assert x[:, COL["worth_gap"]].max() == 0.0 and x[:, COL["coverage_gap"]].max() == 0.0


def _no_gain(idx: np.ndarray) -> np.ndarray:
    return np.zeros(len(idx))


def test_candidate_features_of_short_stories() -> None:
    for text, rows in (("Only one sentence here.", 0), ("First one here. Second one there.", 1)):
        doc = newsum.read_document(text)
        scores = np.arange(len(doc.sentences), dtype=float)
        top, x = candidate_features(doc, scores, document_features(doc, IDF), IDF, _no_gain)
        assert len(top) == len(doc.sentences) and x.shape == (rows, len(CANDIDATE_FEATURES))
        assert np.isfinite(x).all()


def _story(n: int, seed: int) -> newsum.Document:
    """A story of `n` sentences of a few words each, so that sentences share words and bigrams
    (and some have no content word at all)."""
    rng = random.Random(seed)
    vocab = "river banks flood mayor boats rain town water school the of a said it".split()
    sents = [
        " ".join(rng.choice(vocab) for _ in range(rng.randint(2, 12))).capitalize() + "."
        for _ in range(n)
    ]
    doc = newsum.read_document(" ".join(sents))
    assert len(doc.sentences) == n
    return doc


def test_a_batch_of_stories_gets_what_each_story_gets_alone() -> None:
    model = load_model()
    lengths = (1, 2, 3, 7, 60, 5, 2, 7, 4)  # 1 to 5: fewer sentences than TOP
    docs = [_story(n, seed) for seed, n in enumerate(lengths)]
    docs.append(newsum.read_document("The of a. A the of. Of a the it."))  # no content words
    xs = [document_features(d, model.idf, model.prior) for d in docs]
    rng = np.random.default_rng(0)
    scores = [np.round(rng.normal(size=len(d.sentences)), 1) for d in docs]  # with ties
    most = [3, 2, 3, 3, 2, 3, 3, 2, 2, 3]  # the largest candidate each story may have
    stacked = np.concatenate(xs)
    starts = np.cumsum([0] + [len(x) for x in xs[:-1]])
    col = FEATURE_NAMES.index("n_tokens")
    batch = candidates_of(
        docs, scores, stacked, starts, model.idf, lambda rows: stacked[rows, col] / 10, most=most
    )
    assert batch.bounds[-1] == len(batch.x) == len(batch.sets)
    for b, (doc, story_scores, x) in enumerate(zip(docs, scores, xs, strict=True)):
        sizes = tuple(m for m in SIZES if m <= most[b])
        top, alone = candidate_features(
            doc, story_scores, x, model.idf, lambda idx, x=x: x[idx, col] / 10, sizes=sizes
        )
        assert (
            top.tolist()
            == sorted(range(len(doc.sentences)), key=lambda i, s=story_scores: (-s[i], i))[:TOP]
        )
        rows = slice(batch.bounds[b], batch.bounds[b + 1])
        assert batch.top[b].tolist() == top.tolist()
        assert batch.x[rows].tobytes() == alone.tobytes()  # bit for bit
        sets = candidate_sets(len(top), sizes)
        assert batch.sets[rows].tolist() == np.where(sets < len(top), sets, TOP).tolist()
    assert [batch.bounds[b + 1] - batch.bounds[b] for b in (0, 1, 3, 4, 5)] == [0, 1, 35, 15, 20]
    # A story without sentences (a Document made by hand) has no candidates and changes none.
    empty = newsum.Document(docs[3].text, [], docs[3].kind, docs[3].lowercased)
    both = candidates_of(
        [empty, docs[3]], [[], scores[3]], xs[3], [0, 0], model.idf, lambda r: xs[3][r, col] / 10
    )
    assert both.bounds == [0, 0, 35] and len(both.top[0]) == 0
    assert both.x.tobytes() == batch.x[batch.bounds[3] : batch.bounds[4]].tobytes()
    # The shipped ranker's choice for the whole batch is its choice for each story.
    ranker = model.ranker
    sizes = [min(m, len(d.sentences)) for m, d in zip(most, docs, strict=True)]
    alone = [
        ranker.choose(d, s, x, model.idf, size)
        for d, s, x, size in zip(docs, scores, xs, sizes, strict=True)
    ]
    assert ranker.choose_many(docs, scores, stacked, starts, model.idf, sizes) == alone
    assert all(2 <= len(c) <= 3 for c, size in zip(alone, sizes, strict=True) if size > 1)


def test_stories_with_many_words_go_in_bounded_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The candidate tables of a run of stories are as wide as its widest story: runs are cut
    at `_WORDS_AT_ONCE` (stories x the most words of one; one paragraph of 50,000 words among
    63 usual stories took 2.3 GB in one pass), with the same choices."""
    model = load_model()
    docs = [_story(n, seed) for seed, n in enumerate((7, 60, 5, 2, 9))]
    xs = [document_features(d, model.idf, model.prior) for d in docs]
    scores = [model.trees.predict(x) for x in xs]
    stacked = np.concatenate(xs)
    starts = np.cumsum([0] + [len(x) for x in xs[:-1]])
    sizes = [3] * len(docs)
    whole = model.ranker.choose_many(docs, scores, stacked, starts, model.idf, sizes)
    monkeypatch.setattr(candidates_module, "_WORDS_AT_ONCE", 1)  # every story alone
    assert model.ranker.choose_many(docs, scores, stacked, starts, model.idf, sizes) == whole
    monkeypatch.setattr(candidates_module, "_WORDS_AT_ONCE", 100)
    # runs in order: 2 x 40 fits in 100, 3 x 40 does not; 500 alone; then 3 x 10
    assert candidates_module._runs([10, 40, 30, 500, 10, 5, 10]) == [(0, 2), (2, 3), (3, 4), (4, 7)]


def test_candidate_rouge_matches_the_oracle_scorer() -> None:
    ids = shared_tokenizer(True).ids
    sentences = [s.source for s in STORY.sentences]
    reference = "Floods hit the old town after the river burst its banks. Insurers fear costs."
    scorer = OracleScorer(sentences, reference)
    sets = candidate_sets(7)
    got = candidate_rouge([ids(s) for s in sentences], ids(reference), sets)
    for value, slots in zip(got, sets, strict=True):
        members = [int(j) for j in slots if j < 7]
        # No bigram across two of these sentences is in the reference, so the join bigrams
        # that candidate_rouge leaves out change nothing here.
        assert value == pytest.approx(scorer.score(members), abs=1e-12)


def test_sentence_rouge2_is_each_sentences_own_rouge2() -> None:
    ids = shared_tokenizer(True).ids
    sentences = [s.source for s in STORY.sentences]
    reference = "Floods hit the old town after the river burst its banks. Insurers fear costs."
    got = sentence_rouge2([ids(s) for s in sentences], ids(reference))
    scorer = RougeScorer(["rouge2"], use_stemmer=True)
    want = [scorer.score(reference, s)["rouge2"].fmeasure for s in sentences]
    assert got.tolist() == pytest.approx(want, abs=1e-12)
    assert got[0] > 0.3 and got[4] == 0.0  # "the river burst its banks" / nothing shared


def _one_split_ranker(feature: str, threshold: float, low: float, high: float) -> CandidateRanker:
    """One tree: `low` when the candidate's `feature` <= threshold, else `high`."""
    trees = TreeEnsemble(
        feature=[COL[feature], 0, 0],
        threshold=[threshold, np.inf, np.inf],
        left=[1, 1, 2],
        right=[2, 1, 2],
        value=[0.0, low, high],
        roots=[0],
        depth=1,
    )
    return CandidateRanker(trees, _constant(0.0))


def _constant(value: float) -> TreeEnsemble:
    """Trees that predict `value` for every row (a single leaf)."""
    return TreeEnsemble([0], [np.inf], [0], [0], [value], [0], depth=1)


def test_ranker_picks_its_best_candidate() -> None:
    x_sent = document_features(STORY, IDF)
    # Pairs score 1, triples 0: the first pair, the two best sentences, wins.
    pairs = _one_split_ranker("n_sent", 2.5, 1.0, 0.0)
    assert pairs.choose(STORY, SCORES, x_sent, IDF, 3) == [0, 2]
    # Triples score 1: the first triple (the three best sentences) wins.
    triples = _one_split_ranker("n_sent", 2.5, 0.0, 1.0)
    assert triples.choose(STORY, SCORES, x_sent, IDF, 3) == [0, 1, 2]
    # With a budget of 2 only pairs are candidates.
    assert triples.choose(STORY, SCORES, x_sent, IDF, 2) == [0, 2]
    # Candidates that include the last sentence of the story win when it is among the top.
    late = _one_split_ranker("pos_max", 5.5, 0.0, 1.0)
    assert late.choose(STORY, SCORES, x_sent, IDF, 3) == [0, 6]
    # The ranker's gain trees are evaluated on the top sentences' feature rows: a gain that
    # is high only for the longest sentence makes its candidates win.
    longest = int(np.argmax(x_sent[:, FEATURE_NAMES.index("n_tokens")]))
    cut = float(x_sent[longest, FEATURE_NAMES.index("n_tokens")]) - 0.5
    gain = TreeEnsemble(
        [FEATURE_NAMES.index("n_tokens"), 0, 0], [cut, np.inf, np.inf], [1, 1, 2], [2, 1, 2],
        [0.0, 0.0, 1.0], [0], depth=1,
    )  # fmt: skip
    by_gain = CandidateRanker(_one_split_ranker("gain_max", 0.5, 0.0, 1.0).trees, gain)
    chosen = by_gain.choose(STORY, SCORES, x_sent, IDF, 3)
    assert longest in chosen and len(chosen) == 2


def test_shipped_model_has_a_ranker_and_uses_it() -> None:
    model = load_model()
    assert model.ranker is not None and model.ranker.trees.n_trees > 0
    assert model.meta["candidates"]["features"] == list(CANDIDATE_FEATURES)
    method = newsum.get_method("model")
    assert isinstance(method.selection, Ranked)
    doc = newsum.read_document(SHIPPED_EXAMPLE.read_text())
    scores = method.score(doc)
    assert model._last.doc is doc  # the ranker reuses the features just computed
    chosen = select(doc, scores, 3, selection=Ranked())
    assert 2 <= len(chosen) <= 3 and chosen == sorted(chosen)
    assert chosen == model.choose(doc, scores, 3)
    top = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:6]
    assert set(chosen) <= set(top)
    assert newsum.summarize(SHIPPED_EXAMPLE.read_text()).indices == chosen


def test_ranked_falls_back_to_combination_outside_its_budgets() -> None:
    doc = newsum.read_document(SHIPPED_EXAMPLE.read_text())
    scores = newsum.get_method("model").score(doc)
    comb = Combination()
    for kwargs in ({"sentences": 4}, {"sentences": 1}, {"words": 60, "sentences": None}):
        assert select(doc, scores, selection=Ranked(), **kwargs) == select(
            doc, scores, selection=comb, **kwargs
        )
    assert select(doc, scores, 3, redundancy=False, selection=Ranked()) == select(
        doc, scores, 3, redundancy=False, selection=comb
    )


def test_model_file_round_trip_keeps_the_ranker(tmp_path: Path) -> None:
    model = load_model()
    path = tmp_path / "m.npz"
    model.save(path)
    again = ModelFile.load(path)
    assert again.ranker is not None
    assert again.ranker.trees.n_trees == model.ranker.trees.n_trees
    assert again.ranker.gain.n_trees == model.ranker.gain.n_trees > 0
    story = newsum.read_document(SHIPPED_EXAMPLE.read_text())
    sample = document_features(story, model.idf, model.prior)
    assert np.array_equal(again.ranker.gain.predict(sample), model.ranker.gain.predict(sample))
    doc = newsum.read_document(SHIPPED_EXAMPLE.read_text())
    scores = again.score(doc)
    assert again.choose(doc, scores, 3) == model.choose(doc, model.score(doc), 3)
    assert path.read_bytes() == MODEL_PATH.read_bytes()  # load + save changes no byte
    # A file without a ranker loads too, and its method selects with Combination.
    plain = ModelFile(model.trees, model.idf, dict(model.meta), prior=model.prior)
    plain.meta.pop("candidates", None)
    plain_path = tmp_path / "plain.npz"
    plain.save(plain_path)
    loaded = ModelFile.load(plain_path)
    assert loaded.ranker is None and loaded.choose(doc, scores, 3) is None
    summary = newsum.summarize(
        SHIPPED_EXAMPLE.read_text(), method=newsum.get_method("model", path=str(plain_path))
    )
    assert summary.indices == select(doc, scores.tolist(), 3, selection=Combination())


def test_ranker_with_other_features_is_refused(tmp_path: Path) -> None:
    import json
    import zipfile

    model = load_model()
    path = tmp_path / "m.npz"
    model.save(path)
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(arrays["meta"].tobytes())
    meta["candidates"]["features"] = meta["candidates"]["features"][:-1]
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    bad = tmp_path / "bad.npz"
    with zipfile.ZipFile(bad, "w") as zf:
        for name, arr in arrays.items():
            with zf.open(f"{name}.npy", "w") as fh:
                np.lib.format.write_array(fh, arr, allow_pickle=False)
    with pytest.raises(InputError, match="other features"):
        ModelFile.load(bad)
    # The right features but no gain trees (a file cut short): refused too, not a KeyError.
    with np.load(path) as z:
        arrays["meta"] = z["meta"]  # the shipped file's own metadata
    cut = tmp_path / "cut.npz"
    with zipfile.ZipFile(cut, "w") as zf:
        for name, arr in arrays.items():
            if not name.startswith("gain_"):
                with zf.open(f"{name}.npy", "w") as fh:
                    np.lib.format.write_array(fh, arr, allow_pickle=False)
    with pytest.raises(InputError, match="gain_feature"):
        ModelFile.load(cut)


def test_ranked_with_scores_beyond_the_scored_sentences_falls_back() -> None:
    text = SHIPPED_EXAMPLE.read_text()
    doc = newsum.read_document(text + "\n\n" + text)
    capped = newsum.get_method("model", max_sentences=5)
    own = capped.score(doc)  # features of the first 5 sentences only
    chosen = select(doc, own, 3, selection=Ranked())
    assert max(chosen) < 5 and 2 <= len(chosen) <= 3
    late = [float(i) for i in range(len(doc.sentences))]  # favours the last sentences
    assert select(doc, late, 3, selection=Ranked()) == select(doc, late, 3, selection=Combination())
