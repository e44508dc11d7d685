"""Sentence features for the trained `model` method, computed from a Document alone.

Only `Sentence.tokens` (lowercased words) and the display `Sentence.plain` are used, never the
input's casing or tokenization, so raw and corpus-style text of the same story give the same
features. Word weights come from a corpus idf table shipped with the model (`IdfTable`), and
how often a sentence's word pairs reappear in highlights from its bigram prior (newsum.prior).
The feature order is `FEATURE_NAMES`; a model file records the names it was trained with.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from itertools import chain, compress, repeat
from operator import itemgetter, methodcaller
from typing import TYPE_CHECKING

from .document import Document
from .stopwords import STOPWORDS

if TYPE_CHECKING:
    import numpy as np

    from .prior import BigramPrior

# Quote marks as they appear in display text: straight and curly, double and single.
_QUOTE_CHARS = frozenset("\"“”„«»'‘’")
# A single quote mark at a word's edge: after a space or the text's start, or before a space
# or its end. One pattern per mark, opening with it: the regex engine jumps from one to the
# next (r"(?:^|(?<=\s))['‘’]|['‘’](?=\s|$)", which opens with a look-behind, tries every
# position: ~30x slower).
_SINGLE_QUOTE_MARKS = tuple(
    (mark, re.compile(mark + r"(?:(?<!\S" + mark + r")|(?=\s|$))")) for mark in "'‘’"
)

# Token cues. Each group becomes one 0/1 feature: any token of the sentence in the group.
CUES: dict[str, frozenset[str]] = {
    "cue_byline": frozenset(
        "published updated gmt est bst edt pdt pst cet reporter correspondent".split()
    ),
    "cue_media": frozenset(
        "pictured picture pictures photo photos photograph image images video videos watch "
        "scroll footage caption gallery".split()
    ),
    "cue_social": frozenset("twitter follow facebook instagram mailonline email click".split()),
    "cue_outlet": frozenset("cnn reuters ap afp associated press".split()) - {"press"},
    "cue_speech": frozenset("said says say told according added tells saying".split()),
    "cue_time": frozenset(
        "monday tuesday wednesday thursday friday saturday sunday yesterday today tonight "
        "week weekend month year earlier".split()
    ),
    "cue_first_person": frozenset("i we me my our us".split()),
    "cue_second_person": frozenset("you your".split()),
    "cue_death": frozenset("killed dead died death dies murder charged arrested".split()),
    "cue_superlative": frozenset("first largest biggest most best worst record".split()),
}
_CUE_GROUPS = tuple(CUES.values())


def _cue_bits() -> dict[str, int]:
    """Each cue word's groups as bits: a sentence's cue flags are then the or of its words'
    bits instead of ten set tests."""
    bits: dict[str, int] = {}
    for bit, group in enumerate(_CUE_GROUPS):
        for word in group:
            bits[word] = bits.get(word, 0) | 1 << bit
    return bits


_CUE_BITS = _cue_bits()
_OPENER_PRONOUN = frozenset("he she it they this these those his her their its".split())
_OPENER_LINK = frozenset("but however and also meanwhile so yet still".split())

FEATURE_NAMES: tuple[str, ...] = (
    # position and size
    "index",
    "rel_index",
    "inv_index",
    "n_sentences",
    "doc_tokens",
    "words_before",
    "rel_words_before",
    "long_before",
    # the sentence itself
    "n_tokens",
    "n_content",
    "n_chars",
    "frac_stop",
    "frac_digit_tokens",
    "n_double_quotes",
    "n_single_quote_marks",
    "starts_with_quote",
    "ends_with_quote",
    "n_commas",
    "n_parens",
    "has_colon",
    "ends_colon",
    "ends_question",
    "has_exclaim",
    "has_dash",
    "has_at",
    "has_cnn_paren",
    "has_daily_mail",
    "has_by_start",
    "opener_pronoun",
    "opener_link",
    *CUES,
    # corpus word weights
    "idf_mean",
    "idf_max",
    "idf_sum",
    "frac_oov",
    # relation to the rest of the story
    "sim_centroid",
    "sim_rest",
    "sim_first",
    "sim_lead3",
    "sim_max",
    "sim_mean",
    "degree",
    "topicality",
    "shared_idf_frac",
    "novelty",
    "rank_rest",
    "rel_rest",
    "rank_len",
    "rank_idf_sum",
    # neighbours
    "prev_tokens",
    "prev_sim_rest",
    "prev_byline",
    "prev_ends_colon",
    "next_tokens",
    "next_sim_rest",
    # how often the sentence's word pairs reappear in highlights (newsum.prior)
    "prior_mean",
    "prior_max",
    "prior_sum",
)
N_FEATURES = len(FEATURE_NAMES)

_STOP_INDEX = {w: i for i, w in enumerate(sorted(STOPWORDS))}


class _Words:
    """A list of distinct words sorted into stopwords (`stop`: index among them, else -1),
    numbers, and content words (`content` mask; `vocab` in order; `at`: idf position, -1)."""

    def __init__(self, words: Sequence[str], idf: IdfTable) -> None:
        import numpy as np

        n = len(words)
        self.stop = np.fromiter(map(_STOP_INDEX.get, words, repeat(-1)), np.intp, n)
        digit = np.fromiter(map(str.isdigit, map(itemgetter(0), words)), bool, n)
        self.content = (self.stop < 0) & ~digit
        self.vocab = list(compress(words, self.content))
        self.at = idf.positions(self.vocab, len(self.vocab))

    def lexicon(self, idf: IdfTable) -> np.ndarray:
        """Each word's id among the idf table's words followed by the stopwords; -1 for a
        number or a word in neither (the ids the bigram prior is keyed by, newsum.prior)."""
        import numpy as np

        ids = np.full(len(self.stop), -1, dtype=np.intp)
        ids[self.content] = self.at
        ids[self.stop >= 0] = len(idf) + self.stop[self.stop >= 0]
        return ids


def lexicon_ids(words: Sequence[str], idf: IdfTable) -> np.ndarray:
    """The lexicon id of each of `words` (distinct, non-empty): see `_Words.lexicon`."""
    return _Words(words, idf).lexicon(idf)


# Words looked up by binary search before IdfTable builds its dictionary (~17 ms): a story
# (~300 words) never builds it; a batch of 64 stories (~8,000) pays it back within a few.
_SEARCHED = 20_000


class IdfTable:
    """Corpus inverse document frequencies: `idf[word]`, and `unknown` for unseen words.

    The features look words up with `positions` and read `values` (one more entry at the end:
    `unknown`, for position -1). A table read from a model file holds its words as one sorted
    array of UTF-8 byte strings (`keys`), found by binary search; the word -> position
    dictionary (`index`) is built only after `_SEARCHED` words were searched. Building it for
    the 69k words takes ~17 ms, which the one-story command would spend at start-up for
    ~0.05 ms of faster lookups."""

    def __init__(
        self, words: Sequence[str] | np.ndarray, values: Sequence[float], unknown: float
    ) -> None:
        """`words` as strings in any order, or as the sorted, distinct UTF-8 byte strings of
        a numpy 'S' array (as a model file stores them: searched until `_SEARCHED`)."""
        import numpy as np

        if isinstance(words, np.ndarray):
            if words.dtype.kind != "S" or not (words[1:] > words[:-1]).all():
                raise ValueError("idf words are not sorted, distinct byte strings")
            self.keys = words
            self._searched = 0
        else:
            self.words = list(words)
            self._searched = _SEARCHED
        vals = np.asarray(values, dtype=np.float64).reshape(-1)
        if len(vals) != len(words):
            raise ValueError(f"{len(words)} words but {len(vals)} idf values")
        self.unknown = float(unknown)
        self.values = np.append(vals, self.unknown)

    def __len__(self) -> int:
        return len(self.values) - 1

    @cached_property
    def words(self) -> list[str]:
        from .npzfile import unpack_words

        return unpack_words(self.keys)

    @cached_property
    def index(self) -> dict[str, int]:
        return dict(zip(self.words, range(len(self.words)), strict=True))

    @cached_property
    def idf(self) -> dict[str, float]:
        return dict(zip(self.words, self.values[:-1].tolist(), strict=True))

    def positions(self, words: Iterable[str], count: int) -> np.ndarray:
        """The position of each of `count` words in `words` (-1 for a word not in the table,
        where `values` holds `unknown`)."""
        import numpy as np

        if self._searched < _SEARCHED:
            self._searched += count
            return self._search(words, count)
        return np.fromiter(map(self.index.get, words, repeat(-1)), np.intp, count)

    def _search(self, words: Iterable[str], count: int) -> np.ndarray:
        """`positions` by binary search in `keys`, without the dictionary."""
        import numpy as np

        keys = self.keys
        query = [w.encode("utf-8", "surrogatepass") for w in words]
        if not len(keys) or not query:
            return np.full(count, -1, dtype=np.intp)
        # A fixed-width array truncates longer strings and drops trailing NUL bytes: such
        # words are never found (no key is longer; none ends in NUL).
        fits = np.fromiter(
            (len(q) <= keys.itemsize and not q.endswith(b"\0") for q in query), bool, count
        )
        found = np.array(query, dtype=keys.dtype)
        at = np.minimum(np.searchsorted(keys, found), len(keys) - 1)
        return np.where(fits & (keys[at] == found), at, -1)

    @classmethod
    def fit(cls, token_docs: Iterable[Iterable[str]], min_df: int = 3) -> IdfTable:
        """idf = log((1 + N) / (1 + df)) + 1 over documents (each an iterable of tokens);
        words in fewer than `min_df` documents are left out (they get `unknown`)."""
        df: dict[str, int] = {}
        n = 0
        for toks in token_docs:
            n += 1
            for w in set(toks):
                df[w] = df.get(w, 0) + 1
        kept = sorted(w for w, c in df.items() if c >= min_df and w not in STOPWORDS)
        values = [math.log((1 + n) / (1 + df[w])) + 1.0 for w in kept]
        unknown = math.log((1 + n) / (1 + min_df)) + 1.0
        return cls(kept, values, unknown)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions starts[k], starts[k] + 1, ... (lengths[k] of them) for every k, in order."""
    import numpy as np

    before = np.cumsum(lengths) - lengths
    return np.repeat(starts - before, lengths) + np.arange(int(lengths.sum()))


