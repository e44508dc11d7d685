"""Sentence splitting, word tokens and display detokenizing, for raw and corpus-style text.

Rule-based and data-free: the abbreviation lists live here, nothing is downloaded.
All spans are (start, end) character offsets into the text given.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

Span = tuple[int, int]

# Abbreviations after which a full stop never ends a sentence (a name or number follows).
NEVER_END = frozenset(
    """mr mrs ms messrs mme mlle dr prof st sgt cpl pvt lt col gen maj capt cmdr adm gov sen rep
    rev fr hon pres supt insp det ald e.g i.e cf vs v viz approx ca no nos vol vols fig figs
    pp p ft mt ave blvd rd jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# Abbreviations that may also end a sentence: split only when a usual sentence opener follows.
MAYBE_END = frozenset(
    "inc co corp ltd llc plc jr sr bros etc al esq u.s u.k u.n e.u a.m p.m d.c l.a n.y".split()
)
COMMON_OPENERS = frozenset(
    """the a an he she it they we i you his her its their our this that these those there
    but and so yet or if when while after before as at in on for by from with without to of
    meanwhile however then now still also earlier later last next since despite although
    though because what who why how where mr mrs ms dr police officials authorities""".split()
)
# Words that never join with a spaced hyphen ("south - the terrorists" is a dash).
_DASH_NEIGHBOURS = frozenset(
    """a an the and or but nor so yet to of in on at by for from with as is was are were be
    been he she it they we i you this that which who whom whose what where when while if
    than then there his her its their our my your have has had do does did will would can could
    should may might must not no also said says who""".split()
)

# A run of sentence-final punctuation, closing quotes/brackets, then a space. Possessive
# quantifiers and the look-behind (start only at a run's first character) keep it linear: the
# same matches as `(?:\.\.\.|…|[.!?])+["'”’)\]]*(?=\s)`, which backtracked exponentially.
# Here and below, patterns open with a literal or a character class and look behind after it:
# the regex engine then jumps to the next candidate character instead of trying every position
# (a pattern that opens with a look-behind or a nested group is tried everywhere, ~4x slower).
_SENT_END_RAW = re.compile(r"[.!?…](?<![.!?…].)[.!?…]*+[\"'”’)\]]*+(?=\s)")
_NONSPACE_RUN = re.compile(r"\S+")
_WORD_AFTER = re.compile(r"\s*[\"'“‘(\[]*([^\s\"'“‘(\[]*)")
_WORD = re.compile(r"[^\W_]+")
_ALNUM = re.compile(r"[^\W_]")  # exactly the characters str.isalnum accepts
_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]\.?")
_WS = re.compile(r"\s+")
_NONSPACE = re.compile(r"\S+")

_TOK_ENDERS = frozenset({".", "?", "!", "!!", "?!", "!?", "??", "..", "...."})


# ----------------------------------------------------------------------------- detection


# Punctuation right after a letter or digit, then a space: counted like r"[^\W_][,.!?;:](?:\s|$)"
# but matched punctuation first, which the regex engine finds far faster.
_ATTACHED_PUNCT = re.compile(r"[,.!?;:](?<=[^\W_][,.!?;:])(?:\s|$)")


def looks_tokenized(text: str) -> bool:
    """True for corpus-style text: punctuation split off as its own token (" , ", " 's ")."""
    sample = text[:50_000]
    detached = len(re.findall(r" [,.!?;:] | 's | n't ", sample))
    attached = len(_ATTACHED_PUNCT.findall(sample))
    return detached >= 2 and detached > 2 * attached


_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER = bytes(range(65, 91))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _count_letters(sample: str) -> tuple[int, int]:
    """(letters, upper-case letters) of `sample`, as str.isalpha/isupper count them per character.

    ASCII is counted by deleting byte classes (C speed); only non-ASCII characters are looked
    at one by one."""
    others = _NON_ASCII.findall(sample) if not sample.isascii() else []
    ascii_bytes = sample.encode("ascii", "ignore")  # the non-ASCII characters left out
    n = len(ascii_bytes)
    letters = n - len(ascii_bytes.translate(None, _ASCII_LETTERS))
    upper = n - len(ascii_bytes.translate(None, _ASCII_UPPER))
    for c in others:
        if c.isalpha():
            letters += 1
        if c.isupper():
            upper += 1
    return letters, upper


