"""What the checker knows about a story: each sentence's keys, and where every key occurs.

Built once per story, so only what every check needs is computed up front (the sentences each
key occurs in); positions, idf and casing are worked out on demand for the summary's words.
"""

from __future__ import annotations

import math

from ..document import Document
from .text import Token, keys

# Kinds of token that carry content (negations are compared separately).
CONTENT = frozenset({"word", "number", "date", "unit"})


class StorySentence:
    """Content keys of one story sentence, in order and as a set, and whether it negates."""

    __slots__ = ("content", "keys", "negated", "tokens")

    def __init__(self, tokens: list[tuple[str, str, bool]]) -> None:
        self.tokens = tokens
        self.content = [key for key, kind, _ in tokens if kind in CONTENT]
        self.keys = frozenset(self.content)
        self.negated = "not" in {key for key, kind, _ in tokens if kind == "negation"}


class StoryIndex:
    """Per-sentence keys, the sentences each key occurs in, its idf and how the story cases it."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.sentences = [StorySentence(keys(s.text)) for s in doc.sentences]
        self.where: dict[str, list[int]] = {}
        for i, sent in enumerate(self.sentences):
            for key in sent.keys:
                self.where.setdefault(key, []).append(i)
        self.cased = not doc.lowercased
        self.default_idf = math.log(1.0 + len(self.sentences))
        self._prefixes: dict[str, list[str]] | None = None
        self._positions: dict[str, set[tuple[int, int]]] = {}
        self._names: dict[str, bool] = {}

    def idf(self, key: str) -> float:
        """log(1 + sentences / sentences using the key); a key the story lacks gets the most."""
        found = self.where.get(key)
        return math.log(1.0 + len(self.sentences) / len(found)) if found else self.default_idf

    def positions(self, key: str) -> set[tuple[int, int]]:
        """(sentence, position among its content words) of every occurrence of `key`."""
        out = self._positions.get(key)
        if out is None:
            out = self._positions[key] = {
                (i, pos)
                for i in self.where.get(key, ())
                for pos, k in enumerate(self.sentences[i].content)
                if k == key
            }
        return out

    def follows(self, a: str, b: str, window: int) -> bool:
        """Some story sentence has content word `b` after `a`, at most `window` words on: the
        pair is backed even when the summary dropped the words between them."""
        after = self.positions(b)
        return bool(after) and any(
            (sent, pos + d) in after
            for sent, pos in self.positions(a)
            for d in range(1, window + 1)
        )

    def has(self, key: str) -> bool:
        """The story uses this key, or a word sharing its first 5 letters with one a prefix of
        the other ("america"/"american", "nomin"/"nomine")."""
        if key in self.where:
            return True
        if len(key) < 5 or key[0].isdigit():
            return False
        if self._prefixes is None:
            self._prefixes = {}
            for k in self.where:
                if len(k) >= 5 and not k[0].isdigit():
                    self._prefixes.setdefault(k[:5], []).append(k)
        return any(k.startswith(key) or key.startswith(k) for k in self._prefixes.get(key[:5], ()))

    def story_name(self, key: str) -> bool:
        """The (cased) story capitalizes this key more often than not inside its sentences."""
        found = self._names.get(key)
        if found is None:
            upper = lower = 0
            if self.cased:
                for i in self.where.get(key, ()):
                    for k, _, cap in self.sentences[i].tokens[1:]:
                        if k == key:
                            upper += cap
                            lower += not cap
            found = self._names[key] = upper > lower
        return found

    def is_name(self, tok: Token, first: bool, cased_summary: bool) -> bool:
        """A proper name: capitalized mid-sentence in a cased summary, or a key the story
        capitalizes (which also covers lowercased summaries and sentence-initial words)."""
        if tok.kind != "word":
            return False
        if cased_summary and tok.capital and not first:
            return True
        return self.story_name(tok.key)
