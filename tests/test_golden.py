"""Every method's output on all 4,368 validation stories is unchanged (hashes in
tests/golden_hashes.json, made by tests/golden.py).

Regenerate only in a commit that is meant to change outputs, and say so in its message:

    python tests/golden.py --write
"""

from __future__ import annotations

import json

import pytest
from conftest import VAL, needs_data
from golden import HASHES, METHODS, RAW_METHODS, as_raw, load_articles, method_hash


@pytest.fixture(scope="module")
def articles() -> list[str]:
    return load_articles(VAL)


def test_hash_file_covers_every_method() -> None:
    stored = json.loads(HASHES.read_text(encoding="utf-8"))
    assert set(stored["hashes"]) == {*METHODS, *(f"raw:{m}" for m in RAW_METHODS)}
    assert stored["stories"] == 4368


@needs_data
@pytest.mark.parametrize("method", METHODS)
def test_method_output_unchanged(articles: list[str], method: str) -> None:
    stored = json.loads(HASHES.read_text(encoding="utf-8"))
    assert len(articles) == stored["stories"]
    assert method_hash(articles, method) == stored["hashes"][method], (
        f"{method}: summaries of the validation stories changed; if that is intended, "
        "regenerate with `python tests/golden.py --write` in its own commit"
    )


@needs_data
@pytest.mark.parametrize("method", RAW_METHODS)
def test_raw_text_output_unchanged(articles: list[str], method: str) -> None:
    stored = json.loads(HASHES.read_text(encoding="utf-8"))
    raw = [as_raw(a) for a in articles]
    assert method_hash(raw, method) == stored["hashes"][f"raw:{method}"], (
        f"{method}: summaries of the raw-text stories changed; if that is intended, "
        "regenerate with `python tests/golden.py --write` in its own commit"
    )