def segment_sums(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """`values[s:s + n].sum()` of every segment, bit for bit, in one np.add.reduceat.

    A batch of stories must round each story's sums as that story alone does. reduceat starts
    a segment's sum from its first value and adds the rest as ndarray.sum adds a whole array
    (pairwise); ndarray.sum starts from 0. So each segment is copied after a 0, which makes the
    two agree (tests/test_features.py checks it against np.sum). The values must not hold -0.0
    (0.0 + -0.0 is 0.0)."""
    import numpy as np

    if not len(starts):
        return np.zeros(0)
    width = lengths + 1
    zero_at = np.cumsum(width) - width
    padded = np.zeros(int(width.sum()))
    padded[_ranges(zero_at + 1, lengths)] = values[_ranges(starts, lengths)]
    return np.add.reduceat(padded, zero_at)


_PAIRS_AT_ONCE = 2_000_000  # the Gram matrices' terms made at once: ~100 MB of arrays


def _pair_chunks(pairs: np.ndarray, story: np.ndarray) -> list[tuple[int, int]]:
    """[lo, hi) ranges of the entries (each with `pairs` Gram terms; `story` ascending) with
    at most about `_PAIRS_AT_ONCE` terms each (one entry has at most a story's sentence count),
    so that memory stays bounded on hostile text. A range
    ends between stories, so each Gram value still adds all its terms in one bincount as the
    story alone does; only a story with more terms (one long paragraph of common words:
    CNN/DailyMail's largest has ~20,000) is cut within, by its own entries alone."""
    import numpy as np

    if int(pairs.sum()) <= _PAIRS_AT_ONCE:
        return [(0, len(pairs))]
    bounds = np.flatnonzero(np.diff(story)) + 1
    chunks: list[tuple[int, int]] = []
    lo = total = 0
    for s_lo, s_hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(pairs)], strict=True):
        terms = int(pairs[s_lo:s_hi].sum())
        if total + terms > _PAIRS_AT_ONCE and s_lo > lo:  # close the stories so far
            chunks.append((lo, s_lo))
            lo, total = s_lo, 0
        if terms > _PAIRS_AT_ONCE:  # this story alone, cut by its own running sum
            mine = pairs[s_lo:s_hi]
            piece = (np.cumsum(mine) - mine) // _PAIRS_AT_ONCE  # the terms before an entry
            edges = [s_lo, *(s_lo + np.flatnonzero(np.diff(piece)) + 1).tolist(), s_hi]
            chunks += list(zip(edges, edges[1:], strict=False))
            lo, total = s_hi, 0
        else:
            total += terms
    if lo < len(pairs):
        chunks.append((lo, len(pairs)))
    return chunks


