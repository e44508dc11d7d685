"""How often a story's word pairs reappear in its highlights, learned from training stories.

Highlights reuse some of a story's phrasing ("was found dead", "has been charged") far more
often than other phrasing ("he said", "according to"). For each bigram of two vocabulary words
(the idf table's words and the stopwords) found in at least `min_count` training stories,
`BigramPrior` keeps in how many stories it occurred (`stories`) and in how many of those it
was in the highlights too (`hits`). A bigram's prior is the smoothed rate
(hits + alpha * base) / (stories + alpha). A bigram the table lacks gets `base`, the rate over
all bigrams. The model's sentence features are the mean, max and sum of the prior over a
sentence's bigrams (docs/model.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property
from itertools import chain, repeat
from typing import TYPE_CHECKING, Any

from .stopwords import STOPWORDS

if TYPE_CHECKING:
    import numpy as np

    from .features import IdfTable

MIN_COUNT = 5  # stories a bigram must occur in to be kept (20: a smaller file, -0.1 R2)
ALPHA = 10.0  # smoothing towards `base`, in stories


class BigramPrior:
    """Word bigrams (`keys` encode word ids: first * len(words) + second, sorted) and their
    prior (`values`, float32). A table `fit` here also keeps the training counts (`counts`:
    stories and hits of each key), which leaving a training story out needs; a table read
    from a model file has the values alone."""

    def __init__(
        self,
        words: Sequence[str] | np.ndarray,
        keys: np.ndarray,
        values: np.ndarray,
        base: float,
        alpha: float = ALPHA,
        min_count: int = MIN_COUNT,
        counts: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        import numpy as np

        if isinstance(words, np.ndarray):  # as a model file stores them (npzfile.pack_words)
            self._packed = words
        else:
            self.words = list(words)
        self.width = len(words)
        self.keys = np.ascontiguousarray(keys)
        self.values = np.ascontiguousarray(values, dtype=np.float32)
        if len(self.keys) != len(self.values):
            raise ValueError(f"{len(self.keys)} keys but {len(self.values)} values")
        self.base = float(base)
        self.alpha = float(alpha)
        self.min_count = int(min_count)
        self.counts = counts
        width = self.width  # keys and word ids are int32 when they fit
        self.dtype = np.int32 if width * width < np.iinfo(np.int32).max else np.int64
        self._unknown = _rate(0, 0, self.base, self.alpha)  # = base, rounded as stored
        self._lexicon: tuple[IdfTable, np.ndarray] | None = None

    @classmethod
    def from_counts(
        cls,
        words: Sequence[str],
        keys: np.ndarray,
        stories: np.ndarray,
        hits: np.ndarray,
        base: float,
        alpha: float = ALPHA,
        min_count: int = MIN_COUNT,
    ) -> BigramPrior:
        """The table of these training counts (in how many stories each bigram occurred, and
        in how many of those highlights)."""
        import numpy as np

        stories = np.asarray(stories, dtype=np.int64)
        hits = np.asarray(hits, dtype=np.int64)
        values = _rate(stories, hits, base, alpha)
        return cls(words, keys, values, base, alpha, min_count, (stories, hits))

    @cached_property
    def words(self) -> list[str]:
        from .npzfile import unpack_words

        return unpack_words(self._packed)

    @cached_property
    def ids(self) -> dict[str, int]:
        """Word -> id (the features find ids through the idf table instead: `word_ids`)."""
        return dict(zip(self.words, range(len(self.words)), strict=True))

    def word_ids(self, idf: IdfTable) -> np.ndarray:
        """This table's word id of each lexicon id of `idf` (newsum.features.lexicon_ids),
        -1 for words it lacks; the last entry, for lexicon id -1, is -1 too. Made once per
        idf table, vectorised (the first story's features wait for it)."""
        import numpy as np

        from .features import lexicon_ids

        if self._lexicon is None or self._lexicon[0] is not idf:
            lexicon = np.full(len(idf) + len(STOPWORDS) + 1, -1, dtype=self.dtype)
            lexicon[lexicon_ids(self.words, idf)] = np.arange(len(self.words), dtype=self.dtype)
            lexicon[-1] = -1  # a word the lexicon lacks (id -1) must not find the last one
            self._lexicon = (idf, lexicon)
        return self._lexicon[1]

    def use_word_ids(self, idf: IdfTable, ids: np.ndarray) -> None:
        """Take `ids` as `word_ids(idf)` (a model file stores them: start-up)."""
        if len(ids) != len(idf) + len(STOPWORDS) + 1:
            raise ValueError(f"{len(ids)} word ids for a lexicon of {len(idf)} words")
        self._lexicon = (idf, ids)

    def _find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each key's position in the table and whether it is there."""
        import numpy as np

        # Searched in ascending order, each search reads the table near where the last one
        # did: ~1.7x faster than a search per key in story order (cache misses).
        at = np.zeros(len(keys), dtype=np.intp)
        found = np.zeros(len(keys), dtype=bool)
        if not len(self.keys):
            return at, found
        order = np.argsort(keys)
        ordered = keys[order]
        pos = np.searchsorted(self.keys, ordered)
        np.minimum(pos, len(self.keys) - 1, out=pos)  # past the last key: not found, below
        at[order] = pos
        found[order] = self.keys[pos] == ordered
        return at, found

    def columns(
        self,
        word: np.ndarray,
        row: np.ndarray,
        n: int,
        highlights: Sequence[Any] | None = None,
        story: np.ndarray | None = None,
    ) -> np.ndarray:
        """Mean, max and sum of the prior over the bigrams of each of `n` sentences (zeros for
        a sentence of one word), given every token's word id (`word`, -1 for none) and
        sentence (`row`, ascending). With `highlights` (the story's own highlight sentences
        as tokens, at training time) the story's own counts are left out, so a training
        story is scored as an unseen one would be. Sentences of several stories: `story`
        gives each sentence's story (0, 1, ...) and `highlights` one list per story (None:
        that story's counts stay in)."""
        import numpy as np

        keys, krow = _pair_keys(word, row, self.width)
        at, found = self._find(keys)
        if highlights is None:
            prior = np.full(len(keys), self._unknown)
            prior[found] = self.values[at[found]]
        else:
            if self.counts is None:
                raise ValueError("leaving a story out needs the training counts (BigramPrior.fit)")
            if story is None:
                story, highlights = np.zeros(n, dtype=np.intp), [highlights]
            # A bigram is the story's own when its key and story match: keys offset by story.
            span = np.int64(self.width) ** 2
            own = [np.zeros(0, dtype=np.int64)]
            for k, lines in enumerate(highlights):
                if lines is not None:
                    mine = _pair_keys(*self.sentence_ids(lines), self.width)[0]
                    own.append(mine[mine >= 0].astype(np.int64) + k * span)
            key_story = story[krow[found]]
            query = keys[found].astype(np.int64) + key_story * span
            at = at[found]
            stories = self.counts[0][at] - 1
            hits = self.counts[1][at] - np.isin(query, np.concatenate(own))
            prior = np.full(len(keys), self._unknown)
            rate = _rate(stories, hits, self.base, self.alpha)
            left_out = np.where(stories >= self.min_count, rate, self._unknown)
            stays = np.array([lines is None for lines in highlights], dtype=bool)[key_story]
            prior[found] = np.where(stays, self.values[at], left_out)
        out = np.zeros((n, 3))  # mean, max, sum
        out[:, 2] = np.bincount(krow, weights=prior, minlength=n)
        out[:, 0] = out[:, 2] / np.maximum(np.bincount(krow, minlength=n), 1)
        if len(krow):
            starts = np.flatnonzero(np.concatenate(([True], krow[1:] != krow[:-1])))
            out[krow[starts], 1] = np.maximum.reduceat(prior, starts)
        return out

    def sentence_ids(self, sentences: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """`columns`' `word` and `row` of sentences given as tokens (a dictionary lookup per
        distinct word; the features get them from the idf lookups they make anyway)."""
        return _token_ids(sentences, self.ids, self.dtype)

    @classmethod
    def fit(
        cls,
        stories: Iterable[tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]]],
        vocabulary: Iterable[str],
        min_count: int = MIN_COUNT,
        alpha: float = ALPHA,
    ) -> BigramPrior:
        """Count over (story sentences, highlight sentences) pairs, each given as lists of
        word tokens; a bigram counts once per story. Only bigrams of two `vocabulary` words
        are counted (the model uses the idf table's words and the stopwords: a pair with a
        rare word or a number is too sparse to count)."""
        import numpy as np

        fit_words = sorted(set(vocabulary))
        ids = {w: i for i, w in enumerate(fit_words)}
        width = len(fit_words)
        seen, found = [], []
        for sentences, highlights in stories:
            mine = _pair_keys(*_token_ids(sentences, ids, np.int64), width)[0]
            theirs = _pair_keys(*_token_ids(highlights, ids, np.int64), width)[0]
            mine = np.unique(mine[mine >= 0])
            seen.append(mine)
            found.append(mine[np.isin(mine, theirs)])
        none = np.zeros(0, dtype=np.int64)
        keys, counts = np.unique(np.concatenate([none, *seen]), return_counts=True)
        hit_keys, hit_counts = np.unique(np.concatenate([none, *found]), return_counts=True)
        hits = np.zeros(len(keys), dtype=np.int64)
        hits[np.searchsorted(keys, hit_keys)] = hit_counts
        base = float(hits.sum() / max(counts.sum(), 1))
        keep = counts >= min_count
        keys, counts, hits = keys[keep], counts[keep], hits[keep]
        # Re-keyed by the kept bigrams' words alone: a smaller table of words to look up.
        used = np.unique(np.concatenate([keys // width, keys % width]))
        remap = np.full(width, -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        new_keys = remap[keys // width] * len(used) + remap[keys % width]  # still sorted
        words = [fit_words[i] for i in used]
        return cls.from_counts(words, new_keys, counts, hits, base, alpha, min_count)


def _rate(stories: Any, hits: Any, base: float, alpha: float) -> Any:
    """The smoothed prior of bigrams with these counts, rounded to float32 (as stored)."""
    import numpy as np

    value = (np.asarray(hits) + alpha * base) / (np.asarray(stories) + alpha)
    return value.astype(np.float32)


def _token_ids(
    sentences: Sequence[Sequence[str]], ids: dict[str, int], dtype: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Every token's id (-1 for a word `ids` lacks) and the sentence it is in."""
    import numpy as np

    lens = [len(toks) for toks in sentences]
    flat = list(chain.from_iterable(sentences))
    word = np.fromiter(map(ids.get, flat, repeat(-1)), dtype, len(flat))
    return word, np.repeat(np.arange(len(sentences), dtype=np.intp), lens)


def _pair_keys(word: np.ndarray, row: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The key of every bigram within a sentence (-1 where a word has no id) and the
    sentence each comes from."""
    import numpy as np

    pair = row[:-1] == row[1:]  # the two words are in the same sentence
    first, second = word[:-1][pair], word[1:][pair]
    keys = np.where((first >= 0) & (second >= 0), first * width + second, -1)
    return keys, row[:-1][pair]
