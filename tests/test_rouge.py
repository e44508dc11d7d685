"""newsum.rouge against Google's rouge-score 0.1.2 (and NLTK's Porter stemmer), value for value."""

from __future__ import annotations

import gzip
import json
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import readme_split as split_sentences
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsum.rouge import (
    _STEP1A_SUFFIXES,
    _STEP2_SUFFIXES,
    _STEP3_SUFFIXES,
    _STEP4_SUFFIXES,
    _SUFFIX_ENDS,
    AggregateScore,
    BootstrapAggregator,
    RougeScorer,
    Score,
    Tokenizer,
    lcs_length,
    lcs_positions,
    porter_stem,
    tokenize,
)

rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer", reason="rouge-score not installed")
from nltk.stem import porter  # noqa: E402  (rouge-score's own dependency)
from rouge_score import scoring as rs_scoring  # noqa: E402
from rouge_score import tokenize as rs_tokenize  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
VAL = DATA / "cnndm_val_4k.jsonl.gz"
needs_data = pytest.mark.skipif(
    not VAL.exists(), reason=f"shared CNN/DailyMail data not found at {VAL}"
)

TYPES = ["rouge1", "rouge2", "rouge3", "rougeL", "rougeLsum"]
NLTK = porter.PorterStemmer()
REFERENCE = {stem: rouge_scorer.RougeScorer(TYPES, use_stemmer=stem) for stem in (False, True)}
OURS = {stem: RougeScorer(TYPES, use_stemmer=stem) for stem in (False, True)}
# on real data: the four metrics reports use (rouge-score's time dominates these tests)
REAL_TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
REAL_REFERENCE = rouge_scorer.RougeScorer(REAL_TYPES, use_stemmer=True)


def assert_same(ours: dict, theirs: dict, context: object = "") -> None:
    assert list(ours) == list(theirs), context
    for k in theirs:
        assert isinstance(ours[k], Score)
        for a, b in zip(ours[k], theirs[k], strict=True):
            assert abs(a - b) <= 1e-9, (k, ours[k], theirs[k], context)


def check_pair(target: str, prediction: str, stem: bool) -> None:
    theirs = REFERENCE[stem].score(target, prediction)
    assert_same(OURS[stem].score(target, prediction), theirs, (target, prediction, stem))


# ----------------------------------------------------------------------------- real pairs


@pytest.fixture(scope="module")
def val_records() -> list[dict]:
    if not VAL.exists():
        pytest.skip(f"shared CNN/DailyMail data not found at {VAL}")
    with gzip.open(VAL, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for _, line in zip(range(2200), fh, strict=False)]


def real_pairs(records: list[dict], seed: int) -> list[tuple[str, str]]:
    """Lead-3 candidates, random sentence subsets (any order, sometimes a repeat), and a few
    article-side targets, each against (or as) the highlights."""
    rng = random.Random(seed)
    pairs = []
    for n, rec in enumerate(records):
        sents = split_sentences(rec["article"]) or [""]
        if n % 2 == 0:
            pairs.append((rec["highlights"], "\n".join(sents[:3])))
            continue
        picked = [rng.choice(sents) for _ in range(rng.randint(1, 5))]
        pred = rng.choice(["\n", " ", "\n\n"]).join(picked)
        if n % 7 == 1:
            pairs.append((pred, rec["highlights"]))  # many-line target, short prediction
        else:
            pairs.append((rec["highlights"], pred))
    return pairs


@needs_data
def test_real_pairs_with_stemming(val_records: list[dict]) -> None:
    pairs = real_pairs(val_records[:2000], seed=1)
    assert len(pairs) >= 2000
    theirs = [REAL_REFERENCE.score(t, p) for t, p in pairs]
    ours = RougeScorer(REAL_TYPES, use_stemmer=True).score_batch(
        [t for t, _ in pairs], [p for _, p in pairs]
    )
    for o, t, pair in zip(ours, theirs, pairs, strict=True):
        assert_same(o, t, pair)


@needs_data
def test_real_pairs_without_stemming(val_records: list[dict]) -> None:
    for target, pred in real_pairs(val_records[2000:2200] + val_records[:800], seed=2):
        check_pair(target, pred, stem=False)


