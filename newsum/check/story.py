"""What the checker knows about a story: each sentence's keys, and where every key occurs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..document import Document
from .text import Token, keys

# Kinds of token that carry content (negations are compared separately).
CONTENT = frozenset({"word", "number", "date", "unit"})


@dataclass(slots=True)
class StorySentence:
    keys: frozenset[str]  # content keys
    bigrams: frozenset[tuple[str, str]]  # adjacent content keys
    negated: bool


class StoryIndex:
    """Per-sentence key sets, the sentences each key occurs in, its idf and how it is cased."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.sentences: list[StorySentence] = []
        self.where: dict[str, list[int]] = {}
        self.prefixes: dict[str, list[str]] = {}
        self.positions: dict[str, list[tuple[int, int]]] = {}  # key -> (sentence, position)
        cased = not doc.lowercased
        capital: dict[str, int] = {}  # key -> times capitalized inside a sentence
        lower: dict[str, int] = {}
        for i, sent in enumerate(doc.sentences):
            toks = keys(sent.text)
            content = [key for key, kind, _ in toks if kind in CONTENT]
            key_set = frozenset(content)
            for pos, key in enumerate(content):
                self.positions.setdefault(key, []).append((i, pos))
            for key in key_set:
                self.where.setdefault(key, []).append(i)
            if cased:
                for key, kind, cap in toks[1:]:
                    if kind in CONTENT:
                        counts = capital if cap else lower
                        counts[key] = counts.get(key, 0) + 1
            self.sentences.append(
                StorySentence(
                    key_set,
                    frozenset(zip(content, content[1:], strict=False)),
                    any(kind == "negation" for _, kind, _ in toks),
                )
            )
        n = len(self.sentences)
        self.idf = {k: math.log(1.0 + n / len(v)) for k, v in self.where.items()}
        self.default_idf = math.log(1.0 + n)
        self.names = frozenset(k for k, c in capital.items() if c > lower.get(k, 0))
        self.cased = cased
        self.bigrams = frozenset().union(*(s.bigrams for s in self.sentences))

    def follows(self, a: str, b: str, window: int) -> bool:
        """Some story sentence has content word `b` after `a`, at most `window` words on: the
        pair is backed even when the summary dropped the words between them."""
        after = self.positions.get(b)
        if not after:
            return False
        spots = set()
        for sent, pos in self.positions.get(a, ()):
            spots.update((sent, pos + d) for d in range(1, window + 1))
        return any(spot in spots for spot in after)

    def has(self, key: str) -> bool:
        """The story uses this key, or a word sharing its first 5 letters with one a prefix of
        the other ("america"/"american", "nomin"/"nomine")."""
        if key in self.where:
            return True
        if len(key) < 5 or key[0].isdigit():
            return False
        if not self.prefixes:
            for k in self.where:
                if len(k) >= 5 and not k[0].isdigit():
                    self.prefixes.setdefault(k[:5], []).append(k)
        return any(k.startswith(key) or key.startswith(k) for k in self.prefixes.get(key[:5], ()))

    def is_name(self, tok: Token, first: bool, cased_summary: bool) -> bool:
        """A proper name: capitalized mid-sentence in a cased summary, or a key the story
        capitalizes (which also covers lowercased summaries and sentence-initial words)."""
        if tok.kind != "word":
            return False
        if cased_summary and tok.capital and not first:
            return True
        return tok.key in self.names
