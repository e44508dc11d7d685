"""The one path every front end uses: Document -> method scores -> selector -> Summary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .document import Document, Summary, SummarySentence
from .errors import InputError
from .methods.base import Method, get_method
from .readers import read_document
from .select import Selection, select

DEFAULT_METHOD = "model"


def default_method() -> str:
    """The method used when none is named."""
    return DEFAULT_METHOD


def summarize_document(
    doc: Document,
    method: str | Method | None = None,
    sentences: int | None = 3,
    words: int | None = None,
    ratio: float | None = None,
    order: str = "position",
    redundancy: bool | None = None,
    selection: Selection | None = None,
) -> Summary:
    """Summarize an already-read Document (see `summarize` for the settings)."""
    if words is not None or ratio is not None:
        sentences = None if sentences == 3 else sentences
    scorer = method if isinstance(method, Method) else get_method(method or default_method())
    if redundancy is None:
        redundancy = scorer.redundancy
    if selection is None:
        selection = scorer.selection
    return _summary(
        doc, scorer, scorer.score(doc), sentences, words, ratio, order, redundancy, selection
    )


def _summary(
    doc: Document,
    scorer: Method,
    scores: Any,
    sentences: int | None,
    words: int | None,
    ratio: float | None,
    order: str,
    redundancy: bool,
    selection: Selection,
) -> Summary:
    chosen = select(doc, scores, sentences, words, ratio, order, redundancy, selection)
    items = [
        SummarySentence(
            text=doc.sentences[i].text,
            index=i,
            score=round(float(scores[i]), 6),
            start=doc.sentences[i].start,
            end=doc.sentences[i].end,
        )
        for i in chosen
    ]
    settings: dict[str, Any] = {
        "sentences": sentences,
        "words": words,
        "ratio": ratio,
        "order": order,
        "redundancy": redundancy,
        "selection": selection.to_dict(),
        "params": scorer.get_params(),
    }
    return Summary(items, scorer.name, settings, doc)


def summarize(
    text: str,
    method: str | Method | None = None,
    sentences: int | None = 3,
    words: int | None = None,
    ratio: float | None = None,
    *,
    order: str = "position",
    redundancy: bool | None = None,
    selection: Selection | None = None,
    format: str = "auto",
) -> Summary:
    """Extractive summary of one story given as text (raw or corpus-style tokenized).

    `method=None` uses the default method. Length: at most `sentences` sentences; `words` and
    `ratio` (fraction of the story's sentences) replace the default sentence count when given
    (an explicit non-default `sentences` still applies too). Sentences come in story order
    unless `order="score"`. `redundancy` switches trigram blocking of repeats on or off; None
    means the method's default (on for every method but `lead`, which is the first k sentences).
    `selection` (`newsum.select.Greedy()` or `Combination(...)`) says how sentences are chosen
    from the scores; None means the method's default (`Combination` for `model`, which picks
    the best set of 3 among its 6 top sentences; `Greedy` for the others).
    """
    doc = read_document(text, format)
    return summarize_document(
        doc, method, sentences, words, ratio, order, redundancy, selection=selection
    )


# Stories scored together by summarize_many: enough to share the per-call numpy overhead of a
# method's batch scorer, few enough to keep memory small.
BATCH = 64


def summarize_many(
    texts: Iterable[str | Document],
    method: str | Method | None = None,
    sentences: int | None = 3,
    words: int | None = None,
    ratio: float | None = None,
    *,
    order: str = "position",
    redundancy: bool | None = None,
    selection: Selection | None = None,
    format: str = "auto",
    errors: str = "raise",
) -> list[Summary | InputError]:
    """`[summarize(t, ...) for t in texts]` with the same results, faster for many stories.

    The method is made once, and stories are scored in batches of `BATCH` where the method
    can (`Method.score_many`: the trained model runs its trees over several stories' sentences
    at once). An item may be an already-read Document. The result is a list (each Summary
    keeps its Document): give a large input in chunks, as `batch` does. `errors="raise"`
    raises the first story's InputError (as `summarize` would); `errors="return"` puts the
    InputError in that story's place instead.
    """
    if errors not in ("raise", "return"):
        raise ValueError(f"errors must be 'raise' or 'return', not {errors!r}")
    if words is not None or ratio is not None:
        sentences = None if sentences == 3 else sentences
    scorer = method if isinstance(method, Method) else get_method(method or default_method())
    if redundancy is None:
        redundancy = scorer.redundancy
    if selection is None:
        selection = scorer.selection
    out: list[Summary | InputError] = []
    batch: list[Document] = []

    def flush() -> None:
        for doc, scores in zip(batch, scorer.score_many(batch), strict=True):
            out.append(
                _summary(doc, scorer, scores, sentences, words, ratio, order, redundancy, selection)
            )
        batch.clear()

    for item in texts:
        try:
            doc = item if isinstance(item, Document) else read_document(item, format)
        except InputError as exc:
            if errors == "raise":
                raise
            flush()
            out.append(exc)
            continue
        batch.append(doc)
        if len(batch) >= BATCH:
            flush()
    flush()
    return out