@needs_data
def test_tokenizer_on_every_validation_chunk() -> None:
    # every distinct whitespace-separated chunk of all validation stories and highlights, as
    # one text, and every distinct [a-z0-9] word longer than 3 letters (those get stemmed)
    with gzip.open(VAL, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    assert len(records) == 4368
    chunks = sorted({c for r in records for c in (r["article"] + " " + r["highlights"]).split()})
    text = " ".join(chunks)
    assert Tokenizer(use_stemmer=True).tokenize(text) == rs_tokenize.tokenize(text, NLTK)
    words = sorted({w for w in rs_tokenize.tokenize(text, None) if len(w) > 3})
    assert len(words) > 40_000
    assert [porter_stem(w) for w in words] == [NLTK.stem(w) for w in words]


def test_porter_skips_words_no_suffix_ends_in() -> None:
    # porter_stem returns words whose last letter ends no suffix of any step unchanged
    suffixes = ["ed", "ing", "y", "e", "ll", *_STEP1A_SUFFIXES, *_STEP2_SUFFIXES]
    suffixes += [*_STEP3_SUFFIXES, *_STEP4_SUFFIXES]
    assert {s[-1] for s in suffixes} == set(_SUFFIX_ENDS)


# ----------------------------------------------------------------------------- random inputs

WORDS = (
    "a b c the cat cats running ran runs caresses ponies happy happiness generalizations "
    "sky skies dying news x1 42 b2b yyy sensational controlling agreed feed hopping"
).split()
ODD = [
    ".",
    ",",
    "'",
    '"',
    "--",
    "-",
    "é",
    "İ",
    "K",
    "ß",
    "ﬁ",
    "日本",
    "Ω",
    "Σσς",
    "🙂",
    "RUN",
    "Cat.",
]
SEPS = [" ", " ", " ", "\n", "", "  ", "\t", "\r\n", "\n\n", "\u00a0", "\u2028"]

token = st.sampled_from(WORDS + ODD)
text = st.lists(st.tuples(token, st.sampled_from(SEPS)), max_size=25).map(
    lambda parts: "".join(t + s for t, s in parts)
)
small_vocab_text = st.lists(
    st.lists(st.sampled_from(["a", "b", "c", "cats", "cat"]), max_size=9).map(" ".join),
    max_size=5,
).map("\n".join)
RANDOM = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RANDOM
@given(text, text, st.booleans())
def test_random_texts(target: str, prediction: str, stem: bool) -> None:
    check_pair(target, prediction, stem)


@RANDOM
@given(small_vocab_text, small_vocab_text, st.booleans())
def test_small_vocabulary_ties(target: str, prediction: str, stem: bool) -> None:
    check_pair(target, prediction, stem)


@RANDOM
@given(st.text(max_size=60), st.text(max_size=60))
def test_arbitrary_unicode(target: str, prediction: str) -> None:
    check_pair(target, prediction, stem=True)
    assert tokenize(target, True) == rs_tokenize.tokenize(target, NLTK)
    assert tokenize(prediction) == rs_tokenize.tokenize(prediction, None)


@RANDOM
@given(text, st.booleans())
def test_tokenize_matches(value: str, stem: bool) -> None:
    assert tokenize(value, stem) == rs_tokenize.tokenize(value, NLTK if stem else None)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aeiouybcdglmnrstwxz0", min_size=1, max_size=14))
def test_porter_stemmer_random_words(word: str) -> None:
    assert porter_stem(word) == NLTK.stem(word)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from("abc"), max_size=14),
    st.lists(st.sampled_from("abc"), max_size=14),
)
def test_lcs_path_is_rouge_scores_backtracking(ref: list[str], cand: list[str]) -> None:
    assert lcs_positions(ref, cand) == rouge_scorer.lcs_ind(ref, cand)
    table = rouge_scorer._lcs_table(ref, cand)
    assert lcs_length(ref, cand) == table[-1][-1]


# ----------------------------------------------------------------------------- edge cases


@pytest.mark.parametrize(
    ("target", "prediction"),
    [
        ("", ""),
        ("a", ""),
        ("", "a"),
        ("\n", "a"),
        ("a\n\nb", "\n"),
        (".", "."),
        ("the cat", ". , !"),
        ("\n\n", "\n\n"),
        ("cat\n.\ncat", "cat cat\n\n,"),
    ],
)
@pytest.mark.parametrize("stem", [False, True])
def test_empty_inputs_values_and_types(target: str, prediction: str, stem: bool) -> None:
    ours = OURS[stem].score(target, prediction)
    theirs = REFERENCE[stem].score(target, prediction)
    assert ours == theirs
    for k in TYPES:
        assert [type(x) for x in ours[k]] == [type(x) for x in theirs[k]], k


def test_score_batch_and_multi() -> None:
    targets = ["the cat sat\non the mat", "a dog barked", ""]
    preds = ["the cat\nsat on a mat", "dogs bark", "nothing"]
    ours = OURS[True].score_batch(targets, preds)
    assert ours == [OURS[True].score(t, p) for t, p in zip(targets, preds, strict=True)]
    assert_same(
        OURS[True].score_multi(targets, "the dog sat"),
        REFERENCE[True].score_multi(targets, "the dog sat"),
    )
    with pytest.raises(ValueError):
        OURS[True].score_batch(["a"], [])