def looks_lowercased(text: str) -> bool:
    """True when (almost) no letters are upper case, as in the CNN/DailyMail corpus files."""
    letters, upper = _count_letters(text[:50_000])
    return letters > 0 and upper <= 0.002 * letters


# ----------------------------------------------------------------------------- blocks


def _lines(text: str) -> list[Span]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        spans.append((pos, pos + len(body)))
        pos += len(line)
    return spans


def _is_hard_wrapped(lengths: list[int]) -> bool:
    # Text wrapped at a fixed width: most non-final lines of a paragraph are long and similar.
    long_lines = [n for n in lengths if n > 0]
    if len(long_lines) < 4:
        return False
    import statistics  # here: its import (fractions, decimal) costs ~2.5 ms of start-up

    med = statistics.median(long_lines)
    similar = sum(1 for n in long_lines if 0.75 * med <= n <= 1.1 * med)
    return 40 <= med <= 120 and similar >= 0.6 * len(long_lines)


def blocks(text: str, tokenized: bool) -> list[Span]:
    """Stretches of text that no sentence crosses: lines, or paragraphs of hard-wrapped text."""
    lines = _lines(text)
    if tokenized or not lines:
        return [s for s in lines if text[s[0] : s[1]].strip()]
    wrapped = _is_hard_wrapped([e - s for s, e in lines])
    if not wrapped:
        return [s for s in lines if text[s[0] : s[1]].strip()]
    out: list[Span] = []
    cur: Span | None = None
    for start, end in lines:
        body = text[start:end].strip()
        if not body:
            if cur:
                out.append(cur)
            cur = None
            continue
        cur = (cur[0], end) if cur else (start, end)
        # A short line or one ending a sentence closes the block (titles, bylines).
        if body[-1] in ".!?\"'”’:" or len(body) < 40:
            out.append(cur)
            cur = None
    if cur:
        out.append(cur)
    return out


# ----------------------------------------------------------------------------- raw text


# Lowercased raw text has no capital to start a sentence. After `?"` / `!"` these words usually
# go on with the same sentence ("'why?' she asked"), and the function words too.
_FUNCTION = frozenset("and or nor to of for from in on at by with as than into".split())
_ATTRIBUTION = _FUNCTION | frozenset(
    """said says asked asks added adds told wrote writes replied replies shouted cried explained
    insisted according he she they we you i it one another""".split()
)


def _lowercased_boundary(seg: str, m: re.Match[str], next_word: str) -> bool | None:
    """In lowercased text: False where the next word goes on with the sentence, else None
    (decide by the other rules, as for a capital)."""
    punct = m.group()
    low = next_word.lower().strip(",;:")
    if punct.startswith(("..", "…")):  # "so...", "wait... no": a pause more often than an end
        return False
    if punct[-1] in "\"'”’" and punct.rstrip("\"'”’)]")[-1:] in "?!" and low in _ATTRIBUTION:
        return False
    return None


def _raw_boundary(seg: str, m: re.Match[str], rev: list[str], lowercased: bool = False) -> bool:
    after = _WORD_AFTER.match(seg, m.end())
    next_word = after.group(1) if after else ""
    if not next_word:
        return True
    if lowercased:
        if _lowercased_boundary(seg, m, next_word) is False:
            return False
    elif next_word[0].islower() and next_word.islower():  # "iPhone" may still start one
        return False
    punct = m.group()
    if not punct.startswith(".") or punct.startswith(".."):
        return True
    # The run of non-space characters ending at the punctuation, read forwards in the reversed
    # segment (made once per segment): time in the word's length, not the segment's.
    if not rev:
        rev.append(seg[::-1])
    before = _NONSPACE_RUN.match(rev[0], len(seg) - m.start())
    word = before.group()[::-1].lstrip("\"'“‘([") if before else ""
    if not word:
        return True
    low = word.lower()
    if len(word) == 1 and (word.isupper() or (lowercased and word.isalpha())):  # J. K. Rowling
        return False
    if low in NEVER_END:
        return False
    if low in MAYBE_END or _DOTTED.fullmatch(low + "."):
        opener = next_word.lower().strip(",;:")
        # Lowercased "in the u.s. from ukraine": a function word goes on with the sentence.
        return opener in COMMON_OPENERS and not (lowercased and opener in _FUNCTION)
    return True


