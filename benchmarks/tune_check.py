"""Tune the checker's weights (newsum/check/weights.json) on FRANK validation; report CV.

    python benchmarks/synthetic_check.py --train ../shared/data/cnndm_train_39k.jsonl.gz \
        --frank ../shared/data/frank_factuality_valid.jsonl.gz \
        --write benchmarks/check_base_weights.json
    python benchmarks/tune_check.py --data ../shared/data/frank_factuality_valid.jsonl.gz \
        --base benchmarks/check_base_weights.json [--write newsum/check/weights.json]

The base weights are learned without FRANK, from corrupted CNN/DM training highlights
(synthetic_check.py). On FRANK validation only a handful of numbers are then tuned (`--tune`,
default: a scale on the base weights plus the weights of novel, uncovered and
absent_abstractive, which corrupted highlights cannot teach: abstractive summaries from other
systems), by non-negative least squares of human factuality on the summaries' mean features
with each system's mean removed, which is FRANK's partial correlation. Without --base every
weight is tuned on FRANK. A story-grouped k-fold cross-validation (tune on the stories of k-1
folds, score the held-out stories) tells what carries over to unseen stories.
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

RIDGE = 1e-3  # keeps weights of rare features (negation) from chasing a few records
TUNED = ("novel", "uncovered", "absent_abstractive")


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


def fit(
    X: np.ndarray,
    owner: np.ndarray,
    records: list[dict],
    keep: list[int],
    base: np.ndarray | None,
    tuned: tuple[str, ...],
) -> np.ndarray:
    """Weights: base * scale + tuned extras (all of them tuned when there is no base), fitted by
    non-negative least squares so that 1 - w . mean features predicts factuality within each
    system (the weights are in factuality units)."""
    n = len(records)
    means = np.zeros((n, X.shape[1]))
    np.add.at(means, owner, X)
    means /= np.bincount(owner, None, n)[:, None]
    keep_arr = np.asarray(keep)
    systems = np.array([records[i]["system"] for i in keep])
    y = _demean(np.array([records[i]["factuality"] for i in keep]), systems)
    names = FEATURES if base is None else tuned
    cols = [FEATURES.index(f) for f in names]
    A = _demean(means[keep_arr][:, cols], systems)
    if base is not None:
        A = np.hstack([A, _demean(means[keep_arr] @ base, systems)[:, None]])
    k = A.shape[1]
    A = np.vstack([A, np.sqrt(RIDGE * len(keep)) * np.eye(k)])
    v, _ = nnls(A, -np.concatenate([y, np.zeros(k)]))
    w = np.zeros(len(FEATURES)) if base is None else base * v[-1]
    for j, c in enumerate(cols):
        w[c] += v[j]
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
    print(f"{label:30s} {cells}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="FRANK validation split")
    ap.add_argument("--base", help="weights learned elsewhere (synthetic_check.py --write)")
    ap.add_argument("--tune", default=",".join(TUNED), help="features tuned on top of --base")
    ap.add_argument("--write", help="write the weights tuned on all records here")
    ap.add_argument("--folds", type=int, nargs="+", default=[2, 5])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    records = load_frank(args.data)
    X, owner = sentence_features(records)
    n = len(records)
    base = None
    if args.base:
        given = json.loads(Path(args.base).read_text(encoding="utf-8"))["weights"]
        base = np.array([given.get(f, 0.0) for f in FEATURES])
        report(summary_scores(base, X, owner, n), records, "base weights (FRANK unseen)")
    tuned = tuple(f for f in args.tune.split(",") if f)
    everything = list(range(n))
    w = fit(X, owner, records, everything, base, tuned)
    report(summary_scores(w, X, owner, n), records, "tuned on all (in-sample)")
    for k in args.folds:
        stories = sorted({r["story_id"] for r in records})
        random.Random(args.seed).shuffle(stories)
        fold_of = {s: i % k for i, s in enumerate(stories)}
        cv = np.zeros(n)
        for f in range(k):
            train = [i for i in everything if fold_of[records[i]["story_id"]] != f]
            test = [i for i in everything if fold_of[records[i]["story_id"]] == f]
            wf = fit(X, owner, records, train, base, tuned)
            cv[test] = summary_scores(wf, X, owner, n)[test]
        report(cv, records, f"story-grouped {k}-fold CV")
    how = "FRANK validation (671 summaries)"
    if base is not None:
        how = f"{args.base} scaled, plus {', '.join(tuned)} tuned on {how}"
    weights = {
        "weights": {f: round(float(v), 4) for f, v in zip(FEATURES, w, strict=True)},
        "threshold": 0.5,
        "tuned_on": how + "; benchmarks/tune_check.py",
    }
    if args.write:
        Path(args.write).write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(weights, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
