"""FRANK validation: newsum.check against human factuality, beside the published metrics.

    python benchmarks/bench_check.py --data ../shared/data/frank_factuality_valid.jsonl.gz

Prints partial Pearson and Spearman correlations (system as control variable, FRANK's protocol)
on CNN/DM, XSum and all records for the check score and for every metric FRANK published for the
same records (a metric missing on some records is measured on those it has, n shown), the
correlation with each error type, and the speed in story/summary pairs per second on one core
(reading the story included, and on stories already read).
"""

from __future__ import annotations

import argparse
import sys
import time

from newsum.check import check
from newsum.check.frank import load_frank, partial_corr, subset
from newsum.readers import read_document

ERROR_TYPES = ("RelE", "EntE", "CircE", "OutE", "GramE", "CorefE", "LinkE", "Other")


def correlations(records: list[dict], scores: list[float | None]) -> list[str]:
    cells = []
    for name in ("cnndm", "xsum", "all"):
        idx = [i for i in subset(records, name) if scores[i] is not None]
        if len(idx) < 10:
            cells.append(f"{'n/a':>13s}")
            continue
        args = (
            [scores[i] for i in idx],
            [records[i]["factuality"] for i in idx],
            [records[i]["system"] for i in idx],
        )
        r, rho = partial_corr(*args), partial_corr(*args, spearman=True)
        full = len(idx) == len(subset(records, name))
        cells.append(f"{r:6.3f} {rho:6.3f}" + (" " if full else "*"))
    return cells


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="FRANK split (JSONL, gzipped or not)")
    args = ap.parse_args()
    records = load_frank(args.data)

    started = time.perf_counter()
    results = [check(r["article"], r["summary"]) for r in records]
    with_reading = len(records) / (time.perf_counter() - started)
    started = time.perf_counter()
    docs = [read_document(r["article"]) for r in records]
    reading = len(records) / (time.perf_counter() - started)
    started = time.perf_counter()
    for doc, r in zip(docs, records, strict=True):
        check(doc, r["summary"])
    read_already = len(records) / (time.perf_counter() - started)

    counts = {n: len(subset(records, n)) for n in ("cnndm", "xsum", "all")}
    print(
        f"FRANK validation: {counts['cnndm']} CNN/DM + {counts['xsum']} XSum summaries; "
        "partial correlation with human factuality, system as control (Pearson r, Spearman rho)"
    )
    print(f"{'metric':22s} {'CNN/DM r  rho':>14s} {'XSum r  rho':>14s} {'all r  rho':>14s}")
    print(f"{'newsum check':22s}", *correlations(records, [c.score for c in results]))
    for metric in records[0]["published_metrics"]:
        values = [r["published_metrics"].get(metric) for r in records]
        print(f"{metric:22s}", *correlations(records, values))
    print("* measured on the records that have the metric")
    print()
    print("per error type (1 = no such error), partial Pearson r on all records:")
    scores = [c.score for c in results]
    systems = [r["system"] for r in records]
    cells = []
    for kind in ERROR_TYPES:
        labels = [r["errors"][kind] for r in records]
        cells.append(f"{kind} {partial_corr(scores, labels, systems):.3f}")
    print("  ".join(cells))
    print()
    print(
        f"speed: {with_reading:.0f} pairs/s reading the story (read_document) and checking; "
        f"{read_already:.0f} pairs/s on stories already read; read_document alone "
        f"{reading:.0f} stories/s (one core)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