def _split_raw(text: str, start: int, end: int, lowercased: bool = False) -> Iterator[Span]:
    seg = text[start:end]
    last = 0
    rev: list[str] = []
    for m in _SENT_END_RAW.finditer(seg):
        if _raw_boundary(seg, m, rev, lowercased):
            yield start + last, start + m.end()
            last = m.end()
    yield start + last, end


# ----------------------------------------------------------------------------- tokenized text


# Tokens the tokenized splitter acts on (quotes and sentence enders); all others it passes over.
# Whole tokens " ' `` '' .... .. !! ?! !? ?? . ? !, each branch opening with a literal.
_TOK_MARK = re.compile(
    r"""(?:"(?<!\S")|'(?:'(?<!\S'')|(?<!\S'))|``(?<!\S``)|\.(?:\.\.\.(?<!\S....)|\.(?<!\S..)"""
    r"""|(?<!\S.))|!(?:[!?](?<!\S..)|(?<!\S.))|\?(?:[!?](?<!\S..)|(?<!\S.)))(?!\S)"""
)
_NEXT_TOK = re.compile(r"\s*+(\S+)")
_FIRST_TOK = re.compile(r"\s*+\S")
_CLOSERS = frozenset({")", "]", "''"})


def _split_tokenized(text: str, start: int, end: int) -> Iterator[Span]:
    # Only quote and ender tokens change anything, so the regex jumps from one to the next.
    seg = text[start:end]
    in_dq = in_sq = False
    sent = 0  # where the current sentence's tokens begin (whitespace may come first)
    pos = 0
    search, next_tok = _TOK_MARK.search, _NEXT_TOK.match
    while (m := search(seg, pos)) is not None:
        tok = m.group()
        pos = m.end()
        if tok == '"':
            in_dq = not in_dq
        elif tok == "'":
            if in_sq or not _possessive_at(seg, m.start(), pos):
                in_sq = not in_sq
        elif tok == "``":
            in_dq = True
        elif tok == "''":
            in_dq = False
        else:  # an ender: closing quotes and brackets stay with their sentence
            while (nm := next_tok(seg, pos)) is not None:
                nxt = nm.group(1)
                if nxt in _TOK_ENDERS or nxt in _CLOSERS:
                    in_dq = in_dq and nxt != "''"
                elif nxt == '"' and in_dq:
                    in_dq = False
                elif nxt == "'" and in_sq:
                    in_sq = False
                else:
                    break
                pos = nm.end()
            if nm is None:  # the enders run to the end of the block: one last sentence
                break
            first = _FIRST_TOK.match(seg, sent)
            yield start + first.end() - 1, start + pos
            sent = pos
    first = _FIRST_TOK.match(seg, sent)
    if first is not None:
        last = len(seg.rstrip())
        yield start + first.end() - 1, start + last


def _possessive_at(seg: str, tok_start: int, tok_end: int) -> bool:
    # "civilians ' cars": a lone apostrophe after a plural, followed by a word.
    k = tok_start - 1
    while k >= 0 and seg[k].isspace():
        k -= 1
    if k < 0:
        return False
    after = _FIRST_TOK.match(seg, tok_end)
    if after is None:
        return False
    return seg[k] in ("s", "z", "x") and seg[after.end() - 1].isalnum()


# ----------------------------------------------------------------------------- public API


