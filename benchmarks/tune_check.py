"""Tune the checker's weights (newsum/check/weights.json) on FRANK validation; report CV.

    python benchmarks/tune_check.py --data ../shared/data/frank_factuality_valid.jsonl.gz \
        [--write newsum/check/weights.json]

Seven numbers are tuned (one non-negative weight per feature) to maximize FRANK's
figure: the partial Pearson correlation of the check score with human factuality, system as
control, over all records. A story-grouped k-fold cross-validation (tune on
the stories of k-1 folds, score the held-out stories) tells what carries over to unseen stories.
Needs scipy (installed with the `train` extra, through lightgbm).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

from newsum.check import FEATURES, check
from newsum.check.frank import load_frank, partial_corr, subset


def sentence_features(records: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows of every summary sentence and the record each belongs to."""
    rows, owner = [], []
    for i, r in enumerate(records):
        for s in check(r["article"], r["summary"]).sentences:
            rows.append([s.features[f] for f in FEATURES])
            owner.append(i)
    return np.asarray(rows), np.asarray(owner)


def summary_scores(w: np.ndarray, X: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """What newsum.check computes: the mean over sentences of max(0, 1 - w . features)."""
    s = np.clip(1.0 - X @ w, 0.0, 1.0)
    return np.bincount(owner, s, n) / np.bincount(owner, None, n)


def _demean(values: np.ndarray, systems: np.ndarray) -> np.ndarray:
    out = values.astype(float).copy()
    for name in set(systems.tolist()):
        out[systems == name] -= out[systems == name].mean(axis=0)
    return out


def fit(X: np.ndarray, owner: np.ndarray, records: list[dict], keep: list[int]) -> np.ndarray:
    """Non-negative least squares of human factuality on the summaries' mean features, both
    with each system's mean removed (so the fit is FRANK's partial correlation): 1 - w . f
    then predicts factuality within a system, and the weights are in factuality units."""
    n = len(records)
    means = np.zeros((n, X.shape[1]))
    np.add.at(means, owner, X)
    means /= np.bincount(owner, None, n)[:, None]
    keep_arr = np.asarray(keep)
    systems = np.array([records[i]["system"] for i in keep])
    A = _demean(means[keep_arr], systems)
    y = _demean(np.array([records[i]["factuality"] for i in keep]), systems)
    ridge = RIDGE * len(keep)
    A = np.vstack([A, np.sqrt(ridge) * np.eye(A.shape[1])])
    y = np.concatenate([y, np.zeros(A.shape[1])])
    w, _ = nnls(A, -y)
    return w


def report(scores: np.ndarray, records: list[dict], label: str) -> dict:
    h = [r["factuality"] for r in records]
    sysn = [r["system"] for r in records]
    out = {}
    for name in ("cnndm", "xsum", "all"):
        idx = subset(records, name)
        args = (scores[idx], [h[i] for i in idx], [sysn[i] for i in idx])
        out[name] = (partial_corr(*args), partial_corr(*args, spearman=True))
    cells = "  ".join(f"{k} r={v[0]:.3f} rho={v[1]:.3f}" for k, v in out.items())
    print(f"{label:28s} {cells}")
    return out


RIDGE = 1e-3  # keeps weights of rare features (negation) from chasing a few records


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--write", help="write the weights tuned on all records here")
    ap.add_argument("--folds", type=int, nargs="+", default=[2, 5])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    records = load_frank(args.data)
    X, owner = sentence_features(records)
    n = len(records)
    everything = list(range(n))
    p = fit(X, owner, records, everything)
    report(summary_scores(p, X, owner, n), records, "tuned on all (in-sample)")
    for k in args.folds:
        stories = sorted({r["story_id"] for r in records})
        random.Random(args.seed).shuffle(stories)
        fold_of = {s: i % k for i, s in enumerate(stories)}
        cv = np.zeros(n)
        for f in range(k):
            train = [i for i in everything if fold_of[records[i]["story_id"]] != f]
            test = [i for i in everything if fold_of[records[i]["story_id"]] == f]
            pf = fit(X, owner, records, train)
            cv[test] = summary_scores(pf, X, owner, n)[test]
        report(cv, records, f"story-grouped {k}-fold CV")
    weights = {
        "weights": {f: round(float(w), 4) for f, w in zip(FEATURES, p, strict=True)},
        "threshold": 0.5,
        "tuned_on": "FRANK validation (671 summaries), benchmarks/tune_check.py",
    }
    if args.write:
        Path(args.write).write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(weights, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
