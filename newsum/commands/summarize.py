"""`newsum summarize`: highlights of one or more stories (files, JSONL records, stdin)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..llm.options import add_llm_options

if TYPE_CHECKING:
    from ..readers import Item


def add_length_options(p: argparse.ArgumentParser) -> None:
    """--sentences / --words / --ratio / --order / --no-redundancy, shared with other commands."""
    p.add_argument(
        "--sentences",
        "-n",
        type=int,
        default=None,
        metavar="N",
        help="at most N sentences (default 3; --words/--ratio can only lower a given N)",
    )
    p.add_argument(
        "--words", "-w", type=int, default=None, metavar="N", help="at most N words in total"
    )
    p.add_argument(
        "--ratio",
        "-r",
        type=float,
        default=None,
        metavar="R",
        help="at most this fraction of the story's sentences",
    )
    p.add_argument(
        "--order",
        choices=("position", "score"),
        default="position",
        help="order of the output sentences (default: story order)",
    )
    red = p.add_mutually_exclusive_group()
    red.add_argument(
        "--no-redundancy",
        dest="redundancy",
        action="store_false",
        default=None,
        help="switch off trigram blocking of repeated content",
    )
    red.add_argument(
        "--redundancy",
        dest="redundancy",
        action="store_true",
        default=None,
        help="switch it on (the default for every method but lead)",
    )


def add_output_option(p: argparse.ArgumentParser) -> None:
    """-o/--output FILE, written atomically; shared with `newsum check`."""
    p.add_argument(
        "--output",
        "-o",
        default=None,
        metavar="FILE",
        help="write to FILE (atomically: complete or not at all) instead of stdout",
    )


def length_settings(args: argparse.Namespace) -> dict:
    """summarize_document's length keywords; the budget is checked here (UsageError)."""
    from ..budget import Budget
    from ..select import check_budget

    # A count left out stays None: Budget resolves the default (3 unless --words/--ratio).
    budget = Budget(args.sentences, args.words, args.ratio)
    check_budget(budget.sentences, order=args.order)
    return {
        "sentences": budget.sentences,
        "words": budget.words,
        "ratio": budget.ratio,
        "order": args.order,
        "redundancy": args.redundancy,
    }


def add_parser(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "summarize",
        parents=[parent],
        help="print the highlights of stories",
        description="Print the highlights of each story: a text file (raw or corpus-style "
        "tokenized), JSONL records (one summary per record) or '-' for standard input.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="input files, or - for stdin")
    p.add_argument("--method", "-m", default=None, help="scoring method (see `newsum methods`)")
    add_length_options(p)
    p.add_argument(
        "--format",
        default="auto",
        help="auto, text, tokenized, jsonl or html (a path may also be an http(s) URL)",
    )
    p.add_argument("--field", default="article", help="JSONL field holding the story")
    out = p.add_mutually_exclusive_group()
    out.add_argument(
        "--json",
        action="store_const",
        const="json",
        dest="output_format",
        help="one JSON object per story",
    )
    out.add_argument(
        "--markdown",
        action="store_const",
        const="markdown",
        dest="output_format",
        help="markdown bullet list",
    )
    add_llm_options(p)
    add_output_option(p)


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..llm.options import method_for
    from ..readers import iter_items
    from ..render import AtomicOutput, render
    from ..summarizer import default_method

    paths = args.paths or ["-"]
    if paths == ["-"] and sys.stdin.isatty():
        raise UsageError("no input: give a file path, or pipe a story into `newsum summarize -`")
    settings = length_settings(args)
    method = method_for(args.method or default_method(), args)
    fmt = args.output_format or "text"
    failed = done = 0
    with AtomicOutput(args.output) as out:
        for item, summary in _summarized(
            iter_items(paths, args.format, args.field), method, settings
        ):
            if summary is None:
                failed += 1
                print(f"newsum: error: {item.error}", file=sys.stderr)
                continue
            for warning in summary.settings.get("llm", {}).get("warnings", ()):
                print(f"newsum: warning: {item.name}: {warning}", file=sys.stderr)
            if fmt == "text" and done:
                out.write("\n")
            out.write(render(summary, fmt, name=item.name, record_id=item.record_id))
            done += 1
        if not done:
            out.discard()
    if failed:
        return 2 if not done else 1
    return 0


def _summarized(items: Iterable[Item], method: Any, settings: dict) -> Iterator[tuple[Item, Any]]:
    """Each item with its Summary (None for an item that could not be read), BATCH items at a
    time through `summarize_many`: the same summaries as one by one, faster for many records
    (the model runs its trees and ranker over the batch's stories at once)."""
    from ..summarizer import BATCH, summarize_read

    batch: list[Item] = []

    def flush() -> list[tuple[Item, Any]]:
        read = [None if i.error else i.document for i in batch]
        done = list(zip(batch, summarize_read(read, method, **settings), strict=True))
        batch.clear()
        return done

    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            yield from flush()
    yield from flush()
