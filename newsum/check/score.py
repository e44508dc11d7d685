"""From a summary sentence to its verdict: features, then a score with shipped weights.

A sentence scores 1 - sum(weight * feature), clipped to [0, 1]: each unbacked word, name or
number costs its weight. The weights are fitted so that, among summaries from one system, the
mean over a summary's sentences follows the share of sentences people judge error-free (FRANK's
factuality); docs/check.md says how far.

The weights live in `weights.json` beside this module (plain JSON, no pickle): learned from
corrupted CNN/DM highlights by `benchmarks/synthetic_check.py`, a few of them then tuned on
FRANK validation by `benchmarks/tune_check.py`, which writes the file.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from .align import align
from .spans import Candidate, find_spans
from .story import CONTENT, StoryIndex
from .text import Token, tokens
from .types import CheckedSentence, Span

WEIGHTS_FILE = Path(__file__).with_name("weights.json")

FEATURES = (
    "novel",  # share of adjacent content-word pairs the story never has (close, in order)
    "spliced",  # novel * (1 - novel): a few new pairs in an otherwise copied sentence
    "absent_abstractive",  # sqrt(spans the story never backs) * novel
    "absent_extractive",  # sqrt(spans the story never backs) * (1 - novel)
    "uncovered",  # idf-weighted share of content words outside the aligned sentences
    "absent_names",  # names the story never mentions (count)
    "absent_numbers",  # numbers, dates, quantities the story never gives (count)
    "elsewhere",  # names/numbers the story has, but not near the aligned sentences (count)
    "negation",  # the sentence negates, its sources do not
)
WINDOW = 2  # a pair of summary words is backed when the story has them this close, in order
_FACTS = frozenset({"name", "number", "date", "quantity"})


@lru_cache(maxsize=4)
def load_weights(path: str = str(WEIGHTS_FILE)) -> tuple[dict[str, float], float]:
    """(weight per feature, threshold on the sentence score for `supported`)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    weights = {name: float(data["weights"].get(name, 0.0)) for name in FEATURES}
    return weights, float(data.get("threshold", 0.5))


def _context(toks: list[Token], spans: list[Candidate], keys: set[str], story: StoryIndex) -> set:
    """Keys of the story sentences that back the sentence's other words (aligned without its
    names and numbers) and their neighbours (coreference spills over): a name or number the
    story has, but not there, was probably moved from another fact ("elsewhere")."""
    facts = {k for c in spans if c.type in _FACTS for k in c.keys}
    sources, _ = align(keys - facts, story) if keys - facts else align(keys, story)
    near: set[str] = set()
    for j in sources:
        for jj in (j - 1, j, j + 1):
            if 0 <= jj < len(story.sentences):
                near |= story.sentences[jj].keys
    return near


def check_sentence(
    text: str, story: StoryIndex, cased: bool, weights: tuple[dict[str, float], float]
) -> CheckedSentence:
    toks = tokens(text)
    keys = {t.key for t in toks if t.kind in CONTENT}
    sources, coverage = align(keys, story)
    spans = find_spans(toks, story, cased)
    near = _context(toks, spans, keys, story) or keys
    unsupported: list[Span] = []
    counts = {"name": 0, "fact": 0, "elsewhere": 0}
    for cand in spans:
        first, last = toks[cand.i], toks[cand.j - 1]
        missing = [k for k in cand.keys if not story.has(k)]
        reason = "absent" if missing else None
        if not missing and cand.type in _FACTS and not all(k in near for k in cand.keys):
            reason = "elsewhere"
            counts["elsewhere"] += 1
        elif missing and cand.type == "name":
            counts["name"] += 1
        elif missing and cand.type in _FACTS:
            counts["fact"] += 1
        if reason:
            span = text[first.start : last.end]
            unsupported.append(Span(first.start, last.end, span, cand.type, reason))
    content = [t.key for t in toks if t.kind in CONTENT]
    pairs = list(zip(content, content[1:], strict=False))
    novel = (
        sum(1 for a, b in pairs if not story.follows(a, b, WINDOW)) / len(pairs) if pairs else 0.0
    )
    negated = any(t.kind == "negation" for t in toks)
    absent = math.sqrt(sum(1 for span in unsupported if span.reason == "absent"))
    features = {
        "novel": novel,
        "spliced": novel * (1.0 - novel),
        "absent_abstractive": absent * novel,
        "absent_extractive": absent * (1.0 - novel),
        "uncovered": 1.0 - coverage if keys else 0.0,
        "absent_names": float(counts["name"]),
        "absent_numbers": float(counts["fact"]),
        "elsewhere": float(counts["elsewhere"]),
        "negation": float(negated and not any(story.sentences[j].negated for j in sources)),
    }
    w, threshold = weights
    score = min(1.0, max(0.0, 1.0 - sum(w[name] * features[name] for name in FEATURES)))
    return CheckedSentence(
        text=text,
        score=score,
        # a name or number the story never gives fails the sentence whatever its score
        supported=score >= threshold
        and not any(s.type in _FACTS and s.reason == "absent" for s in unsupported),
        sources=tuple(sources),
        unsupported=tuple(unsupported),
        features=features,
    )
