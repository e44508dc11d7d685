"""ROUGE of methods on the two halves of validation: "tune" (the first 2,000 stories) and
"held" (the other 2,368), and all of it, as `newsum eval` scores them (docs/model.md).

    python benchmarks/val_halves.py lead model [--data FILE.jsonl.gz]
"""

from __future__ import annotations

import argparse
import statistics

from bench_methods import DEFAULT_DATA

from newsum.evaluate import choose, load_stories, score_pairs

TUNE = 2000
METRICS = ("rouge1", "rouge2", "rougeLsum")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("methods", nargs="+")
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    args = ap.parse_args()
    stories, _ = load_stories(args.data)
    refs = [s.reference for s in stories]
    halves = {"tune": slice(0, TUNE), "held": slice(TUNE, None), "full": slice(None)}
    print(f"{len(stories)} stories from {args.data}; R1 / R2 / RLsum F1 x100")
    print("| method | " + " | ".join(halves) + " |\n|---|---|---|---|")
    for method in args.methods:
        scores = score_pairs(refs, choose(stories, method, 3, False)[0])
        cells = [
            " / ".join(f"{statistics.fmean(scores[m][part]):.2f}" for m in METRICS)
            for part in halves.values()
        ]
        print(f"| {method} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
