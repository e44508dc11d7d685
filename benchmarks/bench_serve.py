"""Load benchmark for `newsum serve` (a benchmark, not a test): N clients for M seconds.

Each client is a thread with its own keep-alive HTTP connection that posts the same story to
POST /v1/summarize as fast as it is answered (with --batch N, N copies of it a request to
POST /v1/summarize/batch, stories/s counting each copy; the same clients first post the story
one a request to the same server for as long: the baseline of the ratio). Prints requests/s,
latency percentiles, the error count and the server's memory (RSS, the server and all its
processes) before and after the load. With --worst N, N more clients post worst-case stories
(thousands of one-word sentences on one line) at the same time; the figures are then those of
the normal clients, with the worst-case answers counted by status. Loopback only; every loop
ends at --seconds.

    python benchmarks/bench_serve.py --clients 16 --seconds 20 --story story.txt
    python benchmarks/bench_serve.py --clients 16 --seconds 20 --worst 4 --timeout 5
    python benchmarks/bench_serve.py --clients 4 --seconds 20 --batch 64
    python benchmarks/bench_serve.py --url http://127.0.0.1:8000 --pid 1234   # a running server
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

SAMPLE = Path(__file__).resolve().parents[1] / "newsum" / "server" / "static" / "sample.txt"
LOOPBACK = ("127.", "localhost", "[::1]", "::1")


def _descendants(pid: int) -> list[int]:
    """The process and all its descendants (worker pools fork grandchildren)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [
                    int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()
                ]
        except OSError:
            pass
    return found


def rss_kib(pid: int) -> dict[str, int]:
    """Resident memory now and at its peak (VmRSS / VmHWM, KiB) of a process and descendants."""
    pids = _descendants(pid)
    out = {"rss": 0, "peak": 0, "pss": 0, "processes": len(pids)}
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                out["rss"] += int(line.split()[1])
            elif line.startswith("VmHWM:"):
                out["peak"] += int(line.split()[1])
        try:  # PSS shares copy-on-write pages (forked workers) out fairly: the real total
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    out["pss"] += int(line.split()[1])
        except OSError:
            pass
    return out


