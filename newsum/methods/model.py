"""The trained extractive model: gradient-boosted trees over sentence features (newsum.features).

The trees were trained with LightGBM (`newsum train`) and exported to a compact numpy file,
`newsum/models/model.npz`, which holds the trees, the corpus idf table and the training settings.
It is read lazily on the first `score()` and cached per process; scoring needs only numpy.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..document import Document
from ..errors import InputError
from ..select import Ranked
from .base import Method, _load_builtins, register

_load_builtins()  # the baselines register before `model`, however this module is imported

if TYPE_CHECKING:
    import numpy as np

    from ..candidates import CandidateRanker
    from ..features import IdfTable
    from ..prior import BigramPrior

MODEL_PATH = Path(__file__).resolve().parents[1] / "models" / "model.npz"
FORMAT_VERSION = 1
_CELLS = 65_536  # (row, tree) cells TreeEnsemble.predict steps through at a time


class TreeEnsemble:
    """A sum of binary decision trees, evaluated for many rows and all trees at once.

    Nodes of every tree share flat arrays: internal node k sends a row to `left[k]` when
    `x[feature[k]] <= threshold[k]`, else to `right[k]`; a leaf points to itself with an
    infinite threshold, so `depth` rounds of the same vectorised step reach every leaf.
    The prediction is `base + sum(value[leaf] for each tree)`.
    """

    def __init__(
        self,
        feature: np.ndarray,
        threshold: np.ndarray,
        left: np.ndarray,
        right: np.ndarray,
        value: np.ndarray,
        roots: np.ndarray,
        depth: int,
        base: float = 0.0,
        *,
        breadth_first: bool = False,
    ) -> None:
        import numpy as np

        self.feature = np.ascontiguousarray(feature, dtype=np.intp)
        self.threshold = np.ascontiguousarray(threshold, dtype=np.float64)
        self.left = np.ascontiguousarray(left, dtype=np.intp)
        self.right = np.ascontiguousarray(right, dtype=np.intp)
        self.value = np.ascontiguousarray(value, dtype=np.float64)
        self.roots = np.ascontiguousarray(roots, dtype=np.intp)
        self.depth = int(depth)
        self.base = float(base)
        if not breadth_first:  # a model file stores the nodes renumbered already (start-up)
            self._breadth_first()

    def _breadth_first(self) -> None:
        """Renumber the nodes level by level, all trees together, with each node's two
        children side by side (`right[k] == left[k] + 1`). A step of `predict` is then one
        gather and an add, and the nodes a level visits sit together in memory (the arrays
        outgrow the CPU cache). Renumbering nodes so numbered changes nothing."""
        import numpy as np

        leaf = self.left == np.arange(len(self.left))
        levels = [self.roots]
        while True:
            inner = levels[-1][~leaf[levels[-1]]]
            if not len(inner):
                break
            levels.append(np.column_stack([self.left[inner], self.right[inner]]).ravel())
        order = np.concatenate(levels)  # new number -> old number
        new = np.empty(len(self.left), dtype=np.intp)
        new[order] = np.arange(len(order), dtype=np.intp)
        own = np.arange(len(order), dtype=np.intp)
        self.left = np.where(leaf[order], own, new[self.left[order]])
        self.right = np.where(leaf[order], own, self.left + 1)
        self.feature = self.feature[order]
        self.threshold = self.threshold[order]
        self.value = self.value[order]
        self.roots = new[self.roots]

    @property
    def n_trees(self) -> int:
        return len(self.roots)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """One score per row of the feature matrix `x` (rows x features, float64)."""
        import numpy as np

        x = np.ascontiguousarray(x, dtype=np.float64)
        # Rows a few at a time (`_CELLS` row-tree cells, 163 rows of the sentence trees): the
        # steps' arrays (0.5 MB) then stay near the CPU's cache. Stacks of 400 rows and more
        # (1.3 MB arrays) took up to twice as long a row. Rows are scored independently: the
        # same scores.
        step = max(1, _CELLS // self.n_trees)
        if len(x) <= step:
            return self._predict(x)
        return np.concatenate([self._predict(x[a : a + step]) for a in range(0, len(x), step)])

    def _predict(self, x: np.ndarray) -> np.ndarray:
        import numpy as np

        n, n_features = x.shape
        if n == 0:
            return np.zeros(0)
        # Index into the flattened matrix: row offset + the node's feature.
        offsets = (np.arange(n, dtype=np.intp) * n_features)[:, None]
        flat = x.ravel()
        # A node's children are first[k] and first[k] + 1 (a leaf's first is itself).
        first, feature, threshold, value, roots = (
            self.left,
            self.feature,
            self.threshold,
            self.value,
            self.roots,
        )
        # The first level compares whole columns (every row starts at the same roots).
        node = first.take(roots) + (x[:, feature[roots]] > threshold[roots])
        # ndarray.take, not np.take: the same gather without a Python-level wrapper per call.
        # In place where it can: one temporary less a step.
        for _ in range(self.depth - 1):
            at = feature.take(node)
            at += offsets
            go_right = flat.take(at) > threshold.take(node)
            node = first.take(node)
            node += go_right
        return value.take(node).sum(axis=1) + self.base

    def to_arrays(self) -> dict[str, Any]:
        return {
            "feature": self.feature.astype("int32"),
            "threshold": self.threshold,
            "left": self.left.astype("int32"),
            "right": self.right.astype("int32"),
            "value": self.value,
            "roots": self.roots.astype("int32"),
        }


class ModelFile:
    """What a model file holds: the sentence trees, the idf table, the highlight bigram prior
    (newsum.prior), the feature names and metadata, and (optionally) the candidate ranker's
    trees (newsum.candidates)."""

    def __init__(
        self,
        trees: TreeEnsemble,
        idf: IdfTable,
        meta: dict[str, Any],
        ranker: CandidateRanker | None = None,
        prior: BigramPrior | None = None,
    ) -> None:
        self.trees = trees
        self.idf = idf
        self.meta = meta
        self.ranker = ranker
        self.prior = prior
        # The last story scored in each thread and its features, for the candidate ranker.
        self._last = threading.local()

    def save(self, path: str | os.PathLike) -> None:
        """Write the model as an .npz (deterministic bytes for the same model)."""
        import numpy as np

        from ..npzfile import pack_words, write_npz

        words = sorted(self.idf.idf)
        meta = dict(self.meta)
        meta.pop("candidates", None)  # written below from the ranker itself
        meta.pop("prior", None)  # and from the prior
        ranked: dict[str, Any] = {}
        if self.ranker is not None:
            from ..candidates import CANDIDATE_FEATURES

            ranked = {f"cand_{k}": v for k, v in self.ranker.trees.to_arrays().items()}
            ranked |= {f"gain_{k}": v for k, v in self.ranker.gain.to_arrays().items()}
            meta["candidates"] = {
                "features": list(CANDIDATE_FEATURES),
                "top": self.ranker.top,
                "sizes": list(self.ranker.sizes),
                "depth": self.ranker.trees.depth,
                "base": self.ranker.trees.base,
                "gain_depth": self.ranker.gain.depth,
                "gain_base": self.ranker.gain.base,
            }
        phrasing: dict[str, Any] = {}
        if self.prior is not None:
            p = self.prior
            phrasing = {
                "prior_words": pack_words(p.words),
                "prior_keys": p.keys.astype(p.dtype),  # int32 where the ids fit
                "prior_values": p.values,
                # Each idf word's and stopword's id in the prior, made once here rather than
                # on a user's first story (start-up).
                "prior_lexicon": p.word_ids(self.idf).astype(p.dtype),
            }
            meta["prior"] = {"base": p.base, "alpha": p.alpha, "min_count": p.min_count}
        arrays = {
            **self.trees.to_arrays(),
            **ranked,
            **phrasing,
            "idf_keys": pack_words(words),  # looked up in place (IdfTable)
            "idf_values": np.array([self.idf.idf[w] for w in words], dtype=np.float32),
            "meta": np.frombuffer(
                json.dumps(
                    {
                        **meta,
                        "format": FORMAT_VERSION,
                        "depth": self.trees.depth,
                        "base": self.trees.base,
                        "idf_unknown": self.idf.unknown,
                        "breadth_first": True,  # TreeEnsemble's node order, kept when loaded
                    },
                    sort_keys=True,
                ).encode("utf-8"),
                dtype=np.uint8,
            ),
        }
        # Fixed bytes for the same model (retraining reproduces the file), read in place.
        write_npz(path, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike) -> ModelFile:
        """Read a model file written by `save` (no pickles are loaded)."""
        import numpy as np

        from ..features import FEATURE_NAMES, IdfTable
        from ..npzfile import read_npz

        try:
            data = read_npz(path)
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise InputError(f"{path}: not a newsum model file ({exc})") from None
        if meta.get("format") != FORMAT_VERSION:
            raise InputError(
                f"{path}: model format {meta.get('format')}, expected {FORMAT_VERSION}"
            )
        if tuple(meta.get("features", ())) != FEATURE_NAMES:
            raise InputError(f"{path}: model was trained with other features than this newsum")
        try:
            values = data["idf_values"].astype(np.float64)
            idf = IdfTable(_words(data, "idf_keys", "idf_words"), values, meta["idf_unknown"])
            trees = TreeEnsemble(
                data["feature"],
                data["threshold"],
                data["left"],
                data["right"],
                data["value"],
                data["roots"],
                meta["depth"],
                meta["base"],
                breadth_first=bool(meta.get("breadth_first")),
            )
            prior = _load_prior(data, meta, idf)
            ranker = _load_ranker(path, data, meta)
        except (KeyError, ValueError) as exc:  # an array missing, or not what it should be
            raise InputError(f"{path}: damaged newsum model file ({exc})") from None
        return cls(trees, idf, meta, ranker, prior)

    def features(self, doc: Document, max_sentences: int | None = None) -> np.ndarray:
        """The sentence features of `doc` (of its first `max_sentences` sentences), reusing
        those of the story this thread scored last (the ranker needs them right after)."""
        from ..features import document_features

        last = self._last
        if getattr(last, "doc", None) is doc and last.cap == max_sentences:
            return last.x
        batch = getattr(last, "batch", None)  # the stories score_many scored last
        hit = batch.get(id(doc)) if batch else None
        if hit is not None and hit[0] is doc and hit[1] == max_sentences:
            return hit[2]
        n = len(doc.sentences)
        head = doc
        if max_sentences is not None and n > max_sentences:
            head = Document(doc.text, doc.sentences[:max_sentences], doc.kind, doc.lowercased)
        x = document_features(head, self.idf, self.prior)
        last.doc, last.cap, last.x = doc, max_sentences, x
        return x

    def choose(self, doc: Document, scores: Any, size: int) -> list[int] | None:
        """The ranker's best summary of at most `size` sentences; None without a ranker."""
        return self.choose_many([doc], [scores], [size])[0]

    def choose_many(
        self, docs: Sequence[Document], scores: Sequence[Any], sizes: Sequence[int]
    ) -> list[list[int] | None]:
        """`choose` for several stories, the ranker's trees run once over all of them."""
        if self.ranker is None:
            return [None] * len(docs)
        import numpy as np

        feats, asked = [], []
        for b, (doc, story_scores) in enumerate(zip(docs, scores, strict=True)):
            x = self.features(doc, self._cap(doc))
            if len(x) < len(doc.sentences):
                # Features cover the first `cap` sentences only: fine for this model's own
                # scores (it ranks the rest lower), not for other scores that favour a later
                # sentence.
                top = np.argsort(-np.asarray(story_scores, dtype=np.float64), kind="stable")
                if top[: self.ranker.top].max() >= len(x):
                    continue
            feats.append(x)
            asked.append(b)
        chosen: list[list[int] | None] = [None] * len(docs)
        if not asked:
            return chosen
        batch = getattr(self._last, "batch", None) or {}
        hits = [batch.get(id(docs[b])) for b in asked]
        if all(hit is not None and hit[2] is x for hit, x in zip(hits, feats, strict=True)):
            x, starts = self._last.stacked, [hit[3] for hit in hits]  # score_many's matrix
        else:
            starts = list(accumulate((len(x) for x in feats[:-1]), initial=0))
            x = feats[0] if len(feats) == 1 else np.concatenate(feats)
        picks = self.ranker.choose_many(
            [docs[b] for b in asked],
            [scores[b] for b in asked],
            x,
            starts,
            self.idf,
            [sizes[b] for b in asked],
        )
        for b, pick in zip(asked, picks, strict=True):
            chosen[b] = pick
        return chosen

    def _cap(self, doc: Document) -> int | None:
        """The sentence cap `doc` was scored with in this thread (the default if not known)."""
        last = self._last
        if getattr(last, "doc", None) is doc:
            return last.cap
        batch = getattr(last, "batch", None) or {}
        hit = batch.get(id(doc))
        if hit is not None and hit[0] is doc:
            return hit[1]
        return _MAX_SENTENCES

    def score(self, doc: Document, max_sentences: int | None = None) -> np.ndarray:
        """One score per sentence; past `max_sentences`, lower than any scored one."""
        import numpy as np

        n = len(doc.sentences)
        scores = self.trees.predict(self.features(doc, max_sentences))
        if len(scores) == n:
            return scores
        rest = np.full(n - len(scores), (scores.min() if len(scores) else 0.0) - 1.0)
        return np.concatenate([scores, rest])

    def score_many(
        self, docs: list[Document], max_sentences: int | None = None
    ) -> list[np.ndarray]:
        """`[self.score(d, max_sentences) for d in docs]`, the trees run once over all rows."""
        import numpy as np

        from ..features import stacked_features

        heads = [
            d
            if max_sentences is None or len(d.sentences) <= max_sentences
            else Document(d.text, d.sentences[:max_sentences], d.kind, d.lowercased)
            for d in docs
        ]
        if not heads:
            return []
        x = stacked_features(heads, self.idf, self.prior)
        ends = np.cumsum([len(h.sentences) for h in heads]).tolist()
        starts = [0, *ends[:-1]]
        # Kept for the ranker, which needs each story's features right after (see features()):
        # rows of one matrix, which the ranker then reads without a copy (choose_many).
        self._last.stacked = x
        self._last.batch = {
            id(d): (d, max_sentences, x[a:e], a) for d, a, e in zip(docs, starts, ends, strict=True)
        }
        rows = self.trees.predict(x)
        out = []
        for doc, scores in zip(docs, np.split(rows, ends[:-1]), strict=True):
            rest = len(doc.sentences) - len(scores)
            if rest:
                low = (scores.min() if len(scores) else 0.0) - 1.0
                scores = np.concatenate([scores, np.full(rest, low)])
            out.append(scores)
        return out