def _ranks(
    columns: list[np.ndarray], story: np.ndarray, start: np.ndarray, n: np.ndarray
) -> np.ndarray:
    """Each column's ranks within each story: 0 for the largest value, ties by position;
    divided by the story's sentence count (0 <= rank < 1). Each row's `story` (ascending),
    its story's first row `start` and size `n`. All columns sorted at once."""
    import numpy as np

    rows = len(story)
    values = np.concatenate(columns)
    column = np.repeat(np.arange(len(columns)), rows)
    order = np.lexsort((-values, np.tile(story, len(columns)) + column * (story[-1] + 1)))
    ranks = np.empty(len(values), dtype=np.float64)  # stable: ties stay in row order
    ranks[order] = np.arange(len(values)) - (np.tile(start, len(columns)) + column * rows)[order]
    return ranks.reshape(len(columns), rows) / n


def _text_columns(texts: list[str], feats: dict[str, np.ndarray]) -> None:
    """The features of each sentence's display text alone (`n_chars` .. `has_daily_mail`).

    Column by column over all sentences (C-level maps, no Python loop per sentence); a
    column whose character or phrase occurs in no sentence is zeros without a pass."""
    import numpy as np

    n = len(texts)
    joined = "\n".join(texts)  # for `in` tests of the whole batch; no phrase holds a "\n"

    def count(sub: str) -> np.ndarray:
        if sub not in joined:
            return np.zeros(n)
        return np.fromiter(map(str.count, texts, repeat(sub)), np.float64, n)

    def has(subs: Sequence[str], pool: list[str] = texts, whole: str = joined) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        for sub in subs:
            if sub in whole:
                out |= np.fromiter(map(str.__contains__, pool, repeat(sub)), bool, n)
        return out.astype(np.float64)

    def flags(pool: Iterable[object], test: Callable[[object], bool]) -> np.ndarray:
        return np.fromiter(map(test, pool), bool, n).astype(np.float64)

    lows = list(map(str.lower, texts))
    low_joined = "\n".join(lows)
    strips = list(map(str.strip, lows))
    feats["n_chars"] = np.fromiter(map(len, texts), np.float64, n)
    feats["n_double_quotes"] = count('"') + count("“") + count("”")
    # Quote marks standing alone at a word's edge, found in the joined text: the "\n" between
    # two sentences counts as the space or text edge that the pattern looks for either side.
    marks = np.zeros(n)
    at = [m.start() for q, rx in _SINGLE_QUOTE_MARKS if q in joined for m in rx.finditer(joined)]
    if at:
        lens = np.fromiter(map(len, texts), np.intp, n) + 1
        where = np.searchsorted(np.cumsum(lens), at, side="right")
        marks = np.bincount(where, minlength=n).astype(np.float64)
    feats["n_single_quote_marks"] = marks
    feats["starts_with_quote"] = flags(
        map(itemgetter(slice(None, 1)), strips), _QUOTE_CHARS.__contains__
    )
    feats["ends_with_quote"] = flags(
        map(itemgetter(slice(-1, None)), strips), _QUOTE_CHARS.__contains__
    )
    feats["n_commas"] = count(",")
    feats["n_parens"] = count("(") + count(")")
    feats["has_colon"] = has([":"])
    feats["ends_colon"] = (
        flags(strips, methodcaller("endswith", ":")) if ":" in joined else np.zeros(n)
    )
    feats["ends_question"] = (
        flags(map(str.rstrip, strips, repeat("\"“”'’)")), methodcaller("endswith", "?"))
        if "?" in joined
        else np.zeros(n)
    )
    feats["has_exclaim"] = has(["!"])
    feats["has_dash"] = has([" - ", "—", "--", " – "])
    feats["has_at"] = has(["@"])
    feats["has_cnn_paren"] = has(["(cnn", "cnn)"], lows, low_joined)
    feats["has_daily_mail"] = has(["daily mail", "dailymail"], lows, low_joined)


