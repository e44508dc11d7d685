"""`newsum check`: how far a story supports a summary, sentence by sentence."""

from __future__ import annotations

import argparse
import sys

from .summarize import add_output_option


def add_parser(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "check",
        parents=[parent],
        help="check a summary against its story (faithfulness)",
        description="Check which sentences of a summary the story supports: each summary "
        "sentence with its verdict, the spans (names, numbers, dates, words) the story does "
        "not back marked [[like this]], and the story sentences it rests on. With --data, "
        "check every story/summary pair of a JSONL file (one JSON result per line).",
    )
    p.add_argument("story", nargs="?", metavar="STORY", help="story file, URL, or - for stdin")
    p.add_argument(
        "--summary",
        "-s",
        metavar="FILE_OR_TEXT",
        help="the summary: a file, - for stdin, or else the text itself",
    )
    p.add_argument(
        "--format",
        default="auto",
        choices=("auto", "text", "tokenized", "html"),
        help="how the story is written (default: detect; a path may also be an http(s) URL)",
    )
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument("--data", metavar="PAIRS", help="JSONL(.gz) file of story/summary records")
    p.add_argument("--story-field", default="article", help="JSONL field of the story")
    p.add_argument(
        "--summary-field",
        default="summary",
        help="JSONL field of the summary (text, or a list of sentences)",
    )
    p.add_argument("--id-field", default="id", help="JSONL field copied to each result")
    add_output_option(p)


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError

    if args.data:
        if args.story or args.summary:
            raise UsageError("give either --data PAIRS or STORY --summary, not both")
        return _run_pairs(args)
    if not args.story or args.summary is None:
        raise UsageError("give a STORY and --summary FILE_OR_TEXT (or --data PAIRS)")
    if args.story == "-" and args.summary == "-":
        raise UsageError("only one of STORY and --summary can be read from stdin")
    return _run_one(args)


def _read_summary(value: str) -> str:
    """--summary: '-' is stdin, an existing file is read (as every input is: regular files only,
    bounded), anything else is the text itself."""
    import os

    from ..errors import InputError
    from ..files import read_file, read_stdin
    from ..readers import decode

    if not value.strip():
        raise InputError("summary is empty")
    if value == "-":
        return decode(read_stdin(), "<stdin>")
    if "\n" in value or len(value) >= 4096 or not os.path.lexists(value):
        return value
    if os.path.isdir(value):
        raise InputError(f"{value}: is a directory (--summary takes a file or the text)")
    return decode(read_file(value), value)


def _run_one(args: argparse.Namespace) -> int:
    import json

    from ..check import check
    from ..check.render import format_check
    from ..errors import InputError
    from ..readers import iter_items
    from ..render import AtomicOutput

    if args.story == "-" and sys.stdin.isatty():
        raise InputError("no story on stdin: give a file path, or pipe the story in")
    summary = _read_summary(args.summary)
    fmt = args.format
    items = list(iter_items([args.story], "html" if fmt == "html" else "auto"))
    if len(items) != 1:
        raise InputError(f"{args.story}: holds {len(items)} stories; use --data for many pairs")
    item = items[0]
    if item.error:
        raise InputError(item.error)
    doc = item.document
    if fmt in ("text", "tokenized"):  # re-read the text the way the user said it is written
        from ..readers import read_document

        doc = read_document(doc.text, fmt)
    result = check(doc, summary)
    with AtomicOutput(args.output) as out:
        if args.json:
            out.write(json.dumps(result.to_dict(story=True), ensure_ascii=False) + "\n")
        else:
            out.write(format_check(result))
    return 0


def _run_pairs(args: argparse.Namespace) -> int:
    import json

    from ..check import check
    from ..errors import InputError
    from ..readers import iter_records, read_document, record_lines
    from ..render import AtomicOutput

    done = failed = 0
    with AtomicOutput(args.output) as out:
        name = "<stdin>" if args.data == "-" else args.data
        for where, record, error in iter_records(record_lines(args.data), name):
            if error is None:
                try:
                    story = record.get(args.story_field)
                    summary = record.get(args.summary_field)
                    if not isinstance(story, str):
                        raise InputError(f"record has no text {args.story_field!r} field")
                    if summary is None:
                        raise InputError(f"record has no {args.summary_field!r} field")
                    result = check(read_document(story), summary)
                except InputError as exc:
                    error = f"{where}: {exc}"
            if error is not None:
                failed += 1
                print(f"newsum: error: {error}", file=sys.stderr)
                continue
            obj = result.to_dict()
            rid = record.get(args.id_field)
            if rid is not None:
                obj = {"id": str(rid), **obj}
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
            done += 1
        if not done:
            out.discard()
    if failed:
        return 2 if not done else 1
    return 0
