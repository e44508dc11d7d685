"""`newsum eval` and `newsum score` in real processes, checked against rouge-score itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import VAL, needs_data, run_cli
from rouge_score import rouge_scorer

import newsum
from newsum.evaluate import candidate

STORIES = [
    {
        "id": "s1",
        "article": "The ferry will stay , voters said . "
        "The bridge plan was rejected by 61 percent . "
        "Fishermen were unhappy . The council will buy two new boats .",
        "highlights": "voters rejected the bridge plan .\nthe council will buy two new boats .",
    },
    {
        "id": "s2",
        "article": "Police arrested a man on Saturday . He was taken to hospital . "
        "The investigation continues . Officers appealed for witnesses .",
        "highlights": "police arrested a man .\nofficers appealed for witnesses .",
    },
]


def expected_f1(method: str) -> dict[str, float]:
    """Mean F1 x100 over STORIES computed with rouge-score on newsum's chosen sentences."""
    ref = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)
    totals = dict.fromkeys(["rouge1", "rouge2", "rougeL", "rougeLsum"], 0.0)
    for rec in STORIES:
        summary = newsum.summarize(rec["article"], method=method)
        scores = ref.score(rec["highlights"], candidate(summary.document, summary.indices))
        for k in totals:
            totals[k] += 100 * scores[k].fmeasure / len(STORIES)
    return totals


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_eval_table_and_report(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "data.jsonl", STORIES)
    out = tmp_path / "report"
    proc = run_cli(
        "eval", "--data", str(data), "--methods", "lead,centroid,oracle", "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    rows = {ln.split("|")[1].strip(): ln for ln in proc.stdout.splitlines() if ln.startswith("| ")}
    assert {"lead", "centroid", "oracle"} <= set(rows)
    report = json.loads((out / "report.json").read_text())
    assert report["stories"] == 2 and len(report["per_story"]) == 2
    for method in ("lead", "centroid"):
        want = expected_f1(method)
        got = report["methods"][method]["f1"]
        for metric, value in want.items():
            assert got[metric]["mid"] == pytest.approx(value, abs=1e-9)
            assert got[metric]["low"] <= got[metric]["mid"] <= got[metric]["high"]
    oracle = report["methods"]["oracle"]["f1"]["rouge1"]["mid"]
    assert oracle >= report["methods"]["lead"]["f1"]["rouge1"]["mid"]
    assert (out / "report.md").read_text().count("| lead |") == 1
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_rejects_unknown_method_and_bad_data(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "data.jsonl", STORIES)
    proc = run_cli("eval", "--data", str(data), "--methods", "lead,nope")
    assert proc.returncode == 2 and "unknown method 'nope'" in proc.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "article": "A story."}\n')
    proc = run_cli("eval", "--data", str(bad))
    assert proc.returncode == 2 and "'highlights'" in proc.stderr
    assert "Traceback" not in proc.stderr


@needs_data
def test_eval_on_validation_slice_matches_rouge_score() -> None:
    proc = run_cli(
        "eval", "--data", str(VAL), "--limit", "150", "--methods", "lead,oracle", "--quiet"
    )
    assert proc.returncode == 0, proc.stderr
    rows = [
        ln
        for ln in proc.stdout.splitlines()
        if ln.startswith("| lead") or ln.startswith("| oracle")
    ]
    r1 = {ln.split("|")[1].strip(): float(ln.split("|")[2].split()[0]) for ln in rows}
    assert r1["oracle"] > r1["lead"] + 10


def test_score_jsonl_by_id_and_text_files(tmp_path: Path) -> None:
    refs = write_jsonl(
        tmp_path / "refs.jsonl",
        [
            {"id": "a", "highlights": "the cat sat on the mat .\nit was happy ."},
            {"id": "b", "highlights": "dogs bark at night ."},
        ],
    )
    cands = write_jsonl(
        tmp_path / "cands.jsonl",
        [
            {"id": "b", "summary": ["dogs bark loudly at night ."]},
            {"id": "a", "sentences": [{"text": "the cat sat ."}, {"text": "it was happy ."}]},
        ],
    )
    proc = run_cli("score", "--refs", str(refs), "--cands", str(cands), "--json")
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)["f1"]
    ref = rouge_scorer.RougeScorer(["rouge1", "rougeLsum"], use_stemmer=True)
    pairs = [
        ("the cat sat on the mat .\nit was happy .", "the cat sat .\nit was happy ."),
        ("dogs bark at night .", "dogs bark loudly at night ."),
    ]
    for metric in ("rouge1", "rougeLsum"):
        want = sum(100 * ref.score(r, c)[metric].fmeasure for r, c in pairs) / 2
        assert got[metric]["mid"] == pytest.approx(want, abs=1e-9)
    # The same pairs as text files, one summary per line, sentences split by <n>.
    (tmp_path / "refs.txt").write_text(
        "the cat sat on the mat . <n> it was happy .\ndogs bark at night .\n"
    )
    (tmp_path / "cands.txt").write_text(
        "the cat sat . <n> it was happy .\ndogs bark loudly at night .\n"
    )
    proc = run_cli(
        "score",
        "--refs",
        str(tmp_path / "refs.txt"),
        "--cands",
        str(tmp_path / "cands.txt"),
        "--json",
    )
    assert json.loads(proc.stdout)["f1"] == got


def test_score_mismatches_are_errors(tmp_path: Path) -> None:
    refs = write_jsonl(
        tmp_path / "refs.jsonl",
        [{"id": "a", "highlights": "x y z ."}, {"id": "b", "highlights": "p q ."}],
    )
    cands = write_jsonl(
        tmp_path / "cands.jsonl", [{"id": "a", "summary": "x y ."}, {"id": "c", "summary": "p ."}]
    )
    proc = run_cli("score", "--refs", str(refs), "--cands", str(cands))
    assert proc.returncode == 2 and "ids do not match" in proc.stderr
    (tmp_path / "three.txt").write_text("a .\nb .\nc .\n")
    (tmp_path / "two.txt").write_text("a .\nb .\n")
    proc = run_cli(
        "score", "--refs", str(tmp_path / "three.txt"), "--cands", str(tmp_path / "two.txt")
    )
    assert proc.returncode == 2 and "3 references but 2 candidates" in proc.stderr
    proc = run_cli(
        "score", "--refs", str(tmp_path / "missing.txt"), "--cands", str(tmp_path / "two.txt")
    )
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_score_empty_candidates_count_as_zero(tmp_path: Path) -> None:
    (tmp_path / "refs.txt").write_text("the cat sat .\nthe dog ran .\n")
    (tmp_path / "cands.txt").write_text("the cat sat .\n\n")
    proc = run_cli(
        "score",
        "--refs",
        str(tmp_path / "refs.txt"),
        "--cands",
        str(tmp_path / "cands.txt"),
        "--json",
    )
    assert proc.returncode == 0
    assert "1 empty candidate(s) scored 0" in proc.stderr
    out = json.loads(proc.stdout)
    assert out["pairs"] == 2 and out["f1"]["rouge1"]["mid"] == pytest.approx(50.0)