def _token_columns(
    tokens: list[tuple[str, ...]],
    lens: np.ndarray,
    distinct: list[str],
    token_word: np.ndarray,
    classes: _Words,
    feats: dict[str, np.ndarray],
) -> None:
    """The features of each sentence's tokens alone (`n_tokens`, `n_content`, `frac_*`, the
    opener flags and the `cue_*` flags), from every token's word (`token_word`, a position in
    `distinct`) and every sentence's token count (`lens`)."""
    import numpy as np

    n, d = len(tokens), len(distinct)
    row = np.repeat(np.arange(n), lens)
    stop = np.bincount(row, weights=classes.stop[token_word] >= 0, minlength=n)
    is_digits = np.fromiter(map(str.isdigit, distinct), bool, d)
    digits = np.bincount(row, weights=is_digits[token_word], minlength=n)
    ntok = lens.astype(np.float64)
    inv = np.where(lens > 0, 1.0 / np.maximum(ntok, 1.0), 0.0)
    feats["n_tokens"] = ntok
    feats["n_content"] = ntok - stop - digits
    feats["frac_stop"] = stop * inv
    feats["frac_digit_tokens"] = digits * inv
    # The first token's word, and each sentence's cue groups as bits (or-ed over its tokens).
    said = np.flatnonzero(lens > 0)
    first = (np.cumsum(lens) - lens)[said]
    openers = [t[0] for t in tokens if t]
    for name, words in (
        ("has_by_start", frozenset({"by"})),
        ("opener_pronoun", _OPENER_PRONOUN),
        ("opener_link", _OPENER_LINK),
    ):
        feats[name] = np.zeros(n)
        feats[name][said] = np.fromiter(map(words.__contains__, openers), bool, len(said))
    bits = np.fromiter(map(_CUE_BITS.get, distinct, repeat(0)), np.int64, d)
    mask = np.zeros(n, dtype=np.int64)
    if len(said):
        mask[said] = np.bitwise_or.reduceat(bits[token_word], first)
    flags = (mask[:, None] >> np.arange(len(CUES)) & 1).astype(np.float64)
    for bit, name in enumerate(CUES):
        feats[name] = flags[:, bit]


