"""Cost of truecasing on the default path: lowercased CNN/DailyMail validation stories.

Times, in one run, read + summarize (default method) + the summary's text per story: as
newsum does it (display text truecased lazily, for the shown sentences only), with truecasing
switched off, and with every sentence truecased (the eager way, for comparison); then
`truecase` alone on every sentence's display text (CPU, best of 5 passes).

    python benchmarks/bench_truecase.py [--stories 500]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import newsum.truecase as tc
from newsum.methods.base import get_method
from newsum.readers import read_document
from newsum.summarizer import summarize_document

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cnndm_val_4k.jsonl.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--stories", type=int, default=500)
    args = ap.parse_args()
    with gzip.open(args.data, "rt", encoding="utf-8") as fh:
        articles = [
            json.loads(line)["article"] for _, line in zip(range(args.stories), fh, strict=False)
        ]
    method = get_method("model")
    tc.table()

    def per_story(every: bool = False) -> float:
        start = time.perf_counter()
        for text in articles:
            doc = read_document(text)
            str(summarize_document(doc, method))
            if every:
                [s.text for s in doc.sentences]  # noqa: B018 (truecase them all)
        return (time.perf_counter() - start) / len(articles) * 1e3

    per_story()  # warm up
    lazy = per_story()
    eager = per_story(every=True)
    truecase = tc.truecase
    tc.truecase = lambda text: text  # Sentence.text looks it up when first read
    try:
        without = per_story()
    finally:
        tc.truecase = truecase
    print(f"{len(articles)} lowercased stories, default method, ms per story:")
    print(f"  read + summarize, shown sentences truecased (newsum): {lazy:.2f}")
    print(f"  read + summarize, every sentence truecased:          {eager:.2f}")
    print(f"  read + summarize, no truecasing:                     {without:.2f}")
    sentences = [s.plain for text in articles for s in read_document(text).sentences]
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for text in sentences:
            truecase(text)
        best = min(best, time.process_time() - start)
    print(f"truecase alone, {len(sentences)} sentences: {best / len(sentences) * 1e6:.1f} us each")


if __name__ == "__main__":
    main()
