"""Each method: registered, deterministic, one score per sentence, sensible on a known story."""

from __future__ import annotations

import pytest
from conftest import SHIPPED_EXAMPLE

import newsum
from newsum.errors import UsageError
from newsum.methods.base import get_method, method_classes

STORY = SHIPPED_EXAMPLE.read_text()
BASELINES = ["lead", "textrank", "lexrank", "centroid"]


def test_registry_lists_the_baselines() -> None:
    assert set(BASELINES) <= set(newsum.available_methods())
    for name, cls in method_classes().items():
        assert cls.name == name and cls.description


@pytest.mark.parametrize("name", BASELINES)
def test_method_scores_every_sentence_deterministically(name: str) -> None:
    doc = newsum.read_document(STORY)
    first = get_method(name).score(doc)
    assert len(first) == len(doc.sentences)
    assert all(isinstance(x, float) for x in first)
    assert get_method(name).score(doc) == first


def test_lead_prefers_earlier_sentences() -> None:
    doc = newsum.read_document(STORY)
    scores = get_method("lead").score(doc)
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


@pytest.mark.parametrize("name", ["textrank", "lexrank", "centroid"])
def test_central_sentence_beats_an_unrelated_one(name: str) -> None:
    text = (
        "The ferry vote split the town of Port Ellis. "
        "Voters in Port Ellis backed the ferry in the town vote. "
        "The town council will buy a new ferry after the vote. "
        "Gardening tips for tomatoes include regular watering."
    )
    scores = get_method(name).score(newsum.read_document(text))
    assert scores[3] < min(scores[:3])


def test_graph_methods_are_bounded_on_huge_stories() -> None:
    doc = newsum.read_document(" ".join(f"Sentence number {i} is here." for i in range(3000)))
    scores = get_method("textrank", max_sentences=100).score(doc)
    assert len(scores) == 3000 and all(x == 0.0 for x in scores[100:])
    assert all(x > 0.0 for x in scores[:100])


def test_settings_are_explicit_keywords() -> None:
    m = get_method("lexrank", damping=0.5)
    assert m.get_params()["damping"] == 0.5
    assert "damping=0.5" in repr(m)
    with pytest.raises(UsageError, match="bad setting"):
        get_method("lexrank", nonsense=1)
    with pytest.raises(UsageError, match="lead"):
        get_method("nope")
