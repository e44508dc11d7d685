"""Exact, fast ROUGE: a drop-in for Google's rouge-score 0.1.2, and seeded bootstrap aggregation.

`RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True).score(target, pred)`
gives the same values as `rouge_score.rouge_scorer.RougeScorer` (its tokenizer, its NLTK-mode
Porter stemmer, its empty-input handling and its rougeLsum union-LCS, ties included), much faster:
words are tokenized and stemmed once and mapped to ints, and one pass over the candidate's tokens,
on Python ints whose bits are reference positions, gives every count (`_compare`: n-gram overlaps
as matchings, bit-parallel LCS, rouge-score's LCS path by bit operations). Neither rouge-score nor
NLTK is needed at run time.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import reduce
from itertools import chain, repeat
from operator import or_
from typing import Any, NamedTuple, Protocol

__all__ = [
    "AggregateScore",
    "BootstrapAggregator",
    "RougeScorer",
    "Score",
    "Tokenizer",
    "fmeasure",
    "lcs_length",
    "lcs_positions",
    "porter_stem",
    "shared_tokenizer",
    "tokenize",
]


class Score(NamedTuple):
    """Precision, recall and F-measure of one metric (equal to rouge-score's `Score` tuple)."""

    precision: float
    recall: float
    fmeasure: float


class AggregateScore(NamedTuple):
    """Confidence interval of a corpus score: `low`, `mid` and `high`, each a `Score`."""

    low: Any
    mid: Any
    high: Any


def fmeasure(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall, computed exactly as rouge-score does."""
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    return 0.0


_ZERO = Score(precision=0, recall=0, fmeasure=0)  # rouge-score returns int zeros for LCS types

# ============================================================================ Porter stemmer
# A port of nltk.stem.porter.PorterStemmer in its default NLTK_EXTENSIONS mode (as rouge-score
# instantiates it), kept rule for rule so that every stem is identical.

_VOWELS = frozenset("aeiou")
_IRREGULAR = {
    "sky": ["sky", "skies"],
    "die": ["dying"],
    "lie": ["lying"],
    "tie": ["tying"],
    "news": ["news"],
    "inning": ["innings", "inning"],
    "outing": ["outings", "outing"],
    "canning": ["cannings", "canning"],
    "howe": ["howe"],
    "proceed": ["proceed"],
    "exceed": ["exceed"],
    "succeed": ["succeed"],
}
_POOL = {form: key for key, forms in _IRREGULAR.items() for form in forms}

Rule = tuple[str, str, Callable[[str], bool] | None]


def _is_consonant(word: str, i: int) -> bool:
    ch = word[i]
    if ch in _VOWELS:
        return False
    if ch == "y":
        negate = False
        while i > 0 and word[i] == "y":
            negate = not negate
            i -= 1
        return (word[i] not in _VOWELS) != negate
    return True


def _consonant_flags(word: str) -> list[bool]:
    flags: list[bool] = []
    for i, ch in enumerate(word):
        if ch in _VOWELS:
            flags.append(False)
        elif ch == "y":
            flags.append(True if i == 0 else not flags[i - 1])
        else:
            flags.append(True)
    return flags


_CV = str.maketrans(
    {
        ch: "v" if ch in "aeiou" else "y" if ch == "y" else "c"
        for ch in "abcdefghijklmnopqrstuvwxyz0123456789"
    }
)


def _cv(word: str) -> str:
    """'c'/'v' per character (consonant/vowel), as joining `_consonant_flags` would give."""
    cv = word.translate(_CV)
    if cv.strip("cv"):  # a 'y' (its class depends on the letter before) or an unusual char
        return "".join("c" if c else "v" for c in _consonant_flags(word))
    return cv


def _measure(stem: str) -> int:
    return _cv(stem).count("vc")


def _positive_measure(stem: str) -> bool:
    return _measure(stem) > 0


def _measure_gt_1(stem: str) -> bool:
    return _measure(stem) > 1


def _contains_vowel(stem: str) -> bool:
    return "v" in _cv(stem)


def _ends_double_consonant(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _is_consonant(word, len(word) - 1)


def _ends_cvc(word: str) -> bool:
    n = len(word)
    return (
        n >= 3
        and _is_consonant(word, n - 3)
        and not _is_consonant(word, n - 2)
        and _is_consonant(word, n - 1)
        and word[-1] not in ("w", "x", "y")
    ) or (n == 2 and not _is_consonant(word, 0) and _is_consonant(word, 1))


def _cut(word: str, suffix: str) -> str:
    return word[: -len(suffix)] if suffix else word


def _apply_rules(word: str, rules: Sequence[Rule]) -> str:
    """nltk's `_apply_rule_list`: the first rule whose suffix matches decides."""
    for suffix, replacement, condition in rules:
        if word.endswith(suffix):
            stem = _cut(word, suffix)
            return stem + replacement if condition is None or condition(stem) else word
    return word


_STEP1A: list[Rule] = [
    ("sses", "ss", None),
    ("ies", "i", None),
    ("ss", "ss", None),
    ("s", "", None),
]


def _suffixes(rules: Sequence[Rule]) -> tuple[str, ...]:
    return tuple(rule[0] for rule in rules)


def _apply_static(word: str, rules: Sequence[Rule], suffixes: tuple[str, ...]) -> str:
    """`_apply_rules` for rule lists of plain suffixes, with one C-level test for no match."""
    return _apply_rules(word, rules) if word.endswith(suffixes) else word


_STEP1A_SUFFIXES = _suffixes(_STEP1A)


def _step1a(word: str) -> str:
    if word.endswith("ies") and len(word) == 4:
        return word[:-3] + "ie"
    return _apply_static(word, _STEP1A, _STEP1A_SUFFIXES)


def _step1b(word: str) -> str:
    if word.endswith("ied"):
        return word[:-3] + ("ie" if len(word) == 4 else "i")
    if word.endswith("eed"):
        stem = word[:-3]
        return stem + "ee" if _measure(stem) > 0 else word
    for suffix in ("ed", "ing"):
        if word.endswith(suffix):
            inter = word[: -len(suffix)]
            if _contains_vowel(inter):
                break
    else:
        return word
    # nltk's rule list for what is left: at -> ate, bl -> ble, iz -> ize; a double consonant
    # but l, s, z loses one; a stem of measure 1 ending consonant-vowel-consonant gains an e
    if inter.endswith(("at", "bl", "iz")):
        return inter + "e"
    if _ends_double_consonant(inter):
        return inter if inter[-1] in "lsz" else inter[:-1]
    if _measure(inter) == 1 and _ends_cvc(inter):
        return inter + "e"
    return inter


def _step1c(word: str) -> str:
    if word.endswith("y"):
        stem = word[:-1]
        if len(stem) > 1 and _is_consonant(stem, len(stem) - 1):
            return stem + "i"
    return word


_STEP2: list[Rule] = [
    ("ational", "ate", _positive_measure),
    ("tional", "tion", _positive_measure),
    ("enci", "ence", _positive_measure),
    ("anci", "ance", _positive_measure),
    ("izer", "ize", _positive_measure),
    ("bli", "ble", _positive_measure),
    ("alli", "al", _positive_measure),
    ("entli", "ent", _positive_measure),
    ("eli", "e", _positive_measure),
    ("ousli", "ous", _positive_measure),
    ("ization", "ize", _positive_measure),
    ("ation", "ate", _positive_measure),
    ("ator", "ate", _positive_measure),
    ("alism", "al", _positive_measure),
    ("iveness", "ive", _positive_measure),
    ("fulness", "ful", _positive_measure),
    ("ousness", "ous", _positive_measure),
    ("aliti", "al", _positive_measure),
    ("iviti", "ive", _positive_measure),
    ("biliti", "ble", _positive_measure),
    ("fulli", "ful", _positive_measure),
    # nltk tests the measure of word[:-3], i.e. the stem with its "l"
    ("logi", "log", lambda stem: _positive_measure(stem + "l")),
]
_STEP2_SUFFIXES = _suffixes(_STEP2)


def _step2(word: str) -> str:
    if word.endswith("alli") and _positive_measure(word[:-4]):
        return _step2(word[:-4] + "al")
    return _apply_static(word, _STEP2, _STEP2_SUFFIXES)


_STEP3: list[Rule] = [
    ("icate", "ic", _positive_measure),
    ("ative", "", _positive_measure),
    ("alize", "al", _positive_measure),
    ("iciti", "ic", _positive_measure),
    ("ical", "ic", _positive_measure),
    ("ful", "", _positive_measure),
    ("ness", "", _positive_measure),
]
_STEP3_SUFFIXES = _suffixes(_STEP3)

_STEP4: list[Rule] = [
    ("al", "", _measure_gt_1),
    ("ance", "", _measure_gt_1),
    ("ence", "", _measure_gt_1),
    ("er", "", _measure_gt_1),
    ("ic", "", _measure_gt_1),
    ("able", "", _measure_gt_1),
    ("ible", "", _measure_gt_1),
    ("ant", "", _measure_gt_1),
    ("ement", "", _measure_gt_1),
    ("ment", "", _measure_gt_1),
    ("ent", "", _measure_gt_1),
    ("ion", "", lambda stem: _measure(stem) > 1 and stem[-1] in ("s", "t")),
    ("ou", "", _measure_gt_1),
    ("ism", "", _measure_gt_1),
    ("ate", "", _measure_gt_1),
    ("iti", "", _measure_gt_1),
    ("ous", "", _measure_gt_1),
    ("ive", "", _measure_gt_1),
    ("ize", "", _measure_gt_1),
]
_STEP4_SUFFIXES = _suffixes(_STEP4)


def _step5a(word: str) -> str:
    if word.endswith("e"):
        stem = word[:-1]
        m = _measure(stem)
        if m > 1 or (m == 1 and not _ends_cvc(stem)):
            return stem
    return word


def _step5b(word: str) -> str:
    if word.endswith("ll") and _measure(word[:-1]) > 1:
        return word[:-1]
    return word


# the last letters of all suffixes of all steps: no step changes a word ending otherwise
_SUFFIX_ENDS = frozenset("cdegilmnrstuy")


def porter_stem(word: str) -> str:
    """Stem one word exactly as NLTK's `PorterStemmer()` (NLTK_EXTENSIONS mode) does."""
    stem = word.lower()
    if stem in _POOL:
        return _POOL[stem]
    if len(word) <= 2 or stem[-1] not in _SUFFIX_ENDS:
        return stem
    # each step only where one of its suffixes matches (most words skip most steps)
    if stem[-1] == "s":
        stem = _step1a(stem)
    if stem[-1] in "dg" and stem.endswith(("ed", "ing")):
        stem = _step1b(stem)
    if stem[-1] == "y":
        stem = _step1c(stem)
    if stem.endswith(_STEP2_SUFFIXES):
        stem = _step2(stem)
    if stem.endswith(_STEP3_SUFFIXES):
        stem = _apply_rules(stem, _STEP3)
    if stem.endswith(_STEP4_SUFFIXES):
        stem = _apply_rules(stem, _STEP4)
    if stem[-1] == "e":
        stem = _step5a(stem)
    if stem[-1] == "l":
        stem = _step5b(stem)
    return stem


# ============================================================================ tokenizer

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_VALID = re.compile(r"^[a-z0-9]+$")
_PLAIN = re.compile(r"[a-z0-9]+\Z")


class TextTokenizer(Protocol):
    """Anything with rouge-score's tokenizer interface."""

    def tokenize(self, text: str) -> list[str]: ...


class _ChunkCache(dict[str, tuple[int, ...]]):
    """Whitespace-delimited chunk -> token ids; misses are tokenized on first sight."""

    max_size = 2_000_000  # then start afresh: bounds memory in long-running processes

    def __init__(self, owner: Tokenizer) -> None:
        super().__init__()
        self._owner = owner

    def __missing__(self, chunk: str) -> tuple[int, ...]:
        if len(self) >= self.max_size:
            self.clear()
        ids = self._owner._chunk_ids(chunk)
        self[chunk] = ids
        return ids


class Tokenizer:
    """rouge-score's DefaultTokenizer, memoised: maps text to int token ids (one id per stem).

    Lowercases, turns every character outside [a-z0-9] into a space, and stems (NLTK Porter)
    only tokens longer than 3 characters. Every distinct whitespace-delimited chunk is
    tokenized and stemmed once; later sightings are a dict lookup.
    """

    def __init__(self, use_stemmer: bool = False) -> None:
        self.use_stemmer = use_stemmer
        self._chunks = _ChunkCache(self)
        self._vocab: dict[str, int] = {}
        self._words: list[str] = []
        self._lock = threading.Lock()

    def _chunk_ids(self, chunk: str) -> tuple[int, ...]:
        if _PLAIN.match(chunk):  # already one lowercase [a-z0-9] token: the common case
            if self.use_stemmer and len(chunk) > 3:
                chunk = porter_stem(chunk)
            return (self.word_id(chunk),)
        out = []
        for tok in _NON_ALNUM.sub(" ", chunk.lower()).split():
            if self.use_stemmer and len(tok) > 3:
                tok = porter_stem(tok)
            if _VALID.match(tok):
                out.append(self.word_id(tok))
        return tuple(out)

    def word_id(self, token: str) -> int:
        """The int id of an (already tokenized and stemmed) token, assigned on first sight."""
        wid = self._vocab.get(token)
        if wid is None:
            with self._lock:  # one id per token even when threads share the tokenizer
                wid = self._vocab.get(token)
                if wid is None:
                    wid = self._vocab[token] = len(self._words)
                    self._words.append(token)
        return wid

    def ids(self, text: str) -> list[int]:
        """Token ids of `text`, equal to the ids of rouge-score's tokens for it."""
        return list(chain.from_iterable(map(self._chunks.__getitem__, text.split())))

    def line_ids(self, text: str) -> list[list[int]]:
        """Token ids of each non-empty '\\n'-separated line, as rougeLsum sees sentences."""
        get = self._chunks.__getitem__
        return [list(chain.from_iterable(map(get, s.split()))) for s in text.split("\n") if s]

    def tokenize(self, text: str) -> list[str]:
        """Tokens as strings, equal to `rouge_score.tokenize.tokenize(text, stemmer)`."""
        words = self._words
        return [words[i] for i in self.ids(text)]

    def clear(self) -> None:
        """Forget cached chunks to free memory (ids already given out stay valid)."""
        self._chunks.clear()


_SHARED: dict[bool, Tokenizer] = {}


def shared_tokenizer(use_stemmer: bool) -> Tokenizer:
    """The process-wide memoised tokenizer for a stemming setting (shared caches)."""
    tok = _SHARED.get(use_stemmer)
    if tok is None:
        tok = _SHARED[use_stemmer] = Tokenizer(use_stemmer)
    return tok


def tokenize(text: str, use_stemmer: bool = False) -> list[str]:
    """rouge-score's tokenization of `text` (lowercase, [a-z0-9] runs, optional Porter stems)."""
    return shared_tokenizer(use_stemmer).tokenize(text)


class _ForeignTokenizer:
    """Adapts a user tokenizer with `.tokenize(text) -> list[str]` to int ids."""

    def __init__(self, tokenizer: TextTokenizer) -> None:
        self._tokenizer = tokenizer
        self._vocab: dict[str, int] = {}

    def ids(self, text: str) -> list[int]:
        vocab = self._vocab
        return [vocab.setdefault(t, len(vocab)) for t in self._tokenizer.tokenize(text)]


# ============================================================================ n-grams and LCS


def _ngrams(ids: Sequence[int], n: int) -> Counter:
    return Counter(zip(*(ids[k:] for k in range(n)), strict=False))


def _overlap(a: Mapping[Any, int], b: Mapping[Any, int]) -> int:
    total = 0
    for gram in a.keys() & b.keys():
        c = a[gram]
        d = b[gram]
        total += c if c < d else d
    return total


def _ngram_score(inter: int, target_len: int, prediction_len: int, n: int) -> Score:
    """rouge-score's n-gram score from the clipped overlap and the two texts' token counts."""
    precision = inter / max(prediction_len - n + 1, 1)
    recall = inter / max(target_len - n + 1, 1)
    return Score(precision, recall, fmeasure(precision, recall))


def _lcs_score(lcs: int, target_len: int, prediction_len: int) -> Score:
    """rouge-score's LCS score (rougeL, and rougeLsum with its union-LCS hits)."""
    if not target_len or not prediction_len:
        return _ZERO
    precision = lcs / prediction_len
    recall = lcs / target_len
    return Score(precision, recall, fmeasure(precision, recall))


_GUARD = object()  # stands between reference sentences; equal to no token


class _References:
    """Reference sentences laid side by side in one bit-vector, a guard bit between them.

    Bit k stands for reference position k (guards included); `masks` maps each token to the
    bits of its positions, `full` has the bits of all positions but the guards.
    """

    __slots__ = ("full", "masks", "repeated", "segments", "starts", "tokens", "width")

    def __init__(self, sentences: Iterable[Sequence[Any]]) -> None:
        tokens: list[Any] = []
        # per sentence: its length, the bit just above it, and the mask of its bits
        self.segments: list[tuple[int, int, int]] = []
        starts = 0  # the first bit of every sentence but the first
        for sent in sentences:
            if sent:
                n = len(sent)
                if tokens:
                    starts |= 1 << len(tokens)
                self.segments.append((n, len(tokens) + n, ((1 << n) - 1) << len(tokens)))
                tokens += sent
                tokens.append(_GUARD)
        self.starts = starts
        self.tokens = tokens  # token at each bit position
        self.masks = masks = {}
        first = masks.setdefault
        repeated = 0
        bit = 1
        for t in tokens:
            if first(t, bit) is not bit:  # seen before
                repeated |= masks[t]
                masks[t] |= bit
                repeated |= bit
            bit <<= 1
        guards = masks.pop(_GUARD, 0)
        self.width = max(len(tokens) - 1, 0)  # the last guard is not needed
        self.full = ((1 << self.width) - 1) & ~guards
        self.repeated = repeated & self.full  # the positions of tokens seen more than once


class _Counts(NamedTuple):
    """What the ROUGE types count, for a reference and a candidate (see `_compare`)."""

    unigrams: int  # clipped unigram overlap (rouge1)
    bigrams: int  # clipped bigram overlap (rouge2)
    lcs: int  # LCS length of the whole texts (rougeL)
    hits: int  # bits of the reference positions on the union LCS (rougeLsum)
    union: int  # the hits, clipped by the candidate's token counts (rougeLsum)


def _compare(refs: _References, cands: Sequence[Sequence[Any]], union: bool) -> _Counts:
    """rouge1, rouge2 and rougeL counts of the reference against the candidate sentences joined,
    and with `union` rougeLsum's, in one pass over the candidate tokens.

    A token's `m`, the bits of the reference positions holding it, drives:
    - the clipped n-gram overlaps, as matchings: a candidate unigram takes the lowest free
      reference position holding it (`free1`), a bigram the lowest free reference position that
      ends the same bigram (`free2`; a sentence's first token follows the last token of the
      sentence before, two bits lower); so an n-gram takes min(its count in the candidate, its
      count in the reference) positions: rouge-score's clipped count;
    - one bit-parallel LCS step (Allison-Dix / Hyyrö) of the LCS table of the whole reference
      (`v`: a guard is a column that matches nothing; bits above the width only collect carries)
      and of the table of each reference sentence against the candidate sentence (`w`: `full`
      clears the guards, so each absorbs the carry out of the sentence below it); a zero bit
      marks a row where the table column steps up.
    With `union`, rouge-score's `_backtrack_norec` path is then walked from the corner of each
    reference sentence's table, unless each position whose token the candidate sentence holds
    is on the LCS (no choice) or none is new. In cell (i, j) with value L it goes diagonal on a
    token match, else up iff table[i-1][j] == L (bit i-1 of column j is one), else left. A run
    of up moves stops at the highest row below i that matches or where the column steps, found
    in one bit operation; a run of left moves in row i stops at the nearest earlier candidate
    token equal to ref[i-1], found by one `list.index` on the reversed candidate.
    """
    full = free1 = refs.full
    free2 = full & ~1  # every reference position but the first ends a bigram
    starts = refs.starts
    v = (1 << refs.width) - 1
    get = refs.masks.get
    ref_tokens = refs.tokens
    hits = prev = 0
    for cand in cands:
        if not cand:
            continue
        matches = list(map(get, cand, repeat(0)))
        w = full
        cols = [w]
        append = cols.append
        for m in matches:
            if m:
                u = w & m
                w = ((w + u) | (w - u)) & full
                u = v & m
                v = (v + u) | (v - u)
                u = m & free1
                if u:
                    free1 ^= u & -u
                if prev:
                    u = m & free2 & ((prev << 1) | ((prev << 2) & starts))
                    if u:
                        free2 ^= u & -u
            append(w)
            prev = m
        if not union:
            continue
        held = reduce(or_, matches)  # reference positions whose token the candidate holds
        new = held & ~hits
        if not new:
            continue
        size = len(cand)
        index = cand[::-1].index
        for length, i, bits in refs.segments:
            if not new & bits:  # this sentence's LCS with the candidate adds no hit
                continue
            left = length - (w & bits).bit_count()
            held_here = held & bits
            if held_here.bit_count() == left:  # each of them is on the LCS: no choice to make
                hits |= held_here
                continue
            j = size
            for _ in range(left):
                m = matches[j - 1]
                i = ((m | ~cols[j]) & ((1 << i) - 1)).bit_length()
                if not (m >> (i - 1)) & 1:
                    j = size - index(ref_tokens[i - 1], size - j)
                i -= 1
                j -= 1
                hits |= 1 << i
    # clipped by the candidate's token counts. Only a token hit more than once can lose hits:
    # one at positions of tokens the reference repeats. A token's positions that rouge1's
    # matching used number min(its count in the candidate, its count in the reference), so
    # where it left one free they are the candidate's count.
    clipped = hits.bit_count()
    several = hits & refs.repeated
    while several:
        mask = refs.masks[ref_tokens[several.bit_length() - 1]]
        several &= ~mask
        if mask & free1:
            k = (mask & hits).bit_count() - (mask & ~free1).bit_count()
            if k > 0:
                clipped -= k
    return _Counts(
        unigrams=(full ^ free1).bit_count(),
        bigrams=((full & ~1) ^ free2).bit_count(),
        lcs=refs.width - (v & ((1 << refs.width) - 1)).bit_count(),
        hits=hits,
        union=clipped,
    )


def lcs_length(a: Sequence[Any], b: Sequence[Any]) -> int:
    """Length of a longest common subsequence of `a` and `b`."""
    return _compare(_References([b]), [list(a)], union=False).lcs


def lcs_positions(ref: Sequence[Any], cand: Sequence[Any]) -> list[int]:
    """Positions in `ref` of the LCS that rouge-score's `lcs_ind` (its backtracking) picks."""
    hits = _compare(_References([ref]), [list(cand)], union=True).hits
    return [k for k in range(len(ref)) if (hits >> k) & 1]


# ============================================================================ scorer

_ROUGE_N = re.compile(r"rouge[0-9]$")


def _check_type(rouge_type: str) -> None:
    if rouge_type in ("rougeL", "rougeLsum"):
        return
    if not _ROUGE_N.match(rouge_type):
        raise ValueError(f"Invalid rouge type: {rouge_type}")
    if int(rouge_type[5:]) <= 0:
        raise ValueError(f"rougen requires positive n: {rouge_type}")


class RougeScorer:
    """ROUGE-N, ROUGE-L and ROUGE-Lsum with the exact results of rouge-score 0.1.2.

    `tokenizer`, like rouge-score's, is any object with `tokenize(text) -> list[str]`; by default
    a memoised copy of rouge-score's DefaultTokenizer. `split_summaries=True` (NLTK sentence
    splitting for rougeLsum) is not supported: sentences are the lines of the text.
    """

    def __init__(
        self,
        rouge_types: Sequence[str],
        use_stemmer: bool = False,
        split_summaries: bool = False,
        tokenizer: TextTokenizer | None = None,
    ) -> None:
        if split_summaries:
            raise NotImplementedError("split_summaries needs NLTK; give '\\n'-separated sentences")
        for rouge_type in rouge_types:
            _check_type(rouge_type)
        self.rouge_types = list(rouge_types)
        self._tokenizer = _ForeignTokenizer(tokenizer) if tokenizer else None
        self._ids = shared_tokenizer(use_stemmer) if tokenizer is None else None
        self._want_lines = "rougeLsum" in self.rouge_types
        # (type, n): n > 0 for ROUGE-N, 0 for the LCS types
        self._plan = [(t, 0 if t.startswith("rougeL") else int(t[5:])) for t in self.rouge_types]

    def _prepare(self, text: str) -> tuple[list[list[int]], list[int] | None]:
        """Token ids of each non-empty line (rougeLsum's sentences; the whole text as one line
        if rougeLsum is not asked for), and of the whole text if the lines need not make it up
        (a foreign tokenizer), else None."""
        if self._tokenizer is not None:
            ids = self._tokenizer.ids
            lines = [ids(s) for s in text.split("\n") if s] if self._want_lines else []
            return lines, ids(text)
        if self._want_lines:
            return self._ids.line_ids(text), None
        return [self._ids.ids(text)], None

    def score(self, target: str, prediction: str) -> dict[str, Score]:
        """Scores of `prediction` against `target`: rouge type -> Score."""
        return self._score_prepared(self._prepare(target), self._prepare(prediction))

    def _score_prepared(
        self,
        target: tuple[list[list[int]], list[int] | None],
        prediction: tuple[list[list[int]], list[int] | None],
    ) -> dict[str, Score]:
        t_lines, t_ids = target
        p_lines, p_ids = prediction
        if t_ids is None:  # the lines make up the text
            lines = whole = _compare(_References(t_lines), p_lines, self._want_lines)
            t_len = sum(map(len, t_lines))
            p_len = sum(map(len, p_lines))
        else:
            whole = _compare(_References([t_ids]), [p_ids], union=False)
            if self._want_lines:
                lines = _compare(_References(t_lines), p_lines, union=True)
            t_len = len(t_ids)
            p_len = len(p_ids)
        result: dict[str, Score] = {}
        for rouge_type, n in self._plan:
            if n == 1:
                result[rouge_type] = _ngram_score(whole.unigrams, t_len, p_len, 1)
            elif n == 2:
                result[rouge_type] = _ngram_score(whole.bigrams, t_len, p_len, 2)
            elif n:
                t_grams = _ngrams(list(chain.from_iterable(t_lines)) if t_ids is None else t_ids, n)
                p_grams = _ngrams(list(chain.from_iterable(p_lines)) if p_ids is None else p_ids, n)
                result[rouge_type] = _ngram_score(_overlap(t_grams, p_grams), t_len, p_len, n)
            elif rouge_type == "rougeL":
                result[rouge_type] = _lcs_score(whole.lcs, t_len, p_len)
            else:
                m = sum(map(len, t_lines))
                result[rouge_type] = _lcs_score(lines.union, m, sum(map(len, p_lines)))
        return result

    def score_batch(
        self, targets: Sequence[str], predictions: Sequence[str]
    ) -> list[dict[str, Score]]:
        """`score` over aligned sequences of targets and predictions."""
        if len(targets) != len(predictions):
            raise ValueError("targets and predictions differ in length")
        prep = self._prepare
        return [
            self._score_prepared(prep(t), prep(p))
            for t, p in zip(targets, predictions, strict=True)
        ]

    def score_multi(self, targets: Sequence[str], prediction: str) -> dict[str, Score]:
        """Per rouge type, the score against the target with the highest F-measure (first wins)."""
        pred = self._prepare(prediction)
        dicts = [self._score_prepared(self._prepare(t), pred) for t in targets]
        best: dict[str, Score] = {}
        for k in self.rouge_types:
            best[k] = max(dicts, key=lambda d, k=k: d[k].fmeasure)[k]
        return best


# ============================================================================ aggregation


class BootstrapAggregator:
    """Corpus scores with bootstrap confidence intervals, as rouge-score's, but seeded.

    `low`/`high` are the (1 - confidence_interval)/2 and 1 - (1 - confidence_interval)/2
    percentiles of `n_samples` bootstrap sample means (numpy's linear interpolation). `mid` is
    the plain mean by default (`mid="mean"`); `mid="median"` gives rouge-score's estimator, the
    median of the bootstrap means. Each rouge type is resampled from a fresh generator seeded
    with `seed`, so results do not depend on how many types there are or their order.
    """

    def __init__(
        self,
        confidence_interval: float = 0.95,
        n_samples: int = 1000,
        seed: int | None = 0,
        mid: str = "mean",
    ) -> None:
        if confidence_interval < 0 or confidence_interval > 1:
            raise ValueError("confidence_interval must be in range [0, 1]")
        if n_samples <= 0:
            raise ValueError("n_samples must be positive")
        if mid not in ("mean", "median"):
            raise ValueError("mid must be 'mean' or 'median'")
        self._confidence_interval = confidence_interval
        self._n_samples = n_samples
        self._seed = seed
        self._mid = mid
        self._scores: dict[str, list[tuple]] = {}

    def add_scores(self, scores: Mapping[str, tuple]) -> None:
        """Adds one sample: rouge type -> Score (any tuple of floats)."""
        for score_type, score in scores.items():
            self._scores.setdefault(score_type, []).append(score)

    def aggregate(self) -> dict[str, AggregateScore]:
        """Rouge type -> AggregateScore(low, mid, high) over all samples added so far."""
        import numpy as np

        result = {}
        for score_type, scores in self._scores.items():
            matrix = np.asarray(scores, dtype=np.float64)
            bounds = self._bootstrap(matrix)
            make = type(scores[0]) if hasattr(scores[0], "_fields") else Score
            low, mid, high = (make(*(float(x) for x in row)) for row in bounds)
            result[score_type] = AggregateScore(low=low, mid=mid, high=high)
        return result

    def _bootstrap(self, matrix: Any) -> Any:
        """(low, mid, high) rows for a (sample, measure) matrix."""
        import numpy as np

        rng = np.random.default_rng(self._seed)
        n, k = matrix.shape
        means = np.empty((self._n_samples, k))
        block = max(1, (1 << 22) // max(n * k, 1))
        for lo in range(0, self._n_samples, block):
            hi = min(lo + block, self._n_samples)
            idx = rng.integers(0, n, size=(hi - lo, n))
            means[lo:hi] = matrix[idx].mean(axis=1)
        delta = (1 - self._confidence_interval) / 2
        bounds = np.percentile(means, 100 * np.array([delta, 0.5, 1 - delta]), axis=0)
        if self._mid == "mean":
            bounds[1] = matrix.mean(axis=0)
        return bounds
