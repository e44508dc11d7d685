"""Length budgets: one Budget for the CLI, the Python API and the service.

A given sentence count is a maximum that --words / --ratio can only lower; a count not given
means 3 unless words or ratio is given. Every combination is checked against a budget worked
out here from the story's sentences, through all three front ends.
"""

from __future__ import annotations

import itertools
import json
import math

import pytest
from conftest import SHIPPED_EXAMPLE, run_cli
from fastapi.testclient import TestClient

import newsum
from newsum.budget import Budget
from newsum.cli import main
from newsum.errors import UsageError
from newsum.server.app import create_app

STORY = SHIPPED_EXAMPLE.read_text()
DOC = newsum.read_document(STORY)
WORDS = [len(s.text.split()) for s in DOC.sentences]

SENTENCES = [None, 1, 3, 5]
WORD_BUDGETS = [None, 30, 200]
RATIOS = [None, 0.2, 0.9]
GRID = list(itertools.product(SENTENCES, WORD_BUDGETS, RATIOS))


def expected_lead(sentences: int | None, words: int | None, ratio: float | None) -> list[int]:
    """What `lead` (no redundancy) must choose: story order, skipping what does not fit."""
    limit = sentences if sentences is not None else (3 if words is None and ratio is None else None)
    if ratio is not None:
        by_ratio = max(1, math.floor(ratio * len(WORDS)))
        limit = by_ratio if limit is None else min(limit, by_ratio)
    chosen: list[int] = []
    used = 0
    for i, n in enumerate(WORDS):
        if limit is not None and len(chosen) >= limit:
            break
        if words is not None and used + n > words:
            continue
        chosen.append(i)
        used += n
    return chosen


def test_the_story_is_long_enough_for_the_grid() -> None:
    # Otherwise the combinations below would not tell the limits apart.
    assert len(WORDS) >= 12 and sum(WORDS[:5]) > 30 and sum(WORDS[:5]) < 200


def test_budget_resolves_the_default_count() -> None:
    assert Budget().max_sentences == 3
    assert Budget(words=50).max_sentences is None
    assert Budget(ratio=0.5).max_sentences is None
    assert Budget(3, words=200).max_sentences == 3  # explicit 3 is not "not given"
    assert Budget(2, ratio=0.9).limit(20) == 2
    assert Budget(9, ratio=0.2).limit(20) == 4
    assert Budget(ratio=0.01).limit(20) == 1
    assert Budget(3, 200).to_dict() == {"sentences": 3, "words": 200, "ratio": None}


@pytest.mark.parametrize("bad", [{"sentences": 0}, {"words": 0}, {"ratio": 0.0}, {"ratio": 1.5}])
def test_budget_refuses_nonsense(bad: dict) -> None:
    with pytest.raises(UsageError):
        Budget(**bad)


@pytest.mark.parametrize("sentences, words, ratio", GRID)
def test_api_budget(sentences: int | None, words: int | None, ratio: float | None) -> None:
    summary = newsum.summarize(STORY, "lead", sentences, words, ratio)
    assert summary.indices == expected_lead(sentences, words, ratio)
    if sentences is not None:
        assert len(summary.sentences) <= sentences
        assert summary.settings["sentences"] == sentences
    same = newsum.summarize_document(DOC, "lead", budget=Budget(sentences, words, ratio))
    assert same.indices == summary.indices


def test_api_explicit_three_with_words_is_three() -> None:
    # The case: 3 used to double as "not given" and was dropped for --words.
    summary = newsum.summarize(STORY, sentences=3, words=200)
    assert len(summary.sentences) == 3
    assert len(newsum.summarize(STORY, words=200).sentences) > 3


@pytest.mark.parametrize("sentences, words, ratio", GRID)
def test_cli_budget(capsys, sentences: int | None, words: int | None, ratio: float | None) -> None:
    argv = ["summarize", str(SHIPPED_EXAMPLE), "-m", "lead", "--json"]
    for flag, value in (("-n", sentences), ("--words", words), ("--ratio", ratio)):
        if value is not None:
            argv += [flag, str(value)]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert [s["index"] for s in out["sentences"]] == expected_lead(sentences, words, ratio)


def test_cli_process_n3_words200_prints_three_sentences() -> None:
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), "-n", "3", "--words", "200")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.strip().splitlines()) == 3


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


@pytest.mark.parametrize("sentences, words, ratio", GRID)
def test_service_budget(client, sentences: int | None, words: int | None, ratio: float | None):
    body = {"text": STORY, "method": "lead"}
    for key, value in (("sentences", sentences), ("words", words), ("ratio", ratio)):
        if value is not None:
            body[key] = value
    resp = client.post("/v1/summarize", json=body)
    assert resp.status_code == 200, resp.text
    got = [s["index"] for s in resp.json()["sentences"]]
    assert got == expected_lead(sentences, words, ratio)
