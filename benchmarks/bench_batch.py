"""Throughput, scaling and peak memory of `newsum batch`: 1 and 2 local workers, Dask LocalCluster.

    python benchmarks/bench_batch.py [--records 50000] [--chunk-size 500] [--method M] [--no-dask]

Builds (in a temp dir) the validation set repeated to at least --records stories with unique
ids, as JSONL.gz, runs the real `newsum batch` command on it once per configuration (default
method), and prints stories/s, scaling efficiency (2-worker rate / (2 x 1-worker rate)), the CPU
seconds used by all processes involved (a figure less disturbed by other load), and the
peak resident memory summed over the whole process tree (the command, its worker processes, and
for Dask the scheduler and worker processes of the cluster), sampled from /proc every 0.1 s.
A last run over a tenth of the records shows that peak memory does not grow with the input.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAL = ROOT.parent / "shared" / "data" / "cnndm_val_4k.jsonl.gz"
PAGE = os.sysconf("SC_PAGE_SIZE")
CLUSTER = """
import sys
from distributed import LocalCluster
cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                       dashboard_address=None)
print(cluster.scheduler_address, flush=True)
sys.stdin.read()
cluster.close()
"""


def build_input(path: Path, records: int, whole: bool = True) -> int:
    """The validation set repeated (ids made unique) to `records` stories, or to whole copies."""
    with gzip.open(VAL, "rt", encoding="utf-8") as fh:
        base = [json.loads(line) for line in fh]
    n = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        rep = 0
        while n < records:
            for rec in base:
                if n == records and not whole:
                    break
                out.write(json.dumps({"id": f"{rec['id']}-{rep}", "article": rec["article"]}))
                out.write("\n")
                n += 1
            rep += 1
    return n


def _tree(roots: list[int]) -> set[int]:
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found = {r for r in roots if r in parent}
    grew = True
    while grew:
        new = {pid for pid, pp in parent.items() if pp in found and pid not in found}
        found |= new
        grew = bool(new)
    return found


def _rss(pids: set[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


class PeakRSS:
    """Peak of the summed RSS of the process trees under `roots`, sampled in a thread."""

    def __init__(self, roots: list[int]) -> None:
        self.roots = roots
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss(_tree(self.roots)))
            self._stop.wait(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _cpu(pids: set[int]) -> float:
    """User + system CPU seconds of live processes (for the long-lived Dask cluster)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / ticks


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(inp: Path, out: Path, options: list[str], extra_roots: list[int]) -> dict:
    """One `newsum batch` run: wall time, CPU time of every process involved, peak RSS."""
    for stale in (out, Path(f"{out}.errors.jsonl")):
        stale.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "newsum.cli", "batch", str(inp), str(out), "-q", *options]
    cpu0, extra0 = _children_cpu(), _cpu(_tree(extra_roots))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    sampler = PeakRSS([proc.pid, *extra_roots])
    code = proc.wait()
    seconds = time.perf_counter() - start
    peak = sampler.stop()
    cpu = _children_cpu() - cpu0 + _cpu(_tree(extra_roots)) - extra0
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {code}")
    digest = hashlib.sha256(gzip.decompress(out.read_bytes())).hexdigest()[:16]
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mib": peak / 2**20,
        "digest": digest,
        "load": os.getloadavg()[0],
    }


def read_rate(inp: Path, chunk_size: int) -> float:
    """Stories/s the client alone reads and chunks (the ceiling of a Dask run's throughput)."""
    from newsum.batch import JsonlSource, iter_chunks

    start = time.perf_counter()
    n = sum(len(c.items) for c in iter_chunks(JsonlSource(str(inp)), chunk_size))
    return n / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=50_000)
    ap.add_argument("--chunk-size", type=int, default=500)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--method", default=None, help="default: newsum's default method")
    opts = ap.parse_args()
    chunk = ["--chunk-size", str(opts.chunk_size)]
    if opts.method:
        chunk += ["--method", opts.method]
    from newsum import default_method

    print(f"method: {opts.method or default_method()}")
    print(f"cpus: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp)
        inp = folder / "stories.jsonl.gz"
        n = build_input(inp, opts.records)
        small = folder / "small.jsonl.gz"
        n_small = build_input(small, opts.records // 10, whole=False)
        print(f"input: {n:,} stories ({inp.stat().st_size / 2**20:.0f} MiB gzip)")
        print(f"client read + chunk rate: {read_rate(inp, opts.chunk_size):,.0f} stories/s")
        results = {}
        configs = [("local, 1 worker", ["-j", "1"]), ("local, 2 workers", ["-j", "2"])]
        for name, options in configs:
            results[name] = run(inp, folder / "out.jsonl.gz", options + chunk, [])
        if not opts.no_dask:
            cluster = subprocess.Popen(
                [sys.executable, "-c", CLUSTER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            address = cluster.stdout.readline().strip()
            try:
                options = ["--engine", "dask", "--scheduler", address, *chunk]
                results["Dask LocalCluster, 2 workers"] = run(
                    inp, folder / "out.jsonl.gz", options, [cluster.pid]
                )
            finally:
                cluster.stdin.close()
                cluster.wait(timeout=60)
        small_run = run(small, folder / "small.jsonl.gz.out.gz", ["-j", "1", *chunk], [])

    one = n / results["local, 1 worker"]["seconds"]
    print()
    print(
        "| engine | stories/s | wall (s) | scaling efficiency | CPU (s) | stories/CPU-s "
        "| peak RSS (MiB, all processes) | load avg at end |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        rate = n / r["seconds"]
        eff = "—" if name == "local, 1 worker" else f"{rate / (2 * one):.0%}"
        print(
            f"| {name} | {rate:,.0f} | {r['seconds']:.1f} | {eff} | {r['cpu']:.0f} "
            f"| {n / r['cpu']:,.0f} | {r['peak_mib']:.0f} | {r['load']:.1f} |"
        )
    print(
        f"\npeak RSS, 1 worker, {n_small:,} stories: {small_run['peak_mib']:.0f} MiB "
        f"(vs {results['local, 1 worker']['peak_mib']:.0f} MiB for {n:,})"
    )
    digests = {r["digest"] for r in results.values()}
    print("outputs identical across engines:", "yes" if len(digests) == 1 else f"NO {digests}")


if __name__ == "__main__":
    main()
