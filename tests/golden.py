"""Golden hashes: every method's summaries of all validation stories, one sha256 per method.

For each method (lead, textrank, lexrank, centroid, model) every story of
../shared/data/cnndm_val_4k.jsonl.gz (the `article` field, 3 sentences, default settings) is
summarized; the hash covers each summary's sentence indices and display text, in story order.
`raw:lead` and `raw:model` do the same for the stories rewritten as raw cased text (`as_raw`).
Speed work must leave these hashes unchanged (tests/test_golden.py). Work that is meant to
change outputs regenerates them in its own commit, saying so:

    python tests/golden.py --write

(without --write it prints the hashes and whether they match tests/golden_hashes.json).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from pathlib import Path

from conftest import readme_split  # the data README's splitter (tests/ is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "cnndm_val_4k.jsonl.gz"
HASHES = Path(__file__).resolve().with_name("golden_hashes.json")
METHODS = ("lead", "textrank", "lexrank", "centroid", "model")
# The same stories as raw cased text (sentences detokenized and capitalized, one paragraph),
# so the raw splitter and the casing checks are covered too.
RAW_METHODS = ("lead", "model")


def load_articles(path: Path = DATA) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["article"] for line in fh]


def as_raw(article: str) -> str:
    """One paragraph of readable sentences: the raw-text form of a corpus story."""
    from newsum.segment import detokenize

    return " ".join(detokenize(s, capitalize=True) for s in readme_split(article))


def method_hash(articles: list[str], method: str) -> str:
    """sha256 over one JSON line per story: [indices, display texts] of its summary."""
    import newsum

    scorer = newsum.get_method(method)
    h = hashlib.sha256()
    for text in articles:
        try:
            summary = newsum.summarize(text, method=scorer, sentences=3)
            row = [summary.indices, [s.text for s in summary.sentences]]
        except newsum.InputError as exc:  # an empty story: its error message is the output
            row = ["error", str(exc)]
        h.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def compute(path: Path = DATA) -> dict[str, object]:
    articles = load_articles(path)
    hashes = {m: method_hash(articles, m) for m in METHODS}
    raw = [as_raw(a) for a in articles]
    hashes.update({f"raw:{m}": method_hash(raw, m) for m in RAW_METHODS})
    return {"data": path.name, "stories": len(articles), "sentences": 3, "hashes": hashes}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help=f"write {HASHES.name}")
    args = ap.parse_args()
    result = compute()
    text = json.dumps(result, indent=2, sort_keys=True) + "\n"
    if args.write:
        HASHES.write_text(text, encoding="utf-8")
        print(f"wrote {HASHES}")
    print(text, end="")
    if not args.write and HASHES.exists():
        stored = json.loads(HASHES.read_text(encoding="utf-8"))
        same = stored == result
        print("matches stored hashes" if same else "DIFFERS from stored hashes")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
