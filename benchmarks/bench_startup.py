"""Wall time of `newsum summarize STORY`, start-up included, against a bare `python -c pass`.

Bytecode is cached as in an installed package: the warm-up runs write newsum's .pyc files even
where PYTHONDONTWRITEBYTECODE is set (without them every run compiles newsum's sources, ~20 ms).

With `--parts`, fresh processes also time the default method's start-up step by step: importing
numpy, importing newsum's command line, reading the model file (`ModelFile.load`), and the first
story (`newsum.summarize`, display text included). Medians over the runs.

python benchmarks/bench_startup.py [STORY] [--runs 20] [--method lead] [--parts]
"""

from __future__ import annotations

import argparse
import json
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


PARTS = """
import json, sys, time
t = [time.perf_counter()]
import numpy
t.append(time.perf_counter())
import newsum.cli, newsum.commands.summarize
t.append(time.perf_counter())
from newsum.methods import model
model._CACHE[str(model.MODEL_PATH)] = model.ModelFile.load(model.MODEL_PATH)
t.append(time.perf_counter())
newsum.summarize(open(sys.argv[1], encoding="utf-8").read())
t.append(time.perf_counter())
print(json.dumps([b - a for a, b in zip(t, t[1:])]))
"""
STEPS = ("import numpy", "import newsum.cli", "ModelFile.load", "first story")


def parts(story: str, runs: int) -> None:
    """Median ms of each start-up step, each run a fresh process."""
    rows = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PARTS, story], check=True, capture_output=True, text=True
        )
        rows.append(json.loads(out.stdout))
    print("| step | median ms |")
    print("|---|---|")
    for k, name in enumerate(STEPS):
        print(f"| {name} | {statistics.median(r[k] for r in rows) * 1e3:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("story", nargs="?", default=str(DEFAULT_STORY))
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--method", default=None)
    ap.add_argument("--parts", action="store_true", help="also time each start-up step")
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
    if args.parts:
        parts(args.story, args.runs)


if __name__ == "__main__":
    main()