def _load_ranker(path: Any, data: dict[str, Any], meta: dict[str, Any]) -> CandidateRanker | None:
    """The candidate ranker stored with `cand_` arrays, if the file has one."""
    from ..candidates import CANDIDATE_FEATURES, CandidateRanker

    info = meta.get("candidates")
    if info is None:
        return None
    if tuple(info.get("features", ())) != CANDIDATE_FEATURES:
        raise InputError(f"{path}: model ranks candidates with other features than this newsum")
    keys = ("feature", "threshold", "left", "right", "value", "roots")
    missing = [f"{p}_{k}" for p in ("cand", "gain") for k in keys if f"{p}_{k}" not in data]
    if missing:
        raise InputError(f"{path}: model file lacks the ranker's {', '.join(missing)} arrays")
    ordered = bool(meta.get("breadth_first"))
    trees = TreeEnsemble(
        *(data[f"cand_{k}"] for k in keys), info["depth"], info["base"], breadth_first=ordered
    )
    gain = TreeEnsemble(
        *(data[f"gain_{k}"] for k in keys),
        info["gain_depth"],
        info["gain_base"],
        breadth_first=ordered,
    )
    return CandidateRanker(trees, gain, int(info["top"]), tuple(int(m) for m in info["sizes"]))


def _words(data: dict[str, Any], name: str, legacy: str) -> np.ndarray | list[str]:
    """The sorted words stored as `name` (packed: newsum.npzfile.pack_words), or in a file
    written before those, as `legacy` (one UTF-8 string, newline-separated)."""
    arr = data[name] if name in data else data[legacy]
    if arr.dtype.kind == "S":
        return arr
    words = arr.tobytes().decode("utf-8").split("\n")
    return words if words != [""] else []


