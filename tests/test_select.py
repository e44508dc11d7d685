"""The selector's strategies: Greedy (trigram blocking) and Combination (best set of sentences)."""

from __future__ import annotations

import math

import pytest
from conftest import SHIPPED_EXAMPLE

import newsum
from newsum.errors import UsageError
from newsum.methods.base import get_method
from newsum.select import Combination, Greedy, Ranked, bigram_overlap, bigrams, select

# Sentence 0 holds every bigram of sentences 1 and 2, which share none with each other.
COVERS = newsum.read_document(
    "Rain closed the harbour road and the ferry stopped running on Monday. "
    "Rain closed the harbour road. "
    "The ferry stopped running on Monday."
)
FLAT = Combination(candidates=3, overlap_penalty=3.0, length_weight=0.0)


def test_bigram_overlap_by_hand() -> None:
    s0, s1, s2 = (bigrams(s.tokens) for s in COVERS.sentences)
    assert len(s0) == 11 and len(s1) == 4 and len(s2) == 5
    assert bigram_overlap(s0, s1) == 1.0  # 4 shared / 4 of the shorter
    assert bigram_overlap(s0, s2) == 1.0
    assert bigram_overlap(s1, s2) == 0.0
    assert bigram_overlap(s0, set()) == 0.0
    half = bigrams(("a", "b", "c"))  # (a,b) (b,c) vs (a,b) (x,y): 1 of 2
    assert bigram_overlap(half, bigrams(("a", "b", "x", "y"))) == 0.5


def test_combination_picks_the_best_pair_not_the_best_sentence() -> None:
    scores = [3.0, 2.0, 2.0]
    # Worth: {0,1} = 5 - 3*1 = 2, {0,2} = 2, {1,2} = 4 - 0 = 4.
    assert select(COVERS, scores, sentences=2, selection=FLAT) == [1, 2]
    # Greedy takes 0, then trigram blocking skips both others.
    assert select(COVERS, scores, sentences=2) == [0]
    assert select(COVERS, scores, sentences=2, selection=Greedy()) == [0]
    # Without redundancy there is no penalty: the two best scores win.
    assert select(COVERS, scores, sentences=2, redundancy=False, selection=FLAT) == [0, 1]
    # A penalty below 1 makes {0,1} (5 - 0.9) beat {1,2} (4).
    low = Combination(candidates=3, overlap_penalty=0.9, length_weight=0.0)
    assert select(COVERS, scores, sentences=2, selection=low) == [0, 1]


def test_combination_only_looks_at_the_top_candidates() -> None:
    scores = [3.0, 2.0, 1.0]
    # Candidates 0 and 1 only: the pair is forced, whatever it overlaps.
    two = Combination(candidates=2, overlap_penalty=3.0, length_weight=0.0)
    assert select(COVERS, scores, sentences=2, selection=two) == [0, 1]
    assert select(COVERS, scores, sentences=2, selection=FLAT) == [1, 2]


def test_length_weight_prefers_shorter_sentences() -> None:
    doc = newsum.read_document(
        "The harbour council met for six hours on Monday night and finally voted to keep the "
        "ferry running for ten more years. Fishermen cheered loudly."
    )
    long_words = len(doc.sentences[0].text.split())
    assert long_words == 22 and len(doc.sentences[1].text.split()) == 3
    scores = [1.0, 0.9]
    # 1.0 - 0.3 * log(23) = 0.059 < 0.9 - 0.3 * log(4) = 0.484.
    assert 1.0 - 0.3 * math.log(23) < 0.9 - 0.3 * math.log(4)
    short = Combination(length_weight=-0.3)
    assert select(doc, scores, sentences=1, selection=short) == [1]
    assert select(doc, scores, sentences=1, selection=Combination(length_weight=0.0)) == [0]
    assert select(doc, scores, sentences=1) == [0]


def test_combination_greedy_path_for_word_budgets() -> None:
    scores = [3.0, 2.0, 2.0]
    # A word budget is filled one sentence at a time: 0 first (worth 3), then 1 (2 - 3 = -1,
    # the earlier of a tie with 2), so the exact search's {1, 2} is not found.
    assert select(COVERS, scores, sentences=2, words=100, selection=FLAT) == [0, 1]
    # 0 has 12 words: a budget of 11 leaves 1 (5 words) and 2 (6 words), which both fit.
    assert select(COVERS, scores, words=11, selection=FLAT) == [1, 2]
    assert select(COVERS, scores, words=5, selection=FLAT) == [1]
    # More sentences asked than candidates: greedy over every sentence.
    one = Combination(candidates=1, overlap_penalty=3.0, length_weight=0.0)
    assert select(COVERS, scores, sentences=3, selection=one) == [0, 1, 2]


def test_combination_budget_and_order() -> None:
    scores = [3.0, 2.0, 2.5]
    assert select(COVERS, scores, sentences=5, selection=FLAT) == [0, 1, 2]
    assert select(COVERS, scores, sentences=2, order="score", selection=FLAT) == [2, 1]
    # One sentence (half of 3, rounded down): the best score alone, nothing to overlap.
    assert select(COVERS, scores, ratio=0.5, selection=FLAT) == [0]
    # Two: {0,1} = 2, {0,2} = 5.5 - 3 = 2.5, {1,2} = 4.5.
    assert select(COVERS, scores, ratio=0.7, selection=FLAT) == [1, 2]
    with pytest.raises(ValueError):
        select(COVERS, [1.0], selection=FLAT)


def test_bad_selection_settings() -> None:
    with pytest.raises(UsageError):
        Combination(candidates=0)
    with pytest.raises(UsageError):
        Combination(overlap_penalty=-1.0)
    with pytest.raises(UsageError):
        Combination(length_weight=math.nan)
    with pytest.raises(UsageError):
        select(COVERS, [1.0, 2.0, 3.0], selection="combination")  # type: ignore[arg-type]


def test_model_defaults_to_ranked_and_greedy_stays_available() -> None:
    story = SHIPPED_EXAMPLE.read_text()
    model = get_method("model")
    assert model.selection == Ranked()
    assert model.selection.fallback == Combination(
        candidates=6, overlap_penalty=3.0, length_weight=-0.3
    )
    assert get_method("model", path="other.npz").selection == Ranked(path="other.npz")
    assert isinstance(get_method("textrank").selection, Greedy)
    summary = newsum.summarize(story)
    assert summary.settings["selection"] == model.selection.to_dict()
    doc = summary.document
    scores = model.score(doc)
    assert summary.indices == select(doc, scores, selection=model.selection)
    old = newsum.summarize(story, selection=Greedy())
    assert old.settings["selection"] == {"strategy": "greedy"}
    assert old.indices == select(doc, scores)
    assert newsum.summarize(story, method="lead").settings["selection"] == {"strategy": "greedy"}
