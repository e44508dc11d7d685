"""The `llm` method against a local stub server: protocol, grounding, checking, failures.

The happy path against a real model server is in tests/test_llm_server.py.
"""

from __future__ import annotations

import json

import pytest
from conftest import SHIPPED_EXAMPLE, run_cli
from llm_stub import chat_answer, highlights, stub_server

import newsum
from newsum.errors import NewsumError
from newsum.llm.client import LLMClient, LLMError, LLMUnavailable
from newsum.llm.prompt import AnswerError, build_messages, context_sentences, parse_answer

STORY = SHIPPED_EXAMPLE.read_text(encoding="utf-8")
GOOD = (
    ("Port Ellis voted on Saturday to keep its island ferry.", [1]),
    ("61.4 percent of the 8,200 voters backed the ferry.", [5]),
    ("The council will spend $18 million on two new boats.", [9]),
)


def ok(*items):
    return lambda body: (200, highlights(*items), 0)


def llm(url: str, **kw):
    return newsum.get_method("llm", url=url, model="stub", **kw)


def summarize(url: str, text: str = STORY, **kw):
    length = {k: kw.pop(k) for k in ("sentences", "words") if k in kw}
    return newsum.summarize(text, method=llm(url, **kw), **length)


# ----------------------------------------------------------------------------- grounding


def test_highlights_are_checked_and_traced_to_story_sentences():
    with stub_server(ok(*GOOD)) as (url, seen):
        summary = summarize(url)
    assert [s.text for s in summary.sentences] == [t for t, _ in GOOD]
    doc = summary.document
    for item in summary.sentences:
        d = item.to_dict()
        assert d["index"] is None and d["start"] is None and d["end"] is None
        assert d["supported"] is True and d["unsupported"] == []
        assert d["sources"], d
        assert 0.0 <= d["score"] <= 1.0
        # The first source is a sentence that really states the highlight's key fact.
        best = doc.sentences[d["sources"][0]].text
        key = {"Port": "ferry", "61.4": "61.4", "The": "$18 million"}[item.text.split()[0]]
        assert key in best
    # The prompt numbered the story's sentences from 1 and asked for JSON.
    sent = seen[0]["body"]
    prompt = sent["messages"][-1]["content"]
    assert f"[1] {doc.sentences[0].text}" in prompt
    assert "JSON" in prompt and sent["model"] == "stub"
    assert summary.settings["llm"]["model"] == "stub"
    assert summary.settings["llm"]["server"] == url


def test_swapped_number_is_unsupported_and_marked():
    bad = ("61.4 percent of the 9,300 voters backed the ferry.", [5])
    with stub_server(ok(GOOD[0], bad)) as (url, _):
        summary = summarize(url)
    wrong = summary.sentences[1].to_dict()
    assert wrong["supported"] is False
    spans = [bad[0][u["start"] : u["end"]] for u in wrong["unsupported"]]
    assert any("9,300" in s for s in spans), spans
    assert summary.sentences[0].supported is True


def test_strict_replaces_an_unsupported_highlight_with_a_story_sentence():
    bad = ("The mayor resigned after losing the vote in Paris.", [2])
    with stub_server(ok(GOOD[0], bad)) as (url, _):
        summary = summarize(url, strict=True)
    second = summary.sentences[1].to_dict()
    assert second["index"] is not None and second["replaced"] == bad[0]
    assert second["text"] == summary.document.sentences[second["index"]].text
    assert summary.settings["llm"]["replaced"] == 1
    assert any("replaced 1" in w for w in summary.settings["llm"]["warnings"])


def test_citation_of_a_missing_sentence_is_repaired_once():
    answers = [highlights(("Port Ellis voted to keep its ferry.", [99])), highlights(GOOD[0])]
    with stub_server(lambda body: (200, answers.pop(0), 0)) as (url, seen):
        summary = summarize(url, sentences=1)
    assert len(seen) == 2
    repair = seen[1]["body"]["messages"][-1]["content"]
    assert "99" in repair and "not among" in repair
    assert summary.sentences[0].text == GOOD[0][0]


def test_citation_still_wrong_after_repair_falls_back_to_the_checker_alignment():
    wrong = highlights(("Port Ellis voted to keep its ferry.", [99]))
    with stub_server(lambda body: (200, wrong, 0)) as (url, seen):
        summary = summarize(url, sentences=1)
    item = summary.sentences[0].to_dict()
    assert item["cited"] == [] and item["sources"], item
    assert any("99" in n for n in summary.settings["llm"]["notes"])


def test_prose_instead_of_json_is_repaired_then_refused():
    prose = chat_answer("Here are the highlights: the town kept its ferry.")
    with stub_server(lambda body: (200, prose, 0)) as (url, seen):
        with pytest.raises(LLMUnavailable, match="unusable twice"):
            summarize(url)
    assert len(seen) == 2


def test_json_inside_a_code_fence_and_prose_is_accepted():
    text = "Sure!\n```json\n" + json.dumps({"highlights": [{"text": GOOD[0][0], "sources": [1]}]})
    with stub_server(lambda body: (200, chat_answer(text + "\n```\nHope it helps."), 0)) as (
        url,
        seen,
    ):
        summary = summarize(url, sentences=1)
    assert len(seen) == 1 and summary.sentences[0].text == GOOD[0][0]


