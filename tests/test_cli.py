"""The `newsum` command in real processes: input forms, output formats, and bad input."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, SHIPPED_EXAMPLE, VAL, needs_data, needs_example, run_cli

import newsum


@needs_example
def test_summarize_example_story_prints_three_readable_sentences() -> None:
    proc = run_cli("summarize", str(EXAMPLE))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 3
    assert all(line[0].isupper() and " ," not in line for line in lines)


def test_stdin_and_path_agree() -> None:
    by_path = run_cli("summarize", str(SHIPPED_EXAMPLE))
    by_stdin = run_cli("summarize", "-", input=SHIPPED_EXAMPLE.read_bytes())
    assert by_path.returncode == by_stdin.returncode == 0
    assert by_path.stdout == by_stdin.stdout
    assert by_path.stdout.strip() == str(newsum.summarize(SHIPPED_EXAMPLE.read_text()))


def test_json_output(tmp_path: Path) -> None:
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), "--json", "--method", "lexrank", "-n", "2")
    assert proc.returncode == 0, proc.stderr
    obj = json.loads(proc.stdout)
    assert obj["method"] == "lexrank" and obj["settings"]["sentences"] == 2
    text = SHIPPED_EXAMPLE.read_text()
    for s in obj["sentences"]:
        assert set(s) >= {"text", "index", "score", "start", "end"}
        assert " ".join(text[s["start"] : s["end"]].split()) == s["text"]


def test_markdown_output() -> None:
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), "--markdown", "-m", "lead")
    assert proc.returncode == 0
    bullets = [ln for ln in proc.stdout.splitlines() if ln.startswith("- ")]
    assert len(bullets) == 3


@pytest.mark.parametrize(
    "flag, value", [("--words", "40"), ("--ratio", "0.3"), ("--sentences", "2")]
)
def test_length_flags(flag: str, value: str) -> None:
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), flag, value, "--json")
    assert proc.returncode == 0, proc.stderr
    sents = json.loads(proc.stdout)["sentences"]
    if flag == "--words":
        assert sum(len(s["text"].split()) for s in sents) <= 40
    elif flag == "--sentences":
        assert len(sents) == 2
    else:
        n = len(newsum.read_document(SHIPPED_EXAMPLE.read_text()).sentences)
        assert len(sents) == max(1, int(0.3 * n))  # rounds down: never more than asked


def test_order_and_redundancy_flags() -> None:
    proc = run_cli(
        "summarize",
        str(SHIPPED_EXAMPLE),
        "-m",
        "centroid",
        "--order",
        "score",
        "--no-redundancy",
        "--json",
    )
    obj = json.loads(proc.stdout)
    scores = [s["score"] for s in obj["sentences"]]
    assert scores == sorted(scores, reverse=True)
    assert obj["settings"]["redundancy"] is False


def test_jsonl_records_with_errors(tmp_path: Path) -> None:
    path = tmp_path / "stories.jsonl"
    story = "The ferry stays. The town voted. Fishermen were sad. Tourists came."
    lines = [
        json.dumps({"id": "a", "article": story}),
        "this is not json",
        json.dumps({"id": "b", "text": story}),
        json.dumps({"id": "c", "article": "   "}),
        json.dumps({"id": "d", "article": story}),
    ]
    path.write_text("\n".join(lines) + "\n")
    proc = run_cli("summarize", str(path), "--json")
    assert proc.returncode == 1
    ids = [json.loads(ln)["id"] for ln in proc.stdout.splitlines()]
    assert ids == ["a", "d"]
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 3
    assert ":2: not valid JSON" in errors[0]
    assert ":3: record has no 'article' field" in errors[1]
    assert ":4: story is empty" in errors[2]
    assert "Traceback" not in proc.stderr


def test_jsonl_gz_and_field(tmp_path: Path) -> None:
    path = tmp_path / "stories.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(json.dumps({"id": "x", "body": "One. Two here. Three now. Four."}) + "\n")
    proc = run_cli("summarize", str(path), "--field", "body", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["id"] == "x"


def test_several_paths(tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("A second story starts here. It has two sentences.")
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), str(other), "--json")
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 2


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "story is empty"),
        (b"   \n\t  \n", "story is empty"),
        (b"\x00\x01\x02binary\x00data", "binary"),
        (b"caf\xe9 au lait. Another sentence.", "not valid UTF-8"),
        (b"... --- !!!", "no sentences"),
    ],
)
def test_bad_input_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    proc = run_cli("summarize", str(path))
    assert proc.returncode == 2
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert proc.stdout == ""


def test_directory_and_missing_path(tmp_path: Path) -> None:
    proc = run_cli("summarize", str(tmp_path))
    assert proc.returncode == 2 and "is a directory" in proc.stderr
    proc = run_cli("summarize", str(tmp_path / "nope.txt"))
    assert proc.returncode == 2 and "no such file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_errors_are_one_line() -> None:
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), "--method", "nope")
    assert proc.returncode == 2
    names = ", ".join(newsum.available_methods())
    assert proc.stderr.strip().splitlines() == [
        f"newsum: error: unknown method 'nope'; choose one of: {names}"
    ]
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), "--sentences", "0")
    assert proc.returncode == 2 and "at least 1" in proc.stderr


def test_debug_shows_traceback(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("")
    assert "Traceback" in run_cli("summarize", str(path), "--sentences", "0", "--debug").stderr


def test_output_file_is_all_or_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    proc = run_cli("summarize", str(SHIPPED_EXAMPLE), "-m", "lead", "-o", str(out))
    assert proc.returncode == 0 and len(out.read_text().splitlines()) == 3
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    out2 = tmp_path / "out2.txt"
    assert run_cli("summarize", str(bad), "-o", str(out2)).returncode == 2
    assert not out2.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".newsum-")] == []


def test_huge_story_finishes(tmp_path: Path) -> None:
    """A 20 MB story is summarized (graph methods look at a bounded prefix)."""
    story = SHIPPED_EXAMPLE.read_text() + "\n\n"
    path = tmp_path / "huge.txt"
    path.write_text(story * (20_000_000 // len(story) + 1))
    assert path.stat().st_size >= 20_000_000
    proc = run_cli("summarize", str(path), "-m", "textrank")
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.strip().splitlines()) == 3


def test_methods_command_lists_each_method() -> None:
    proc = run_cli("methods")
    assert proc.returncode == 0
    names = [ln.split()[0] for ln in proc.stdout.splitlines()]
    assert names == newsum.available_methods()


def test_a_named_command_builds_only_its_own_parser_with_the_same_help(capsys) -> None:
    from newsum.cli import _commands, build_parser, main
    from newsum.commands import COMMANDS

    for name in COMMANDS:
        helps = []
        for commands in (_commands(), _commands(name)):
            with pytest.raises(SystemExit):
                build_parser(commands).parse_args([name, "--help"])
            helps.append(capsys.readouterr().out)
        assert helps[0] == helps[1] and f"newsum {name}" in helps[0]
    code = (
        "import sys\n"
        "from newsum.cli import main\n"
        "main(['methods'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('newsum.commands.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "['newsum.commands.methods']"
    assert main(["methods"]) == 0


@needs_data
def test_many_records_give_each_record_alone_and_errors_in_order(tmp_path: Path) -> None:
    """Records are summarized BATCH at a time (summarize_many): the same summaries as the API
    gives each record alone, and bad records reported in their place."""
    with gzip.open(VAL, "rt", encoding="utf-8") as fh:
        records = [json.loads(next(fh)) for _ in range(140)]
    lines = [json.dumps({"id": r["id"], "article": r["article"]}) for r in records]
    lines[5] = json.dumps({"id": "empty", "article": " "})
    lines[100] = "not json"
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run_cli("summarize", str(path), "--json", "--sentences", "2")
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        f"newsum: error: {path}:6: story is empty",
        f"newsum: error: {path}:101: not valid JSON (Expecting value)",
    ]
    got = [json.loads(line) for line in res.stdout.splitlines()]
    good = [r for k, r in enumerate(records) if k not in (5, 100)]
    assert [g["id"] for g in got] == [r["id"] for r in good]
    for out, rec in zip(got, good, strict=True):
        alone = newsum.summarize(rec["article"], sentences=2)
        assert [s["index"] for s in out["sentences"]] == alone.indices
        assert [s["text"] for s in out["sentences"]] == [s.text for s in alone.sentences]
