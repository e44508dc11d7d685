"""Every file newsum writes gets the mode a plain open() would give it: 0666 less the umask."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from conftest import SHIPPED_EXAMPLE

from newsum.cli import main

STORIES = [
    {"id": "a", "article": SHIPPED_EXAMPLE.read_text(), "highlights": "the ferry stays ."},
]


@pytest.fixture(params=[0o022, 0o077, 0o002])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_summarize_output_file_follows_the_umask(tmp_path: Path, umask: int, capsys) -> None:
    out = tmp_path / "out.txt"
    assert main(["summarize", str(SHIPPED_EXAMPLE), "-o", str(out)]) == 0
    assert out.read_text().strip() and mode(out) == 0o666 & ~umask
    if umask == 0o022:
        assert mode(out) == 0o644


def test_eval_report_files_follow_the_umask(tmp_path: Path, umask: int, capsys) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in STORIES))
    report = tmp_path / "report"
    assert main(["eval", "--data", str(data), "--methods", "lead", "--out", str(report)]) == 0
    files = sorted(report.iterdir())
    assert [f.name for f in files] == ["report.json", "report.md", "report.png"]
    assert {mode(f) for f in files} == {0o666 & ~umask}


def test_batch_parts_folder_follows_the_umask(tmp_path: Path, umask: int) -> None:
    from newsum.batch import process_chunk, run_batch

    def interrupted(chunks, job):  # commits one chunk, then stops: the .parts folder stays
        for i, chunk in enumerate(chunks):
            if i == 1:
                raise KeyboardInterrupt
            yield chunk, process_chunk(chunk, job)

    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in STORIES * 4))
    out = tmp_path / "out.jsonl"
    with pytest.raises(KeyboardInterrupt):
        run_batch(str(data), str(out), method="lead", engine=interrupted, chunk_size=2)
    parts = tmp_path / "out.jsonl.parts"
    assert mode(parts) == 0o777 & ~umask
    assert {mode(f) for f in parts.iterdir()} == {0o666 & ~umask}
