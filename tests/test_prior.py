"""The highlight bigram prior (newsum.prior): counts, smoothing, leave-one-out, file round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import newsum
from newsum.features import FEATURE_NAMES, IdfTable, document_features
from newsum.prior import BigramPrior


def _tokens(text: str) -> list[tuple[str, ...]]:
    return [s.tokens for s in newsum.read_document(text).sentences]


# (story, highlights): "found dead" is in every story and in 3 of the 4 highlights;
# "police said" is in every story and in no highlight.
STORIES = [
    ("A man was found dead at home. Police said he was 40.", "Man found dead at home."),
    ("A woman was found dead in a car. Police said she was 33.", "Woman found dead in a car."),
    ("A boy was found dead in a lake. Police said the lake was cold.", "Boy found dead in lake."),
    ("A cat was found dead on a road. Police said it was hit.", "A cat was hit on a road."),
]
PAIRS = [(_tokens(story), _tokens(hl)) for story, hl in STORIES]


VOCABULARY = {t for sents, hl in PAIRS for toks in (*sents, *hl) for t in toks} - {"40", "33"}


def _prior(pairs=PAIRS, **kw) -> BigramPrior:
    return BigramPrior.fit(pairs, VOCABULARY, **{"min_count": 2, "alpha": 1.0, **kw})


def _columns(prior: BigramPrior, doc: newsum.Document, highlights=None) -> np.ndarray:
    tokens = [s.tokens for s in doc.sentences]
    return prior.columns(*prior.sentence_ids(tokens), len(tokens), highlights)


def _value(prior: BigramPrior, first: str, second: str) -> float:
    doc = newsum.read_document(f"{first} {second}.")
    return float(_columns(prior, doc)[0, 1])  # the max over its one bigram


def test_counts_and_smoothing_by_hand() -> None:
    prior = _prior()

    # Bigrams of vocabulary words (not "was 40"), each counted once per story.
    def bigrams(sentences):
        pairs = {b for sent in sentences for b in zip(sent, sent[1:], strict=False)}
        return {(a, b) for a, b in pairs if a in VOCABULARY and b in VOCABULARY}

    story_bigrams = [bigrams(sents) for sents, _ in PAIRS]
    hl_bigrams = [bigrams(hl) for _, hl in PAIRS]
    seen = sum(len(s) for s in story_bigrams)
    hits = sum(len(s & h) for s, h in zip(story_bigrams, hl_bigrams, strict=True))
    assert prior.base == pytest.approx(hits / seen)
    # "found dead": 4 stories, 3 highlights; smoothed with alpha = 1.
    assert _value(prior, "found", "dead") == pytest.approx((3 + prior.base) / (4 + 1))
    assert _value(prior, "police", "said") == pytest.approx(prior.base / (4 + 1))
    # "was hit" is in one story only (< min_count): not kept, so it gets the base rate.
    assert _value(prior, "was", "hit") == pytest.approx(prior.base)
    assert _value(prior, "never", "seen") == pytest.approx(prior.base)
    assert _value(prior, "was", "40") == pytest.approx(prior.base)  # not in the vocabulary
    assert ("was", "40") not in set().union(*story_bigrams)


def test_columns_are_mean_max_and_sum_per_sentence() -> None:
    prior = _prior()
    doc = newsum.read_document("Police said a man was found dead. Hi. Found dead.")
    cols = _columns(prior, doc)
    assert cols.shape == (3, 3)
    values = [
        _value(prior, a, b)
        for a, b in zip(doc.sentences[0].tokens, doc.sentences[0].tokens[1:], strict=False)
    ]
    np.testing.assert_allclose(cols[0], [np.mean(values), max(values), sum(values)])
    np.testing.assert_array_equal(cols[1], [0.0, 0.0, 0.0])  # one word: no bigram
    np.testing.assert_allclose(
        cols[2], [_value(prior, "found", "dead")] * 2 + [_value(prior, "found", "dead")]
    )


def test_leaving_a_story_out_is_fitting_without_it() -> None:
    full = _prior()
    for k, (_sents, hl) in enumerate(PAIRS):
        rest = _prior(PAIRS[:k] + PAIRS[k + 1 :])
        # The same counts; the base rate stays the full table's (a documented approximation).
        rest = BigramPrior.from_counts(rest.words, rest.keys, *rest.counts, full.base, 1.0, 2)
        doc = newsum.read_document(STORIES[k][0])
        left_out = _columns(full, doc, hl)
        np.testing.assert_allclose(left_out, _columns(rest, doc), rtol=0, atol=1e-12)
        assert not np.allclose(left_out, _columns(full, doc))


def test_fit_does_not_depend_on_story_order() -> None:
    a, b = _prior(), _prior(PAIRS[::-1])
    assert a.words == b.words and a.base == b.base
    for x, y in ((a.keys, b.keys), (a.values, b.values), *zip(a.counts, b.counts, strict=True)):
        np.testing.assert_array_equal(x, y)


def test_features_use_the_prior_and_a_file_keeps_it(tmp_path: Path) -> None:
    from newsum.methods.model import ModelFile, load_model
    from newsum.stopwords import STOPWORDS

    prior = _prior()
    # The features find the prior's word ids through the idf table (its words, then the
    # stopwords): the same ids as the prior's own lookup.
    content = sorted(VOCABULARY - STOPWORDS)
    idf = IdfTable(content, np.linspace(1.0, 5.0, len(content)), 6.0)
    cols = [FEATURE_NAMES.index(n) for n in ("prior_mean", "prior_max", "prior_sum")]
    for story, _ in STORIES:
        doc = newsum.read_document(story + " Police said 40 people were found dead.")
        x = document_features(doc, idf, prior)
        np.testing.assert_array_equal(x[:, cols], _columns(prior, doc))
        assert x[:, cols].any()
        assert not document_features(doc, idf)[:, cols].any()  # no prior: zeros

    model = load_model()
    small = ModelFile(model.trees, idf, dict(model.meta), prior=prior)
    path = tmp_path / "m.npz"
    small.save(path)
    again = ModelFile.load(path)
    assert again.prior is not None and again.prior.words == prior.words
    assert (again.prior.base, again.prior.alpha, again.prior.min_count) == (prior.base, 1.0, 2)
    np.testing.assert_array_equal(again.prior.values, prior.values)
    np.testing.assert_array_equal(_columns(again.prior, doc), _columns(prior, doc))
    with pytest.raises(ValueError, match="training counts"):
        _columns(again.prior, doc, PAIRS[0][1])  # a file's table cannot leave a story out
    np.testing.assert_array_equal(again.score(doc), small.score(doc))


def test_the_search_finds_every_key_and_no_other() -> None:
    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(0, 10_000, size=3_000))
    for n in (0, 1, 15, 16, 17, len(keys)):
        prior = BigramPrior([str(i) for i in range(100)], keys[:n], keys[:n] / 1e4, 0.1)
        queries = np.concatenate([keys[:n], rng.integers(-1, 10_001, size=500)]).astype(prior.dtype)
        at, found = prior._find(queries)
        np.testing.assert_array_equal(found, np.isin(queries, keys[:n]))
        np.testing.assert_array_equal(prior.keys[at[found]], queries[found])
