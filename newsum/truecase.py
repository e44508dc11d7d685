"""Truecasing: the display text of lowercased input, with capitals where the words had them.

Used only for display (`Sentence.text`) of input that `looks_lowercased`; spans, tokens and the
source text are never changed, nor is cased input. The shipped table
(`newsum/models/truecase.tsv`, plain text, built once by tools/build_truecase_table.py from
the `true-case` and `truecase` packages' statistics; notices in models/TRUECASE-NOTICE.txt)
gives each word seen capitalized in CNN/Daily Mail stories its form (Obama, CNN, McDonald) and
kind: "1" always shown so, "?" only next to a capitalized word (World Cup); and word pairs that
override those kinds (New York). Rules add dotted abbreviations (u.s. -> U.S.), `i`, the first
word of a sentence, of a quotation opened after a colon or comma, after a dateline
(`(cnn) -- the`), and after a full stop with no space (`said.the`); web addresses keep their case.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).parent / "models" / "truecase.tsv"
PROPAGATE = True

# A word: a dotted abbreviation (u.s), or letters maybe joined by an apostrophe (o'neill).
_WORD = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_](?![^\W\d_])|[^\W\d_]+(?:['’][^\W\d_]+)*")
_SPLIT = re.compile(f"({_WORD.pattern})")
# The same split for text with no full stop before a letter, where no dotted abbreviation can
# match: most sentences, split in three quarters of the time without trying one at each letter.
_SPLIT_UNDOTTED = re.compile(r"([^\W\d_]+(?:['’][^\W\d_]+)*)")
_DOT_LETTER = re.compile(r"\.(?=[^\W\d_])")
# Sentences run together without a space: `said.the`, `there."we` (but not bbc.co.uk).
_GLUED = frozenset(p + q for p in ".!?" for q in ("", "'", '"', "’", "”"))
_DOMAIN = frozenset("com co uk org net gov edu int io ly tv fm me info html htm php asp".split())
# Web and mail addresses keep their case: bbc.co.uk/news, www.example.com, a@b.org.
_ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w-]+(?:\.[\w-]+)*"
    r"\.(?:com|co\.uk|org|net|gov|edu|io|ly|tv)\b\S*"
)
# (Searched only for whether it occurs: the stop first, which the regex engine finds quickly.)
_TLD = re.compile(r"\.(?<=\w\.)(?:com|co\.uk|org|net|gov|edu|io|ly|tv)\b")
_DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")
_CLITICS = frozenset({"s", "re", "ll", "d", "ve", "m"})
_OPENING = "\"'“‘([«"
# A quotation opened after `:` or `,` usually quotes a whole sentence: `said: "we will …`.
_QUOTE_START = re.compile(r"[:,]\s+[\"'“‘]$")
# A dateline before the first sentence's first word: `(cnn) -- the`, `london (reuters) the`.
_DATELINE = re.compile(
    r"[^.!?()]{0,60}\([^()]{1,30}\)\s*(?:--|[-—–])?\s*(?=[^\W\d_])|[^.!?]{0,40}(?:--|—)\s*(?=[^\W\d_])"
)


class SortedTable:
    """`key<TAB>value` lines sorted by key, looked up in place by binary search.

    Loading is reading the file: parsing the table's 170k lines into a dict took ~0.1-0.3 s,
    most of `newsum summarize`'s start-up on lowercased input (inflating a gzipped table took
    another ~15 ms). A sparse index (every STEP bytes) narrows a lookup to one small stretch,
    which one `find` searches."""

    STEP = 2048

    def __init__(self, data: bytes, start: int, end: int) -> None:
        self.data = data
        self.keys: list[bytes] = []  # the first key of each stretch
        self.starts: list[int] = []  # where each stretch starts, then `end`
        pos = start
        while pos < end:
            self.starts.append(pos)
            self.keys.append(data[pos : data.index(b"\t", pos)])
            pos = data.find(b"\n", pos + self.STEP) + 1
            if pos <= 0 or pos >= end:
                break
        self.starts.append(end)

    def get(self, key: str) -> str | None:
        """The value of `key` (the rest of its line), None when it is not in the table."""
        if "\t" in key or "\n" in key:  # no key has one (it would match across columns)
            return None
        k = key.encode("utf-8", "surrogatepass")
        i = bisect_right(self.keys, k) - 1
        if i < 0:
            return None
        data, lo, hi = self.data, self.starts[i], self.starts[i + 1]
        needle = k + b"\t"
        if data.startswith(needle, lo):
            at = lo + len(needle)
        else:
            at = data.find(b"\n" + needle, lo, hi)
            if at < 0:
                return None
            at += 1 + len(needle)
        return data[at : data.index(b"\n", at)].decode("utf-8")


class WordForms:
    """word -> its kind ("1": usual form, "?": in names only) and form: "1Obama", "?World",
    from the table's `word<TAB>form<TAB>kind` lines."""

    def __init__(self, lines: SortedTable) -> None:
        self.lines = lines

    def get(self, word: str) -> str | None:
        found = self.lines.get(word)
        if found is None:
            return None
        form, _, kind = found.partition("\t")
        return ("1" if kind == "1" else "?") + form


def table() -> WordForms:
    """The table's words: `table().get(word)` is "1Obama", "?World" or None."""
    return _load()[0]


@lru_cache(maxsize=1)
def _load() -> tuple[WordForms, dict[str, str]]:
    # The file holds the words' lines (3 columns), then the word pairs' (2 columns, "a b"
    # with a space), each part sorted; no word or form has a space. The 2.4k pairs make a
    # dictionary in ~1 ms: a lookup of a pair not there (most are not) is then one dict miss,
    # not a search of the file (~5 us).
    data = TABLE.read_bytes()
    space = data.find(b" ")
    first_pair = len(data) if space < 0 else data.rfind(b"\n", 0, space) + 1
    lines = data[first_pair:].decode("utf-8").split("\n")
    pairs = dict(line.split("\t", 1) for line in lines if line)
    return WordForms(SortedTable(data, 0, first_pair)), pairs