def start_server(port: int, workers: int, timeout: float | None = None) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "newsum.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    if timeout is not None:
        cmd += ["--timeout", str(timeout)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("newsum serve did not start within 30 s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client(threading.Thread):
    """Posts `body` until `stop_at`, recording each latency (s) and each error."""

    def __init__(
        self,
        host: str,
        port: int,
        body: bytes,
        stop_at: float,
        worst: bool = False,
        path: str = "/v1/summarize",
    ) -> None:
        super().__init__(daemon=True)
        self.host, self.port, self.body, self.stop_at = host, port, body, stop_at
        self.path = path
        self.worst = worst  # a worst-case client: count answers by status, no error
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.statuses: dict[int, int] = {}

    def run(self) -> None:
        conn = None
        headers = {"Content-Type": "application/json", "Content-Length": str(len(self.body))}
        while time.perf_counter() < self.stop_at:
            if conn is None:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            started = time.perf_counter()
            try:
                conn.request("POST", self.path, body=self.body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                elapsed = time.perf_counter() - started
                if self.worst:
                    self.statuses[resp.status] = self.statuses.get(resp.status, 0) + 1
                    if resp.status == 503:
                        time.sleep(0.2)  # as a client honouring Retry-After would, roughly
                elif resp.status != 200 or not _summarized(json.loads(data)):
                    self.errors.append(f"HTTP {resp.status}: {data[:120]!r}")
                else:
                    self.latencies.append(elapsed)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = None
        if conn is not None:
            conn.close()


def _stories_per_s(
    host: str, port: int, body: bytes, path: str, clients: int, seconds: float, per_request: int
) -> float:
    """Stories/s of `clients` clients posting `body` to `path` for `seconds`."""
    stop_at = time.perf_counter() + seconds
    load = [Client(host, port, body, stop_at, path=path) for _ in range(clients)]
    started = time.perf_counter()
    for c in load:
        c.start()
    for c in load:
        c.join(seconds + 60)
    return sum(len(c.latencies) for c in load) * per_request / (time.perf_counter() - started)


def _summarized(answer: dict) -> bool:
    """Whether an answer has highlights (every story's, for a batch)."""
    if "results" in answer:
        return all(r.get("sentences") for r in answer["results"])
    return bool(answer.get("sentences"))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    ap.add_argument("--seconds", type=float, default=20, help="duration of the load (default 20)")
    ap.add_argument(
        "--url",
        default=None,
        help="a running server (loopback only); default: start `newsum serve`",
    )
    ap.add_argument("--pid", type=int, default=None, help="with --url: server pid for memory")
    ap.add_argument("--workers", type=int, default=1, help="workers of the server started")
    ap.add_argument("--story", default=str(SAMPLE), help="story text file to post")
    ap.add_argument("--method", default=None, help="method to ask for (default: server's)")
    ap.add_argument("--sentences", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring")
    ap.add_argument("--worst", type=int, default=0, help="worst-case clients mixed in (default 0)")
    ap.add_argument(
        "--worst-sentences",
        type=int,
        default=8000,
        help="one-word sentences on one line in a worst-case story (default 8000)",
    )
    ap.add_argument("--timeout", type=float, default=None, help="--timeout of the server started")
    ap.add_argument(
        "--batch", type=int, default=0, help="N copies of the story a request, to the batch route"
    )
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)
    if args.clients < 1 or not 0 < args.seconds <= 600:
        ap.error("need --clients >= 1 and 0 < --seconds <= 600")

    proc = None
    if args.url:
        parsed = urlparse(args.url)
        if not (parsed.hostname or "").startswith(LOOPBACK) and parsed.hostname != "localhost":
            ap.error("--url must be a loopback address (127.0.0.1, localhost or [::1])")
        host, port, pid = parsed.hostname, parsed.port or 80, args.pid
    else:
        host, port = "127.0.0.1", free_port()
        proc = start_server(port, args.workers, args.timeout)
        pid = proc.pid

    story = Path(args.story).read_text(encoding="utf-8")
    settings = {"sentences": args.sentences} | ({"method": args.method} if args.method else {})
    single = json.dumps({"text": story, **settings}).encode()
    body, path = single, "/v1/summarize"
    if args.batch:
        body = json.dumps({"stories": [{"text": story}] * args.batch, **settings}).encode()
        path += "/batch"
    per_request = max(args.batch, 1)
    worst_story = " ".join(f"Word{i}." for i in range(args.worst_sentences))
    worst_body = json.dumps({"text": worst_story}).encode()
    try:
        mem_start = rss_kib(pid) if pid else None
        if args.warmup > 0:
            warm = [
                Client(host, port, body, time.perf_counter() + args.warmup, path=path)
                for _ in range(min(args.clients, 4))
            ]
            for c in warm:
                c.start()
            for c in warm:
                c.join()
        baseline = None
        if args.batch:  # the same clients, one story a request, same server, as long
            baseline = _stories_per_s(
                host, port, single, "/v1/summarize", args.clients, args.seconds, 1
            )
        mem_before = rss_kib(pid) if pid else None
        stop_at = time.perf_counter() + args.seconds
        clients = [Client(host, port, body, stop_at, path=path) for _ in range(args.clients)]
        worst = [Client(host, port, worst_body, stop_at, worst=True) for _ in range(args.worst)]
        started = time.perf_counter()
        for c in worst + clients:
            c.start()
        for c in clients + worst:
            c.join(args.seconds + 60)
        wall = time.perf_counter() - started
        mem_after = rss_kib(pid) if pid else None
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)

    lat = [x for c in clients for x in c.latencies]
    errors = [e for c in clients for e in c.errors]
    worst_statuses: dict[str, int] = {}
    for c in worst:
        for status, n in c.statuses.items():
            worst_statuses[str(status)] = worst_statuses.get(str(status), 0) + n
        for e in c.errors:
            worst_statuses[e.split(":")[0]] = worst_statuses.get(e.split(":")[0], 0) + 1
    figures = {
        "clients": args.clients,
        "seconds": round(wall, 2),
        "story_chars": len(story),
        "method": args.method or "default",
        "requests": len(lat),
        "requests_per_s": round(len(lat) / wall, 1),
        "stories_a_request": per_request,
        "stories_per_s": round(len(lat) * per_request / wall, 1),
        "one_a_request_stories_per_s": round(baseline, 1) if baseline else None,
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p90_ms": round(percentile(lat, 90) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "max_ms": round(max(lat, default=float("nan")) * 1000, 1),
        "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
        "errors": len(errors),
        "worst_clients": args.worst,
        "worst_story_chars": len(worst_story) if args.worst else None,
        "worst_answers": worst_statuses,
        "server_processes": mem_after["processes"] if mem_after else None,
        "rss_start_mib": round(mem_start["rss"] / 1024, 1) if mem_start else None,
        "rss_before_mib": round(mem_before["rss"] / 1024, 1) if mem_before else None,
        "rss_after_mib": round(mem_after["rss"] / 1024, 1) if mem_after else None,
        "rss_peak_mib": round(mem_after["peak"] / 1024, 1) if mem_after else None,
        "pss_after_mib": round(mem_after["pss"] / 1024, 1) if mem_after else None,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(
            f"newsum serve load: {args.clients} clients x {wall:.1f} s, "
            f"story {len(story)} chars, method {figures['method']} ({figures['machine']})"
        )
        print(f"  requests      {figures['requests']}  ({figures['requests_per_s']} req/s)")
        print(
            f"  stories       {figures['stories_a_request']} a request"
            f" ({figures['stories_per_s']} stories/s)"
        )
        if baseline:
            print(
                f"  baseline      1 a request ({baseline:.1f} stories/s, before the batches):"
                f" batches x{figures['stories_per_s'] / baseline:.2f}"
            )
        print(
            f"  latency ms    p50 {figures['p50_ms']}  p90 {figures['p90_ms']}  "
            f"p99 {figures['p99_ms']}  max {figures['max_ms']}"
        )
        print(f"  errors        {figures['errors']}")
        if args.worst:
            print(
                f"  worst-case    {args.worst} clients, {len(worst_story)} chars each: answers "
                + ", ".join(f"{k}: {v}" for k, v in sorted(worst_statuses.items()))
            )
        if mem_before:
            print(
                f"  server RSS    at start {figures['rss_start_mib']} MiB  before load "
                f"{figures['rss_before_mib']} MiB  after "
                f"{figures['rss_after_mib']} MiB  (peak {figures['rss_peak_mib']} MiB, "
                f"{figures['server_processes']} processes; "
                f"PSS after {figures['pss_after_mib']} MiB)"
            )
        for e in errors[:5]:
            print("  error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
