"""Save or check every validation story's sentence features, to show a change leaves them
bit-identical (compared bit for bit, not within a tolerance).

The matrices: all validation stories with the shipped model's idf table and bigram prior, the
first 300 without the prior and re-read as raw text (their display text), a few odd stories,
and 300 training stories with a prior fitted on them and each story's own highlights left out
(as training computes them). Run --save on the tree before a change and --check on the tree
after; --batch N computes them in batches of 1 to 2N stories (document_features_many), 0 one
story a call (document_features, which a tree before document_features_many has alone).

    python tools/features_fingerprint.py --save /tmp/features.npz --batch 0
    python tools/features_fingerprint.py --check /tmp/features.npz --batch 64
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections.abc import Callable
from itertools import compress
from pathlib import Path

import numpy as np

import newsum
from newsum.features import IdfTable, document_features, lexicon_ids
from newsum.methods.model import MODEL_PATH, ModelFile
from newsum.prior import BigramPrior
from newsum.stopwords import STOPWORDS

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ODD = [
    "Hello.",
    "a",
    "1 2 3 .",
    "the the the . of of .",
    "By JOHN SMITH . PUBLISHED : 12:00 GMT",
    "\" hi , \" he said . ' quote ' -- yes - no ( cnn ) -- what ? ! @ daily mail :",
    "Étienne said “hello” — and ‘bye’ ... it's 5 p.m. !\n\n\nNew para here: ok?",
]


def records(path: Path, limit: int | None = None) -> list[dict]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["article"].strip():
                out.append(rec)
            if limit and len(out) >= limit:
                break
    return out


def feature_fn(batch: int) -> Callable[..., list[np.ndarray]]:
    """Features of a list of stories, one story a call or in batches of random sizes."""
    if not batch:
        return lambda docs, idf, prior=None, hls=None: [
            document_features(d, idf, prior, None if hls is None else hls[k])
            for k, d in enumerate(docs)
        ]
    from newsum.features import document_features_many

    def many(docs, idf, prior=None, hls=None):  # noqa: ANN001, ANN202
        out, k, rng = [], 0, random.Random(batch)
        while k < len(docs):
            size = rng.randint(1, 2 * batch)
            part = None if hls is None else hls[k : k + size]
            out += document_features_many(docs[k : k + size], idf, prior, part)
            k += size
        return out

    return many


def fingerprint(batch: int) -> dict[str, np.ndarray]:
    features = feature_fn(batch)
    model = ModelFile.load(MODEL_PATH)
    docs = [newsum.read_document(r["article"]) for r in records(DATA / "cnndm_val_4k.jsonl.gz")]
    raw = [newsum.read_document("\n".join(s.text for s in d.sentences)) for d in docs[:300]]
    odd = [newsum.read_document(text) for text in ODD]
    out: dict[str, list[np.ndarray]] = {
        "val": features(docs, model.idf, model.prior),
        "noprior": features(docs[:300], model.idf),
        "raw": features(raw, model.idf, model.prior),
        "odd": features(odd, model.idf, model.prior),
    }
    train = records(DATA / "cnndm_train_39k.jsonl.gz", 300)
    tdocs = [newsum.read_document(r["article"]) for r in train]
    hls = [[s.tokens for s in newsum.read_document(r["highlights"]).sentences] for r in train]
    idf = IdfTable.fit(([t for s in d.sentences for t in s.tokens] for d in tdocs), min_df=2)
    words = [*idf.words, *STOPWORDS]
    prior = BigramPrior.fit(
        (([s.tokens for s in d.sentences], h) for d, h in zip(tdocs, hls, strict=True)),
        vocabulary=list(compress(words, lexicon_ids(words, idf) >= 0)),
        min_count=2,
    )
    out["train"] = features(tdocs, idf, prior, hls)
    return {f"{name}{k}": x for name, xs in out.items() for k, x in enumerate(xs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", metavar="FILE.npz")
    mode.add_argument("--check", metavar="FILE.npz")
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()
    now = fingerprint(args.batch)
    if args.save:
        np.savez(args.save, **now)
        print(f"saved {len(now)} feature matrices to {args.save}")
        return
    saved = np.load(args.check)
    differ = [
        name
        for name in saved.files
        if name not in now
        or saved[name].shape != now[name].shape
        or not np.array_equal(saved[name].view(np.uint64), now[name].view(np.uint64))
    ]
    missing = sorted(set(now) - set(saved.files))
    print(f"{len(saved.files)} feature matrices, {len(differ)} differ: {differ[:10]}")
    if differ or missing:
        sys.exit(1)


if __name__ == "__main__":
    main()
