"""Interrupt `newsum batch -j 2` at random moments, many times, and count the runs that hang.

A run that does not exit within --timeout seconds of its SIGINT is a hang: it gets SIGABRT and,
with PYTHONFAULTHANDLER set, prints every thread's stack. Each run summarizes the first
--stories validation stories with `lead` in chunks of 40 in a fresh folder.

    python tools/stress_batch_interrupt.py [--runs 80] [--stories 1200] [--seed 1]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cnndm_val_4k.jsonl.gz"


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=80)
    ap.add_argument("--stories", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=25.0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    hangs = 0
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.jsonl"
        with gzip.open(DATA, "rt", encoding="utf-8") as fh:
            source.write_text("".join(itertools.islice(fh, args.stories)), encoding="utf-8")
        for run in range(args.runs):
            folder = Path(tmp) / f"run{run}"
            folder.mkdir()
            cmd = [sys.executable, "-m", "newsum.cli", "batch", str(source), "out.jsonl"]
            cmd += ["--method", "lead", "-j", "2", "--chunk-size", "40", "--quiet"]
            proc = subprocess.Popen(
                cmd,
                cwd=folder,
                env=dict(os.environ, PYTHONFAULTHANDLER="1"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                preexec_fn=_default_sigint,
            )
            time.sleep(rng.uniform(0.3, 2.5))
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=args.timeout)
            except subprocess.TimeoutExpired:
                hangs += 1
                proc.send_signal(signal.SIGABRT)
                proc.wait()
                print(f"run {run} hung:\n{proc.stderr.read().decode()[-4000:]}", flush=True)
            else:
                proc.stderr.close()
            shutil.rmtree(folder)
    print(f"{args.runs} runs, {hangs} hung")
    return 1 if hangs else 0


if __name__ == "__main__":
    sys.exit(main())
