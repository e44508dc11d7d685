"""Where the default method's time goes: each part of its path timed alone, then end to end.

Parts, per story (CPU ms, best of 3 passes over the same stories): reading; reading with every
sentence's display text and tokens (the features need them); all sentence features, one story
a call (as `summarize`) and in batches of 64 as `summarize_many` scores them
(document_features_many), and all but the bigram prior's three columns; the sentence trees, one
story a call and over the stacked rows of 64 stories (as `summarize_many` runs them) in steps
of several sizes, newsum's among them, and all at once; the candidate ranker's choice, one
story a call and 64 stories a call (`CandidateRanker.choose_many`, the stories' feature
matrices stacked in the timed part as `ModelFile.choose_many` stacks them); `newsum.summarize`
end to end. The parts measured alone add up to less than the end-to-end time: run one after
the other, each evicts the others' data from the CPU cache.

    python benchmarks/bench_model_parts.py [--data FILE.jsonl.gz] [--limit 500]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from bench_methods import DEFAULT_DATA, load

import newsum
import newsum.methods.model as model_module
from newsum.features import document_features, document_features_many
from newsum.methods.model import MODEL_PATH, ModelFile
from newsum.summarizer import BATCH


def per_story(fn: Callable[[], object], n: int) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best / n * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--limit", type=int, default=500)
    args = ap.parse_args()
    arts = load(args.data, args.limit)
    n = len(arts)
    model = ModelFile.load(MODEL_PATH)
    docs = [newsum.read_document(a) for a in arts]
    # Display text and tokens made once, outside the timed parts below.
    made = sum(len(s.plain) + len(s.tokens) for d in docs for s in d.sentences)
    assert made
    xs = [document_features(d, model.idf, model.prior) for d in docs]
    scores = [model.trees.predict(x) for x in xs]
    stacks = [np.concatenate(xs[a : a + BATCH]) for a in range(0, n, BATCH)]
    method = newsum.get_method("model")

    def trees_in_steps(cells: int) -> None:
        """The trees over each 64-story stack, `cells` (row, tree) cells a step."""
        default = model_module._CELLS
        model_module._CELLS = cells
        try:
            for x in stacks:
                model.trees.predict(x)
        finally:
            model_module._CELLS = default

    def ranker_batches() -> None:
        for a in range(0, n, BATCH):
            feats = xs[a : a + BATCH]
            starts = np.cumsum([0] + [len(x) for x in feats[:-1]])
            model.ranker.choose_many(
                docs[a : a + BATCH],
                scores[a : a + BATCH],
                np.concatenate(feats),
                starts,
                model.idf,
                [3] * len(feats),
            )

    parts: dict[str, Callable[[], object]] = {
        "read": lambda: [newsum.read_document(a) for a in arts],
        "read + display text and tokens": lambda: [
            [(s.plain, s.tokens) for s in newsum.read_document(a).sentences] for a in arts
        ],
        "sentence features (all), one story a call": lambda: [
            document_features(d, model.idf, model.prior) for d in docs
        ],
        f"sentence features (all), {BATCH} stories a call": lambda: [
            document_features_many(docs[k : k + BATCH], model.idf, model.prior)
            for k in range(0, n, BATCH)
        ],
        f"sentence features without the bigram prior, {BATCH} stories a call": lambda: [
            document_features_many(docs[k : k + BATCH], model.idf) for k in range(0, n, BATCH)
        ],
        f"sentence trees ({model.trees.n_trees}), one story a call": lambda: [
            model.trees.predict(x) for x in xs
        ],
        **{
            f"sentence trees ({model.trees.n_trees}), {BATCH} stories a call, {label}": (
                lambda cells=cells: trees_in_steps(cells)
            )
            for label, cells in (
                ("steps of 16,384 cells", 16_384),
                (f"steps of {model_module._CELLS:,} cells (newsum's)", model_module._CELLS),
                ("steps of 262,144 cells", 262_144),
                ("all rows at once", 1 << 62),
            )
        },
        "candidate ranker, one story a call (choose)": lambda: [
            model.ranker.choose(d, s, x, model.idf, 3)
            for d, s, x in zip(docs, scores, xs, strict=True)
        ],
        f"candidate ranker, {BATCH} stories a call (choose_many)": ranker_batches,
        "newsum.summarize, end to end": lambda: [newsum.summarize(a, method=method) for a in arts],
    }
    print(f"{n} stories from {args.data}, CPU ms a story (best of 3)")
    print("| part | ms |\n|---|---|")
    for name, fn in parts.items():
        print(f"| {name} | {per_story(fn, n):.3f} |")


if __name__ == "__main__":
    main()
