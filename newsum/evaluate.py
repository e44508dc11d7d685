"""Evaluation: methods x dataset -> ROUGE report (table, JSON, chart); scoring outside outputs.

Summaries are made through the same path as `newsum summarize` (read_document ->
summarize_document); candidates are the chosen sentences' input text, one per line, so ROUGE-Lsum
sees the sentence split and the tokens match the references'.
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .document import Document, Summary
from .errors import InputError, missing_module
from .methods.base import Method
from .readers import load_document, open_lines, parse_record
from .segment import normalize_space

METRICS = ("rouge1", "rouge2", "rougeL", "rougeLsum")
LABELS = {"rouge1": "R1", "rouge2": "R2", "rougeL": "RL", "rougeLsum": "RLsum"}
ORACLE = "oracle"


@dataclass(slots=True)
class Story:
    id: str
    document: Document
    reference: str


@dataclass
class MethodResult:
    """Per-story F1 scores of one method and its speed."""

    name: str
    scores: dict[str, list[float]]
    seconds: float
    intervals: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    faithfulness: list[float] | None = None  # newsum.check score per story (eval --faithfulness)

    @property
    def stories_per_s(self) -> float:
        n = len(next(iter(self.scores.values()), []))
        return n / self.seconds if self.seconds > 0 else math.inf


def _open_text(path: str) -> Iterator[str]:
    """The lines of a text file (gzip-compressed or not, by magic bytes), decoded as UTF-8."""
    for lineno, line in enumerate(open_lines(path), 1):
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}:{lineno}: not valid UTF-8 (byte offset {exc.start})"
            ) from None


def _json_records(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a malformed line is an InputError."""
    for lineno, line in enumerate(open_lines(path), 1):
        if not line.strip():
            continue
        try:
            rec = parse_record(line)
        except InputError as exc:
            raise InputError(f"{path}:{lineno}: {exc}") from None
        yield lineno, rec


def load_stories(
    path: str,
    limit: int | None = None,
    text_field: str = "article",
    ref_field: str = "highlights",
    id_field: str = "id",
    warn=print,
) -> tuple[list[Story], float]:
    """Stories with references from a JSONL(.gz) file, and the seconds spent reading them.

    Records without text or reference are skipped with a warning (they cannot be scored).
    """
    stories: list[Story] = []
    skipped = 0
    seconds = 0.0
    for lineno, rec in _json_records(path):
        if limit is not None and len(stories) >= limit:
            break
        text, ref = rec.get(text_field), rec.get(ref_field)
        if not isinstance(ref, str):
            raise InputError(f"{path}:{lineno}: record has no {ref_field!r} reference field")
        if not isinstance(text, str) or not text.strip() or not ref.strip():
            skipped += 1
            continue
        start = time.perf_counter()
        try:
            doc = load_document(rec, field=text_field, id_field=id_field)
        except InputError:
            skipped += 1
            continue
        seconds += time.perf_counter() - start
        stories.append(Story(str(rec.get(id_field, lineno)), doc, ref))
    if skipped:
        warn(f"warning: skipped {skipped} record(s) with an empty story or reference")
    if not stories:
        raise InputError(f"{path}: no stories to evaluate")
    return stories, seconds


def candidate(doc: Document, indices: Sequence[int]) -> str:
    """The chosen sentences' input text, one per line (what ROUGE is computed on)."""
    return "\n".join(normalize_space(doc.sentences[i].source) for i in indices)


def summary_candidate(summary: Summary) -> str:
    """A summary's candidate text: story sentences as their input text (see `candidate`), an
    abstractive highlight (`llm`) as written."""
    doc = summary.document
    return "\n".join(
        normalize_space(s.text if s.index is None else doc.sentences[s.index].source)
        for s in summary.sentences
    )


def choose(
    stories: Sequence[Story], method: str | Method, sentences: int, progress: bool
) -> tuple[list[str], float]:
    """Candidates of one method (a name, or a Method with its settings) for every story, and
    the seconds it took."""
    from .methods.base import get_method
    from .oracle import greedy_oracle
    from .progress import Progress
    from .summarizer import BATCH, summarize_many

    scorer = method if isinstance(method, Method) else None
    if scorer is None and method != ORACLE:
        scorer = get_method(method)
    name = method_name(method)
    cands = []
    start = time.perf_counter()
    with Progress(len(stories), f"{name:>10}", enabled=progress or None) as bar:
        if scorer is not None:  # batched: the same summaries as one story at a time
            for k in range(0, len(stories), BATCH):
                docs = [story.document for story in stories[k : k + BATCH]]
                for summary in summarize_many(docs, scorer, sentences=sentences):
                    cands.append(summary_candidate(summary))
                bar.update(len(docs))
        for story in stories if scorer is None else ():
            doc = story.document
            texts = [s.source for s in doc.sentences]
            idx = greedy_oracle(texts, story.reference, max_sentences=sentences)
            cands.append(candidate(doc, idx))
            bar.update()
    return cands, time.perf_counter() - start


