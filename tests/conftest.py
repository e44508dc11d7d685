"""Shared fixtures: paths to the example story and to ../shared/data (skip when absent)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
VAL = DATA / "cnndm_val_4k.jsonl.gz"
TRAIN = DATA / "cnndm_train_39k.jsonl.gz"
EXAMPLE = SHARED / "examples" / "dailymail_story.txt"
SHIPPED_EXAMPLE = ROOT / "examples" / "story.txt"

needs_data = pytest.mark.skipif(
    not VAL.exists(), reason=f"shared CNN/DailyMail data not found at {DATA}"
)
needs_example = pytest.mark.skipif(
    not EXAMPLE.exists(), reason=f"shared example story not found at {EXAMPLE}"
)


def run_cli(*args: str, input: bytes | None = None, cwd: Path | None = None):
    """Run `newsum ARGS` in a real process; returns CompletedProcess with text stdout/stderr."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "newsum.cli", *args],
        input=input,
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )
    proc.stdout = proc.stdout.decode("utf-8")
    proc.stderr = proc.stderr.decode("utf-8")
    return proc


def readme_split(article: str) -> list[str]:
    """The data README's splitter: after " . ", " ? ", " ! ", a closing quote kept."""
    toks = article.split()
    sents, start, i = [], 0, 0
    while i < len(toks):
        if toks[i] in (".", "?", "!"):
            if i + 1 < len(toks) and toks[i + 1] in ("'", '"'):
                i += 1
            sents.append(" ".join(toks[start : i + 1]))
            start = i + 1
        i += 1
    if start < len(toks):
        sents.append(" ".join(toks[start:]))
    return sents


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A desktop-sized headless Chromium window shared by a test module (tests/chromium.py)."""
    from chromium import launch

    driver = launch(1280, 900, tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()
