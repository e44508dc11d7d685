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
from collections.abc import Iterable, Sequence
from functools import cache, cached_property
from itertools import chain, compress, repeat
from operator import itemgetter
from typing import TYPE_CHECKING

from .document import Document
from .stopwords import STOPWORDS

if TYPE_CHECKING:
    import numpy as np

    from .prior import BigramPrior

# Quote marks as they appear in display text: straight and curly, double and single.
_QUOTE_CHARS = frozenset("\"“”„«»'‘’")
_SINGLE_QUOTE_MARK = re.compile(r"(?:^|(?<=\s))['‘’]|['‘’](?=\s|$)")

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
    """Each cue word's groups as bits: a sentence's cue flags are then one set intersection
    and a lookup (`_cue_flags`) instead of ten set tests (~0.05 ms a story)."""
    bits: dict[str, int] = {}
    for bit, group in enumerate(_CUE_GROUPS):
        for word in group:
            bits[word] = bits.get(word, 0) | 1 << bit
    return bits


@cache
def _cue_flags(mask: int) -> tuple[float, ...]:
    return tuple(float(mask >> bit & 1) for bit in range(len(_CUE_GROUPS)))


_CUE_BITS = _cue_bits()
_CUE_WORDS = frozenset(_CUE_BITS)
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

_N_SIMPLE = FEATURE_NAMES.index("idf_mean")  # per-sentence features built in the Python loop
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


_SEARCHED = 32  # lookups by binary search before IdfTable builds its dictionary


class IdfTable:
    """Corpus inverse document frequencies: `idf[word]`, and `unknown` for unseen words.

    The features look words up with `positions` and read `values` (one more entry at the end:
    `unknown`, for position -1). A table read from a model file holds its words as one sorted
    array of UTF-8 byte strings (`keys`), found by binary search; the word -> position
    dictionary (`index`) is built only after `_SEARCHED` lookups. Building it for the 69k
    words takes ~20 ms, which the one-story command would spend at start-up for ~0.05 ms of
    faster lookups."""

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
            self._lookups = 0
        else:
            self.words = list(words)
            self._lookups = _SEARCHED
        vals = np.asarray(values, dtype=np.float64).reshape(-1)
        if len(vals) != len(words):
            raise ValueError(f"{len(words)} words but {len(vals)} idf values")
        self.unknown = float(unknown)
        self.values = np.append(vals, self.unknown)

    def __len__(self) -> int:
        return len(self.values) - 1

    @cached_property
    def words(self) -> list[str]:
        return [k.decode("utf-8") for k in self.keys.tolist()]

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

        if self._lookups < _SEARCHED:
            self._lookups += 1
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


def _sentence_row(text: str, tokens: tuple[str, ...]) -> list[float]:
    """Features of one sentence on its own (`n_tokens` .. the `cue_*` flags)."""
    n = len(tokens)
    toks = set(tokens)
    stop = sum(map(STOPWORDS.__contains__, tokens))
    digits = sum(map(str.isdigit, tokens))
    low = text.lower()
    stripped = low.strip()
    first = tokens[0] if tokens else ""
    inv = 1.0 / n if n else 0.0
    row = [
        float(n),
        float(n - stop - digits),
        float(len(text)),
        stop * inv,
        digits * inv,
        float(text.count('"') + text.count("“") + text.count("”")),
        float(len(_SINGLE_QUOTE_MARK.findall(text)))
        if "'" in text or "‘" in text or "’" in text
        else 0.0,
        float(stripped[:1] in _QUOTE_CHARS) if stripped else 0.0,
        float(stripped[-1:] in _QUOTE_CHARS) if stripped else 0.0,
        float(text.count(",")),
        float(text.count("(") + text.count(")")),
        float(":" in text),
        float(stripped.endswith(":")),
        float(stripped.rstrip("\"“”'’)").endswith("?")),
        float("!" in text),
        float(" - " in text or "—" in text or "--" in text or " – " in text),
        float("@" in text),
        float("(cnn" in low or "cnn)" in low),
        float("daily mail" in low or "dailymail" in low),
        float(first == "by"),
        float(first in _OPENER_PRONOUN),
        float(first in _OPENER_LINK),
    ]
    mask = 0
    for word in toks & _CUE_WORDS:
        mask |= _CUE_BITS[word]
    row.extend(_cue_flags(mask))
    return row