def score_pairs(references: Sequence[str], candidates: Sequence[str]) -> dict[str, list[float]]:
    """Per-pair F1 (x100) for each metric, rouge-score semantics with stemming."""
    from .rouge import RougeScorer

    scorer = RougeScorer(list(METRICS), use_stemmer=True)
    results = scorer.score_batch(references, candidates)
    return {m: [100.0 * r[m].fmeasure for r in results] for m in METRICS}


def bootstrap(
    scores: dict[str, list[float]], seed: int = 0
) -> dict[str, tuple[float, float, float]]:
    """(low, mid, high) 95% bootstrap interval of the mean of each metric."""
    from .rouge import BootstrapAggregator, Score

    agg = BootstrapAggregator(confidence_interval=0.95, n_samples=1000, seed=seed)
    n = len(next(iter(scores.values())))
    for i in range(n):
        agg.add_scores({m: Score(0.0, 0.0, scores[m][i]) for m in scores})
    out = agg.aggregate()
    return {m: (out[m].low.fmeasure, out[m].mid.fmeasure, out[m].high.fmeasure) for m in scores}


def faithfulness_scores(documents: Sequence[Document], candidates: Sequence[str]) -> list[float]:
    """newsum.check score of each candidate (one sentence per line) against its story."""
    from .check import check

    return [
        check(doc, [line for line in cand.split("\n") if line.strip()]).score
        if cand.strip()
        else 0.0
        for doc, cand in zip(documents, candidates, strict=True)
    ]


def method_name(method: str | Method) -> str:
    return method if isinstance(method, str) else method.name


def evaluate(
    stories: Sequence[Story],
    methods: Sequence[str | Method],
    sentences: int = 3,
    read_seconds: float = 0.0,
    progress: bool = False,
    seed: int = 0,
    faithfulness: bool = False,
) -> list[MethodResult]:
    """Run each method over the stories and score it; speed includes reading the stories.
    With `faithfulness`, also each summary's newsum.check score (not counted in the speed)."""
    refs = [s.reference for s in stories]
    results = []
    for method in methods:
        cands, seconds = choose(stories, method, sentences, progress)
        scores = score_pairs(refs, cands)
        res = MethodResult(method_name(method), scores, seconds + read_seconds)
        res.intervals = bootstrap(scores, seed)
        if faithfulness:
            res.faithfulness = faithfulness_scores([s.document for s in stories], cands)
        results.append(res)
    return results


def mean_faithfulness(result: MethodResult) -> float | None:
    values = result.faithfulness
    return sum(values) / len(values) if values else None


def format_table(results: Sequence[MethodResult], speed: bool = True) -> str:
    """A markdown table: F1 x100 with 95% intervals per metric, and stories/s."""
    head = "| method | " + " | ".join(LABELS[m] for m in METRICS)
    rule = "|---|" + "---|" * len(METRICS)
    faithful = any(r.faithfulness is not None for r in results)
    if faithful:  # the mean newsum.check score (0-1) of the method's summaries
        head += " | faithfulness"
        rule += "---|"
    if speed:
        head += " | stories/s"
        rule += "---|"
    lines = [head + " |", rule]
    for r in results:
        cells = [
            f"{mid:.2f} ({lo:.2f}–{hi:.2f})" for lo, mid, hi in (r.intervals[m] for m in METRICS)
        ]
        if faithful:
            value = mean_faithfulness(r)
            cells.append("" if value is None else f"{value:.3f}")
        if speed:
            cells.append(f"{r.stories_per_s:.0f}")
        lines.append(f"| {r.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report_dict(
    results: Sequence[MethodResult], stories: Sequence[Story], meta: dict[str, Any]
) -> dict[str, Any]:
    return {
        **meta,
        "stories": len(stories),
        "metrics": list(METRICS),
        "methods": {
            r.name: {
                "f1": {
                    m: dict(zip(("low", "mid", "high"), r.intervals[m], strict=True))
                    for m in METRICS
                },
                "stories_per_s": r.stories_per_s,
                **({"faithfulness": mean_faithfulness(r)} if r.faithfulness is not None else {}),
            }
            for r in results
        },
        "per_story": [
            {
                "id": s.id,
                **{
                    r.name: {
                        **{m: r.scores[m][i] for m in METRICS},
                        **(
                            {"faithfulness": r.faithfulness[i]}
                            if r.faithfulness is not None
                            else {}
                        ),
                    }
                    for r in results
                },
            }
            for i, s in enumerate(stories)
        ],
    }


