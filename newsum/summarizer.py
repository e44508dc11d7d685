"""The one path every front end uses: Document -> method scores -> selector -> Summary."""

from __future__ import annotations

from typing import Any

from .document import Document, Summary, SummarySentence
from .methods.base import Method, get_method
from .readers import read_document
from .select import Selection, check_budget, select

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
    if getattr(scorer, "abstractive", False):  # writes its own checked highlights (llm)
        check_budget(sentences, words, ratio, order)
        items, produced_by = scorer.write(doc, sentences, words, ratio)
        settings = {"sentences": sentences, "words": words, "ratio": ratio, "order": order}
        settings["params"] = scorer.get_params()
        settings[scorer.name] = produced_by
        return Summary(items, scorer.name, settings, doc)
    scores = scorer.score(doc)
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