def split_sentences(
    text: str, tokenized: bool | None = None, lowercased: bool | None = None
) -> list[Span]:
    """Sentence spans of `text`, trimmed of surrounding whitespace, in order.

    `lowercased` (default: `looks_lowercased(text)`) matters for raw text only: without capitals,
    a lower-case word after a full stop may start a sentence."""
    if tokenized is None:
        tokenized = looks_tokenized(text)
    spans: list[Span] = []
    if tokenized:  # its spans start and end with a token: only those without a word go
        alnum = _ALNUM.search
        for b_start, b_end in blocks(text, tokenized):
            spans += [
                (s, e) for s, e in _split_tokenized(text, b_start, b_end) if alnum(text, s, e)
            ]
        return spans
    low = looks_lowercased(text) if lowercased is None else lowercased
    splitter = functools.partial(_split_raw, lowercased=low)
    for b_start, b_end in blocks(text, tokenized):
        for s, e in splitter(text, b_start, b_end):
            piece = text[s:e]
            stripped = piece.strip()
            if not stripped or _ALNUM.search(stripped) is None:
                continue
            lead = len(piece) - len(piece.lstrip())
            spans.append((s + lead, s + lead + len(stripped)))
    return spans


def word_tokens(text: str) -> list[str]:
    """Lowercased word tokens (letters and digits), the units every method scores with."""
    return _WORD.findall(text.lower())


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace (line breaks included) to one space."""
    return _WS.sub(" ", text).strip()


_ATTACH_LEFT = frozenset(
    {
        ",",
        ".",
        ";",
        ":",
        "!",
        "?",
        "%",
        ")",
        "]",
        "}",
        "...",
        "n't",
        "'s",
        "'re",
        "'ve",
        "'ll",
        "'d",
        "'m",
        "''",
        "!!",
        "?!",
        "!?",
        "??",
    }
)
_ATTACH_RIGHT = frozenset({"(", "[", "{", "$", "#", "``", "£", "€"})


# detokenize_many works on all sentences at once: each one's tokens joined by single spaces,
# the sentences joined by "\n". Special tokens (quotes, dashes) are rewritten by one regex pass
# whose callback keeps the quote state; a token that attaches to its left neighbour gets a
# _GLUE_LEFT mark, one that attaches to its right a _GLUE_RIGHT mark; a second pass drops every
# space beside a mark or a plain attaching token, then the marks go. The result is exactly
# `_detokenize_tokens` (the reference, one token at a time) without a Python loop per token.
_GLUE_LEFT, _GLUE_RIGHT = "\x01", "\x02"
# Whole tokens, each branch opening with a literal (the regex engine finds literals fast), then
# a look-back that the character before the token is a space, a line break or the start.
_SPECIAL_TOK = re.compile(
    r"""(?:"(?<![^ \n]")|'(?:'(?<![^ \n]'')|(?<![^ \n]'))|``(?<![^ \n]``)"""
    r"""|-(?:-(?<![^ \n]--)|(?<![^ \n]-)))(?![^ \n])"""
)
_LEFT_RE = "|".join(
    "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in tok)
    for tok in sorted(_ATTACH_LEFT, key=len, reverse=True)
)
_RIGHT_CHARS = "".join(re.escape(t) for t in sorted(_ATTACH_RIGHT) if len(t) == 1)
# One space: before a left-gluing token (marked, or plain like "," and "n't"), or after a
# right-gluing one (marked, or a lone "(" "$" ...). It starts with the space and pre-checks the
# next character, so the regex engine skips quickly over ordinary words.
_GLUE_SPACE = re.compile(
    rf" (?:(?=[,.;:!?%)\]}}'nN\x01])(?=\x01|(?:{_LEFT_RE})(?:[ \n]|$))"
    rf"|(?<=[{_RIGHT_CHARS}\x02] )(?:(?<=\x02 )|(?<![^ \n][{_RIGHT_CHARS}] )))"
)
_SPACE_RUN = re.compile(r"[^\S\n]+")
_EDGE_SPACE = re.compile(r" ?\n ?")


def detokenize(text: str, capitalize: bool = False) -> str:
    """Readable form of corpus-style tokens: `iraqi 's` -> `iraqi's`, `( irgc )` -> `(irgc)`,
    quotes -> curly quotes, `miami - dade` -> `miami-dade`; optionally sentence-initial capital."""
    return detokenize_many([text], capitalize)[0]