def _load_prior(data: dict[str, Any], meta: dict[str, Any], idf: IdfTable) -> BigramPrior | None:
    """The highlight bigram prior stored with `prior_` arrays, if the file has one."""
    from ..prior import BigramPrior

    info = meta.get("prior")
    if info is None:
        return None
    prior = BigramPrior(
        _words(data, "prior_words", "prior_words"),
        data["prior_keys"],
        data["prior_values"],
        info["base"],
        info["alpha"],
        info["min_count"],
    )
    if "prior_lexicon" in data:  # files written before it make the map on the first story
        prior.use_word_ids(idf, data["prior_lexicon"])
    return prior


_MAX_SENTENCES = 500  # the `model` method's default cap on the sentences it scores
_CACHE: dict[str, ModelFile] = {}
_LOCK = threading.Lock()


def load_model(path: str | os.PathLike | None = None) -> ModelFile:
    """The model at `path` (default: the shipped one), read once per process."""
    key = os.fspath(path or MODEL_PATH)
    model = _CACHE.get(key)
    if model is None:
        with _LOCK:
            model = _CACHE.get(key)
            if model is None:
                if not Path(key).exists():
                    raise InputError(f"model file not found: {key} (train one with `newsum train`)")
                model = _CACHE[key] = ModelFile.load(key)
    return model


@register
class Model(Method):
    """Gradient-boosted trees trained on CNN/DailyMail oracle labels (see docs/model.md)."""

    name = "model"
    description = "trained sentence scorer (boosted trees over position, content and cue features)"
    # The candidate summary (2 or 3 of the 6 top-scored sentences) that the model file's ranker
    # scores best; Combination (hand-tuned set worth) for other budgets (docs/model.md).
    selection = Ranked()

    def __init__(self, path: str | None = None, max_sentences: int = _MAX_SENTENCES) -> None:
        self.path = path
        self.max_sentences = max_sentences
        if path is not None:
            self.selection = Ranked(path=path)  # the ranker of the same file

    def score(self, doc: Document) -> list[float]:
        return load_model(self.path).score(doc, self.max_sentences).tolist()

    def score_many(self, docs: list[Document]) -> list[list[float]]:
        return [s.tolist() for s in load_model(self.path).score_many(docs, self.max_sentences)]