def test_more_highlights_than_asked_are_cut_and_words_budget_holds():
    with stub_server(ok(*GOOD)) as (url, _):
        assert len(summarize(url, sentences=2)) == 2
    with stub_server(ok(*GOOD)) as (url, seen):
        summary = summarize(url, words=20)
    assert sum(len(s.text.split()) for s in summary.sentences) <= 20
    assert "at most 20 words" in seen[0]["body"]["messages"][-1]["content"]


def test_long_story_sends_only_the_best_ranked_sentences_within_the_context_budget():
    story = " ".join(f"Filler sentence number {i} says very little here." for i in range(300))
    story = "A volcano erupted in Iceland on Monday, forcing 4,000 people to flee. " + story
    with stub_server(ok(("A volcano erupted in Iceland on Monday.", [1]))) as (url, seen):
        summarize(url, story, context_chars=1000, sentences=1)
    prompt = seen[0]["body"]["messages"][-1]["content"]
    numbered = [line for line in prompt.splitlines() if line.startswith("[")]
    assert 1 <= len(numbered) < 300
    assert sum(len(line) for line in numbered) <= 1000
    assert any("volcano" in line for line in numbered)


# ----------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    "reply, match",
    [
        (lambda b: (200, {"choices": []}, 0), "no choices"),
        (lambda b: (200, chat_answer(""), 0), "empty message"),
        (lambda b: (200, b"<html>not json</html>", 0), "not JSON"),
        (lambda b: (503, {"error": {"message": "overloaded"}}, 0), "HTTP 503"),
        (lambda b: (429, {"error": "slow down"}, 0), "HTTP 429"),
    ],
)
def test_transient_failures_are_retried_then_reported(reply, match):
    with stub_server(reply) as (url, seen):
        client = LLMClient(url, "stub", retries=1, backoff=0.01)
        with pytest.raises(LLMUnavailable, match=match):
            client.chat([{"role": "user", "content": "hi"}])
    assert len(seen) == 2  # one retry


def test_refusal_is_an_error_naming_it():
    refusal = chat_answer(None, refusal="I cannot help with that.")
    with stub_server(lambda b: (200, refusal, 0)) as (url, seen):
        with pytest.raises(LLMError, match="refused"):
            LLMClient(url, "stub", retries=0).chat([{"role": "user", "content": "x"}])


def test_unauthorized_is_not_retried_and_the_key_is_never_shown():
    secret = "sk-test-very-secret"
    with stub_server(lambda b: (401, {"error": {"message": "bad key"}}, 0)) as (url, seen):
        client = LLMClient(url, "stub", api_key=secret, retries=3, backoff=0.01)
        with pytest.raises(LLMError) as info:
            client.chat([{"role": "user", "content": "x"}])
    assert len(seen) == 1
    assert seen[0]["headers"]["Authorization"] == f"Bearer {secret}"
    assert secret not in str(info.value) and secret not in repr(client)


def test_a_server_rejecting_response_format_is_asked_again_without_it():
    def reply(body):  # llama-cpp-python answers 500 to an unknown format: not retried as such
        if "response_format" in body:
            return 500, {"error": {"message": "response_format: not supported"}}, 0
        return 200, highlights(GOOD[0]), 0

    with stub_server(reply) as (url, seen):
        summary = summarize(url, sentences=1)
    formats = [r["body"].get("response_format", {}).get("type") for r in seen]
    assert formats == ["json_schema", "json_object", "json_object", None]
    assert "schema" in seen[1]["body"]["response_format"]  # llama.cpp's schema-constrained JSON
    assert summary.sentences[0].text == GOOD[0][0]


def test_total_timeout():
    with stub_server(lambda b: (200, highlights(GOOD[0]), 3.0)) as (url, seen):
        client = LLMClient(url, "stub", timeout=0.5, retries=0)
        with pytest.raises(LLMUnavailable, match="did not answer"):
            client.chat([{"role": "user", "content": "x"}])


def test_unreachable_server_is_an_error_or_an_extractive_fallback():
    url = "http://127.0.0.1:9/v1"  # the discard port: nothing listens
    with pytest.raises(LLMUnavailable, match="unreachable"):
        newsum.summarize(STORY, method=newsum.get_method("llm", url=url, model="m"))
    method = newsum.get_method("llm", url=url, model="m", fallback="extractive")
    summary = newsum.summarize(STORY, method=method)
    expected = newsum.summarize(STORY, method="model")
    assert summary.indices == expected.indices
    assert summary.settings["llm"]["fallback"] == "extractive"
    assert any("unreachable" in w for w in summary.settings["llm"]["warnings"])


def test_missing_configuration_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("NEWSUM_LLM_URL", raising=False)
    monkeypatch.delenv("NEWSUM_LLM_MODEL", raising=False)
    with pytest.raises(NewsumError, match="--llm-url"):
        newsum.summarize(STORY, method="llm")


# ----------------------------------------------------------------------------- prompt units


