"""Smoke test of an installed newsum (run with the fresh venv's python, standard library only):
HTML input through the CLI, a URL (served from the fixtures on loopback), HTML through the
service, and the README's other commands on a tiny data set (batch to JSONL.gz and Parquet, the
Dask engine, eval with its chart, score). Any failure exits non-zero with the reason."""

from __future__ import annotations

import functools
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
PAGES = sorted(FIXTURES.glob("news_*.html"))


def check(ok: bool, what: str) -> None:
    if not ok:
        sys.exit(f"smoke test failed: {what}")


def summarize(arg: str) -> None:
    proc = subprocess.run(["newsum", "summarize", arg], capture_output=True, text=True, timeout=120)
    check(proc.returncode == 0 and proc.stdout.strip(), f"newsum summarize {arg}: {proc.stderr}")
    print(f"ok: newsum summarize {arg} ({len(proc.stdout.splitlines())} lines)")


def newsum(*args: str, cwd: Path) -> None:
    proc = subprocess.run(["newsum", *args], capture_output=True, text=True, cwd=cwd, timeout=300)
    check(proc.returncode == 0, f"newsum {' '.join(args)}: {proc.stderr}")
    print(f"ok: newsum {' '.join(args)}")


def other_commands() -> None:
    """The README's batch, eval and score commands on three records."""
    story = (ROOT / "examples" / "story.txt").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = [
            {"id": str(i), "article": story, "highlights": "the ferry stays .\nvoters kept it ."}
            for i in range(3)
        ]
        (folder / "stories.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
        (folder / "summary.txt").write_text("The island kept its ferry. 9,300 people voted.\n")
        for command in (
            "methods",
            "batch stories.jsonl out.jsonl.gz --workers 2 --quiet",
            "batch stories.jsonl out.parquet --quiet",
            "batch stories.jsonl dask.jsonl --engine dask --workers 1 --quiet",
            "eval --data stories.jsonl --methods lead,oracle --out report",
            "score --refs stories.jsonl --cands stories.jsonl",
            "eval --data stories.jsonl --methods lead --faithfulness",
            f"check {ROOT / 'examples' / 'story.txt'} --summary summary.txt --json",
        ):
            newsum(*command.split(), cwd=folder)
        check((folder / "report" / "report.png").stat().st_size > 0, "eval wrote no chart")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    check(bool(PAGES), f"no news_*.html fixtures in {FIXTURES}")
    other_commands()
    for page in PAGES:
        summarize(str(page))

    # A URL: the same pages served over HTTP on loopback.
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(FIXTURES))
    site = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        summarize(f"http://127.0.0.1:{site.server_port}/{PAGES[0].name}")
    finally:
        site.shutdown()

    # The service: an HTML body must be summarized (200), not refused.
    port = free_port()
    serve = subprocess.Popen(
        ["newsum", "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            check(serve.poll() is None, "newsum serve exited")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):
                    break
            except OSError:
                check(time.monotonic() < deadline, "newsum serve did not start within 60 s")
                time.sleep(0.2)
        body = json.dumps({"html": PAGES[0].read_text(encoding="utf-8")}).encode()
        request = urllib.request.Request(
            url + "/v1/summarize", body, {"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, answer = response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            status, answer = exc.code, exc.read().decode("utf-8", "replace")
        check(status == 200, f"POST /v1/summarize with html: {status} {answer}")
        check(bool(answer["sentences"]), "POST /v1/summarize with html: no sentences")
        print(f"ok: newsum serve, POST html ({len(answer['sentences'])} sentences)")
        body = json.dumps({"story": "Power was cut on Monday.", "summary": "It was Friday."})
        request = urllib.request.Request(
            url + "/v1/check", body.encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            check(response.status == 200, f"POST /v1/check: {response.status}")
        print("ok: newsum serve, POST /v1/check")
    finally:
        serve.terminate()
        serve.wait(timeout=30)


if __name__ == "__main__":
    main()