def document_features(
    doc: Document,
    idf: IdfTable,
    prior: BigramPrior | None = None,
    highlights: Sequence[Sequence[str]] | None = None,
) -> np.ndarray:
    """The feature matrix of `doc`: one row per sentence, columns in `FEATURE_NAMES` order.

    Without a `prior` its three columns are 0 (a model file always has one). `highlights`
    (the story's own highlight sentences as tokens) leave the story's own counts out of the
    prior, for training stories (`BigramPrior.columns`)."""
    own = None if highlights is None else [highlights]
    return document_features_many([doc], idf, prior, own)[0]


def document_features_many(
    docs: Sequence[Document],
    idf: IdfTable,
    prior: BigramPrior | None = None,
    highlights: Sequence[Sequence[Sequence[str]] | None] | None = None,
) -> list[np.ndarray]:
    """`[document_features(d, idf, prior) for d in docs]`, bit for bit, with one set of numpy
    calls for all the stories (a story's own calls cost more than its arithmetic). With
    `highlights`, one per story (see `document_features`; None: that story's counts stay in
    the prior)."""
    import numpy as np

    sizes = [len(d.sentences) for d in docs]
    ends = np.cumsum(sizes, dtype=np.intp).tolist()
    x = stacked_features(docs, idf, prior, highlights)
    return [x[e - k : e] for e, k in zip(ends, sizes, strict=True)]


