"""Fit the checker's weights on corrupted CNN/DM highlights only (FactCC-style), then measure them
on FRANK validation, which they never saw.

    python benchmarks/synthetic_check.py --train ../shared/data/cnndm_train_39k.jsonl.gz \
        --frank ../shared/data/frank_factuality_valid.jsonl.gz [--stories 3000] [--write FILE]

Each reference highlight sentence of a training story is a faithful example; one corrupted copy
of it is an unfaithful one: a number changed, a specific word swapped for another word of the
story, a negation added or removed, the sentence spliced with the second half of another story
sentence, or a word invented (taken from another story). Sentence features come from
newsum.check; the weights are the non-negative least-squares fit of 1 - label on them (the same
form as benchmarks/tune_check.py). Seeded: the same run gives the same weights, byte for byte.
Needs scipy (installed with the `train` extra, through lightgbm).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

from newsum.check import FEATURES, check
from newsum.check.frank import load_frank, partial_corr, subset
from newsum.check.text import FUNCTION_WORDS, NUMBER_WORDS
from newsum.readers import read_document

AUX = frozenset("is was are were will has have had can could would should did does do".split())


def _content(tok: str) -> bool:
    return tok.isalpha() and len(tok) > 2 and tok not in FUNCTION_WORDS


def corrupt(sentence: str, story_tokens: list[str], other: list[str], rng: random.Random):
    """One unfaithful copy of a tokenized highlight sentence, or None when no change fits."""
    toks = sentence.split()
    kinds = ["number", "swap", "negation", "splice", "invent"]
    rng.shuffle(kinds)
    for kind in kinds:
        out = list(toks)
        if kind == "number":
            spots = [i for i, t in enumerate(toks) if t.isdigit() or t in NUMBER_WORDS]
            if not spots:
                continue
            i = rng.choice(spots)
            value = int(float(toks[i] if toks[i].isdigit() else NUMBER_WORDS[toks[i]]))
            out[i] = str(value + rng.choice([1, 2, 3, 5, 10, value or 1]))
        elif kind == "swap":
            spots = [i for i, t in enumerate(toks) if _content(t) and t in story_tokens]
            pool = sorted({t for t in story_tokens if _content(t)} - set(toks))
            if not spots or not pool:
                continue
            out[rng.choice(spots)] = rng.choice(pool)
        elif kind == "negation":
            spots = [i for i, t in enumerate(toks) if t in AUX]
            if "not" in toks or "n't" in toks:
                out = [t for t in toks if t not in ("not", "n't")]
            elif spots:
                out.insert(rng.choice(spots) + 1, "not")
            else:
                continue
        elif kind == "splice":
            sents = " ".join(story_tokens).split(" . ")
            sents = [s.split() for s in sents if len(s.split()) > 8]
            if not sents or len(toks) < 6:
                continue
            donor = rng.choice(sents)
            out = toks[: len(toks) // 2] + donor[len(donor) // 2 :]
        elif kind == "invent":
            spots = [i for i, t in enumerate(toks) if _content(t)]
            pool = sorted({t for t in other if _content(t)} - set(story_tokens))
            if not spots or not pool:
                continue
            out[rng.choice(spots)] = rng.choice(pool)
        if out != toks:
            return " ".join(out)
    return None


def synthetic(path: str, stories: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = random.Random(seed)
    rows, labels = [], []
    previous: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in itertools.islice(fh, stories):
            rec = json.loads(line)
            if not rec["article"].strip():
                continue
            doc = read_document(rec["article"])
            story_tokens = rec["article"].split()
            for sent in rec["highlights"].split("\n"):
                if not sent.strip():
                    continue
                bad = corrupt(sent, story_tokens, previous, rng)
                if bad is None:
                    continue
                for text, label in ((sent, 1.0), (bad, 0.0)):
                    f = check(doc, [text]).sentences[0].features
                    rows.append([f[name] for name in FEATURES])
                    labels.append(label)
            previous = story_tokens
    return np.asarray(rows), np.asarray(labels)


def frank_table(records: list[dict], weights: dict[str, float]) -> None:
    from newsum.check.score import load_weights  # noqa: F401  (same scoring as check())

    scores = []
    for r in records:
        sents = check(r["article"], r["summary"]).sentences
        vals = [
            min(1.0, max(0.0, 1.0 - sum(weights[f] * s.features[f] for f in FEATURES)))
            for s in sents
        ]
        scores.append(sum(vals) / len(vals))
    cells = []
    for name in ("cnndm", "xsum", "all"):
        idx = subset(records, name)
        args = (
            [scores[i] for i in idx],
            [records[i]["factuality"] for i in idx],
            [records[i]["system"] for i in idx],
        )
        cells.append(
            f"{name} r={partial_corr(*args):.3f} rho={partial_corr(*args, spearman=True):.3f}"
        )
    print("FRANK validation (never seen):", "  ".join(cells))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--frank", required=True)
    ap.add_argument("--stories", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write", help="write these weights as a weights file")
    args = ap.parse_args()
    X, y = synthetic(args.train, args.stories, args.seed)
    w, _ = nnls(X, 1.0 - y)
    weights = {f: round(float(v), 4) for f, v in zip(FEATURES, w, strict=True)}
    pred = 1.0 - X @ w
    acc = float(np.mean((pred >= 0.5) == (y == 1.0)))
    print(f"{len(y)} sentences ({int(y.sum())} faithful); accuracy at 0.5: {acc:.3f}")
    print(json.dumps(weights))
    frank_table(load_frank(args.frank), weights)
    if args.write:
        data = {
            "weights": weights,
            "threshold": 0.5,
            "tuned_on": "corrupted CNN/DM training highlights, benchmarks/synthetic_check.py",
        }
        Path(args.write).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
