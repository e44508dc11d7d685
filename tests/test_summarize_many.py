"""summarize_many gives exactly what summarize gives, story by story, for every method."""

from __future__ import annotations

import pytest
from conftest import SHIPPED_EXAMPLE, VAL, needs_data
from golden import load_articles

import newsum
from newsum.methods.base import method_classes
from newsum.select import Ranked

STORIES = [
    SHIPPED_EXAMPLE.read_text(encoding="utf-8"),
    "the storm hit the coast on monday . thousands lost power , officials said . "
    'schools were closed . " it was terrible , " one resident said . repairs will take weeks .',
    "Short story. It has three sentences. This is the last one.",
]


# Every method that scores sentences (the llm method needs a server: tests/test_llm.py).
EXTRACTIVE = [n for n, c in method_classes().items() if not c.abstractive]


@pytest.mark.parametrize("method", EXTRACTIVE)
def test_same_summaries_as_summarize(method: str) -> None:
    texts = STORIES * 30  # more than one batch
    many = newsum.summarize_many(texts, method)
    assert len(many) == len(texts)
    for text, got in zip(texts, many, strict=True):
        assert got.to_dict() == newsum.summarize(text, method).to_dict()


def test_documents_and_settings_pass_through() -> None:
    docs = [newsum.read_document(t) for t in STORIES]
    many = newsum.summarize_many(docs, "textrank", sentences=2, order="score")
    for doc, got in zip(docs, many, strict=True):
        want = newsum.summarize_document(doc, "textrank", sentences=2, order="score")
        assert got.to_dict() == want.to_dict()


def test_errors_raise_or_return() -> None:
    with pytest.raises(newsum.InputError):
        newsum.summarize_many([STORIES[0], "   "])
    out = newsum.summarize_many([STORIES[0], "   ", STORIES[2]], "lead", errors="return")
    assert isinstance(out[1], newsum.InputError)
    assert str(out[1]) == "story is empty"
    assert out[2].indices == [0, 1, 2]
    with pytest.raises(ValueError):
        newsum.summarize_many(STORIES, errors="ignore")


@needs_data
def test_the_rankers_batched_choice_is_its_choice_for_each_story() -> None:
    # Validation stories in batches, under budgets that give the ranker 2 or 3 sentences
    # (the ratio: a different number per story), and with another method's scores.
    texts = [a for a in load_articles(VAL)[:150] if a.strip()]
    for budget in ({}, {"sentences": 2}, {"ratio": 0.1}):
        many = newsum.summarize_many(texts, **budget)
        assert [s.indices for s in many] == [newsum.summarize(t, **budget).indices for t in texts]
    many = newsum.summarize_many(texts, "textrank", selection=Ranked())
    alone = [newsum.summarize(t, "textrank", selection=Ranked()).indices for t in texts]
    assert [s.indices for s in many] == alone
