"""The trained extractive model: gradient-boosted trees over sentence features (newsum.features).

The trees were trained with LightGBM (`newsum train`) and exported to a compact numpy file,
`newsum/models/model.npz`, which holds the trees, the corpus idf table and the training settings.
It is read lazily on the first `score()` and cached per process; scoring needs only numpy.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..document import Document
from ..errors import InputError
from ..select import Combination
from .base import Method, _load_builtins, register

_load_builtins()  # the baselines register before `model`, however this module is imported

if TYPE_CHECKING:
    import numpy as np

    from ..features import IdfTable

MODEL_PATH = Path(__file__).resolve().parents[1] / "models" / "model.npz"
FORMAT_VERSION = 1


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
    ) -> None:
        import numpy as np

        self.feature = np.ascontiguousarray(feature, dtype=np.intp)
        self.threshold = np.ascontiguousarray(threshold, dtype=np.float64)
        self.left = np.ascontiguousarray(left, dtype=np.intp)
        self.right = np.ascontiguousarray(right, dtype=np.intp)
        self.value = np.ascontiguousarray(value, dtype=np.float64)
        self.roots = np.ascontiguousarray(roots, dtype=np.intp)
        self.depth = int(depth)
        # children[2k] is node k's left child, children[2k + 1] its right one.
        self._children = np.column_stack([self.left, self.right]).ravel()
        self.base = float(base)

    @property
    def n_trees(self) -> int:
        return len(self.roots)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """One score per row of the feature matrix `x` (rows x features, float64)."""
        import numpy as np

        x = np.ascontiguousarray(x, dtype=np.float64)
        n, n_features = x.shape
        if n == 0:
            return np.zeros(0)
        # Index into the flattened matrix: row offset + the node's feature.
        offsets = (np.arange(n, dtype=np.intp) * n_features)[:, None]
        flat = x.ravel()
        take, feature, threshold, children = np.take, self.feature, self.threshold, self._children
        roots = self.roots
        # The first level compares whole columns (every row starts at the same roots).
        node = take(children, 2 * roots + (x[:, feature[roots]] > threshold[roots]))
        for _ in range(self.depth - 1):
            go_right = take(flat, offsets + take(feature, node)) > take(threshold, node)
            node = take(children, 2 * node + go_right)
        return take(self.value, node).sum(axis=1) + self.base

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
    """What a model file holds: the trees, the idf table, the feature names and metadata."""

    def __init__(self, trees: TreeEnsemble, idf: IdfTable, meta: dict[str, Any]) -> None:
        self.trees = trees
        self.idf = idf
        self.meta = meta

    def save(self, path: str | os.PathLike) -> None:
        """Write the model as a compressed .npz (deterministic bytes for the same model)."""
        import io
        import zipfile

        import numpy as np

        words = sorted(self.idf.idf)
        arrays = {
            **self.trees.to_arrays(),
            "idf_words": np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
            "idf_values": np.array([self.idf.idf[w] for w in words], dtype=np.float32),
            "meta": np.frombuffer(
                json.dumps(
                    {
                        **self.meta,
                        "format": FORMAT_VERSION,
                        "depth": self.trees.depth,
                        "base": self.trees.base,
                        "idf_unknown": self.idf.unknown,
                    },
                    sort_keys=True,
                ).encode("utf-8"),
                dtype=np.uint8,
            ),
        }
        # A zip with fixed timestamps, so retraining the same model gives the same bytes.
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, arr in arrays.items():
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                member = io.BytesIO()
                np.lib.format.write_array(member, np.asarray(arr), allow_pickle=False)
                zf.writestr(info, member.getvalue(), compresslevel=9)
        Path(path).write_bytes(buf.getvalue())

    @classmethod
    def load(cls, path: str | os.PathLike) -> ModelFile:
        """Read a model file written by `save` (no pickles are loaded)."""
        import numpy as np

        from ..features import FEATURE_NAMES, IdfTable

        try:
            with np.load(path, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: not a newsum model file ({exc})") from None
        meta = json.loads(data["meta"].tobytes().decode("utf-8"))
        if meta.get("format") != FORMAT_VERSION:
            raise InputError(
                f"{path}: model format {meta.get('format')}, expected {FORMAT_VERSION}"
            )
        if tuple(meta.get("features", ())) != FEATURE_NAMES:
            raise InputError(f"{path}: model was trained with other features than this newsum")
        words = data["idf_words"].tobytes().decode("utf-8").split("\n")
        values = data["idf_values"].astype(np.float64)
        idf = IdfTable(words if words != [""] else [], values, meta["idf_unknown"])
        trees = TreeEnsemble(
            data["feature"],
            data["threshold"],
            data["left"],
            data["right"],
            data["value"],
            data["roots"],
            meta["depth"],
            meta["base"],
        )
        return cls(trees, idf, meta)

    def score(self, doc: Document, max_sentences: int | None = None) -> np.ndarray:
        """One score per sentence; past `max_sentences`, lower than any scored one."""
        import numpy as np

        from ..features import document_features

        n = len(doc.sentences)
        if max_sentences is None or n <= max_sentences:
            return self.trees.predict(document_features(doc, self.idf))
        head = Document(doc.text, doc.sentences[:max_sentences], doc.kind, doc.lowercased)
        scores = self.trees.predict(document_features(head, self.idf))
        rest = np.full(n - len(scores), (scores.min() if len(scores) else 0.0) - 1.0)
        return np.concatenate([scores, rest])

    def score_many(
        self, docs: list[Document], max_sentences: int | None = None
    ) -> list[np.ndarray]:
        """`[self.score(d, max_sentences) for d in docs]`, the trees run once over all rows."""
        import numpy as np

        from ..features import document_features

        heads = [
            d
            if max_sentences is None or len(d.sentences) <= max_sentences
            else Document(d.text, d.sentences[:max_sentences], d.kind, d.lowercased)
            for d in docs
        ]
        if not heads:
            return []
        # The trees run over a few hundred rows at a time: fewer numpy calls than one story at
        # a time, and arrays small enough to stay in cache (larger stacks are slower again).
        feats = [document_features(h, self.idf) for h in heads]
        parts, group, size = [], [], 0
        for f in feats:
            group.append(f)
            size += len(f)
            if size >= 400:
                parts.append(self.trees.predict(np.vstack(group)))
                group, size = [], 0
        if group:
            parts.append(self.trees.predict(np.vstack(group)))
        rows = np.concatenate(parts)
        cuts = np.cumsum([len(h.sentences) for h in heads])[:-1]
        out = []
        for doc, scores in zip(docs, np.split(rows, cuts), strict=True):
            rest = len(doc.sentences) - len(scores)
            if rest:
                low = (scores.min() if len(scores) else 0.0) - 1.0
                scores = np.concatenate([scores, np.full(rest, low)])
            out.append(scores)
        return out


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
    # The best 3 of the 6 top-scored sentences, shorter ones and little bigram overlap preferred
    # (tuned on half of validation: +0.39 R1 over greedy trigram blocking, docs/model.md).
    selection = Combination(candidates=6, overlap_penalty=3.0, length_weight=-0.3)

    def __init__(self, path: str | None = None, max_sentences: int = 500) -> None:
        self.path = path
        self.max_sentences = max_sentences

    def score(self, doc: Document) -> list[float]:
        return load_model(self.path).score(doc, self.max_sentences).tolist()

    def score_many(self, docs: list[Document]) -> list[list[float]]:
        return [s.tolist() for s in load_model(self.path).score_many(docs, self.max_sentences)]