def detokenize_many(texts: list[str], capitalize: bool = False) -> list[str]:
    """`[detokenize(t, capitalize) for t in texts]`, in a few passes over all of them."""
    if not texts:
        return []
    joined = "\n".join(texts)
    if (
        _GLUE_LEFT in joined
        or _GLUE_RIGHT in joined
        or joined.count("\n") != len(texts) - 1  # a line break inside a text
    ):
        out = [_detokenize_tokens(t.split()) for t in texts]
    else:
        if not _plain_spaced(joined):
            joined = _EDGE_SPACE.sub("\n", _SPACE_RUN.sub(" ", joined)).strip(" ")
        if _SPECIAL_TOK.search(joined) is not None:
            joined = _special_tokens(joined)
            joined = _GLUE_SPACE.sub("", joined).replace(_GLUE_LEFT, "").replace(_GLUE_RIGHT, "")
        else:
            joined = _GLUE_SPACE.sub("", joined)
        out = joined.split("\n")
    # Corpus lines often drop the final full stop.
    out = [r + "." if r[-1:].isalnum() else r for r in out]
    if capitalize:
        out = _LONE_I.sub("I", "\n".join(out)).split("\n")
        out = [
            r[0].upper() + r[1:] if r[:1].isalpha() else _capitalize_first(r)  # usual case first
            for r in out
        ]
    return out


_ODD_SPACE = bytes(c for c in range(128) if chr(c).isspace() and chr(c) not in " \n")
_ODD_SPACE_CHAR = re.compile(r"[^\S \n]")  # whitespace but a space or a line break


def _plain_spaced(joined: str) -> bool:
    """True when `joined` has single spaces only between tokens and no other whitespace but
    line breaks (the usual case), so the whitespace needs no normalizing."""
    if "  " in joined or " \n" in joined or "\n " in joined:
        return False
    if joined[:1] == " " or joined[-1:] == " ":
        return False
    if not joined.isascii():  # a story with a "£" or an "é": ~10x faster than normalizing
        return _ODD_SPACE_CHAR.search(joined) is None
    data = joined.encode("ascii")
    return len(data.translate(None, _ODD_SPACE)) == len(data)


_DASH2_TOK = re.compile(r"--(?<![^ \n]..)(?![^ \n])")
# A lone ' token and a lone - token: one literal-led pattern each (the regex engine jumps
# between literals; a ['-] class is scanned character by character, ~10x slower).
_SQ_TOK = re.compile(r"'(?<![^ \n]')(?![^ \n])")
_DASH_TOK = re.compile(r"-(?<![^ \n]-)(?![^ \n])")
_DQ_ALT_TOK = re.compile(r"(?:``|'')(?<![^ \n]..)(?![^ \n])")
# A '"' token, then tokens other than '"' in the same sentence, then the '"' token closing it.
_DQ_PAIR = re.compile(r""""(?<![^ \n]")((?: (?:[^ \n"][^ \n]*+|"[^ \n]++))*+) "(?![^ \n])""")
_DQ_TOK = re.compile(r""""(?<![^ \n]")(?![^ \n])""")


def _special_tokens(joined: str) -> str:
    """Quote and dash tokens rewritten and marked for gluing (see detokenize_many)."""
    if ("``" in joined or "''" in joined) and _DQ_ALT_TOK.search(joined) is not None:
        # `` and '' too: one token at a time
        return _SPECIAL_TOK.sub(_SpecialTokens(joined), joined)
    # Dashes first, then quotes: a dash's choice reads the tokens beside it, a quote's the
    # characters beside it and the line breaks; a rewritten neighbour changes neither (no
    # letter or digit comes or goes, no line break), so this is the one pass over both.
    if "-" in joined:
        joined = _DASH_TOK.sub(_SpecialTokens(joined), joined)
    if "'" in joined:
        joined = _SQ_TOK.sub(_SpecialTokens(joined), joined)
    if "--" in joined:
        joined = _DASH2_TOK.sub("—", joined)
    # '"' alone opens and closes by turns within a sentence: pairs, then an unclosed opener.
    if '"' in joined:
        joined = _DQ_PAIR.sub("“" + _GLUE_RIGHT + r"\1 " + _GLUE_LEFT + "”", joined)
        joined = _DQ_TOK.sub("“" + _GLUE_RIGHT, joined)
    return joined


