"""`newsum train`: train the `model` method from CNN/DailyMail-style JSONL (needs newsum[train])."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "train",
        parents=[parent],
        help="train the extractive model (the `model` method)",
        description="Label each training story with the greedy ROUGE oracle, compute sentence "
        "features, fit gradient-boosted trees (LightGBM, fixed seeds), then trees that rank "
        "candidate summaries (2 or 3 of the 6 best sentences) by ROUGE, and write a model file; "
        "with --val, print validation ROUGE of the model next to Lead-3 and the oracle. "
        "The defaults reproduce the shipped model (see docs/model.md).",
    )
    p.add_argument(
        "--data",
        required=True,
        metavar="FILE",
        help="training JSONL(.gz) with 'article' and 'highlights'",
    )
    p.add_argument(
        "--val",
        default=None,
        metavar="FILE",
        help="validation JSONL(.gz) to score the model on (optional)",
    )
    p.add_argument("--out", required=True, metavar="PATH", help="model file to write (.npz)")
    p.add_argument(
        "--limit", type=int, default=None, metavar="N", help="use only the first N training stories"
    )
    p.add_argument(
        "--val-limit",
        type=int,
        default=None,
        metavar="N",
        help="score on only the first N validation stories",
    )
    p.add_argument(
        "--trees",
        type=int,
        default=None,
        metavar="N",
        help="number of boosting rounds (default: the shipped model's)",
    )
    p.add_argument(
        "--rank-trees",
        type=int,
        default=None,
        metavar="N",
        help="boosting rounds of the candidate ranker (default: the shipped model's; 0: none)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        metavar="N",
        help="processes for labelling and threads for LightGBM (default 2)",
    )
    p.add_argument("--json", action="store_true", help="print the training report as JSON")


def run(args: argparse.Namespace) -> int:
    import json

    from ..errors import UsageError
    from ..train import NUM_TREES, RANK_TREES, train

    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.trees is not None and args.trees < 1:
        raise UsageError("--trees must be at least 1")
    if args.rank_trees is not None and args.rank_trees < 0:
        raise UsageError("--rank-trees must be at least 0")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    report = train(
        args.data,
        args.out,
        val=args.val,
        limit=args.limit,
        val_limit=args.val_limit,
        num_trees=args.trees or NUM_TREES,
        workers=args.workers,
        rank_trees=RANK_TREES if args.rank_trees is None else args.rank_trees,
    )
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
        return 0
    print(
        f"trained on {report['train_stories']} stories ({report['train_sentences']} sentences) "
        f"in {report['seconds_total']:.0f} s; model file {args.out} "
        f"({report['model_bytes'] / 1e6:.2f} MB)"
    )
    if "val" in report:
        print(f"validation: {report['val_stories']} stories, ROUGE F1 (stemming)")
        print("| method | R1 | R2 | RLsum |")
        print("|---|---|---|---|")
        for name, scores in report["val"].items():
            print(
                f"| {name} | {scores['rouge1']:.2f} | {scores['rouge2']:.2f} "
                f"| {scores['rougeLsum']:.2f} |"
            )
    sys.stdout.flush()
    return 0
