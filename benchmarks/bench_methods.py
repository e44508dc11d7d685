"""Stories/s of each method, end to end (text in, summary out), beside summa's TextRank.

Every method summarizes the same validation stories (the `article` field, 3 sentences) in one
process: newsum's methods through `newsum.summarize` (and the default one through
`newsum.summarize_many`, the batched entry point), and summa's TextRank
(`summa.summarizer.summarize(article, words=60)`, its own splitter) as the outside reference of
the same run. Rates are per CPU second of this process (wall seconds in brackets), which other
work on a shared machine disturbs less than wall time; `vs summa` is each rate over summa's.

    python benchmarks/bench_methods.py [--data ../shared/data/cnndm_val_4k.jsonl.gz] [--limit 1000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "cnndm_val_4k.jsonl.gz"


def load(path: str, limit: int | None) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        arts = [json.loads(line)["article"] for line in fh]
    arts = [a for a in arts if a.strip()]
    return arts[:limit] if limit else arts


def timed(fn: Callable[[str], object], articles: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) to run `fn` on every article."""
    cpu, wall = time.process_time(), time.perf_counter()
    for text in articles:
        fn(text)
    return time.process_time() - cpu, time.perf_counter() - wall


def newsum_fn(method: str) -> Callable[[str], object]:
    import newsum

    scorer = newsum.get_method(method)
    return lambda text: newsum.summarize(text, method=scorer)


def summa_fn() -> Callable[[str], object] | None:
    try:
        from summa import summarizer
    except ImportError:
        return None
    return lambda text: summarizer.summarize(text, words=60)


def main() -> None:
    import newsum

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--limit", type=int, default=1000, help="stories (0: all)")
    from newsum.methods.base import method_classes

    extractive = [n for n, c in method_classes().items() if not c.abstractive]  # llm: bench_llm
    ap.add_argument("--methods", default=",".join(extractive))
    args = ap.parse_args()
    articles = load(args.data, args.limit or None)
    default = newsum.default_method()
    methods = [m for m in args.methods.split(",") if m]
    names = [default] + [m for m in methods if m != default]
    fns: dict[str, Callable[[str], object]] = {
        f"newsum {m}" + (" (default)" if m == default else ""): newsum_fn(m) for m in names
    }
    summa = summa_fn()
    if summa is not None:
        fns["summa TextRank (words=60)"] = summa
    for fn in fns.values():  # warm caches, the model file and lazy imports
        timed(fn, articles[:20])
    times = {name: timed(fn, articles) for name, fn in fns.items()}
    # The batched entry point on the same stories, default method.
    batched = newsum.get_method(default)
    newsum.summarize_many(articles[:20], batched)
    cpu, wall = time.process_time(), time.perf_counter()
    newsum.summarize_many(articles, batched)
    times[f"newsum {default}, summarize_many"] = (
        time.process_time() - cpu,
        time.perf_counter() - wall,
    )
    n = len(articles)
    base = times.get("summa TextRank (words=60)", (None, None))[0]
    print(f"{n} stories from {args.data} (article text in, 3 sentences out), one process")
    print("| method | stories/s (CPU) | stories/s (wall) | vs summa |")
    print("|---|---|---|---|")
    for name, (cpu, wall) in times.items():
        ratio = f"{base / cpu:.1f}x" if base else "-"
        print(f"| {name} | {n / cpu:.0f} | {n / wall:.0f} | {ratio} |")


if __name__ == "__main__":
    main()
