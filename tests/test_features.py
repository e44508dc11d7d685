"""Sentence features: the batched computation against plain per-story and per-sentence
definitions, bit for bit."""

from __future__ import annotations

import random
import re

import numpy as np

import newsum
import newsum.features as features_module
from newsum.document import Document, Sentence
from newsum.features import (
    CUES,
    FEATURE_NAMES,
    IdfTable,
    document_features,
    document_features_many,
    segment_sums,
    stacked_features,
)
from newsum.methods.model import load_model
from newsum.prior import BigramPrior

STORIES = [
    "A cat was found dead on a road. Police said it was hit by a car. Its owner wept.",
    "One.",
    "Wow!!! Really??? \"Yes,\" she said: 'it is.' (CNN) -- Daily Mail reporter @someone.",
    "( cnn ) -- the mayor said : `` we will rebuild . '' it is n't over , he added . 2 3 .",
    "Hi there. Hi there. Hi there. Hi there.",
]


def _doc(texts: list[str]) -> Document:
    """A Document of these display texts, one sentence each, tokens as the reader makes them."""
    sents = [
        Sentence(k, 0, 0, t, plain=t, tokens=tuple(newsum.segment.word_tokens(t)))
        for k, t in enumerate(texts)
    ]
    return Document("\n".join(texts), sents)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64))


def test_segment_sums_add_up_as_numpy_sums() -> None:
    rng = np.random.default_rng(5)
    lengths = np.array([*range(1, 300), 517, 1024, 1500])
    values = np.exp(rng.normal(size=int(lengths.sum())) * 8)  # any other order rounds otherwise
    values[rng.random(len(values)) < 0.2] = 0.0
    starts = np.cumsum(lengths) - lengths
    got = segment_sums(values, starts, lengths)
    want = np.array([values[s : s + n].sum() for s, n in zip(starts, lengths, strict=True)])
    assert _same(got, want)
    rows = values[: 37 * 37].reshape(37, 37)  # rows of a matrix, as the Gram matrix is summed
    assert _same(segment_sums(rows.ravel(), np.arange(37) * 37, np.full(37, 37)), rows.sum(1))


def test_a_batch_gives_each_story_its_own_features_bit_for_bit() -> None:
    model = load_model()
    docs = [newsum.read_document(t) for t in STORIES]
    docs.insert(2, Document("", []))  # an empty story: no rows, the others unchanged
    docs.append(newsum.read_document(" ".join(f"Sentence {k} about the cat." for k in range(150))))
    alone = [
        document_features(d, model.idf, model.prior) if d.sentences else np.zeros((0, 1))
        for d in docs
    ]
    batch = document_features_many(docs, model.idf, model.prior)
    assert len(batch) == len(docs)
    assert batch[2].shape == (0, len(FEATURE_NAMES))
    for k, (a, b) in enumerate(zip(alone, batch, strict=True)):
        if k != 2:
            assert _same(a, b), k
    # In another order and company, the same rows again.
    again = document_features_many(docs[::-1], model.idf, model.prior)[::-1]
    assert all(_same(a, b) for a, b in zip(batch, again, strict=True))


def test_stories_with_many_sentences_go_in_bounded_passes(monkeypatch) -> None:
    """A batch's similarity matrices hold each story's sentences squared: stories are taken a
    few at a time past `_CELLS_AT_ONCE` (hostile batches took 1.7 GB at once), each story's
    rows as in one pass."""
    model = load_model()
    docs = [newsum.read_document(t) for t in STORIES]
    docs.insert(1, Document("", []))
    docs.append(newsum.read_document(" ".join(f"Word{k} here." for k in range(40))))
    whole = stacked_features(docs, model.idf, model.prior)
    monkeypatch.setattr(features_module, "_CELLS_AT_ONCE", 100)
    assert _same(stacked_features(docs, model.idf, model.prior), whole)
    # Runs of stories in order, at most 100 cells each; a story over it alone.
    sizes = np.array([3, 0, 5, 8, 2, 11, 1, 1])  # 9, 25, 64 cells fit in 100; 4 more do not
    groups = features_module._groups([0, 2, 3, 4, 5, 6, 7], sizes)
    assert groups == [[0, 2, 3], [4], [5], [6, 7]]


