"""`newsum batch`: exactly-once output, errors file, resume after kill/SIGINT/SIGTERM, formats.

Most tests run the real command in a subprocess; the interrupted runs are real kills of a real
run in the middle of its work.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsum import default_method, read_document, summarize_document
from newsum.batch import process_chunk, run_batch

ROOT = Path(__file__).resolve().parents[1]
VAL = ROOT.parent / "shared" / "data" / "cnndm_val_4k.jsonl.gz"
N_GOOD = 1200
CHUNK = "40"
# The big-input tests pin the fast "lead" method: they test the pipeline, not a method. The
# small-input tests use the default method.
LEAD = ("--method", "lead")
BAD_LINES = {  # 1-based line number in big.jsonl -> raw line
    7: b'{"id": "empty-1", "article": ""}\n',
    300: b"this is not json\n",
    611: b'{"id": "latin-1", "article": "caf\xe9 au lait ."}\n',
    950: b'{"id": "no-text"}\n',
}


def _stories(n: int) -> list[dict]:
    """The first n validation stories; synthetic ones when the shared data is not there."""
    if VAL.exists():
        out = []
        with gzip.open(VAL, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if rec["article"].strip():
                    out.append({"id": rec["id"], "article": rec["article"]})
                if len(out) == n:
                    return out
    rng = random.Random(0)
    words = "the city council said on monday that new rules for river flood barriers will".split()
    return [
        {
            "id": f"syn-{i}",
            "article": " ".join(
                " ".join(rng.choice(words) for _ in range(rng.randint(8, 25))) + " ."
                for _ in range(rng.randint(5, 30))
            ),
        }
        for i in range(n)
    ]


def batch(
    *args: str, cwd: Path, timeout: float = 120, env: dict | None = None
) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "newsum.cli", "batch", *args]
    environ = {**os.environ, **(env or {})}
    return subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environ
    )


def _default_sigint() -> None:
    # a test runner started in the background inherits an ignored SIGINT; the run must not
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args: str, cwd: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "newsum.cli", "batch", *args]
    return subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_default_sigint
    )


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def stories() -> list[dict]:
    return _stories(N_GOOD)


@pytest.fixture(scope="module")
def big(tmp_path_factory, stories) -> Path:
    """N_GOOD stories with four bad lines among them (and a blank line)."""
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    lines = [json.dumps(s).encode() + b"\n" for s in stories]
    for lineno in sorted(BAD_LINES):
        lines.insert(lineno - 1, BAD_LINES[lineno])
    lines.insert(500, b"   \n")  # blank: skipped, not a record; later line numbers shift by one
    path.write_bytes(b"".join(lines))
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory, big) -> tuple[bytes, bytes]:
    """Output and errors file of one uninterrupted single-worker run over `big`."""
    folder = tmp_path_factory.mktemp("ref")
    res = batch(str(big), "ref.jsonl", *LEAD, "--workers", "1", "--chunk-size", CHUNK, cwd=folder)
    assert res.returncode == 1, res.stderr
    return (folder / "ref.jsonl").read_bytes(), (folder / "ref.jsonl.errors.jsonl").read_bytes()


def test_reference_has_each_id_once_in_order(reference, stories):
    out, errors = reference
    recs = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in recs] == [s["id"] for s in stories]
    assert all(set(r) == {"id", "summary", "indices", "method"} for r in recs)
    assert all(r["method"] == "lead" and 1 <= len(r["summary"]) <= 3 for r in recs)
    errs = [json.loads(line) for line in errors.splitlines()]
    assert errs == [
        {"id": "empty-1", "line": 7, "error": "story is empty"},
        {"id": None, "line": 300, "error": "not valid JSON (Expecting value)"},
        {"id": "latin-1", "line": 612, "error": "not valid UTF-8 (byte offset 33)"},
        {"id": "no-text", "line": 951, "error": "record has no 'article' field"},
    ]


def test_output_is_what_summarize_document_gives(reference, stories):
    recs = [json.loads(line) for line in reference[0].splitlines()]
    for story, rec in list(zip(stories, recs, strict=True))[::97]:
        summary = summarize_document(read_document(story["article"]), "lead")
        assert rec["summary"] == [s.text for s in summary.sentences]
        assert rec["indices"] == summary.indices


def test_two_workers_same_output_and_rerun_refused(tmp_path, big, reference):
    res = batch(str(big), "out.jsonl", *LEAD, "-j", "2", "--chunk-size", CHUNK, cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert "failed (see out.jsonl.errors.jsonl)" in res.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == reference[0]
    assert (tmp_path / "out.jsonl.errors.jsonl").read_bytes() == reference[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "out.jsonl.errors.jsonl"]
    # a finished run is not repeated: no record or error is written twice
    again = batch(str(big), "out.jsonl", *LEAD, "-j", "2", "--chunk-size", CHUNK, cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.strip().splitlines() == [
        "newsum: error: out.jsonl already exists (a finished run); pass --overwrite to redo it"
    ]
    assert (tmp_path / "out.jsonl").read_bytes() == reference[0]
    assert (tmp_path / "out.jsonl.errors.jsonl").read_bytes() == reference[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "out.jsonl.errors.jsonl"]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize(
    "sig,code", [(signal.SIGKILL, -9), (signal.SIGINT, 130), (signal.SIGTERM, 143)]
)
def test_killed_mid_run_then_rerun_completes_exactly_once(tmp_path, big, reference, sig, code):
    args = (str(big), "out.jsonl", *LEAD, "-j", "2", "--chunk-size", CHUNK)
    parts = tmp_path / "out.jsonl.parts"
    proc = start(*args, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while not (parts.is_dir() and any(p.suffix == ".jsonl" for p in parts.iterdir())):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    workers = _children(proc.pid)
    assert not (tmp_path / "out.jsonl").exists()  # never there before the run is complete
    proc.send_signal(sig)
    proc.wait(timeout=30)
    stderr = proc.stderr.read().decode()
    assert proc.returncode == code, stderr
    if sig != signal.SIGKILL:
        assert "run the same command again to continue" in stderr
        assert "Traceback" not in stderr
        assert "leaked" not in stderr  # no resource-tracker warning after leaving early
    assert not (tmp_path / "out.jsonl").exists()
    assert not (tmp_path / "out.jsonl.errors.jsonl").exists()
    committed = [p for p in parts.iterdir() if p.name.startswith("part-") and p.suffix == ".jsonl"]
    assert 1 <= len(committed) < 31
    # worker processes do not outlive the run, even a kill -9 of it
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)

    res = batch(*args, cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert "resuming the unfinished run" in res.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == reference[0]
    assert (tmp_path / "out.jsonl.errors.jsonl").read_bytes() == reference[1]
    assert not parts.exists()


_STUCK_THREAD = """
import sys, threading
from newsum.cli import main
# Stands in for the pool's manager thread when a killed worker left its result half-written:
# a non-daemon thread that never ends, which a normal interpreter exit waits for.
threading.Thread(target=threading.Event().wait).start()
sys.exit(main(sys.argv[1:]))
"""


def test_interrupted_pool_run_exits_even_when_a_pool_thread_is_stuck(tmp_path, big):
    parts = tmp_path / "out.jsonl.parts"
    cmd = [sys.executable, "-c", _STUCK_THREAD, "batch", str(big), "out.jsonl", *LEAD]
    proc = subprocess.Popen(
        [*cmd, "-j", "2", "--chunk-size", CHUNK],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_sigint,
    )
    try:
        deadline = time.monotonic() + 60
        while not (parts.is_dir() and any(p.suffix == ".jsonl" for p in parts.iterdir())):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    stderr = proc.stderr.read().decode()
    assert proc.returncode == 130, stderr
    assert "run the same command again to continue" in stderr
    assert "leaked" not in stderr  # the pool's semaphores are released before leaving


def _interrupt_after(n: int):
    """An engine that commits n chunks and then is interrupted (in-process, for setup)."""

    def engine(chunks, job):
        for i, chunk in enumerate(chunks):
            if i == n:
                raise KeyboardInterrupt
            yield chunk, process_chunk(chunk, job)

    return engine


def _cli_length(*options: str) -> dict:
    """The length settings `newsum batch` passes for these options."""
    from newsum.cli import _commands, build_parser
    from newsum.commands.summarize import length_settings

    return length_settings(build_parser(_commands()).parse_args(["batch", "i", "o", *options]))


def _interrupted_run(tmp_path: Path, big: Path, n: int = 3) -> None:
    with pytest.raises(KeyboardInterrupt):
        run_batch(
            str(big),
            str(tmp_path / "out.jsonl"),
            method="lead",
            chunk_size=int(CHUNK),
            length=_cli_length(),
            engine=_interrupt_after(n),
        )
    assert len(list((tmp_path / "out.jsonl.parts").glob("part-*.jsonl"))) == n


def test_resume_with_other_settings_is_refused_or_restarted(tmp_path, big, reference):
    _interrupted_run(tmp_path, big)
    res = batch(
        str(big), "out.jsonl", *LEAD, "--sentences", "2", "--chunk-size", CHUNK, cwd=tmp_path
    )
    assert res.returncode == 2
    assert "unfinished run with other settings (settings)" in res.stderr
    assert "Traceback" not in res.stderr
    res = batch(str(big), "out.jsonl", *LEAD, "--chunk-size", "50", cwd=tmp_path)
    assert res.returncode == 2 and "(chunk_size)" in res.stderr
    res = batch(
        str(big),
        "out.jsonl",
        *LEAD,
        "-j",
        "1",
        "--chunk-size",
        CHUNK,
        "--sentences",
        "2",
        "--restart",
        cwd=tmp_path,
    )
    assert res.returncode == 1, res.stderr
    assert "resuming" not in res.stderr
    assert all(len(r["summary"]) <= 2 for r in read_jsonl(tmp_path / "out.jsonl"))


def test_resume_refuses_a_changed_input(tmp_path, big, stories):
    changed = tmp_path / "in.jsonl"
    changed.write_bytes(big.read_bytes())
    _interrupted_run(tmp_path, changed)
    lines = changed.read_bytes().splitlines(keepends=True)
    lines[1] = (
        json.dumps({"id": "new", "article": "A new story. It replaced one."}).encode() + b"\n"
    )
    changed.write_bytes(b"".join(lines))
    res = batch(str(changed), "out.jsonl", *LEAD, "--chunk-size", CHUNK, cwd=tmp_path)
    assert res.returncode == 2
    assert "input changed since the unfinished run" in res.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_finishing_an_interrupted_run_with_more_workers(tmp_path, big, reference):
    _interrupted_run(tmp_path, big, n=5)
    res = batch(str(big), "out.jsonl", *LEAD, "-j", "2", "--chunk-size", CHUNK, "-q", cwd=tmp_path)
    assert res.returncode == 1 and res.stderr == ""
    assert (tmp_path / "out.jsonl").read_bytes() == reference[0]
    assert (tmp_path / "out.jsonl.errors.jsonl").read_bytes() == reference[1]


def test_gzip_in_and_out(tmp_path, big, reference):
    gz_in = tmp_path / "in.jsonl.gz"
    gz_in.write_bytes(gzip.compress(big.read_bytes()))
    res = batch(str(gz_in), "out.jsonl.gz", *LEAD, "-j", "1", "--chunk-size", "100", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()) == reference[0]
    assert (tmp_path / "out.jsonl.gz.errors.jsonl").read_bytes() == reference[1]


def test_overwrite_replaces_and_clean_run_has_no_errors_file(tmp_path, stories):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(s) + "\n" for s in stories[:30]))
    (tmp_path / "out.jsonl").write_text("old\n")
    (tmp_path / "out.jsonl.errors.jsonl").write_text("old\n")
    res = batch(str(src), "out.jsonl", "-j", "1", "--overwrite", "--words", "40", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    recs = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in recs] == [s["id"] for s in stories[:30]]
    assert all(sum(len(t.split()) for t in r["summary"]) <= 40 for r in recs)
    assert {r["method"] for r in recs} == {default_method()}  # no --method: the default
    assert not (tmp_path / "out.jsonl.errors.jsonl").exists()


def test_ids_from_line_numbers_and_duplicates_kept(tmp_path):
    src = tmp_path / "in.jsonl"
    story = "The river rose overnight. Crews built a wall of sandbags. The town stayed dry."
    src.write_text(
        json.dumps({"article": story})
        + "\n"
        + json.dumps({"id": 7, "article": story})
        + "\n"
        + json.dumps({"id": 7, "article": story})
        + "\n"
    )
    res = batch(str(src), "out.jsonl", "-j", "1", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["1", "7", "7"]


def test_directory_of_stories(tmp_path, stories):
    root = tmp_path / "stories"
    (root / "cnn").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "b.txt").write_text(stories[0]["article"])
    (root / "cnn" / "a.story").write_text(
        stories[1]["article"] + "\n\n@highlight\n\nA HIGHLIGHT NOT TO SUMMARIZE\n"
    )
    (root / "a.txt").write_text(stories[2]["article"])
    (root / "empty.txt").write_text("  \n")
    (root / "bad.txt").write_bytes(b"caf\xe9 . au lait .")
    (root / "notes.md").write_text("not a story")
    (root / ".hidden" / "c.txt").write_text(stories[3]["article"])
    res = batch(str(root), "out.jsonl", "-j", "2", "--chunk-size", "2", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    recs = read_jsonl(tmp_path / "out.jsonl")
    assert [r["id"] for r in recs] == ["a.txt", "b.txt", "cnn/a.story"]
    expect = summarize_document(read_document(stories[1]["article"]))
    assert recs[2]["summary"] == [s.text for s in expect.sentences]
    errs = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert [(e["path"], e["error"]) for e in errs] == [
        ("bad.txt", "not valid UTF-8 (byte 0xe9 at offset 3)"),
        ("empty.txt", "story is empty"),
    ]


def test_directory_with_html_pages(tmp_path):
    pytest.importorskip("trafilatura")
    html = pytest.importorskip("newsum.html")
    page = ROOT / "tests" / "fixtures" / "news_flood_barrier.html"
    if not page.exists():
        pytest.skip("no HTML fixture")
    root = tmp_path / "pages"
    root.mkdir()
    (root / "flood.html").write_bytes(page.read_bytes())
    (root / "nothing.htm").write_text("<html><body><nav>Home</nav></body></html>")
    res = batch(str(root), "out.jsonl", "-j", "1", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    [rec] = read_jsonl(tmp_path / "out.jsonl")
    expect = summarize_document(html.read_html(page.read_text(encoding="utf-8")))
    assert rec["id"] == "flood.html"
    assert rec["summary"] == [s.text for s in expect.sentences]
    [err] = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert err["path"] == "nothing.htm" and "no story text" in err["error"]


def test_parquet_in_and_out(tmp_path, stories):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [{"doc": i * 10, "body": s["article"]} for i, s in enumerate(stories[:120])]
    rows[4]["body"] = None
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet", row_group_size=32)
    args = ("--id-field", "doc", "--text-field", "body", "--chunk-size", "25")
    res = batch("in.parquet", "out.parquet", "-j", "2", *args, cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.names == ["id", "summary", "indices", "method"]
    out = table.to_pylist()
    assert [r["id"] for r in out] == [str(i * 10) for i in range(120) if i != 4]
    assert read_jsonl(tmp_path / "out.parquet.errors.jsonl") == [
        {"id": "40", "row": 5, "error": "row has no 'body' value"}
    ]
    res = batch("in.parquet", "out.jsonl", "-j", "1", *args, cwd=tmp_path)
    assert res.returncode == 1
    assert read_jsonl(tmp_path / "out.jsonl") == out


def test_usage_errors_are_one_line(tmp_path, big):
    cases = [
        (("missing.jsonl", "o.jsonl"), "missing.jsonl: no such file or directory"),
        ((str(big), "o.jsonl", "--method", "nope"), "unknown method 'nope'"),
        ((str(big), "o.jsonl", "--scheduler", "tcp://127.0.0.1:1"), "needs --engine dask"),
        ((str(big), "o.jsonl", "--workers", "0"), "--workers must be at least 1"),
        ((str(big), "o.jsonl", "--sentences", "0"), "sentences must be at least 1"),
        ((str(big), "nodir/o.jsonl"), "does not exist"),
        ((str(big), str(big)), "overwrite the input"),
    ]
    for args, message in cases:
        res = batch(*args, cwd=tmp_path)
        assert res.returncode == 2, (args, res.stderr)
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("newsum: error: "), res.stderr
        assert message in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_second_run_on_the_same_output_is_refused(tmp_path, big):
    lock = os.open(tmp_path / ".out.jsonl.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        res = batch(str(big), "out.jsonl", cwd=tmp_path)
    finally:
        os.close(lock)
    assert res.returncode == 2
    assert "another `newsum batch` is writing out.jsonl" in res.stderr


def test_progress_bar_on_a_terminal_only(tmp_path, big):
    import pty

    master, slave = pty.openpty()
    cmd = [sys.executable, "-m", "newsum.cli", "batch", str(big), "out.jsonl", *LEAD, "-j", "1"]
    cmd += ["--chunk-size", "100"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the terminal closed: the run is over
            break
        if not data:
            break
        seen += data
    os.close(master)
    assert proc.wait(timeout=60) == 1
    text = seen.decode()
    assert "\rbatch [" in text and "/s ETA " in text and "1204/1204" in text
    assert "summaries -> out.jsonl" in text
    # not a terminal: no bar, just the closing line; --quiet: nothing at all
    res = batch(str(big), "o2.jsonl", *LEAD, cwd=tmp_path)
    assert res.stderr.startswith("newsum: 1,200 summaries -> o2.jsonl") and "\r" not in res.stderr
    res = batch(str(big), "o3.jsonl", *LEAD, "--quiet", cwd=tmp_path)
    assert res.returncode == 1 and res.stderr == ""


@pytest.mark.parametrize("length", [{}, {"sentences": 2}, {"words": 40}, {"ratio": 0.2}])
def test_a_chunk_summarized_together_gives_each_record_alone(stories, length):
    from newsum.batch.sources import Chunk

    lines = [json.dumps(s).encode() for s in stories[:150]]  # more than one BATCH
    lines[3] = b'{"id": "empty", "article": "  "}'
    lines[9] = b"not json"
    lines[99] = b"[1, 2]"
    items = list(enumerate(lines, start=1))
    job = {"method": default_method(), "length": length, "id_field": "id", "text_field": "article"}
    got = process_chunk(Chunk(0, "jsonl", items, ""), job)
    assert len(got) == len(lines)
    for (lineno, line), out in zip(items, got, strict=True):
        rec = json.loads(out[2:])
        if lineno in (4, 10, 100):
            assert out.startswith(b"E ") and rec["line"] == lineno
            continue
        story = json.loads(line)
        summary = summarize_document(read_document(story["article"]), default_method(), **length)
        assert rec == {
            "id": story["id"],
            "summary": [s.text for s in summary.sentences],
            "indices": summary.indices,
            "method": default_method(),
        }


def test_a_bug_in_a_chunk_is_an_error_line_for_its_record_only(stories, monkeypatch):
    from newsum.batch.sources import Chunk
    from newsum.methods.lead import Lead

    items = [(k + 1, json.dumps(s).encode()) for k, s in enumerate(stories[:5])]
    real = Lead.score

    def score(self, doc):
        if doc.meta["id"] == stories[2]["id"]:
            raise RuntimeError("boom")
        return real(self, doc)

    monkeypatch.setattr(Lead, "score", score)
    job = {"method": "lead", "length": {}, "id_field": "id", "text_field": "article"}
    got = [json.loads(line[2:]) for line in process_chunk(Chunk(0, "jsonl", items, ""), job)]
    boom = "internal error: RuntimeError('boom')"
    assert [r.get("error", "") for r in got] == ["", "", boom, "", ""]
    assert [r["id"] for r in got] == [s["id"] for s in stories[:5]]
