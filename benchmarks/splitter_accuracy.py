"""Sentence splitter accuracy: boundary precision / recall / F1 and exact sentence matches.

Three gold sets: the example story's line breaks, the validation highlights (lines joined with a
space, then split again), and a hand-labelled raw-text sample (tests/fixtures/raw_sentences.txt,
joined into paragraphs of four sentences).

    python benchmarks/splitter_accuracy.py [--data ../shared/data/cnndm_val_4k.jsonl.gz]
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from newsum.segment import split_sentences

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def score(
    gold: list[str], joiner: str = " ", tokenized: bool | None = None, paragraph: int = 0
) -> tuple[dict[str, float], list[str]]:
    """Join gold sentences, split again; compare boundary offsets and sentences."""
    if paragraph:
        groups = [joiner.join(gold[i : i + paragraph]) for i in range(0, len(gold), paragraph)]
        text = "\n\n".join(groups)
    else:
        text = joiner.join(gold)
    gold_spans, pos = [], 0
    for sent in gold:
        start = text.index(sent, pos)
        gold_spans.append((start, start + len(sent)))
        pos = start + len(sent)
    got = split_sentences(text, tokenized)
    gold_b = {e for _, e in gold_spans[:-1]}
    got_b = {e for _, e in got[:-1]}
    tp = len(gold_b & got_b)
    exact = len(set(gold_spans) & set(got))
    wrong = [text[s:e] for s, e in got if (s, e) not in set(gold_spans)]
    return {
        "tp": tp,
        "gold": len(gold_b),
        "pred": len(got_b),
        "exact": exact,
        "sentences": len(gold_spans),
    }, wrong


def summarize_counts(name: str, c: dict[str, float]) -> str:
    p = c["tp"] / c["pred"] if c["pred"] else 1.0
    r = c["tp"] / c["gold"] if c["gold"] else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    acc = c["exact"] / c["sentences"]
    return f"| {name} | {int(c['sentences'])} | {p:.4f} | {r:.4f} | {f:.4f} | {acc:.4f} |"


def add(total: dict[str, float], c: dict[str, float]) -> None:
    for k, v in c.items():
        total[k] = total.get(k, 0) + v


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(SHARED / "data" / "cnndm_val_4k.jsonl.gz"))
    ap.add_argument("--show", type=int, default=5, help="print this many errors per set")
    args = ap.parse_args()
    print("| gold set | sentences | boundary P | boundary R | boundary F1 | exact sentences |")
    print("|---|---|---|---|---|---|")

    story = (SHARED / "examples" / "dailymail_story.txt").read_text().splitlines()
    c, wrong = score([s.strip() for s in story if s.strip()], joiner="\n", tokenized=True)
    print(summarize_counts("example story (line breaks)", c))
    examples = {"example": wrong}

    total: dict[str, float] = {}
    terminal: dict[str, float] = {}
    errs: list[str] = []
    with gzip.open(args.data, "rt") as fh:
        for line in fh:
            lines = [h.strip() for h in json.loads(line)["highlights"].split("\n") if h.strip()]
            c, wrong = score(lines, tokenized=True)
            add(total, c)
            if all(h.endswith((".", "?", "!", "'", '"')) for h in lines):
                add(terminal, c)
            errs += wrong
    print(summarize_counts("val highlights, all", total))
    print(summarize_counts("val highlights, each ending in . ? ! or a quote", terminal))
    examples["highlights"] = errs

    raw = (ROOT / "tests" / "fixtures" / "raw_sentences.txt").read_text().splitlines()
    c, wrong = score([s for s in raw if s.strip()], paragraph=4)
    print(summarize_counts("raw news text, hand-labelled", c))
    examples["raw"] = wrong
    for name, wrong in examples.items():
        for w in wrong[: args.show]:
            print(f"  {name}: {w[:160]!r}")


if __name__ == "__main__":
    main()