def _form(word: str, forms: WordForms) -> str:
    """The word's kind and form as in the table; kind "-" for a word shown in lower case."""
    low = word.lower()
    found = forms.get(low)
    if found is not None:
        return found
    if _DOTTED.fullmatch(low):  # u.s, a.m (the final stop is outside the match)
        return "1" + low.upper()
    head, sep, tail = low.rpartition("'") if "'" in low else low.rpartition("’")
    if sep and tail in _CLITICS:  # obama's, we'll
        code = _form(head, forms)
        return code + sep + tail
    if sep and len(head) == 1 and head in "od":  # o'neill, d'angelo
        return "1" + head.upper() + sep + tail.capitalize()
    return "-" + word


# _form of the words seen: a table lookup costs ~2 us.
_MEMO: dict[str, str] = {}
_MEMO_SIZE = 200_000


def _remember(word: str) -> str:
    code = _form(word, _load()[0])
    if len(_MEMO) < _MEMO_SIZE:
        _MEMO[word] = code
    return code


def _glued(words: list[str], k: int) -> bool:
    """Word k follows word k-1 and a stop with no space: a new sentence, unless a web address."""
    return (
        words[k] not in _DOMAIN
        and words[k - 1] not in ("www", "http", "https")
        and (k + 1 >= len(words) or words[k + 1] not in _DOMAIN)
    )


def _upper_first(word: str) -> str:
    return word[:1].upper() + word[1:]


def truecase(text: str) -> str:
    """`text` (one lowercased sentence) with its words cased as they usually are.

    A word of names only (kind "?" in the table: world, cup, council) is capitalized when a
    neighbour, with only spaces between, is capitalized (World Cup, Manchester City Council).
    """
    memo, pairs = _MEMO, _load()[1]
    split = _SPLIT if _DOT_LETTER.search(text) else _SPLIT_UNDOTTED
    parts = split.split(text)  # gaps and words by turns: parts[2k] comes before word k
    words = parts[1::2]
    n = len(words)
    codes = [memo.get(w) or _remember(w) for w in words]
    kinds = [c[0] for c in codes]  # "1" usual form, "?" in names only, "-" not in the table
    caps = [kind == "1" for kind in kinds]
    in_address: set[int] = set()
    if "@" in text or "www." in text or "://" in text or _TLD.search(text):
        addresses = [m.span() for m in _ADDRESS.finditer(text)]
        pos = 0
        for k in range(n):
            pos += len(parts[2 * k])
            if any(a <= pos < b for a, b in addresses):
                in_address.add(k)
                caps[k] = False
            pos += len(words[k])
    upper: dict[int, str] = {}  # words capitalized by a pair though not in the table
    fixed: set[int] = set()  # words whose casing a pair decided
    for k in range(1, n):
        # Pairs hold a word of the table (a name or a word of names); only spaces between.
        if (kinds[k] != "-" or kinds[k - 1] != "-") and parts[2 * k].isspace():
            xy = pairs.get(f"{words[k - 1].lower()} {words[k].lower()}")
            if not xy:
                continue
            for j, v in ((k - 1, xy[0]), (k, xy[1])):
                if v != "-" and j not in fixed:
                    caps[j] = v == "1"
                    fixed.add(j)
                    if caps[j] and kinds[j] == "-":
                        kinds[j] = "1"
                        upper[j] = _upper_first(words[j])
    # A word of names next to a capitalized one (only spaces between) is capitalized, until
    # nothing changes; only these words can change.
    waiting = [k for k in range(n) if kinds[k] == "?" and k not in fixed and k not in in_address]
    changed = PROPAGATE
    while changed:
        changed = False
        for k in waiting:
            if not caps[k] and (
                (k > 0 and caps[k - 1] and parts[2 * k].isspace())
                or (k + 1 < n and caps[k + 1] and parts[2 * k + 2].isspace())
            ):
                caps[k] = changed = True
    # A dateline has "(" or a dash near the start: most sentences skip the regex.
    dateline = (
        _DATELINE.match(text) if "(" in text[:61] or "--" in text[:42] or "—" in text[:41] else None
    )
    after_dateline = dateline.end() if dateline and dateline.end() < len(text) else -1
    dateline_word = -1
    if after_dateline >= 0:
        pos = 0
        for k in range(n):
            pos += len(parts[2 * k])
            if pos == after_dateline:
                dateline_word = k
            pos += len(words[k])
    out = parts[:]
    for k in range(n):
        word, gap = words[k], parts[2 * k]
        if gap == " " and k and k != dateline_word and word[0] != "i":
            # Most words: after one space, none of the rules below applies.
            if caps[k] and k not in in_address:
                out[2 * k + 1] = upper.get(k) or codes[k][1:]
            continue
        if k in in_address:
            continue
        if word[0] == "i" and (word == "i" or word.startswith(("i'", "i’"))):
            out[2 * k + 1] = "I" + word[1:]
            continue
        form = (upper.get(k) or codes[k][1:]) if caps[k] else word
        if (
            (k == 0 and not gap.strip(_OPENING + " \t\n-—–"))
            or k == dateline_word
            or (("," in gap or ":" in gap) and _QUOTE_START.search(gap))
            or (gap in _GLUED and _glued(words, k))
        ):
            form = _upper_first(form)
        out[2 * k + 1] = form
    return "".join(out)
