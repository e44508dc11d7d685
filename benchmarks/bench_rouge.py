"""Speed of newsum.rouge against Google's rouge-score 0.1.2, and of the greedy oracle.

ROUGE: all validation stories, Lead-3 (first three sentences, one per line) against the
highlights, rouge1/rouge2/rougeL/rougeLsum with stemming, one process. newsum is timed on its first
pass (empty tokenizer caches: every word stemmed once) and again with warm caches; rouge-score
once; every score is also compared. Oracle: stories/s of `greedy_oracle` on training stories,
tokenization included.

    python benchmarks/bench_rouge.py [--data DIR] [--limit N] [--oracle-stories N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path

from newsum.oracle import greedy_oracle
from newsum.rouge import RougeScorer

TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_ENDERS = frozenset({".", "?", "!"})
_QUOTES = frozenset({"'", '"'})


def split_sentences(article: str) -> list[str]:
    """The data README's splitter: after " . ", " ? ", " ! ", a closing quote kept."""
    toks = article.split()
    sents: list[str] = []
    start = 0
    i = 0
    while i < len(toks):
        if toks[i] in _ENDERS:
            if i + 1 < len(toks) and toks[i + 1] in _QUOTES:
                i += 1
            sents.append(" ".join(toks[start : i + 1]))
            start = i + 1
        i += 1
    if start < len(toks):
        sents.append(" ".join(toks[start:]))
    return sents


def read_jsonl(path: Path, limit: int | None) -> Iterator[dict]:
    """Records of a .jsonl.gz file, at most `limit` of them."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                return
            yield json.loads(line)


def timed(fn, *args):
    """(result, CPU seconds, wall seconds) of one call; rates use CPU time of this process,
    which other work on a shared machine disturbs less than wall time."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn(*args)
    return out, time.process_time() - cpu, time.perf_counter() - wall


def rate(what: str, n: int, cpu: float, wall: float, base: float | None = None) -> str:
    """One report line: items per CPU second (wall in brackets), and the speed-up over base."""
    line = f"  {what:<24}{n / cpu:9.0f} /s  (cpu {cpu:6.2f} s, wall {wall:6.2f} s)"
    return line + (f"  x{base / cpu:.1f}" if base else "")


def bench_rouge(data: Path, limit: int | None) -> None:
    """Lead-3 vs highlights: pairs/s of newsum.rouge (cold, warm) and rouge-score."""
    from rouge_score import rouge_scorer

    recs = list(read_jsonl(data / "cnndm_val_4k.jsonl.gz", limit))
    targets = [r["highlights"] for r in recs]
    preds = ["\n".join(split_sentences(r["article"])[:3]) for r in recs]
    n = len(recs)
    ours = RougeScorer(TYPES, use_stemmer=True)
    mine, cold, cold_wall = timed(ours.score_batch, targets, preds)
    _, warm, warm_wall = timed(ours.score_batch, targets, preds)
    ref = rouge_scorer.RougeScorer(TYPES, use_stemmer=True)
    pairs = list(zip(targets, preds, strict=True))
    theirs, base, base_wall = timed(lambda: [ref.score(t, p) for t, p in pairs])
    diff = max(
        abs(a - b)
        for x, y in zip(mine, theirs, strict=True)
        for k in TYPES
        for a, b in zip(x[k], y[k], strict=True)
    )
    print(f"ROUGE, {n} val pairs (Lead-3 vs highlights), {', '.join(TYPES)}, stemming")
    print("  pairs/s:")
    print(rate("rouge-score 0.1.2", n, base, base_wall))
    print(rate("newsum.rouge, 1st pass", n, cold, cold_wall, base))
    print(rate("newsum.rouge, warm", n, warm, warm_wall, base))
    print(f"  max |difference| over all scores: {diff:.3g}")
    means = [100 * sum(d[k].fmeasure for d in mine) / n for k in TYPES]
    print(
        "  Lead-3 F1 means: "
        + " / ".join(f"{k} {m:.2f}" for k, m in zip(TYPES, means, strict=True))
    )


def bench_oracle(data: Path, stories: int) -> None:
    """Stories/s of the greedy oracle (<= 3 sentences) on training stories."""
    recs = list(read_jsonl(data / "cnndm_train_39k.jsonl.gz", stories or None))
    docs = [(split_sentences(r["article"]), r["highlights"]) for r in recs]
    sentences = sum(len(s) for s, _ in docs)
    picks, cpu, wall = timed(lambda: [greedy_oracle(s, h) for s, h in docs])
    chosen = sum(map(len, picks))
    print(f"Oracle, {len(docs)} train stories ({sentences} sentences), tokenization included")
    print("  stories/s:")
    print(rate("greedy_oracle", len(docs), cpu, wall))
    print(f"  {chosen / max(len(docs), 1):.2f} sentences chosen per story")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--limit", type=int, default=None, help="validation stories (all)")
    parser.add_argument(
        "--oracle-stories", type=int, default=5000, help="training stories for the oracle (0: all)"
    )
    args = parser.parse_args()
    bench_rouge(args.data, args.limit)
    bench_oracle(args.data, args.oracle_stories)


if __name__ == "__main__":
    main()
