"""Training of the shipped `model`: oracle labels -> sentence features -> LightGBM -> numpy trees.

    newsum train --data TRAIN.jsonl.gz --val VAL.jsonl.gz --out newsum/models/model.npz

Steps: read each training story (the same reader as `newsum summarize`), label its sentences
with the greedy oracle (newsum.oracle), fit a corpus idf table on the training stories, compute
the features (newsum.features), fit gradient-boosted trees (LightGBM, fixed seeds, deterministic
mode) for the sentences, then the candidate ranker's gain trees and ranker (newsum.candidates),
export the trees to numpy arrays, check that the exported trees predict what LightGBM
predicts, and write the model file. LightGBM is needed here only (`pip install newsum[train]`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import TYPE_CHECKING, Any

from .document import Document
from .errors import InputError, missing_module
from .features import FEATURE_NAMES, IdfTable, document_features_many, lexicon_ids

if TYPE_CHECKING:
    import numpy as np

    from .methods.model import TreeEnsemble
    from .prior import BigramPrior

SEED = 20240611

# LightGBM settings of the shipped model (every one explicit, so a retrain is reproducible).
PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 63,
    "max_depth": 8,
    "min_data_in_leaf": 100,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_bin": 255,
}
NUM_TREES = 400
FOLDS = 2  # out-of-fold sentence scores for the ranker's training candidates
# The fold models: half the trees at twice the rate (about the same scores, half the time).
FOLD_PARAMS: dict[str, Any] = {"learning_rate": 0.1}

# LightGBM settings of the candidate ranker (newsum.candidates): one query per story.
RANK_PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "learning_rate": 0.1,
    "num_leaves": 15,
    "max_depth": 5,
    "min_data_in_leaf": 50,
    "feature_fraction": 1.0,
    "bagging_fraction": 1.0,
    "bagging_freq": 0,
    "lambda_l2": 0.0,
    "max_bin": 255,
    "label_gain": list(range(31)),  # linear: a grade is worth its ROUGE, not 2^grade
}
RANK_TREES = 100
RANK_GRADES = 30  # a candidate's label: its ROUGE scaled within its story to 0..RANK_GRADES
# The ranker's gain trees: each sentence's own ROUGE-2 F1 against the highlights, regressed on
# the sentence features (a graded signal beside the 0/1 oracle labels; docs/model.md).
GAIN_PARAMS: dict[str, Any] = {"objective": "regression", "learning_rate": 0.1, "num_leaves": 31}
GAIN_TREES = 150


def log(msg: str) -> None:
    print(f"newsum train: {msg}", file=sys.stderr, flush=True)


@dataclass(slots=True)
class Example:
    """One labelled story: its Document, reference highlights and oracle sentence indices,
    with the stemmed ROUGE token ids of its sentences and reference (for candidate labels)
    and the word tokens of its highlight sentences as the reader makes them (for the prior)."""

    id: str
    document: Document
    reference: str
    oracle: list[int]
    sentence_ids: list[list[int]] | None = None
    reference_ids: list[int] | None = None
    highlights: list[tuple[str, ...]] | None = None


def _read_records(path: str, limit: int | None) -> Iterator[bytes]:
    """The first `limit` lines of a JSONL file (the readers' `open_lines`), blank ones dropped."""
    from .readers import open_lines

    for k, line in enumerate(open_lines(path)):
        if limit is not None and k >= limit:
            break
        if line.strip():
            yield line


def _label(line: bytes) -> Example | None:
    """Read one JSONL record and label it with the oracle; None for empty stories."""
    from .oracle import OracleScorer
    from .readers import load_document, parse_record, read_document
    from .rouge import shared_tokenizer

    rec = parse_record(line)
    text, ref = rec.get("article"), rec.get("highlights")
    if not isinstance(text, str) or not isinstance(ref, str) or not text.strip() or not ref.strip():
        return None
    try:
        doc = load_document(rec)
    except InputError:
        return None
    scorer = OracleScorer([s.source for s in doc.sentences], ref)
    oracle = scorer.greedy(max_sentences=3)
    ids = shared_tokenizer(True).ids
    highlights = [s.tokens for s in read_document(ref).sentences]
    return Example(str(rec.get("id", "")), doc, ref, oracle, scorer.sentences, ids(ref), highlights)


def load_examples(
    path: str, limit: int | None = None, workers: int = 2, label: str = "label"
) -> list[Example]:
    """Labelled stories of a JSONL(.gz) file (`article`, `highlights`), in file order."""
    from .progress import Progress

    lines = list(_read_records(path, limit))
    out: list[Example] = []
    with Progress(len(lines), f"{label:>8}") as bar:
        if workers > 1 and len(lines) > 500:
            from multiprocessing import get_context

            with get_context("spawn" if sys.platform == "win32" else "fork").Pool(workers) as pool:
                for ex in pool.imap(_label, lines, chunksize=64):
                    bar.update()
                    if ex is not None:
                        out.append(ex)
        else:
            for line in lines:
                ex = _label(line)
                bar.update()
                if ex is not None:
                    out.append(ex)
    if not out:
        raise InputError(f"{path}: no stories with highlights")
    return out


def round_idf(idf: IdfTable) -> IdfTable:
    """The table as the model file stores it (float32 values), so training sees those values."""
    import numpy as np

    words = sorted(idf.idf)
    values = np.array([idf.idf[w] for w in words], dtype=np.float32).astype(np.float64)
    return IdfTable(words, values, idf.unknown)


def feature_matrix(
    examples: Sequence[Example],
    idf: IdfTable,
    prior: BigramPrior | None = None,
    label: str = "features",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features (rows: sentences), 0/1 oracle labels, and sentences per story. The prior
    leaves each story's own counts out (as for an unseen story at run time)."""
    import numpy as np

    from .progress import Progress
    from .summarizer import BATCH

    blocks, labels, groups = [], [], []
    with Progress(len(examples), f"{label:>8}") as bar:
        for k in range(0, len(examples), BATCH):  # as summarize_many scores them
            chunk = examples[k : k + BATCH]
            xs = document_features_many(
                [ex.document for ex in chunk], idf, prior, [ex.highlights for ex in chunk]
            )
            for ex, x in zip(chunk, xs, strict=True):
                y = np.zeros(len(x))
                y[ex.oracle] = 1.0
                blocks.append(x)
                labels.append(y)
                groups.append(len(x))
            bar.update(len(chunk))
    return np.vstack(blocks), np.concatenate(labels), np.array(groups)


def export_lightgbm(booster: Any) -> TreeEnsemble:
    """The trees of a LightGBM Booster as a numpy TreeEnsemble (numerical splits only)."""
    import math

    from .methods.model import TreeEnsemble

    dump = booster.dump_model()
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    roots: list[int] = []
    depth = 0

    def add(node: dict, level: int) -> int:
        nonlocal depth
        k = len(feature)
        feature.append(0)
        threshold.append(math.inf)
        left.append(k)
        right.append(k)
        value.append(0.0)
        if "split_feature" not in node:
            value[k] = float(node["leaf_value"])
            depth = max(depth, level)
            return k
        if node.get("decision_type", "<=") != "<=":
            raise ValueError(f"unsupported split {node.get('decision_type')!r}")
        feature[k] = int(node["split_feature"])
        threshold[k] = float(node["threshold"])
        left[k] = add(node["left_child"], level + 1)
        right[k] = add(node["right_child"], level + 1)
        return k

    for tree in dump["tree_info"]:
        roots.append(add(tree["tree_structure"], 0))
    return TreeEnsemble(feature, threshold, left, right, value, roots, depth)


def fit_trees(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    num_trees: int = NUM_TREES,
    params: dict[str, Any] | None = None,
    threads: int = 2,
    seed: int = SEED,
    names: Sequence[str] = FEATURE_NAMES,
    label: str = "trees",
) -> Any:
    """A LightGBM Booster on the rows of `x` (deterministic: fixed seeds, fixed threads);
    `groups` are the rows per story (LightGBM's queries, used by ranking objectives)."""
    try:
        import lightgbm as lgb
    except ImportError as exc:
        raise missing_module(
            exc, "training", "pip install '.[train]' (or 'newsum[train]')"
        ) from None
    from .progress import Progress

    settings = {
        **PARAMS,
        **(params or {}),
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": threads,
        "verbose": -1,
    }
    data = lgb.Dataset(x, label=y, group=groups, feature_name=list(names), free_raw_data=False)
    with Progress(num_trees, f"{label:>8}") as bar:
        booster = lgb.train(
            settings, data, num_boost_round=num_trees, callbacks=[lambda env: bar.update()]
        )
    return booster


def out_of_fold_scores(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    num_trees: int,
    params: dict[str, Any],
    threads: int = 2,
    seed: int = SEED,
    label: str = "fold",
) -> np.ndarray:
    """Sentence scores of each story from trees that did not see it (FOLDS folds by story),
    so the ranker trains on candidates scored as at run time, not on memorised ones."""
    import numpy as np

    story = np.repeat(np.arange(len(groups)), groups)
    out = np.zeros(len(y))
    for fold in range(FOLDS):
        held = story % FOLDS == fold
        rest = ~held
        booster = fit_trees(
            x[rest],
            y[rest],
            groups[np.arange(len(groups)) % FOLDS != fold],
            num_trees,
            params=params,
            threads=threads,
            seed=seed,
            label=f"{label} {fold + 1}",
        )
        out[held] = booster.predict(x[held], raw_score=True)
    return out


def gain_targets(examples: Sequence[Example]) -> np.ndarray:
    """Each sentence's own ROUGE-2 F1 against its story's highlights, in feature-row order."""
    import numpy as np

    from .candidates import sentence_rouge2

    parts = []
    for ex in examples:
        if ex.sentence_ids is None or ex.reference_ids is None:
            raise ValueError(f"story {ex.id!r} has no ROUGE token ids")
        parts.append(sentence_rouge2(ex.sentence_ids, ex.reference_ids))
    return np.concatenate(parts)


def candidate_matrix(
    examples: Sequence[Example],
    x: np.ndarray,
    scores: np.ndarray,
    gains: np.ndarray,
    groups: np.ndarray,
    idf: IdfTable,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidates of every story (features; `scores` and `gains` per sentence, out of
    fold), their graded ROUGE labels, and candidates per story. A label is the candidate's
    mean ROUGE-1/2 F1 scaled within its story from 0 (the worst candidate) to RANK_GRADES (the
    best), rounded down."""
    import numpy as np

    from .candidates import candidate_features, candidate_rouge, candidate_sets
    from .progress import Progress

    starts = np.concatenate([[0], np.cumsum(groups)])
    blocks, labels, sizes = [], [], []
    with Progress(len(examples), "   cands") as bar:
        for j, ex in enumerate(examples):
            a, b = starts[j], starts[j + 1]
            story_gains = gains[a:b]
            top, cx = candidate_features(
                ex.document, scores[a:b], x[a:b], idf, story_gains.__getitem__
            )
            bar.update()
            if len(cx) < 2 or ex.sentence_ids is None or ex.reference_ids is None:
                continue  # nothing to rank
            sets = candidate_sets(len(top))
            rouge = candidate_rouge([ex.sentence_ids[i] for i in top], ex.reference_ids, sets)
            lo, hi = rouge.min(), rouge.max()
            grade = np.floor(RANK_GRADES * (rouge - lo) / max(hi - lo, 1e-9) + 1e-9)
            blocks.append(cx)
            labels.append(np.minimum(grade, RANK_GRADES))
            sizes.append(len(cx))
    return np.vstack(blocks), np.concatenate(labels), np.array(sizes)


def _exported(booster: Any, x: np.ndarray, what: str) -> TreeEnsemble:
    """The booster's numpy trees, checked to predict what LightGBM predicts on rows of `x`."""
    import numpy as np

    trees = export_lightgbm(booster)
    sample = x[: min(len(x), 20000)]
    diff = np.abs(trees.predict(sample) - booster.predict(sample, raw_score=True)).max()
    if not diff <= 1e-9:
        raise RuntimeError(f"exported {what} trees differ from LightGBM by {diff}")
    return trees


def rouge_of(
    examples: Sequence[Example], choose: Callable[[Document], list[int]]
) -> dict[str, float]:
    """Mean ROUGE-1/2/Lsum F1 (x100, stemming) of the chosen sentences against the highlights."""
    from .rouge import RougeScorer
    from .segment import normalize_space

    cands = []
    for ex in examples:
        sents = ex.document.sentences
        cands.append("\n".join(normalize_space(sents[i].source) for i in choose(ex.document)))
    scorer = RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    results = scorer.score_batch([ex.reference for ex in examples], cands)
    n = max(len(results), 1)
    return {
        m: 100.0 * sum(r[m].fmeasure for r in results) / n
        for m in ("rouge1", "rouge2", "rougeLsum")
    }


def train(
    data: str,
    out: str,
    val: str | None = None,
    limit: int | None = None,
    val_limit: int | None = None,
    num_trees: int = NUM_TREES,
    workers: int = 2,
    seed: int = SEED,
    rank_trees: int = RANK_TREES,
) -> dict[str, Any]:
    """Train the model on `data`, write it to `out`, and score it against Lead-3 on `val`.

    Three tree ensembles: the sentence scorer (`num_trees`, binary oracle labels), the gain
    trees (GAIN_TREES, each sentence's own ROUGE-2) and the candidate ranker (`rank_trees`,
    LambdaRank over candidate summaries built from out-of-fold sentence scores and gains;
    0 leaves ranker and gain trees out, and the model selects with Combination).

    Returns a report: counts, seconds per step, and the validation ROUGE of model and lead.
    """
    from pathlib import Path

    from .candidates import CANDIDATE_FEATURES, CandidateRanker
    from .methods.model import _CACHE, ModelFile
    from .prior import BigramPrior
    from .select import Ranked, select
    from .stopwords import STOPWORDS

    for path in (data, val):
        if path and not Path(path).is_file():
            raise InputError(f"{path}: no such file")
    if not Path(out).resolve().parent.is_dir():
        raise InputError(f"{out}: its folder does not exist")
    report: dict[str, Any] = {}
    t0 = time.perf_counter()
    log(f"reading and labelling {data}")
    examples = load_examples(data, limit, workers)
    report["train_stories"] = len(examples)
    report["seconds_label"] = round(time.perf_counter() - t0, 1)

    t = time.perf_counter()
    idf = round_idf(IdfTable.fit(story_tokens(ex.document) for ex in examples))
    words = [*idf.words, *STOPWORDS]
    prior = BigramPrior.fit(
        (([s.tokens for s in ex.document.sentences], ex.highlights or []) for ex in examples),
        # The words the features can give a prior id (newsum.features.lexicon_ids).
        vocabulary=list(compress(words, lexicon_ids(words, idf) >= 0)),
    )
    log(f"idf table: {len(idf.idf)} words; prior: {len(prior.keys)} bigrams; computing features")
    x, y, groups = feature_matrix(examples, idf, prior)
    report["train_sentences"] = int(len(y))
    report["seconds_features"] = round(time.perf_counter() - t, 1)

    t = time.perf_counter()
    log(f"fitting {num_trees} trees on {len(y)} sentences x {x.shape[1]} features")
    booster = fit_trees(x, y, groups, num_trees, threads=workers, seed=seed)
    trees = _exported(booster, x, "sentence")
    report["seconds_fit"] = round(time.perf_counter() - t, 1)

    ranker = None
    if rank_trees > 0:
        t = time.perf_counter()
        fold_trees = max(1, num_trees // 2)
        log(f"ranker: out-of-fold sentence scores ({FOLDS} folds of {fold_trees} trees)")
        oof = out_of_fold_scores(x, y, groups, fold_trees, FOLD_PARAMS, workers, seed)
        log(f"ranker: gain trees ({GAIN_TREES}), out of fold and on all stories")
        g = gain_targets(examples)
        oof_gain = out_of_fold_scores(x, g, groups, GAIN_TREES, GAIN_PARAMS, workers, seed, "gain")
        booster = fit_trees(
            x, g, groups, GAIN_TREES, params=GAIN_PARAMS, threads=workers, seed=seed, label="gain"
        )
        gain = _exported(booster, x, "gain")
        cx, cy, cg = candidate_matrix(examples, x, oof, oof_gain, groups, idf)
        del oof, oof_gain, g
        log(f"fitting {rank_trees} ranker trees on {len(cy)} candidates x {cx.shape[1]} features")
        booster = fit_trees(
            cx,
            cy,
            cg,
            rank_trees,
            params=RANK_PARAMS,
            threads=workers,
            seed=seed,
            names=CANDIDATE_FEATURES,
            label="ranker",
        )
        ranker = CandidateRanker(_exported(booster, cx, "ranker"), gain)
        report["train_candidates"] = int(len(cy))
        report["seconds_ranker"] = round(time.perf_counter() - t, 1)
    del x, y

    meta = {
        "features": list(FEATURE_NAMES),
        "trained_on": {"data": _name(data), "stories": len(examples), "limit": limit},
        "params": {**PARAMS, "num_trees": num_trees, "seed": seed},
        "label": "greedy oracle (newsum.oracle.greedy_oracle, 3 sentences), binary",
    }
    if ranker is not None:
        meta["ranker"] = {
            "params": {**RANK_PARAMS, "num_trees": rank_trees},
            "folds": {"folds": FOLDS, **FOLD_PARAMS, "num_trees": max(1, num_trees // 2)},
            "gain": {**GAIN_PARAMS, "num_trees": GAIN_TREES, "label": "sentence ROUGE-2 F1"},
            "label": f"mean ROUGE-1/2 F1 of the candidate, 0..{RANK_GRADES} within its story",
        }
    model = ModelFile(trees, idf, meta, ranker, prior)
    model.save(out)
    _CACHE.pop(str(out), None)  # a model read earlier from the same path is stale now
    report["model_bytes"] = _size(out)
    log(f"wrote {out} ({report['model_bytes'] / 1e6:.2f} MB, {trees.n_trees} trees)")

    if val:
        t = time.perf_counter()
        log(f"scoring on {val}")
        val_examples = load_examples(val, val_limit, workers, label="val")
        saved = ModelFile.load(out)
        _CACHE[str(out)] = saved

        def by_model(doc: Document) -> list[int]:
            # The same selection as the `model` method uses at run time with this file.
            return select(doc, saved.score(doc).tolist(), 3, selection=Ranked(path=str(out)))

        def by_lead(doc: Document) -> list[int]:
            return list(range(min(3, len(doc.sentences))))

        def by_oracle_factory() -> Callable[[Document], list[int]]:
            lookup = {id(ex.document): ex.oracle for ex in val_examples}
            return lambda doc: lookup[id(doc)]

        report["val_stories"] = len(val_examples)
        report["val"] = {
            "model": rouge_of(val_examples, by_model),
            "lead": rouge_of(val_examples, by_lead),
            "oracle": rouge_of(val_examples, by_oracle_factory()),
        }
        report["seconds_val"] = round(time.perf_counter() - t, 1)
    report["seconds_total"] = round(time.perf_counter() - t0, 1)
    return report


def story_tokens(doc: Document) -> Iterator[str]:
    """Every word token of a story, for the idf table (document frequency counts each once)."""
    for s in doc.sentences:
        yield from s.tokens


def _name(path: str) -> str:
    from pathlib import Path

    return Path(path).name


def _size(path: str) -> int:
    from pathlib import Path

    return Path(path).stat().st_size
