"""Cost of truecasing on the default path: lowercased CNN/DailyMail validation stories.

Times, in one run, `read_document` + `summarize_document` (default method) per story with
display text truecased for every sentence (as read_document does now), without truecasing, and
the truecasing of only the 3 chosen sentences (what a lazily made display text would cost).

    python benchmarks/bench_truecase.py [--stories 500]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import newsum.readers as readers
from newsum.methods.base import get_method
from newsum.segment import detokenize, normalize_space
from newsum.summarizer import summarize_document
from newsum.truecase import table, truecase

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cnndm_val_4k.jsonl.gz"


def plain_display(source: str, tokenized: bool, lowercased: bool) -> str:
    return detokenize(source, capitalize=lowercased) if tokenized else normalize_space(source)


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
    table()

    def per_story() -> float:
        start = time.perf_counter()
        for text in articles:
            summarize_document(readers.read_document(text), method)
        return (time.perf_counter() - start) / len(articles) * 1e3

    truecased = readers.display_text
    per_story()  # warm up
    with_tc = per_story()
    readers.display_text = plain_display
    without = per_story()
    readers.display_text = truecased
    docs = [readers.read_document(text) for text in articles]
    chosen = [summarize_document(doc, method).indices for doc in docs]
    start = time.perf_counter()
    for doc, indices in zip(docs, chosen, strict=True):
        for i in indices:
            truecase(doc.sentences[i].text)
    only = (time.perf_counter() - start) / len(articles) * 1e3
    print(f"{len(articles)} lowercased stories, default method, ms per story:")
    print(f"  read + summarize, every sentence truecased: {with_tc:.2f}")
    print(f"  read + summarize, no truecasing:            {without:.2f}")
    print(f"  truecasing the 3 chosen sentences only:     {only:.3f}")


if __name__ == "__main__":
    main()
