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
import re
import time
from collections import Counter
from pathlib import Path

from newsum.readers import read_document
from newsum.segment import _capitalize, normalize_space, split_sentences
from newsum.summarizer import summarize_document

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


_QUOTE = "\"'“‘"
ACRONYMS = ("CNN", "ISIS", "FBI", "NHS")


def display_accuracy(articles: list[str], wrong: list[str] | None = None) -> Counter[str]:
    """Words of `lead`'s 3 sentences of each lowercased article, cased as in the original?

    Counts words (with a letter) and those right, overall and by kind; "seconds" is the time
    truecasing took. Wrong words are added to `wrong` as "got -> original"."""
    from newsum.truecase import table, truecase

    table()  # loaded once, outside the timing
    counts: Counter[str] = Counter()
    wrong = [] if wrong is None else wrong
    seconds = 0.0
    for text in articles:
        low = lower_same_length(text)
        doc = read_document(low)
        for i in summarize_document(doc, "lead").indices:
            sent = doc.sentences[i]
            gold = normalize_space(text[sent.start : sent.end]).split()
            plain = normalize_space(low[sent.start : sent.end])
            start = time.perf_counter()
            got = truecase(plain).split()
            seconds += time.perf_counter() - start
            assert got == sent.text.split() and len(got) == len(gold)
            baseline = _capitalize(plain).split()  # what newsum showed before truecasing
            for k, (g, w) in enumerate(zip(gold, got, strict=True)):
                if not re.search(r"[^\W\d_]", g):
                    continue
                ok = g == w
                counts["words"] += 1
                counts["right"] += ok
                counts["baseline right"] += g == baseline[k]
                core = g.strip(_QUOTE + ".,;:!?()[]")
                kind = [
                    ("sentence starts", k == 0),
                    ("after a quote", g[0] in _QUOTE and k > 0),
                    ("all-caps words (2+ letters)", len(core) >= 2 and core.isupper()),
                    ("CNN ISIS FBI NHS", core in ACRONYMS),
                    ("capitalized in the original", g[:1] != g[:1].lower()),
                ]
                for name, hit in kind:
                    if hit:
                        counts[name] += 1
                        counts[name + " right"] += ok
                if not ok:
                    wrong.append(f"{w} -> {g}")
    counts["microseconds"] = round(seconds * 1e6)
    return counts


def display(articles: list[str], show: int) -> None:
    wrong: list[str] = []
    counts = display_accuracy(articles, wrong)
    seconds = counts["microseconds"] / 1e6
    print(f"articles: {len(articles)}; words in lead's 3 sentences: {counts['words']}")
    print(f"cased as in the original: {counts['right'] / counts['words']:.4f}")
    base = counts["baseline right"] / counts["words"]
    print(f"  (sentence-start capital and `I` only, as before truecasing: {base:.4f})")
    for name in (
        "sentence starts",
        "after a quote",
        "capitalized in the original",
        "all-caps words (2+ letters)",
        "CNN ISIS FBI NHS",
    ):
        n = counts[name]
        print(f"  {name}: {counts[name + ' right']}/{n} = {counts[name + ' right'] / n:.4f}")
    per_story = seconds / len(articles) * 1e3
    print(f"truecasing time: {per_story:.3f} ms per story (3 sentences), {seconds:.3f} s in all")
    for line, n in Counter(wrong).most_common(show):
        print(f"  {n} x {line}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--show", type=int, default=10, help="print this many differences")
    args = ap.parse_args()
    articles = load_articles(args.data)
    splitting(articles, args.show)
    display(articles, args.show)


if __name__ == "__main__":
    main()