def write_report(
    out_dir: str, results: Sequence[MethodResult], stories: Sequence[Story], meta: dict[str, Any]
) -> list[Path]:
    """report.md, report.json and report.png in `out_dir`; each file written whole or not at all."""
    from .render import atomic_write

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    md = (
        f"# newsum evaluation\n\n{len(stories)} stories from `{meta['data']}`, "
        f"{meta['sentences']} sentences per summary, ROUGE F1 x100 (rouge-score 0.1.2 "
        f"semantics, Porter stemming), 95% bootstrap intervals.\n\n{format_table(results)}\n"
    )
    paths = [out / "report.md", out / "report.json", out / "report.png"]
    atomic_write(paths[0], md.encode("utf-8"))
    data = json.dumps(report_dict(results, stories, meta), ensure_ascii=False)
    atomic_write(paths[1], data.encode("utf-8"))
    atomic_write(paths[2], chart_png(results))
    return paths


def chart_png(results: Sequence[MethodResult]) -> bytes:
    """A grouped bar chart of the four F1 scores per method, with interval whiskers."""
    import io

    try:
        import matplotlib
    except ImportError as exc:
        raise missing_module(exc, "the report chart") from None

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    width = 0.8 / max(1, len(results))
    for k, r in enumerate(results):
        mids = [r.intervals[m][1] for m in METRICS]
        errs = [
            [r.intervals[m][1] - r.intervals[m][0] for m in METRICS],
            [r.intervals[m][2] - r.intervals[m][1] for m in METRICS],
        ]
        xs = [i + (k - (len(results) - 1) / 2) * width for i in range(len(METRICS))]
        ax.bar(xs, mids, width, yerr=errs, capsize=2, label=r.name)
    ax.set_xticks(range(len(METRICS)), [LABELS[m] for m in METRICS])
    ax.set_ylabel("F1 x100")
    ax.set_title("ROUGE by method (95% bootstrap intervals)")
    ax.legend(fontsize=8, ncols=min(len(results), 5))
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


# ----------------------------------------------------------------------------- newsum score


def _join(value: Any) -> str | None:
    """A summary field as newline-separated sentences (strings, or objects with "text")."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [v.get("text") if isinstance(v, dict) else v for v in value]
        if all(isinstance(p, str) for p in parts):
            return "\n".join(parts)
    return None


SUMMARY_FIELDS = ("summary", "highlights", "sentences", "text", "reference", "prediction")


def load_summaries(
    path: str, fields: Sequence[str] = SUMMARY_FIELDS, sep: str = "<n>", id_field: str = "id"
) -> tuple[list[str] | None, list[str]]:
    """(ids or None, summaries) from JSONL records or a text file (one summary per line)."""
    lines = list(_open_text(path))
    first = next((ln for ln in lines if ln.strip()), "")
    if not first.lstrip().startswith("{"):
        return None, [
            "\n".join(p.strip() for p in ln.rstrip("\n").split(sep) if p.strip()) for ln in lines
        ]
    ids, texts = [], []
    for lineno, rec in _json_records(path):
        if id_field not in rec:
            raise InputError(f"{path}:{lineno}: record has no {id_field!r} field")
        name = next((f for f in fields if f in rec), None)
        text = _join(rec[name]) if name else None
        if text is None:
            raise InputError(f"{path}:{lineno}: no summary field (looked for {', '.join(fields)})")
        ids.append(str(rec[id_field]))
        texts.append(text)
    return ids, texts


def pair_up(
    ref_ids: list[str] | None,
    refs: list[str],
    cand_ids: list[str] | None,
    cands: list[str],
) -> tuple[list[str], list[str], list[str]]:
    """(ids, references, candidates) matched by id when both sides have ids, else by position."""
    if ref_ids is not None and cand_ids is not None:
        for side, ids in (("references", ref_ids), ("candidates", cand_ids)):
            if len(set(ids)) != len(ids):
                dup = next(i for i in ids if ids.count(i) > 1)
                raise InputError(f"duplicate id {dup!r} in the {side}")
        by_id = dict(zip(cand_ids, cands, strict=True))
        missing = [i for i in ref_ids if i not in by_id]
        extra = sorted(set(cand_ids) - set(ref_ids))
        if missing or extra:
            raise InputError(
                f"ids do not match: {len(missing)} reference id(s) without a candidate"
                f"{' (e.g. ' + repr(missing[0]) + ')' if missing else ''}, {len(extra)} candidate "
                f"id(s) without a reference{' (e.g. ' + repr(extra[0]) + ')' if extra else ''}"
            )
        return ref_ids, refs, [by_id[i] for i in ref_ids]
    if len(refs) != len(cands):
        raise InputError(f"{len(refs)} references but {len(cands)} candidates")
    ids = ref_ids or cand_ids or [str(i) for i in range(1, len(refs) + 1)]
    return ids, refs, cands


def warn(msg: str) -> None:
    print(msg, file=sys.stderr)
