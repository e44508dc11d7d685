"""The Python API: summarize(), Summary, length controls, order and redundancy."""

from __future__ import annotations

import pytest
from conftest import EXAMPLE, SHIPPED_EXAMPLE, needs_example

import newsum
from newsum.errors import InputError, UsageError
from newsum.select import select

STORY = SHIPPED_EXAMPLE.read_text()


def test_summarize_defaults_to_three_sentences_in_story_order() -> None:
    summary = newsum.summarize(STORY)
    assert summary.method == newsum.default_method()
    # The default model's ranker may find a third sentence not worth its words (docs/model.md).
    assert 2 <= len(summary.sentences) <= 3
    assert len(newsum.summarize(STORY, method="lead").sentences) == 3
    idx = [s.index for s in summary.sentences]
    assert idx == sorted(idx)
    doc = summary.document
    for item in summary.sentences:
        sent = doc.sentences[item.index]
        assert (item.start, item.end) == (sent.start, sent.end)
        # Offsets refer to the input text.
        assert " ".join(STORY[item.start : item.end].split()) == item.text
    assert str(summary) == "\n".join(s.text for s in summary.sentences)


def test_summary_to_dict_shape() -> None:
    d = newsum.summarize(STORY, method="lead").to_dict()
    assert d["method"] == "lead"
    assert set(d["sentences"][0]) == {"text", "index", "score", "start", "end"}
    assert d["settings"]["sentences"] == 3


@pytest.mark.parametrize("n", [1, 2, 5])
def test_sentences_budget(n: int) -> None:
    assert len(newsum.summarize(STORY, method="lead", sentences=n).sentences) == n


@pytest.mark.parametrize("words", [5, 30, 60, 100])
def test_words_budget_is_never_exceeded(words: int) -> None:
    summary = newsum.summarize(STORY, method="textrank", words=words)
    assert sum(len(s.text.split()) for s in summary.sentences) <= words
    doc = summary.document
    if words >= min(len(s.text.split()) for s in doc.sentences):
        assert summary.sentences  # something fits, so something is chosen


def test_ratio_budget() -> None:
    doc = newsum.read_document(STORY)
    n = len(doc.sentences)
    summary = newsum.summarize(STORY, method="lead", ratio=0.5)
    assert len(summary.sentences) == n // 2
    assert len(newsum.summarize(STORY, method="lead", ratio=0.01).sentences) == 1


def test_order_by_score() -> None:
    summary = newsum.summarize(STORY, method="centroid", sentences=4, order="score")
    scores = [s.score for s in summary.sentences]
    assert scores == sorted(scores, reverse=True)


def test_trigram_blocking() -> None:
    text = (
        "The mayor said the ferry will stay in service. "
        "The mayor said the ferry will stay in service, officials confirmed. "
        "Fishermen were unhappy with the result."
    )
    doc = newsum.read_document(text)
    assert select(doc, [3.0, 2.0, 1.0], sentences=2) == [0, 2]
    assert select(doc, [3.0, 2.0, 1.0], sentences=2, redundancy=False) == [0, 1]


def test_one_sentence_story_is_returned() -> None:
    summary = newsum.summarize("Only one sentence here.")
    assert [s.text for s in summary.sentences] == ["Only one sentence here."]


def test_bad_settings() -> None:
    with pytest.raises(UsageError):
        newsum.summarize(STORY, sentences=0)
    with pytest.raises(UsageError):
        newsum.summarize(STORY, ratio=1.5)
    with pytest.raises(UsageError):
        newsum.summarize(STORY, words=0)
    with pytest.raises(UsageError):
        newsum.summarize(STORY, method="nope")
    with pytest.raises(InputError):
        newsum.summarize("   \n ")


@needs_example
def test_tokenized_example_is_readable() -> None:
    summary = newsum.summarize(EXAMPLE.read_text(), method="lead")
    for s in summary.sentences:
        assert s.text[0].isupper()
        assert " ," not in s.text and " 's" not in s.text
    assert "tikrit's general hospital" in str(summary).lower()
    # Lowercased input is truecased for display (the "isis terrorists ... tikrit").
    assert str(summary).startswith("ISIS terrorists")
    assert "Iraqi soldiers" in str(summary) and "Tikrit" in str(summary)


def test_whole_tokenized_story_on_one_line() -> None:
    text = (
        "the council voted on monday . the ferry will stay , officials said . "
        '" it is a great day , " the mayor said . fishermen were not pleased .'
    )
    summary = newsum.summarize(text, method="lead", sentences=4)
    assert [s.text for s in summary.sentences] == [
        "The council voted on Monday.",
        "The ferry will stay, officials said.",
        "“It is a great day,” the mayor said.",
        "Fishermen were not pleased.",
    ]


def test_lead_is_the_first_k_sentences_even_when_they_repeat() -> None:
    text = "The mayor said the ferry stays. The mayor said the ferry stays, again. Third one."
    assert newsum.summarize(text, method="lead", sentences=2).indices == [0, 1]
    assert newsum.summarize(text, method="lead", sentences=2, redundancy=True).indices == [0, 2]
    assert newsum.summarize(text, method="centroid", sentences=2).settings["redundancy"] is True


def test_raw_headline_becomes_the_title() -> None:
    doc = newsum.read_document(STORY)
    assert doc.title == "Harbour town votes to keep its ferry after 40-year fight"
    assert all(s.text != doc.title for s in doc.sentences)
    assert doc.text[doc.sentences[0].start :].startswith("PORT ELLIS")
    # A first line ending in a full stop is a sentence, and tokenized text has no headline.
    assert newsum.read_document("One sentence.\n\nAnother one.").title is None
    corpus = "police said , no\n\nthe man 's car was found , officers said ."
    assert newsum.read_document(corpus).title is None
