"""FRANK's protocol for judging a checker: partial correlation with the human factuality score,
the system that wrote the summary as control variable (Pagnoni et al., NAACL 2021)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

SUBSETS = {"cnndm": ("cnndm",), "xsum": ("bbc",), "all": ("cnndm", "bbc")}


def load_frank(path: str | Path) -> list[dict]:
    """The records of a FRANK split (JSONL, gzipped or not)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _residuals(values: np.ndarray, systems: Sequence[str]) -> np.ndarray:
    """What is left of `values` after a least-squares fit on one-hot systems (plus intercept):
    with dummies only, that is each value minus its system's mean."""
    out = values.astype(float).copy()
    labels = np.asarray(systems)
    for name in set(systems):
        mask = labels == name
        out[mask] -= out[mask].mean()
    return out


def _ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank), as scipy.stats.rankdata does."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values))
    sorted_vals = values[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and sorted_vals[j + 1] == sorted_vals[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return ranks


def partial_corr(
    scores: Sequence[float], human: Sequence[float], systems: Sequence[str], spearman=False
) -> float:
    """Pearson (or Spearman: Pearson of ranks) of the residuals after removing system effects."""
    x = np.asarray(scores, dtype=float)
    y = np.asarray(human, dtype=float)
    if spearman:
        x, y = _ranks(x), _ranks(y)
    rx, ry = _residuals(x, systems), _residuals(y, systems)
    denom = float(np.sqrt((rx * rx).sum() * (ry * ry).sum()))
    return float((rx * ry).sum() / denom) if denom else float("nan")


def subset(records: list[dict], name: str) -> list[int]:
    """Indices of the records in a subset ("cnndm", "xsum", "all")."""
    return [i for i, r in enumerate(records) if r["dataset"] in SUBSETS[name]]
