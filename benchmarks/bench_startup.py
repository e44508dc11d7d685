"""Wall time of `newsum summarize STORY`, start-up included, against a bare `python -c pass`.

Bytecode is cached as in an installed package: the warm-up runs write newsum's .pyc files even
where PYTHONDONTWRITEBYTECODE is set (without them every run compiles newsum's sources, ~20 ms).

python benchmarks/bench_startup.py [STORY] [--runs 20] [--method lead]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STORY = ROOT.parent / "shared" / "examples" / "dailymail_story.txt"


def wall(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("story", nargs="?", default=str(DEFAULT_STORY))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--method", default=None)
    args = ap.parse_args()
    newsum_cmd = [str(Path(sys.executable).with_name("newsum")), "summarize", args.story]
    if args.method:
        newsum_cmd += ["--method", args.method]
    writes_pyc = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    wall(newsum_cmd, 2, writes_pyc)  # warm the file cache and write the bytecode
    base = wall([sys.executable, "-c", "pass"], args.runs)
    ours = wall(newsum_cmd, args.runs)
    print(f"{args.runs} runs each; story {args.story}")
    print("| command | median s | min s | max s |")
    print("|---|---|---|---|")
    for name, t in (("python -c pass", base), (" ".join(newsum_cmd[1:]), ours)):
        print(f"| {name} | {statistics.median(t):.3f} | {min(t):.3f} | {max(t):.3f} |")
    print(f"newsum / bare python: {statistics.median(ours) / statistics.median(base):.2f}x")


if __name__ == "__main__":
    main()
