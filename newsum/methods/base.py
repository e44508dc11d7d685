"""The Method interface and the registry of methods by name.

A method turns a Document into one salience score per sentence (higher is better). It never
reads files or prints; length, order and redundancy are the selector's business.
"""

from __future__ import annotations

import inspect
from functools import cache
from typing import Any, ClassVar, TypeVar

from ..document import Document
from ..errors import UsageError
from ..select import Greedy, Selection

_REGISTRY: dict[str, type[Method]] = {}
M = TypeVar("M", bound="type[Method]")


class Method:
    """Base class: subclasses set `name`, `description` and implement `score`.

    Every setting is an explicit keyword argument of `__init__` stored under the same name,
    so `get_params()` can list it (scikit-learn's convention).
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    # Whether the selector blocks repeated trigrams unless told otherwise.
    redundancy: ClassVar[bool] = True
    # How the selector chooses among the scored sentences unless told otherwise.
    selection: ClassVar[Selection] = Greedy()
    # True for a method that writes its own highlights (`write(doc, budget)`) instead of
    # scoring sentences: the `llm` method.
    abstractive: ClassVar[bool] = False

    def score(self, doc: Document) -> list[float]:
        """One score per sentence of `doc`; higher means more summary-worthy."""
        raise NotImplementedError

    def score_many(self, docs: list[Document]) -> list[list[float]]:
        """`[self.score(d) for d in docs]`; a method that can share work across stories
        overrides it."""
        return [self.score(d) for d in docs]

    def get_params(self) -> dict[str, Any]:
        return {p: getattr(self, p) for p in _param_names(type(self))}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


@cache
def _param_names(cls: type[Method]) -> tuple[str, ...]:
    """The settings of a method class: its __init__'s parameters (read once per class, as
    `inspect.signature` costs ~10 us, a few percent of a `lead` summary)."""
    return tuple(p for p in inspect.signature(cls.__init__).parameters if p != "self")


def register(cls: M) -> M:
    """Class decorator: make a Method available under its `name`."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    _REGISTRY[cls.name] = cls
    return cls


def _load_builtins() -> None:
    from . import lead, textrank, lexrank, centroid, model  # noqa: F401, I001  (registration order)
    from ..llm import method as llm  # noqa: F401


_BUILTIN_ORDER = ("lead", "textrank", "lexrank", "centroid", "model", "llm")


def method_classes() -> dict[str, type[Method]]:
    """All registered method classes by name: the built-ins first, then in registration order."""
    _load_builtins()
    first = {n: _REGISTRY[n] for n in _BUILTIN_ORDER if n in _REGISTRY}
    return {**first, **_REGISTRY}


def available_methods() -> list[str]:
    """Names of the registered methods."""
    return list(method_classes())


def get_method(name: str, **params: Any) -> Method:
    """An instance of the method called `name` with the given settings."""
    classes = method_classes()
    if name not in classes:
        raise UsageError(f"unknown method {name!r}; choose one of: {', '.join(classes)}")
    try:
        return classes[name](**params)
    except TypeError as exc:
        raise UsageError(f"bad setting for method {name!r}: {exc}") from None
