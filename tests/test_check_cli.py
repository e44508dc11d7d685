"""`newsum check`: one story and summary, or a JSONL file of pairs; bad input as everywhere."""

from __future__ import annotations

import gzip
import json

from conftest import run_cli
from test_check import FAITHFUL, STORY

SWAPPED = "Locke replaced Steve Clarke in February."


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_text_output_marks_spans_and_sources(tmp_path):
    story = write(tmp_path / "story.txt", STORY)
    proc = run_cli("check", story, "--summary", FAITHFUL[0] + " " + SWAPPED)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("score ")
    assert "1 of 2 sentence(s) supported" in out
    assert "[supported" in out and "[NOT SUPPORTED" in out
    assert "Locke replaced [[Steve Clarke]] in February." in out
    assert "[[Steve Clarke]] name: not in the story" in out
    assert "source 2: Locke replaced Allan Johnston in February" in out


def test_summary_from_a_file_or_stdin_and_json(tmp_path):
    story = write(tmp_path / "story.txt", STORY)
    summary = write(tmp_path / "summary.txt", "\n".join(FAITHFUL) + "\n")
    from_file = run_cli("check", story, "--summary", summary, "--json")
    assert from_file.returncode == 0, from_file.stderr
    body = json.loads(from_file.stdout)
    assert [s["text"] for s in body["sentences"]] == FAITHFUL
    assert body["supported"] is True and body["story_sentences"]
    piped = run_cli("check", story, "--summary", "-", "--json", input="\n".join(FAITHFUL).encode())
    assert json.loads(piped.stdout) == body
    story_in = run_cli("check", "-", "--summary", summary, "--json", input=STORY.encode())
    assert json.loads(story_in.stdout)["score"] == body["score"]


def test_pairs_file_with_a_bad_line_exits_1(tmp_path):
    pairs = tmp_path / "pairs.jsonl.gz"
    lines = [
        json.dumps({"id": "a", "article": STORY, "summary": SWAPPED}),
        "{not json",
        json.dumps({"id": "c", "article": STORY, "summary": FAITHFUL}),
        json.dumps({"id": "d", "article": STORY}),
    ]
    pairs.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    out = tmp_path / "out.jsonl"
    proc = run_cli("check", "--data", str(pairs), "-o", str(out))
    assert proc.returncode == 1
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 2
    assert ":2: not valid JSON" in errors[0] and "Traceback" not in proc.stderr
    assert ":4: record has no 'summary' field" in errors[1]
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in results] == ["a", "c"]
    assert results[0]["supported"] is False and results[1]["supported"] is True
    assert results[0]["sentences"][0]["unsupported"][0]["text"] == "Steve Clarke"


def test_pairs_with_other_field_names(tmp_path):
    pairs = write(
        tmp_path / "p.jsonl",
        json.dumps({"id": 7, "story": STORY, "claim": SWAPPED}) + "\n",
    )
    proc = run_cli("check", "--data", pairs, "--story-field", "story", "--summary-field", "claim")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["id"] == "7"


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    story = write(tmp_path / "story.txt", STORY)
    empty = write(tmp_path / "empty.txt", "")
    only_bad = write(tmp_path / "bad.jsonl", "{oops\n")
    out = tmp_path / "never.jsonl"
    cases = [
        (["check", str(tmp_path / "missing.txt"), "--summary", "x"], "no such file"),
        (["check", empty, "--summary", "x"], "empty"),
        (["check", story, "--summary", "   "], "summary is empty"),
        (["check", story], "--summary"),
        (["check", "--data", only_bad, "-o", str(out)], "not valid JSON"),
        (["check", "--data", str(tmp_path / "none.jsonl")], "no such file"),
        (["check", story, "--summary", "x", "--data", only_bad], "not both"),
        (["check", "-", "--summary", "-"], "stdin"),
        (["check", story, "--summary", str(tmp_path)], "is a directory"),
    ]
    for args, words in cases:
        proc = run_cli(*args, input=b"")
        assert proc.returncode == 2, (args, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], (args, proc.stderr)
    assert not out.exists()  # no half-written output


def test_eval_faithfulness_column_and_report(tmp_path):
    data = write(
        tmp_path / "data.jsonl",
        "".join(
            json.dumps({"id": str(i), "article": STORY, "highlights": FAITHFUL[i % 2]}) + "\n"
            for i in range(3)
        ),
    )
    out = tmp_path / "report"
    proc = run_cli(
        "eval",
        "--data",
        data,
        "--methods",
        "lead,oracle",
        "--faithfulness",
        "-q",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert "| faithfulness |" in proc.stdout
    # extractive summaries copy story sentences: the story supports every one of them
    assert proc.stdout.count("| 1.000 |") == 2
    report = json.loads((out / "report.json").read_text())
    assert report["methods"]["lead"]["faithfulness"] == 1.0
    assert report["per_story"][0]["oracle"]["faithfulness"] == 1.0
    plain = run_cli("eval", "--data", data, "--methods", "lead", "-q")
    assert "| faithfulness |" not in plain.stdout


def test_score_with_stories_adds_faithfulness(tmp_path):
    refs = write(
        tmp_path / "refs.jsonl",
        json.dumps({"id": "a", "article": STORY, "highlights": FAITHFUL[1]})
        + "\n"
        + json.dumps({"id": "b", "article": STORY, "highlights": FAITHFUL[0]})
        + "\n",
    )
    good = write(
        tmp_path / "good.jsonl",
        json.dumps({"id": "b", "summary": FAITHFUL[0]})
        + "\n"
        + json.dumps({"id": "a", "summary": FAITHFUL[1]})
        + "\n",
    )
    bad = write(
        tmp_path / "bad.jsonl",
        json.dumps({"id": "a", "summary": SWAPPED})
        + "\n"
        + json.dumps({"id": "b", "summary": "Steve Clarke will manage Celtic from 2030."})
        + "\n",
    )

    def faithfulness(cands: str) -> float:
        proc = run_cli("score", "--refs", refs, "--cands", cands, "--stories", refs, "--json")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)["faithfulness"]

    assert faithfulness(good) > 0.9
    assert faithfulness(bad) < 0.6
    table = run_cli("score", "--refs", refs, "--cands", good, "--stories", refs)
    assert "| faithfulness |" in table.stdout
    assert "| faithfulness |" not in run_cli("score", "--refs", refs, "--cands", good).stdout
    no_story = write(tmp_path / "s.jsonl", json.dumps({"id": "a", "article": STORY}) + "\n")
    proc = run_cli("score", "--refs", refs, "--cands", good, "--stories", no_story)
    assert proc.returncode == 2 and "no story for id 'b'" in proc.stderr


def test_story_as_a_web_page_file(tmp_path):
    page = write(
        tmp_path / "story.html",
        "<html><head><title>Locke</title></head><body><article>"
        + "".join(f"<p>{p}</p>" for p in STORY.split("\n\n")[1:])
        + "</article></body></html>",
    )
    proc = run_cli("check", page, "--summary", FAITHFUL[1] + " " + SWAPPED, "--json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert [s["supported"] for s in body["sentences"]] == [True, False]
    bad = run_cli("check", page, "--summary", "x", "--format", "pdf")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_summary_that_is_empty_or_a_device_is_one_line(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    for value, why in (
        ("", "summary is empty"),
        ("  ", "summary is empty"),
        ("/dev/zero", "device"),
    ):
        proc = run_cli("check", str(story), "--summary", value)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and why in proc.stderr, proc.stderr