def test_gram_terms_in_bounded_ranges_give_the_same_features(monkeypatch) -> None:
    """Hostile text (one long paragraph of common words) would need the Gram matrices' terms
    all at once; they are made a bounded range at a time. Ranges end between stories, so a
    story under the bound keeps its bits; one over it is cut within, to the same values up
    to rounding."""
    model = load_model()
    docs = [newsum.read_document(t) for t in STORIES]
    big = newsum.read_document(" ".join("The cat sat on the mat by the cat." for _ in range(60)))
    whole = document_features_many([*docs, big], model.idf, model.prior)
    monkeypatch.setattr(features_module, "_PAIRS_AT_ONCE", 300)
    cut = document_features_many([*docs, big], model.idf, model.prior)
    assert all(_same(a, b) for a, b in zip(whole[:-1], cut[:-1], strict=True))
    np.testing.assert_allclose(cut[-1], whole[-1], rtol=1e-12)
    # The ranges: whole stories where they fit, a story over the bound cut by its own terms.
    pairs = np.array([100, 100, 100, 250, 700, 50, 50])
    story = np.array([0, 0, 1, 2, 3, 3, 4])
    chunks = features_module._pair_chunks(pairs, story)
    assert chunks == [(0, 3), (3, 4), (4, 5), (5, 6), (6, 7)]
    long = features_module._pair_chunks(np.full(10, 100), np.zeros(10, dtype=np.intp))
    assert long == [(0, 3), (3, 6), (6, 9), (9, 10)]  # one story: 300 terms a range


def test_a_batch_leaves_each_training_story_out_as_alone() -> None:
    docs = [newsum.read_document(t) for t in STORIES]
    lines = [[s.tokens for s in d.sentences[:1]] for d in docs]  # each story's "highlights"
    idf = IdfTable.fit(([t for s in d.sentences for t in s.tokens] for d in docs), min_df=1)
    words = [*idf.words, *newsum.stopwords.STOPWORDS]
    stories = [([s.tokens for s in d.sentences], hl) for d, hl in zip(docs, lines, strict=True)]
    prior = BigramPrior.fit(stories, words, min_count=1, alpha=1.0)
    highlights = [lines[0], None, lines[2], [], lines[4]]  # None: the story's counts stay in
    batch = document_features_many(docs, idf, prior, highlights)
    for doc, hl, x in zip(docs, highlights, batch, strict=True):
        assert _same(x, document_features(doc, idf, prior, hl))
    left_out = FEATURE_NAMES.index("prior_sum")
    assert batch[0][0, left_out] != document_features(docs[0], idf, prior)[0, left_out]


def _text_row(text: str) -> list[float]:
    """The display-text features of one sentence, written out plainly."""
    low = text.lower()
    stripped = low.strip()
    quotes = "\"“”„«»'‘’"
    return [
        float(len(text)),
        float(text.count('"') + text.count("“") + text.count("”")),
        float(len(re.findall(r"(?:^|(?<=\s))['‘’]|['‘’](?=\s|$)", text))),
        float(stripped[:1] in quotes) if stripped else 0.0,
        float(stripped[-1:] in quotes) if stripped else 0.0,
        float(text.count(",")),
        float(text.count("(") + text.count(")")),
        float(":" in text),
        float(stripped.endswith(":")),
        float(stripped.rstrip("\"“”'’)").endswith("?")),
        float("!" in text),
        float(" - " in text or "—" in text or "--" in text or " – " in text),
        float("@" in text),
        float("(cnn" in low or "cnn)" in low),
        float("daily mail" in low or "dailymail" in low),
    ]


def test_display_text_features_match_their_plain_definition() -> None:
    # Quote marks at the edges of sentences, line breaks inside one, İ (lower() makes it two
    # characters), the phrases the flags look for: one batch, sentences side by side.
    texts = [
        "'quoted' he said",
        "‘a’ b ’",
        " x ' y ",
        'İstanbul (CNN) daily mail: what?" ',
        "line\nbreak ' here'\n",
        "",
        "   ",
        "Why? ” )",
        "ends with a colon :",
        "x -- y — z – w - v @ dailymail!",
        "“He said,” she said, (twice).",
        "'",
    ]
    idf = IdfTable(["he"], [1.0], 2.0)
    x = document_features(_doc(texts), idf)
    names = ["n_chars", "n_double_quotes", "n_single_quote_marks", "starts_with_quote"]
    names += ["ends_with_quote", "n_commas", "n_parens", "has_colon", "ends_colon"]
    names += ["ends_question", "has_exclaim", "has_dash", "has_at", "has_cnn_paren"]
    cols = [FEATURE_NAMES.index(name) for name in [*names, "has_daily_mail"]]
    for row, text in zip(x[:, cols], texts, strict=True):
        assert row.tolist() == _text_row(text), text


def test_cue_flags_are_the_set_tests_of_each_cue_group() -> None:
    rng = random.Random(7)
    words = sorted(set().union(*CUES.values())) + ["river", "council", "the", "of"]
    sentences = [tuple(rng.choice(words) for _ in range(rng.randint(0, 12))) for _ in range(500)]
    x = document_features(_doc([" ".join(t) for t in sentences]), IdfTable(["river"], [1.0], 2.0))
    cues = [FEATURE_NAMES.index(name) for name in CUES]
    for row, tokens in zip(x[:, cues], sentences, strict=True):
        expected = [float(not set(tokens).isdisjoint(group)) for group in CUES.values()]
        assert row.tolist() == expected, tokens
