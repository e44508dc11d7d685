"""Sentence splitting, word tokens and display detokenizing, for raw and corpus-style text.

Rule-based and data-free: the abbreviation lists live here, nothing is downloaded.
All spans are (start, end) character offsets into the text given.
"""

from __future__ import annotations

import functools
import re
import statistics
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

_SENT_END_RAW = re.compile(r"(?:\.\.\.|…|[.!?])+[\"'”’)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"(\S+)$")
_WORD_AFTER = re.compile(r"\s*[\"'“‘(\[]*([^\s\"'“‘(\[]*)")
_WORD = re.compile(r"[^\W_]+")
_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]\.?")
_WS = re.compile(r"\s+")
_NONSPACE = re.compile(r"\S+")

_TOK_ENDERS = frozenset({".", "?", "!", "!!", "?!", "!?", "??", "..", "...."})


# ----------------------------------------------------------------------------- detection


def looks_tokenized(text: str) -> bool:
    """True for corpus-style text: punctuation split off as its own token (" , ", " 's ")."""
    sample = text[:50_000]
    detached = len(re.findall(r" [,.!?;:] | 's | n't ", sample))
    attached = len(re.findall(r"[^\W_][,.!?;:](?:\s|$)", sample))
    return detached >= 2 and detached > 2 * attached


def looks_lowercased(text: str) -> bool:
    """True when (almost) no letters are upper case, as in the CNN/DailyMail corpus files."""
    sample = text[:50_000]
    letters = sum(c.isalpha() for c in sample)
    upper = sum(c.isupper() for c in sample)
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


def _raw_boundary(seg: str, m: re.Match[str], lowercased: bool = False) -> bool:
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
    before = _WORD_BEFORE.search(seg, 0, m.start())
    word = before.group(1).lstrip("\"'“‘([") if before else ""
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
    for m in _SENT_END_RAW.finditer(seg):
        if _raw_boundary(seg, m, lowercased):
            yield start + last, start + m.end()
            last = m.end()
    yield start + last, end


# ----------------------------------------------------------------------------- tokenized text


def _split_tokenized(text: str, start: int, end: int) -> Iterator[Span]:
    toks = [(m.start(), m.end()) for m in _NONSPACE.finditer(text, start, end)]
    n = len(toks)
    in_dq = in_sq = False
    sent_start = 0
    i = 0
    while i < n:
        tok = text[toks[i][0] : toks[i][1]]
        if tok == '"':
            in_dq = not in_dq
        elif tok == "'":
            if in_sq or not _possessive(text, toks, i):
                in_sq = not in_sq
        elif tok == "``":
            in_dq = True
        elif tok == "''":
            in_dq = False
        elif tok in _TOK_ENDERS:
            j = i + 1
            while j < n:  # closing quotes and brackets stay with their sentence
                nxt = text[toks[j][0] : toks[j][1]]
                if nxt in _TOK_ENDERS or nxt in (")", "]", "''"):
                    in_dq = in_dq and nxt != "''"
                elif nxt == '"' and in_dq:
                    in_dq = False
                elif nxt == "'" and in_sq:
                    in_sq = False
                else:
                    break
                j += 1
            if j < n:
                yield toks[sent_start][0], toks[j - 1][1]
                sent_start = j
            i = j
            continue
        i += 1
    if sent_start < n:
        yield toks[sent_start][0], toks[-1][1]


def _possessive(text: str, toks: list[Span], i: int) -> bool:
    # "civilians ' cars": a lone apostrophe after a plural, followed by a word.
    if i == 0 or i + 1 >= len(toks):
        return False
    prev = text[toks[i - 1][0] : toks[i - 1][1]]
    nxt = text[toks[i + 1][0] : toks[i + 1][1]]
    return prev[-1:] in ("s", "z", "x") and nxt[:1].isalnum()


# ----------------------------------------------------------------------------- public API


def split_sentences(
    text: str, tokenized: bool | None = None, lowercased: bool | None = None
) -> list[Span]:
    """Sentence spans of `text`, trimmed of surrounding whitespace, in order.

    `lowercased` (default: `looks_lowercased(text)`) matters for raw text only: without capitals,
    a lower-case word after a full stop may start a sentence."""
    if tokenized is None:
        tokenized = looks_tokenized(text)
    if tokenized:
        splitter = _split_tokenized
    else:
        low = looks_lowercased(text) if lowercased is None else lowercased
        splitter = functools.partial(_split_raw, lowercased=low)
    spans: list[Span] = []
    for b_start, b_end in blocks(text, tokenized):
        for s, e in splitter(text, b_start, b_end):
            piece = text[s:e]
            stripped = piece.strip()
            if not stripped or not any(c.isalnum() for c in stripped):
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


def detokenize(text: str, capitalize: bool = False) -> str:
    """Readable form of corpus-style tokens: `iraqi 's` -> `iraqi's`, `( irgc )` -> `(irgc)`,
    quotes -> curly quotes, `miami - dade` -> `miami-dade`; optionally sentence-initial capital."""
    toks = text.split()
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
    result = "".join(out)
    if result[-1:].isalnum():  # corpus lines often drop the final full stop
        result += "."
    if capitalize:
        result = _capitalize(result)
    return result


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


_LONE_I = re.compile(r"(?<![\w'’])i(?=(?:'|’)(?:m|ll|ve|d)\b|\b(?!['’.-]\w))")


def _capitalize(text: str) -> str:
    text = _LONE_I.sub("I", text)
    for k, c in enumerate(text):
        if c.isalpha():
            return text[:k] + c.upper() + text[k + 1 :]
        if c.isdigit():
            break
    return text