def test_parse_answer_accepts_common_shapes_and_rejects_empty():
    shown = [0, 1, 2]
    drafts, problems = parse_answer('[{"text": "A.", "sources": ["1", "[3]"]}, "B."]', shown, 3)
    assert [(d.text, d.sources) for d in drafts] == [("A.", [0, 2]), ("B.", [])]
    assert problems == []
    with pytest.raises(AnswerError):
        parse_answer('{"highlights": [{"text": ""}]}', shown, 3)
    with pytest.raises(AnswerError):  # punctuation only is no highlight either
        parse_answer('{"highlights": [{"text": "..."}, {"text": " - "}]}', shown, 3)
    with pytest.raises(AnswerError):
        parse_answer("no json here", shown, 3)


def test_context_sentences_keeps_story_order():
    texts = ["a" * 50, "b" * 50, "c" * 50, "d" * 50]
    assert context_sentences(texts, [2, 0, 1, 3], 10_000) == [0, 1, 2, 3]
    assert context_sentences(texts, [2, 0, 1, 3], 120) == [0, 2]
    msgs = build_messages(texts, [0, 2], 2)
    assert "[1] " + "a" * 50 in msgs[-1]["content"] and "[3] " in msgs[-1]["content"]
    assert "[2] " not in msgs[-1]["content"]


# ----------------------------------------------------------------------------- CLI


def test_cli_json_keeps_the_shape_and_says_which_model(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    with stub_server(ok(*GOOD)) as (url, _):
        proc = run_cli(
            "summarize", str(story), "-m", "llm", "--llm-url", url, "--llm-model", "stub", "--json"
        )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["method"] == "llm" and out["settings"]["llm"]["model"] == "stub"
    assert [s["text"] for s in out["sentences"]] == [t for t, _ in GOOD]
    assert all(s["index"] is None and s["sources"] for s in out["sentences"])


def test_cli_errors_are_one_line_and_fallback_warns(tmp_path, monkeypatch):
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    secret = "sk-never-print-me"
    monkeypatch.setenv("NEWSUM_LLM_API_KEY", secret)
    args = ("summarize", str(story), "-m", "llm", "--llm-url", "http://127.0.0.1:9/v1")
    proc = run_cli(*args, "--llm-model", "m")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "unreachable" in proc.stderr
    proc = run_cli(*args, "--llm-model", "m", "--fallback", "extractive")
    assert proc.returncode == 0 and 2 <= len(proc.stdout.splitlines()) <= 3  # model: 2 or 3
    assert "warning" in proc.stderr and "extractive" in proc.stderr
    assert secret not in proc.stdout + proc.stderr
    monkeypatch.delenv("NEWSUM_LLM_URL", raising=False)
    proc = run_cli("summarize", str(story), "-m", "llm")
    assert proc.returncode == 2 and "--llm-url" in proc.stderr


def test_eval_runs_llm_beside_model_with_faithfulness(tmp_path):
    data = tmp_path / "stories.jsonl"
    refs = "port ellis voted to keep its ferry .\n61.4 percent backed the ferry ."
    data.write_text(
        "\n".join(
            json.dumps({"id": str(i), "article": STORY, "highlights": refs}) for i in range(3)
        ),
        encoding="utf-8",
    )
    with stub_server(ok(*GOOD)) as (url, seen):
        proc = run_cli(
            "eval", "--data", str(data), "--methods", "model,llm", "--limit", "2",
            "--faithfulness", "--llm-url", url, "--llm-model", "stub", "--quiet",
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = {line.split("|")[1].strip(): line for line in proc.stdout.splitlines() if "|" in line}
    assert "llm" in rows and "model" in rows
    assert len(seen) >= 2  # one request per story at least


def test_batch_llm_caps_concurrency_and_resumes(tmp_path):
    import threading
    import time

    data = tmp_path / "in.jsonl"
    data.write_text(
        "\n".join(json.dumps({"id": str(i), "article": STORY}) for i in range(12)),
        encoding="utf-8",
    )
    state = {"now": 0, "most": 0}
    lock = threading.Lock()

    def reply(body):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.2)
        with lock:
            state["now"] -= 1
        return 200, highlights(*GOOD), 0

    out = tmp_path / "out.jsonl"
    with stub_server(reply) as (url, seen):
        args = ("batch", str(data), str(out), "-m", "llm", "--llm-url", url, "--llm-model", "s")
        proc = run_cli(*args, "--llm-concurrency", "3", "--chunk-size", "5", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert 1 < state["most"] <= 3
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [str(i) for i in range(12)]
    for r in records:
        assert r["summary"] == [t for t, _ in GOOD]
        assert all(h["sources"] for h in r["highlights"])
    # The server gone: every record is an error line (exit 2), nothing half-written.
    out2 = tmp_path / "out2.jsonl"
    proc = run_cli("batch", str(data), str(out2), "-m", "llm", "--llm-url",
                   "http://127.0.0.1:9/v1", "--llm-model", "s", "--quiet")  # fmt: skip
    assert proc.returncode in (1, 2)
    errors = (tmp_path / "out2.jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(errors) == 12 and "unreachable" in errors[0]
