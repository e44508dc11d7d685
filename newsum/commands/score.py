"""`newsum score`: ROUGE of summaries produced elsewhere against references."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "score",
        parents=[parent],
        help="ROUGE of any system's summaries against references",
        description="Score candidate summaries against references. Each file is JSONL (an id "
        "and a summary field: summary, highlights, sentences, text, ...; a list of sentences "
        "is joined one per line) or text with one summary per line, sentences separated by "
        "--sep. JSONL on both sides is matched by id, otherwise by position.",
    )
    p.add_argument("--refs", required=True, help="reference summaries")
    p.add_argument("--cands", required=True, help="candidate summaries")
    p.add_argument("--sep", default="<n>", help="sentence separator in text files (default <n>)")
    p.add_argument("--ref-field", default=None, help="JSONL field of the references")
    p.add_argument("--cand-field", default=None, help="JSONL field of the candidates")
    p.add_argument("--id-field", default="id")
    p.add_argument("--json", action="store_true", help="print a JSON object instead of a table")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    p.add_argument(
        "--stories",
        default=None,
        metavar="FILE",
        help="the stories the summaries are of (JSONL with ids, or one story per line, in the "
        "order of the references; the references' own file works when it holds the stories): "
        "adds the candidates' mean newsum.check faithfulness score",
    )
    p.add_argument("--story-field", default="article", help="JSONL field of the stories")


def run(args: argparse.Namespace) -> int:
    import json

    from ..evaluate import (
        METRICS,
        SUMMARY_FIELDS,
        MethodResult,
        bootstrap,
        format_table,
        load_summaries,
        pair_up,
        score_pairs,
        warn,
    )

    def fields(name: str | None) -> tuple[str, ...]:
        return (name,) if name else SUMMARY_FIELDS

    ref_ids, refs = load_summaries(args.refs, fields(args.ref_field), args.sep, args.id_field)
    cand_ids, cands = load_summaries(args.cands, fields(args.cand_field), args.sep, args.id_field)
    ids, refs, cands = pair_up(ref_ids, refs, cand_ids, cands)
    empty = [i for i, c in zip(ids, cands, strict=True) if not c.strip()]
    if empty:
        warn(f"warning: {len(empty)} empty candidate(s) scored 0 (first id: {empty[0]})")
    blank_refs = sum(1 for r in refs if not r.strip())
    if blank_refs:
        warn(f"warning: {blank_refs} empty reference(s); their pairs score 0")
    scores = score_pairs(refs, cands)
    result = MethodResult("candidates", scores, 0.0, bootstrap(scores, args.seed))
    if args.stories:
        result.faithfulness = _faithfulness(args, ids, ref_ids, cands)
    if args.json:
        out = {
            m: dict(zip(("low", "mid", "high"), result.intervals[m], strict=True)) for m in METRICS
        }
        extra = {}
        if result.faithfulness is not None:
            extra["faithfulness"] = sum(result.faithfulness) / len(result.faithfulness)
        print(json.dumps({"pairs": len(refs), "empty_candidates": len(empty), "f1": out, **extra}))
    else:
        print(f"{len(refs)} pairs; ROUGE F1 x100 with 95% bootstrap intervals")
        print(format_table([result], speed=False))
    return 0


def _faithfulness(
    args: argparse.Namespace, ids: list[str], ref_ids: list[str] | None, cands: list[str]
) -> list[float]:
    """newsum.check score of each candidate against its story (matched by id, else position)."""
    from ..errors import InputError
    from ..evaluate import faithfulness_scores, load_summaries
    from ..readers import read_document

    story_ids, stories = load_summaries(args.stories, (args.story_field,), "\n", args.id_field)
    if story_ids is not None and ref_ids is not None:
        by_id = dict(zip(story_ids, stories, strict=True))
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise InputError(f"{args.stories}: no story for id {missing[0]!r}")
        stories = [by_id[i] for i in ids]
    elif len(stories) != len(cands):
        raise InputError(f"{len(stories)} stories but {len(cands)} candidates")
    docs = []
    for rid, text in zip(ids, stories, strict=True):
        try:
            docs.append(read_document(text))
        except InputError as exc:
            raise InputError(f"{args.stories}: story {rid!r}: {exc}") from None
    return faithfulness_scores(docs, cands)
