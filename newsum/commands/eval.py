"""`newsum eval`: run methods over a dataset with references and report ROUGE and speed."""

from __future__ import annotations

import argparse
import sys

from ..llm.options import add_llm_options


def add_parser(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "eval",
        parents=[parent],
        help="ROUGE of methods over a dataset with reference highlights",
        description="Summarize every story of a JSONL(.gz) dataset with each method (the same "
        "path as `newsum summarize`) and report ROUGE-1/2/L/Lsum F1 with 95%% bootstrap "
        "intervals and stories/s. `oracle` is the greedy extractive upper bound.",
    )
    p.add_argument("--data", required=True, help="JSONL(.gz) with story and reference fields")
    p.add_argument(
        "--methods",
        default=None,
        help="comma-separated methods (default: the default method, lead and oracle)",
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N stories")
    p.add_argument("--sentences", "-n", type=int, default=3, help="sentences per summary")
    p.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="write report.md, report.json (with per-story scores) and report.png",
    )
    p.add_argument("--text-field", default="article")
    p.add_argument("--ref-field", default="highlights")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument(
        "--faithfulness",
        action="store_true",
        help="add each method's mean newsum.check score (0-1: how far the stories support "
        "its summaries; see docs/check.md)",
    )
    add_llm_options(p)


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..evaluate import ORACLE, evaluate, format_table, load_stories, warn, write_report
    from ..llm.options import method_for
    from ..methods.base import available_methods
    from ..summarizer import default_method

    if args.methods:
        methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    else:
        methods = list(dict.fromkeys([default_method(), "lead", ORACLE]))
    known = available_methods() + [ORACLE]
    unknown = [m for m in methods if m not in known]
    if unknown:
        raise UsageError(f"unknown method {unknown[0]!r}; choose from: {', '.join(known)}")
    if args.sentences < 1:
        raise UsageError("--sentences must be at least 1")
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    stories, read_s = load_stories(
        args.data, args.limit, args.text_field, args.ref_field, warn=warn
    )
    progress = not args.quiet and sys.stderr.isatty()
    runs = [method_for(m, args) if m == "llm" else m for m in methods]
    results = evaluate(
        stories, runs, args.sentences, read_s, progress, args.seed, args.faithfulness
    )
    print(
        f"{len(stories)} stories from {args.data}; {args.sentences} sentences per summary; "
        "ROUGE F1 x100 with 95% bootstrap intervals"
    )
    print(format_table(results))
    if args.out:
        meta = {
            "data": args.data,
            "sentences": args.sentences,
            "limit": args.limit,
            "seed": args.seed,
            "faithfulness": args.faithfulness,
        }
        for path in write_report(args.out, results, stories, meta):
            print(f"wrote {path}", file=sys.stderr)
    return 0
