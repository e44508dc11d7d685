"""Sentence: display text and tokens made when first asked for, equal to making them at once."""

from __future__ import annotations

import gzip
import json
import pickle
import random

import pytest
from conftest import SHIPPED_EXAMPLE, VAL, needs_data

import newsum
from newsum.document import Sentence
from newsum.segment import detokenize_many, normalize_space, word_tokens

TOKENIZED = (
    "the mayor said : `` we do n't know . '' officials - the police - disagreed .\n"
    "' it 's over , ' he said -- and left ( quietly ) . \" i ca n't , \" she said .\n"
    "miami - dade 's council met on monday . the u.s. embassy closed at 5 p.m. .\n"
    'prices rose 5 % to $ 12 ... then fell . " what now ? " asked one .\n'
)


def _eager(doc: newsum.Document) -> list[str]:
    """Every sentence's display text made in one pass, as the reader did before."""
    sources = [s.source for s in doc.sentences]
    if doc.kind == "tokenized":
        return detokenize_many(sources, capitalize=doc.lowercased)
    return [normalize_space(s) for s in sources]


def _check_any_order(doc: newsum.Document, rng: random.Random) -> None:
    expected = _eager(doc)
    order = list(range(len(doc.sentences)))
    rng.shuffle(order)
    got = {k: doc.sentences[k].plain for k in order}
    assert [got[k] for k in range(len(expected))] == expected
    assert [s.tokens for s in doc.sentences] == [tuple(word_tokens(p)) for p in expected]


@pytest.mark.parametrize(
    "text", [TOKENIZED, TOKENIZED.upper(), SHIPPED_EXAMPLE.read_text(encoding="utf-8")]
)
def test_display_text_made_lazily_equals_the_story_made_at_once(text: str) -> None:
    doc = newsum.read_document(text)
    assert len(doc.sentences) >= 6
    for seed in range(5):
        _check_any_order(newsum.read_document(text), random.Random(seed))
    # The usual order: a summary's sentences first, then (a method that reads all) the rest.
    first = [doc.sentences[k].text for k in (0, 1, 2)]
    assert first == [s.text for s in newsum.read_document(text).sentences[:3]]
    _check_any_order(doc, random.Random(0))


@needs_data
def test_lazy_display_text_on_validation_stories() -> None:
    rng = random.Random(7)
    with gzip.open(VAL, "rt", encoding="utf-8") as fh:
        articles = [json.loads(line)["article"] for _, line in zip(range(300), fh, strict=False)]
    for article in articles:
        if article.strip():
            doc = newsum.read_document(article)
            doc.sentences[rng.randrange(len(doc.sentences))].text  # noqa: B018 (one shown first)
            _check_any_order(doc, rng)


def test_sentence_is_read_only_and_compares_by_value() -> None:
    doc = newsum.read_document(TOKENIZED)
    s = doc.sentences[1]
    with pytest.raises(AttributeError):
        s.plain = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        s.index = 3  # type: ignore[misc]
    made = Sentence(s.index, s.start, s.end, s.source, s.plain, s.tokens, s.truecased)
    assert made == s and hash(made) == hash(s) and repr(made) == repr(s)
    assert made != doc.sentences[2]
    copy = pickle.loads(pickle.dumps(s))
    assert copy == s and copy.text == s.text
    with pytest.raises(TypeError):
        Sentence(0, 0, 1, "x")