def stacked_features(
    docs: Sequence[Document],
    idf: IdfTable,
    prior: BigramPrior | None = None,
    highlights: Sequence[Sequence[Sequence[str]] | None] | None = None,
) -> np.ndarray:
    """The rows of `document_features_many` in one matrix, story after story."""
    import numpy as np

    sizes = np.array([len(d.sentences) for d in docs], dtype=np.intp)
    full = np.flatnonzero(sizes).tolist()  # an empty story has no rows (and no story number)
    parts = [
        _features(
            [docs[k] for k in group],
            sizes[group],
            idf,
            prior,
            None if highlights is None else [highlights[k] for k in group],
        )
        for group in _groups(full, sizes)
    ]
    if not parts:
        return np.zeros((0, N_FEATURES))
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


# Similarity-matrix cells (a story's sentences squared) made in one pass over stories: ~4 MB an
# array. Batches of 64 validation stories have 20,000-139,000 (median 74,000); 64 stories of 500
# one-word sentences have 16 million, which took 1.7 GB in one pass (140 MB in passes of these).
_CELLS_AT_ONCE = 500_000


def _groups(stories: list[int], sizes: np.ndarray) -> list[list[int]]:
    """`stories` in runs with at most `_CELLS_AT_ONCE` cells each (a larger story alone).
    A story's features do not depend on the others in its pass (document_features_many)."""
    groups: list[list[int]] = []
    cells = _CELLS_AT_ONCE
    for k in stories:
        square = int(sizes[k]) ** 2
        if cells + square > _CELLS_AT_ONCE:
            groups.append([])
            cells = 0
        groups[-1].append(k)
        cells += square
    return groups