def test_rouge_types_subset_and_custom_tokenizer() -> None:
    class Whitespace:
        def tokenize(self, text: str) -> list[str]:
            return text.split()

    for types in (["rougeLsum"], ["rouge4", "rougeL"]):
        ours = RougeScorer(types, tokenizer=Whitespace())
        theirs = rouge_scorer.RougeScorer(types, tokenizer=Whitespace())
        for t, p in [("A b. c\nd e", "A b\nc d e."), ("x y x\ny", "y x\nx x")]:
            assert_same(ours.score(t, p), theirs.score(t, p))


@pytest.mark.parametrize("bad", ["rouge0", "rougeX", "rouge10", "rougeLL"])
def test_invalid_rouge_types(bad: str) -> None:
    with pytest.raises(ValueError):
        RougeScorer([bad])


def test_tokenizer_ids_and_cache() -> None:
    tok = Tokenizer(use_stemmer=True)
    assert tok.tokenize("Running, RUNS; ran!") == ["run", "run", "ran"]
    assert tok.ids("running runs") == [tok.word_id("run")] * 2
    assert tok.line_ids("a b\n\n.\nc") == [tok.ids("a b"), [], tok.ids("c")]


def test_import_is_light() -> None:
    code = (
        "import sys, newsum.rouge\n"
        "heavy = {'numpy', 'nltk', 'rouge_score'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


# ----------------------------------------------------------------------------- bootstrap


def random_scores(n: int, seed: int) -> list[dict[str, Score]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        p, r = rng.random(), rng.random() ** 2
        out.append({"rouge1": Score(p, r, 2 * p * r / (p + r)), "rouge2": Score(r, p, p * r)})
    return out


def aggregate(scores: list[dict], **kwargs) -> dict[str, AggregateScore]:
    agg = BootstrapAggregator(**kwargs)
    for s in scores:
        agg.add_scores(s)
    return agg.aggregate()


def test_bootstrap_is_seeded_and_deterministic() -> None:
    scores = random_scores(300, seed=3)
    assert aggregate(scores) == aggregate(scores)
    assert aggregate(scores, seed=5) == aggregate(scores, seed=5)
    assert aggregate(scores, seed=5)["rouge1"].low != aggregate(scores, seed=6)["rouge1"].low
    # each type is resampled from its own generator: order and presence of others don't matter
    only2 = [{"rouge2": s["rouge2"]} for s in scores]
    assert aggregate(only2)["rouge2"] == aggregate(scores)["rouge2"]


def test_bootstrap_mid_is_the_mean_inside_the_interval() -> None:
    scores = random_scores(400, seed=4)
    result = aggregate(scores, confidence_interval=0.9, n_samples=500)
    for k, agg in result.items():
        assert isinstance(agg, AggregateScore) and isinstance(agg.mid, Score)
        for field in range(3):
            mean = statistics.fmean(s[k][field] for s in scores)
            assert agg.mid[field] == pytest.approx(mean, abs=1e-12)
            assert agg.low[field] < agg.mid[field] < agg.high[field]


def test_bootstrap_close_to_rouge_score() -> None:
    import numpy as np

    scores = random_scores(500, seed=5)
    np.random.seed(0)
    theirs = rs_scoring.BootstrapAggregator()
    for s in scores:
        theirs.add_scores(s)
    expected = theirs.aggregate()
    for mid in ("mean", "median"):
        ours = aggregate(scores, mid=mid)
        for k in expected:
            for field in range(3):
                assert ours[k].mid[field] == pytest.approx(expected[k].mid[field], abs=3e-3)
                assert ours[k].low[field] == pytest.approx(expected[k].low[field], abs=6e-3)
                assert ours[k].high[field] == pytest.approx(expected[k].high[field], abs=6e-3)


def test_bootstrap_accepts_rouge_score_tuples_and_checks_arguments() -> None:
    agg = BootstrapAggregator(n_samples=50)
    agg.add_scores(rouge_scorer.RougeScorer(["rouge1"]).score("a b", "a c"))
    agg.add_scores(OURS[False].score("a b", "a b"))
    result = agg.aggregate()["rouge1"]
    assert result.mid.fmeasure == pytest.approx(0.75)
    for bad in ({"confidence_interval": 1.5}, {"n_samples": 0}, {"mid": "mode"}):
        with pytest.raises(ValueError):
            BootstrapAggregator(**bad)