def _ranks(values: np.ndarray) -> np.ndarray:
    """0 for the largest value, ties by position; divided by the count (0 <= rank < 1)."""
    import numpy as np

    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(len(values), dtype=np.float64)
    return ranks / len(values)


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
    import numpy as np

    sents = doc.sentences
    n = len(sents)
    simple = np.array([_sentence_row(s.plain, s.tokens) for s in sents], dtype=np.float64)
    ntok = simple[:, 0]

    # Content words as sparse (sentence, word, count) entries, sorted by sentence then word.
    # Everything below is bincount/reduceat over these entries: no BLAS call, so the result
    # does not depend on thread counts and small stories stay cheap.
    # Every distinct word once: content words (neither stopwords nor numbers) are numbered in
    # order of appearance; each token gets its word's number through a small per-story dict.
    tokens = [s.tokens for s in sents]
    flat = list(chain.from_iterable(tokens))
    distinct = list(dict.fromkeys(flat))
    number = {w: j for j, w in enumerate(distinct)}
    token_word = np.fromiter(map(number.__getitem__, flat), np.intp, len(flat))
    classes = _Words(distinct, idf)
    is_content, vocab, at = classes.content, classes.vocab, classes.at
    v = max(1, len(vocab))
    known = (at >= 0).astype(np.float64)
    weights = idf.values[at]
    content_token = is_content[token_word]
    token_row = np.repeat(np.arange(n, dtype=np.intp), [len(t) for t in tokens])
    row_idx = token_row[content_token]
    col_idx = (np.cumsum(is_content) - 1)[token_word[content_token]]
    keys, cnt = np.unique(row_idx * v + col_idx, return_counts=True)
    r = keys // v
    c = keys % v
    cnt = cnt.astype(np.float64)
    w = weights[c] if len(vocab) else np.zeros(0)

    def per_row(x: np.ndarray) -> np.ndarray:
        return np.bincount(r, weights=x, minlength=n)

    n_words = per_row(cnt)
    n_unique = np.bincount(r, minlength=n).astype(np.float64)
    safe_words = np.maximum(n_words, 1.0)
    safe_unique = np.maximum(n_unique, 1.0)
    idf_sum = per_row(cnt * w)
    idf_mean = idf_sum / safe_words
    idf_max = np.zeros(n)
    if len(r):
        starts = np.flatnonzero(np.concatenate(([True], r[1:] != r[:-1])))
        idf_max[r[starts]] = np.maximum.reduceat(w, starts)
    frac_oov = per_row(cnt * (1.0 - known[c])) / safe_words

    # Cosine similarities of tf-idf vectors: the Gram matrix from pairs of entries that share
    # a word (entries grouped by word; each group contributes all its pairs).
    val = cnt * w
    df_doc = np.bincount(c, minlength=v).astype(np.float64)
    order = np.argsort(c, kind="stable")
    rs, vs = r[order], val[order]
    size = df_doc[c[order]].astype(np.intp)  # group size of each entry
    first = np.concatenate(([0], np.cumsum(np.bincount(c, minlength=v))[:-1]))[c[order]]
    a = np.repeat(np.arange(len(rs), dtype=np.intp), size)
    offset = np.arange(len(a), dtype=np.intp) - np.repeat(np.cumsum(size) - size, size)
    b = np.repeat(first, size) + offset
    gram = np.bincount(rs[a] * n + rs[b], weights=vs[a] * vs[b], minlength=n * n).reshape(n, n)
    sq = np.diag(gram).copy()
    norm = np.sqrt(sq)
    safe_norm = np.where(norm > 0, norm, 1.0)
    sim = gram / safe_norm[:, None] / safe_norm[None, :]
    np.fill_diagonal(sim, 0.0)
    dot_total = gram.sum(axis=1)  # vec_i . total
    total_sq = dot_total.sum()

    def cos(dots: np.ndarray, target_sq: np.ndarray) -> np.ndarray:
        t = np.sqrt(np.maximum(target_sq, 0.0))
        return np.where(t > 1e-12, dots / safe_norm / np.where(t > 1e-12, t, 1.0), 0.0)

    sim_centroid = cos(dot_total, np.full(n, total_sq))
    sim_rest = cos(dot_total - sq, total_sq - 2.0 * dot_total + sq)
    k = min(3, n)
    dot_lead = gram[:, :k].sum(axis=1)
    lead_sq = gram[:k, :k].sum()
    in_lead = np.arange(n) < k
    sim_lead3 = cos(
        np.where(in_lead, dot_lead - sq, dot_lead),
        np.where(in_lead, lead_sq - 2.0 * dot_lead + sq, lead_sq),
    )
    sim_first = sim[:, 0].copy()
    if n > 1:
        sim_first[0] = sim[0, 1]
    others = max(n - 1, 1)
    sim_max = sim.max(axis=1) if n > 1 else np.zeros(n)
    sim_mean = sim.sum(axis=1) / others
    degree = (sim > 0.1).sum(axis=1) / others

    dfc = df_doc[c]
    topicality = per_row((dfc - 1.0) / others) / safe_unique
    shared = per_row(w * (dfc > 1)) / np.maximum(per_row(w), 1e-9)
    _, first_entry = np.unique(c, return_index=True)  # entries are sorted by row
    novelty = np.bincount(r[first_entry], minlength=n)[:n] / safe_unique
    novelty = np.where(n_unique > 0, novelty, 0.0)

    # Position.
    index = np.arange(n, dtype=np.float64)
    doc_tokens = ntok.sum()
    words_before = np.concatenate(([0.0], np.cumsum(ntok)[:-1]))
    long_before = np.concatenate(([0.0], np.cumsum(ntok >= 8)[:-1]))
    position = np.column_stack(
        [
            index,
            index / n,
            1.0 / (index + 1.0),
            np.full(n, float(n)),
            np.full(n, doc_tokens),
            words_before,
            words_before / max(doc_tokens, 1.0),
            long_before,
        ]
    )

    max_rest = sim_rest.max()
    relation = np.column_stack(
        [
            idf_mean,
            idf_max,
            idf_sum,
            frac_oov,
            sim_centroid,
            sim_rest,
            sim_first,
            sim_lead3,
            sim_max,
            sim_mean,
            degree,
            topicality,
            shared,
            novelty,
            _ranks(sim_rest),
            sim_rest / max_rest if max_rest > 0 else np.zeros(n),
            _ranks(ntok),
            _ranks(idf_sum),
        ]
    )

    col = {name: k for k, name in enumerate(FEATURE_NAMES[8:_N_SIMPLE])}
    by_cue = simple[:, col["cue_byline"]]
    ends_colon = simple[:, col["ends_colon"]]

    def shift(x: np.ndarray, k: int, fill: float) -> np.ndarray:
        out = np.full(n, fill, dtype=np.float64)
        if k > 0 and n > k:
            out[k:] = x[:-k]
        elif k < 0 and n > -k:
            out[:k] = x[-k:]
        return out

    neighbours = np.column_stack(
        [
            shift(ntok, 1, -1.0),
            shift(sim_rest, 1, -1.0),
            shift(by_cue, 1, -1.0),
            shift(ends_colon, 1, -1.0),
            shift(ntok, -1, -1.0),
            shift(sim_rest, -1, -1.0),
        ]
    )
    if prior is None:
        phrasing = np.zeros((n, 3))
    else:
        # Each distinct word's id in the prior, from its idf position found above.
        word = prior.word_ids(idf)[classes.lexicon(idf)][token_word]
        phrasing = prior.columns(word, token_row, n, highlights)
    return np.hstack([position, simple, relation, neighbours, phrasing])
