"""A Check as readable text: each summary sentence with its verdict, [[unsupported]] spans marked
and the story sentences it rests on."""

from __future__ import annotations

from .types import Check, CheckedSentence

_REASONS = {"absent": "not in the story", "elsewhere": "in the story, but not in these sentences"}


def mark(sentence: CheckedSentence, left: str = "[[", right: str = "]]") -> str:
    """The sentence text with each unsupported span wrapped in `left`/`right`."""
    out, pos = [], 0
    for span in sorted(sentence.unsupported, key=lambda s: s.start):
        out += [sentence.text[pos : span.start], left, span.text, right]
        pos = span.end
    out.append(sentence.text[pos:])
    return "".join(out)


def format_check(check: Check) -> str:
    """Plain-text report, ending with a newline."""
    n_ok = sum(s.supported for s in check.sentences)
    lines = [
        f"score {check.score:.2f}: {n_ok} of {len(check.sentences)} sentence(s) supported",
    ]
    story = check.story
    for k, s in enumerate(check.sentences, 1):
        verdict = "supported" if s.supported else "NOT SUPPORTED"
        lines.append("")
        lines.append(f"{k}. [{verdict} {s.score:.2f}] {mark(s)}")
        for span in s.unsupported:
            lines.append(f"   [[{span.text}]] {span.type}: {_REASONS[span.reason]}")
        for j in s.sources:
            text = story.sentences[j].text if story is not None else ""
            lines.append(f"   source {j}: {text}")
        if not s.sources:
            lines.append("   no story sentence shares its words")
    return "\n".join(lines) + "\n"
