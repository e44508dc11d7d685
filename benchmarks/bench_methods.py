"""Stories/s of each method, end to end (read -> split -> score -> select), one process.

Lead-3 is the reference row of the same run; `vs lead` is the ratio of each rate to Lead-3's.

    python benchmarks/bench_methods.py [--data ../shared/data/cnndm_val_4k.jsonl.gz] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import newsum
from newsum.methods.base import get_method

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cnndm_val_4k.jsonl.gz"


def load(path: str, limit: int | None) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        arts = [json.loads(line)["article"] for line in fh]
    arts = [a for a in arts if a.strip()]
    return arts[:limit] if limit else arts


def rate(articles: list[str], method: str) -> float:
    scorer = get_method(method)
    start = time.perf_counter()
    for text in articles:
        newsum.summarize(text, method=scorer)
    return len(articles) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--methods", default=",".join(newsum.available_methods()))
    args = ap.parse_args()
    articles = load(args.data, args.limit)
    methods = [m for m in args.methods.split(",") if m]
    names = ["lead"] + [m for m in methods if m != "lead"]
    rate(articles[:50], "lead")  # warm caches and lazy imports
    rates = {m: rate(articles, m) for m in names}
    print(f"{len(articles)} stories from {args.data}")
    print("| method | stories/s | vs lead |")
    print("|---|---|---|")
    for m in names:
        print(f"| {m} | {rates[m]:.0f} | {rates[m] / rates['lead']:.2f} |")


if __name__ == "__main__":
    main()