class _SpecialTokens:
    """The regex callback for quote and dash tokens of `joined` (sentences split by "\n")."""

    def __init__(self, joined: str) -> None:
        self.joined = joined
        self.in_dq = self.in_sq = False
        self.last = 0  # where the previous quote token was

    def __call__(self, m: re.Match[str]) -> str:
        tok = m.group()
        if tok == "--":
            return "—"
        joined = self.joined
        i, j = m.start(), m.end()
        first = i == 0 or joined[i - 1] == "\n"
        last = j == len(joined) or joined[j] == "\n"
        if tok == "-":
            if first or last:
                return tok
            k = joined.rfind(" ", 0, i - 1)
            k = max(k, joined.rfind("\n", k + 1, i - 1))
            prev = joined[k + 1 : i - 1]
            k = joined.find(" ", j + 1)
            k = len(joined) if k < 0 else k
            nl = joined.find("\n", j + 1, k)
            nxt = joined[j + 1 : nl if nl >= 0 else k]
            return _GLUE_LEFT + "-" + _GLUE_RIGHT if _joins(prev, nxt) else tok
        if joined.find("\n", self.last, i) >= 0:  # a new sentence: no quote is open
            self.in_dq = self.in_sq = False
        self.last = i
        if tok == "'":
            if not self.in_sq:
                if not first and not last and joined[i - 2] in "szx" and joined[j + 1].isalnum():
                    return _GLUE_LEFT + "'"  # possessive: "civilians ' cars"
                self.in_sq = True
                return "‘" + _GLUE_RIGHT
            self.in_sq = False
            return _GLUE_LEFT + "’"
        opening = tok == "``" or (tok == '"' and not self.in_dq)
        self.in_dq = opening
        return "“" + _GLUE_RIGHT if opening else _GLUE_LEFT + "”"


def _detokenize_tokens(toks: list[str]) -> str:
    out: list[str] = []
    glue_next = False  # the previous token attaches to the right
    in_dq = in_sq = False
    for i, tok in enumerate(toks):
        low = tok.lower()
        left = low in _ATTACH_LEFT
        right = False
        if tok == '"' or tok in ("``", "''"):
            opening = tok == "``" or (tok == '"' and not in_dq)
            in_dq = opening
            tok, left, right = ("“", False, True) if opening else ("”", True, False)
        elif tok == "'":
            if not in_sq and _possessive_tokens(toks, i):
                left = True
            elif not in_sq:
                in_sq = True
                tok, right = "‘", True
            else:
                in_sq = False
                tok, left = "’", True
        elif tok == "--":
            tok = "—"
        elif tok == "-" and 0 < i < len(toks) - 1 and _joins(toks[i - 1], toks[i + 1]):
            left = right = True
        else:
            right = low in _ATTACH_RIGHT
        if out and not left and not glue_next:
            out.append(" ")
        out.append(tok)
        glue_next = right
    return "".join(out)


def _possessive_tokens(toks: list[str], i: int) -> bool:
    return (
        0 < i < len(toks) - 1 and toks[i - 1][-1:] in ("s", "z", "x") and toks[i + 1][:1].isalnum()
    )


def _joins(left: str, right: str) -> bool:
    return (
        left[-1:].isalnum()
        and right[:1].isalnum()
        and left.lower() not in _DASH_NEIGHBOURS
        and right.lower() not in _DASH_NEIGHBOURS
    )


# A lone "i" (not inside a word, not "i.e."): written with a literal first, which the regex
# engine searches for quickly; the same matches as (?<![\w'’])i(?=...).
_LONE_I = re.compile(r"i(?<![\w'’]i)(?=(?:'|’)(?:m|ll|ve|d)\b|\b(?!['’.-]\w))")


def _capitalize(text: str) -> str:
    return _capitalize_first(_LONE_I.sub("I", text))


def _capitalize_first(text: str) -> str:
    for k, c in enumerate(text):
        if c.isalpha():
            return text[:k] + c.upper() + text[k + 1 :]
        if c.isdigit():
            break
    return text