def _features(
    docs: Sequence[Document],
    sizes: np.ndarray,
    idf: IdfTable,
    prior: BigramPrior | None,
    highlights: Sequence[Sequence[Sequence[str]] | None] | None,
) -> np.ndarray:
    """The feature rows of all sentences of `docs` (`sizes` of them each), stacked."""
    import numpy as np

    sents = [s for d in docs for s in d.sentences]
    n = len(sents)
    if n == 0:
        return np.zeros((0, N_FEATURES))
    feats: dict[str, np.ndarray] = {}
    texts = [s.plain for s in sents]
    tokens = [s.tokens for s in sents]

    # Rows: each sentence's story, that story's first row and size, its index in the story.
    story = np.repeat(np.arange(len(sizes)), sizes)
    story_start = np.cumsum(sizes) - sizes
    start = story_start[story]
    size = sizes[story]
    index = np.arange(n) - start
    size_f = size.astype(np.float64)

    # Every distinct word of the batch once; each token gets its word's number through a dict.
    lens = np.fromiter(map(len, tokens), np.intp, n)
    flat = list(chain.from_iterable(tokens))
    distinct = list(dict.fromkeys(flat))
    number = dict(zip(distinct, range(len(distinct)), strict=True))
    token_word = np.fromiter(map(number.__getitem__, flat), np.intp, len(flat))
    token_row = np.repeat(np.arange(n), lens)
    classes = _Words(distinct, idf)
    _text_columns(texts, feats)
    _token_columns(tokens, lens, distinct, token_word, classes, feats)
    ntok = feats["n_tokens"]

    # Content words as sparse (sentence, word, count) entries, sorted by sentence then word,
    # a story's words numbered in order of first appearance in that story (columns of
    # different stories never meet). Everything below is bincount/reduceat over these
    # entries: no BLAS call, so the result does not depend on thread counts, and each sum
    # adds a story's values in the order that story alone would.
    at_word = np.full(len(distinct), -1, dtype=np.intp)
    at_word[classes.content] = classes.at
    content = np.flatnonzero(classes.content[token_word])
    c_word, c_row = token_word[content], token_row[content]
    pairs, first_at, pair_of = np.unique(
        story[c_row] * len(distinct) + c_word, return_index=True, return_inverse=True
    )
    by_appearance = np.argsort(first_at)
    column = np.empty(len(pairs), dtype=np.intp)
    column[by_appearance] = np.arange(len(pairs))
    v = max(1, len(pairs))
    keys, cnt = np.unique(c_row * v + column[pair_of], return_counts=True)
    r = keys // v
    c = keys % v
    cnt = cnt.astype(np.float64)
    at = at_word[(pairs % len(distinct))[by_appearance]]  # each column's idf position
    known = (at >= 0).astype(np.float64)
    w = idf.values[at][c]

    def per_row(values: np.ndarray) -> np.ndarray:
        return np.bincount(r, weights=values, minlength=n)

    n_words = per_row(cnt)
    n_unique = np.bincount(r, minlength=n).astype(np.float64)
    safe_words = np.maximum(n_words, 1.0)
    safe_unique = np.maximum(n_unique, 1.0)
    idf_sum = per_row(cnt * w)
    idf_max = np.zeros(n)
    if len(r):
        starts = np.flatnonzero(np.concatenate(([True], r[1:] != r[:-1])))
        idf_max[r[starts]] = np.maximum.reduceat(w, starts)
    feats["idf_mean"] = idf_sum / safe_words
    feats["idf_max"] = idf_max
    feats["idf_sum"] = idf_sum
    feats["frac_oov"] = per_row(cnt * (1.0 - known[c])) / safe_words

    # Cosine similarities of tf-idf vectors: each story's Gram matrix (a block of size**2
    # values, row by row, in story order) from pairs of entries that share a word (entries
    # grouped by word; each group contributes all its pairs).
    val = cnt * w
    df = np.bincount(c, minlength=v)
    df_doc = df.astype(np.float64)
    order = np.argsort(c, kind="stable")
    rs, vs = r[order], val[order]
    group = df[c[order]]  # group size of each entry
    first = (np.cumsum(df) - df)[c[order]]
    row_at = (np.cumsum(sizes * sizes) - sizes * sizes)[story] + index * size  # a row's block
    gram = np.zeros(int((sizes * sizes).sum()))
    for lo, hi in _pair_chunks(group, story[rs]):
        a = np.repeat(np.arange(lo, hi, dtype=np.intp), group[lo:hi])
        b = np.repeat(first[lo:hi], group[lo:hi]) + _ranges(
            np.zeros_like(group[lo:hi]), group[lo:hi]
        )
        cell = row_at[rs[a]] - start[rs[a]] + rs[b]
        if len(cell):  # the range's stories' cells only (0.0 + x is x: the same values)
            c0 = int(cell.min())
            terms = np.bincount(cell - c0, weights=vs[a] * vs[b])
            gram[c0 : c0 + len(terms)] += terms
    g_row = np.repeat(np.arange(n), size)  # each Gram value's row and (global) column
    g_col = _ranges(start, size)
    diag = row_at + index
    sq = gram[diag]
    norm = np.sqrt(sq)
    safe_norm = np.where(norm > 0, norm, 1.0)
    sim = gram / safe_norm[g_row] / safe_norm[g_col]
    sim[diag] = 0.0
    k = np.minimum(3, sizes)  # the lead's sentences in each story
    lead_col = (g_col - start[g_row]) < k[story][g_row]
    lead_block = lead_col & (index < k[story])[g_row]
    # The row sums of the Gram and similarity matrices and the sum of each lead block, in one
    # call: one after the other in one array.
    sums = segment_sums(
        np.concatenate([gram, sim, gram[lead_block]]),
        np.concatenate([row_at, row_at + len(gram), 2 * len(gram) + np.cumsum(k * k) - k * k]),
        np.concatenate([size, size, k * k]),
    )
    dot_total, sim_sum, lead_sq = sums[:n], sums[n : 2 * n], sums[2 * n :][story]
    total_sq = segment_sums(dot_total, story_start, sizes)[story]  # dot_total: vec_i . total

    def cos(dots: np.ndarray, target_sq: np.ndarray) -> np.ndarray:
        t = np.sqrt(np.maximum(target_sq, 0.0))
        return np.where(t > 1e-12, dots / safe_norm / np.where(t > 1e-12, t, 1.0), 0.0)

    sim_rest = cos(dot_total - sq, total_sq - 2.0 * dot_total + sq)
    dot_lead = np.bincount(g_row[lead_col], weights=gram[lead_col], minlength=n)
    in_lead = index < k[story]
    others = np.maximum(size - 1, 1).astype(np.float64)
    feats["sim_centroid"] = cos(dot_total, total_sq)
    feats["sim_rest"] = sim_rest
    feats["sim_first"] = sim[row_at + ((index == 0) & (size > 1))]
    feats["sim_lead3"] = cos(
        np.where(in_lead, dot_lead - sq, dot_lead),
        np.where(in_lead, lead_sq - 2.0 * dot_lead + sq, lead_sq),
    )
    feats["sim_max"] = np.where(size > 1, np.maximum.reduceat(sim, row_at), 0.0)
    feats["sim_mean"] = sim_sum / others
    feats["degree"] = np.bincount(g_row, weights=sim > 0.1, minlength=n) / others

    dfc = df_doc[c]
    feats["topicality"] = per_row((dfc - 1.0) / others[r]) / safe_unique
    feats["shared_idf_frac"] = per_row(w * (dfc > 1)) / np.maximum(per_row(w), 1e-9)
    _, first_entry = np.unique(c, return_index=True)  # entries are sorted by row
    novelty = np.bincount(r[first_entry], minlength=n) / safe_unique
    feats["novelty"] = np.where(n_unique > 0, novelty, 0.0)
    max_rest = np.maximum.reduceat(sim_rest, story_start)[story]
    feats["rel_rest"] = np.where(
        max_rest > 0, sim_rest / np.where(max_rest > 0, max_rest, 1.0), 0.0
    )
    ranks = _ranks([sim_rest, ntok, idf_sum], story, start, size)
    feats["rank_rest"], feats["rank_len"], feats["rank_idf_sum"] = ranks

    # Position.
    index_f = index.astype(np.float64)
    doc_tokens = np.bincount(story, weights=ntok)[story]  # whole numbers: exact in any order
    words_before = np.cumsum(ntok) - ntok
    words_before -= words_before[start]
    long_before = np.cumsum(ntok >= 8) - (ntok >= 8)
    feats["index"] = index_f
    feats["rel_index"] = index_f / size
    feats["inv_index"] = 1.0 / (index_f + 1.0)
    feats["n_sentences"] = size_f
    feats["doc_tokens"] = doc_tokens
    feats["words_before"] = words_before
    feats["rel_words_before"] = words_before / np.maximum(doc_tokens, 1.0)
    feats["long_before"] = (long_before - long_before[start]).astype(np.float64)

    # Neighbours: the previous and next sentence in the same story (-1 where there is none).
    prev_row = np.arange(n) - 1  # row -1 (the last) only where the story has no previous one
    next_row = np.minimum(np.arange(n) + 1, n - 1)

    def shift(values: np.ndarray, by: int) -> np.ndarray:
        if by > 0:
            return np.where(index == 0, -1.0, values[prev_row])
        return np.where(index == size - 1, -1.0, values[next_row])

    feats["prev_tokens"] = shift(ntok, 1)
    feats["prev_sim_rest"] = shift(sim_rest, 1)
    feats["prev_byline"] = shift(feats["cue_byline"], 1)
    feats["prev_ends_colon"] = shift(feats["ends_colon"], 1)
    feats["next_tokens"] = shift(ntok, -1)
    feats["next_sim_rest"] = shift(sim_rest, -1)

    if prior is None:
        phrasing = np.zeros((n, 3))
    else:
        # Each distinct word's id in the prior, from its idf position found above.
        word = prior.word_ids(idf)[classes.lexicon(idf)][token_word]
        phrasing = prior.columns(word, token_row, n, highlights, story)
    feats["prior_mean"], feats["prior_max"], feats["prior_sum"] = phrasing.T
    return np.stack([feats[name] for name in FEATURE_NAMES], axis=1)
