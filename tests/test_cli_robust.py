"""Hostile input for the CLI and batch: special files, bounds, encodings, output paths."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHIPPED_EXAMPLE, run_cli

import newsum
from newsum.files import MAX_STORY_BYTES

STORY = SHIPPED_EXAMPLE.read_text(encoding="utf-8")


def one_line_exit_2(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stderr.startswith("newsum: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr


def _limited_memory() -> None:
    # 1.5 GB of address space: a read of /dev/zero without a bound would die, not finish.
    resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))


def cli(*args: str, stdin=None, stdout=subprocess.PIPE, timeout: float = 120):
    proc = subprocess.run(
        [sys.executable, "-m", "newsum.cli", *args],
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=timeout,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        preexec_fn=_limited_memory,
    )
    proc.stderr = proc.stderr.decode("utf-8")
    if isinstance(proc.stdout, bytes):
        proc.stdout = proc.stdout.decode("utf-8")
    return proc


# ----------------------------------------------------------------------------- output


def test_output_in_a_missing_folder_is_one_line(tmp_path):
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), "-o", str(tmp_path / "nowhere" / "x.txt"))
    one_line_exit_2(proc, "does not exist")


def test_output_onto_a_folder_is_one_line(tmp_path):
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), "-o", str(tmp_path))
    one_line_exit_2(proc, "directory")
    assert list(tmp_path.iterdir()) == []  # no temp file left behind


def test_stdout_on_a_full_disk_is_one_line():
    with open("/dev/full", "wb") as full:
        proc = cli("summarize", str(SHIPPED_EXAMPLE), stdout=full)
    one_line_exit_2(proc, "No space left on device")


def test_output_onto_a_symlink_writes_through_and_keeps_the_link(tmp_path):
    target = tmp_path / "real.txt"
    target.write_text("old\n")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    os.umask(old := os.umask(0o022))
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), "-o", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == str(newsum.summarize(STORY)) + "\n"
    assert target.stat().st_mode & 0o777 == 0o666 & ~old


# ----------------------------------------------------------------------------- special input


def test_a_fifo_is_refused_by_type_not_read(tmp_path):
    fifo = tmp_path / "story.txt"
    os.mkfifo(fifo)
    one_line_exit_2(cli("summarize", str(fifo), timeout=60), "FIFO")


def test_a_link_to_dev_zero_is_refused(tmp_path):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    one_line_exit_2(cli("summarize", str(link), timeout=60), "device")


def test_endless_stdin_is_too_large_with_bounded_memory():
    with open("/dev/zero", "rb") as zero:
        proc = cli("summarize", "-", stdin=zero, timeout=120)
    one_line_exit_2(proc, "too large", "32 MB limit")  # refused by the bound, not by MemoryError


def test_a_50_mb_story_is_refused_by_the_documented_limit(tmp_path):
    big = tmp_path / "big.txt"
    line = (STORY.replace("\n", " ") + "\n").encode()
    with open(big, "wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)
    assert big.stat().st_size > 50 * 1024 * 1024 > MAX_STORY_BYTES
    one_line_exit_2(cli("summarize", str(big)), "too large", "32 MB")


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_bom_are_decoded(tmp_path, codec):
    path = tmp_path / "story.txt"
    bom = {"utf-16-be": b"\xfe\xff"}.get(codec, b"")
    path.write_bytes(bom + STORY.encode(codec))
    proc = run_cli("summarize", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(newsum.summarize(STORY))


def test_nul_bytes_anywhere_are_refused(tmp_path):
    path = tmp_path / "story.txt"
    path.write_bytes((STORY * 10).encode() + b"\x00 hidden\n")
    assert path.stat().st_size > 8192
    one_line_exit_2(run_cli("summarize", str(path)), "binary")


def test_lone_surrogates_in_jsonl_become_replacement_characters(tmp_path):
    path = tmp_path / "s.jsonl"
    line = json.dumps({"id": "a\ud800", "article": STORY.replace(".", ".\ud800", 1)})
    path.write_text(line + "\n", encoding="utf-8")
    for fmt in ((), ("--json",), ("--markdown",)):
        proc = run_cli("summarize", str(path), *fmt)
        assert proc.returncode == 0, proc.stderr
        assert "\ufffd" in proc.stdout or fmt == ()
    proc = run_cli("summarize", str(path), "--json")
    assert json.loads(proc.stdout)["id"] == "a\ufffd"


def test_nul_characters_in_json_are_replaced_not_passed_on(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"article": STORY.replace(".", ".\x00", 2)}) + "\n")
    proc = run_cli("summarize", str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    assert "\\u0000" not in proc.stdout and "\x00" not in proc.stdout


# ----------------------------------------------------------------------------- batch


def batch(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsum.cli", "batch", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limited_memory,
    )


def test_batch_chunk_size_0_is_a_usage_error(tmp_path):
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": 1, "article": STORY}) + "\n")
    res = batch("in.jsonl", "out.jsonl", "--chunk-size", "0", cwd=tmp_path)
    assert res.returncode == 2 and "chunk size must be at least 1" in res.stderr
    assert res.stderr.count("\n") == 1


def test_batch_folder_with_a_fifo_and_a_link_to_dev_zero(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(STORY)
    os.mkfifo(corpus / "b.txt")
    (corpus / "c.txt").symlink_to("/dev/zero")
    (corpus / "d.story").write_bytes(b"x" * (MAX_STORY_BYTES + 10))
    res = batch("corpus", "out.jsonl", "-j", "1", "--method", "lead", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in out] == ["a.txt"]
    errors = (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()
    errors = {e["id"]: e["error"] for e in map(json.loads, errors)}
    assert "FIFO" in errors["b.txt"] and "device" in errors["c.txt"]
    assert "too large" in errors["d.story"]


def test_batch_input_that_is_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "in.jsonl")
    res = batch("in.jsonl", "out.jsonl", cwd=tmp_path)
    assert res.returncode == 2 and "FIFO" in res.stderr and res.stderr.count("\n") == 1


def test_batch_walks_a_tree_1100_levels_deep(tmp_path):
    folder = tmp_path / "deep"
    folder.mkdir()
    os.chdir(folder)  # relative mkdirs: the absolute path would pass PATH_MAX
    try:
        for _ in range(1100):
            os.mkdir("d")
            os.chdir("d")
        Path("story.txt").write_text(STORY)
    finally:
        os.chdir(tmp_path)
    try:
        res = batch("deep", "out.jsonl", "-j", "1", "--method", "lead", cwd=tmp_path)
    finally:
        _remove_deep(folder, 1100, tmp_path)
    assert res.returncode == 0, res.stderr[-500:]
    (record,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert record["id"] == "d/" * 1100 + "story.txt"


def _remove_deep(folder: Path, depth: int, back: Path) -> None:
    """shutil.rmtree (and so pytest's clean-up) recurses once per level: remove it by hand."""
    os.chdir(folder)
    try:
        for _ in range(depth):
            os.chdir("d")
        os.unlink("story.txt")
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(back)


def test_batch_parquet_text_column_that_is_not_a_string(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({"id": ["a", "b"], "article": [1, 2]}), tmp_path / "in.parquet")
    res = batch("in.parquet", "out.jsonl", "-j", "1", cwd=tmp_path)
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr  # per-record
    errors = (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()
    assert [json.loads(e)["error"] for e in errors] == [
        "row's 'article' value is not text (int)"
    ] * 2


def test_batch_lone_surrogates_come_out_as_replacement_characters(tmp_path):
    record = {"id": "x", "article": STORY.replace(".", ".\ud800", 1)}
    (tmp_path / "in.jsonl").write_text(json.dumps(record) + "\n")
    res = batch("in.jsonl", "out.jsonl", "-j", "1", "--method", "lead", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    raw = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert "\\ud800" not in raw


def _jsonl_with_a_huge_line(path: Path) -> None:
    with open(path, "wb") as fh:
        fh.write(json.dumps({"id": "a", "article": STORY}).encode() + b"\n")
        fh.write(b'{"id": "huge", "article": "' + b"word " * (MAX_STORY_BYTES // 5 + 10) + b'"}\n')
        fh.write(json.dumps({"id": "c", "article": STORY}).encode() + b"\n")


def test_a_jsonl_line_over_the_limit_is_a_record_error(tmp_path):
    path = tmp_path / "in.jsonl"
    _jsonl_with_a_huge_line(path)
    proc = cli("summarize", str(path), "--json", "-m", "lead")
    assert proc.returncode == 1, proc.stderr
    assert f"{path}:2: line too large" in proc.stderr and "Traceback" not in proc.stderr
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == ["a", "c"]
    res = batch("in.jsonl", "out.jsonl", "-j", "1", "--method", "lead", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    out = [json.loads(line)["id"] for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert out == ["a", "c"]
    (error,) = map(json.loads, (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines())
    assert error["line"] == 2 and error["error"].startswith("line too large")
