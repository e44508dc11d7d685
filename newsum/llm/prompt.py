"""Grounded prompting: the story as numbered sentences in, cited highlights (JSON) out.

The model sees sentence numbers 1..n (story order); `Draft.sources` holds 0-based story
sentence indices. Parsing is forgiving about the wrapping (code fences, prose around the JSON,
a bare list) and strict about the content (each highlight has text; cited numbers exist).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

SYSTEM = (
    "You write the highlights of news stories. Use only facts stated in the story: no outside "
    "knowledge, no guesses. Answer with JSON only."
)

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)
_NUMBER = re.compile(r"\d+")


@dataclass(slots=True)
class Draft:
    """One highlight as the model wrote it: its text and the story sentences it cites."""

    text: str
    sources: list[int] = field(default_factory=list)


class AnswerError(ValueError):
    """The model's answer is not usable as highlights; the message says why (for a repair)."""


def context_sentences(texts: Sequence[str], ranking: Sequence[int], budget_chars: int) -> list[int]:
    """Which sentences go into the prompt: all when they fit in `budget_chars`, else the best
    ranked ones that fit (always at least one), returned in story order."""
    if sum(len(t) + 8 for t in texts) <= budget_chars:
        return list(range(len(texts)))
    chosen, used = [], 0
    for i in ranking:
        cost = len(texts[i]) + 8
        if chosen and used + cost > budget_chars:
            continue
        chosen.append(i)
        used += cost
    return sorted(chosen)


def build_messages(
    texts: Sequence[str], shown: Sequence[int], n: int, words: int | None = None
) -> list[dict[str, str]]:
    """The chat messages asking for `n` highlights of the sentences `shown` (story indices)."""
    lines = "\n".join(f"[{i + 1}] {texts[i]}" for i in shown)
    length = f" Use at most {words} words in all." if words else ""
    plural = "highlight" if n == 1 else "highlights"
    user = (
        f"Story, one numbered sentence per line:\n{lines}\n\n"
        f"Write {n} {plural} of this story: short sentences in your own words that together "
        f"tell its most important facts.{length} Each highlight must state only what the "
        "story says, and cite the numbers of the sentences it rests on.\n"
        'Answer with JSON only, in this form: {"highlights": [{"text": "...", "sources": '
        "[1, 2]}]}"
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def repair_message(answer: str, problem: str) -> list[dict[str, str]]:
    """Follow-up turns asking the model to fix an unusable answer once."""
    return [
        {"role": "assistant", "content": answer[:4000]},
        {
            "role": "user",
            "content": f"That answer cannot be used: {problem}. Answer again with JSON only, "
            'in this form: {"highlights": [{"text": "...", "sources": [1, 2]}]}',
        },
    ]


def parse_answer(answer: str, shown: Sequence[int], n: int) -> tuple[list[Draft], list[str]]:
    """Drafts from the model's answer, and the problems found in the citations.

    Raises AnswerError when the answer holds no usable highlight. Citations of sentences the
    prompt did not show are dropped and reported (the checker's alignment replaces them).
    """
    items = _highlight_items(_json_value(answer))
    allowed = {i + 1 for i in shown}
    drafts: list[Draft] = []
    problems: list[str] = []
    for item in items:
        if isinstance(item, str):
            text, cited = item, []
        elif isinstance(item, dict):
            text = item.get("text") or item.get("highlight") or item.get("sentence")
            cited = item.get("sources", item.get("citations", item.get("source", [])))
        else:
            continue
        if not isinstance(text, str) or not any(c.isalnum() for c in text):
            continue  # empty, or punctuation only ("...")
        numbers = _numbers(cited)
        bad = [k for k in numbers if k not in allowed]
        if bad:
            problems.append(f"cites sentence {bad[0]}, which is not among the numbered sentences")
        sources = list(dict.fromkeys(k - 1 for k in numbers if k in allowed))
        drafts.append(Draft(" ".join(text.split()), sources))
        if len(drafts) == n:
            break
    if not drafts:
        raise AnswerError('it has no highlight with a non-empty "text"')
    return drafts, problems


def _json_value(answer: str) -> object:
    text = answer.strip()
    fenced = _FENCE.search(text)
    candidates = [fenced.group(1)] if fenced else []
    candidates.append(text)
    for open_, close in (("{", "}"), ("[", "]")):
        a, b = text.find(open_), text.rfind(close)
        if 0 <= a < b:
            candidates.append(text[a : b + 1])
    for cand in candidates:
        try:
            return json.loads(cand)
        except ValueError:
            continue
    raise AnswerError("it is not JSON")


def _highlight_items(value: object) -> list[object]:
    if isinstance(value, dict):
        for key in ("highlights", "summary", "items", "bullets"):
            if isinstance(value.get(key), list):
                return value[key]
        if isinstance(value.get("text"), str):
            return [value]
        raise AnswerError('it has no "highlights" list')
    if isinstance(value, list):
        return value
    raise AnswerError('it is not an object with a "highlights" list')


def _numbers(cited: object) -> list[int]:
    """Sentence numbers from [1, 2], ["1", "[2]"], "1, 3" or 4."""
    if isinstance(cited, bool):
        return []
    if isinstance(cited, int):
        return [cited]
    if isinstance(cited, str):
        return [int(m) for m in _NUMBER.findall(cited)]
    if isinstance(cited, list):
        out = []
        for c in cited:
            out += _numbers(c)
        return out
    return []
