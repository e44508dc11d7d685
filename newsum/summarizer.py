"""The one path every front end uses: Document -> method scores -> selector -> Summary."""

from __future__ import annotations

from typing import Any

from .budget import Budget
from .document import Document, Summary, SummarySentence
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
    sentences: int | None = None,
    words: int | None = None,
    ratio: float | None = None,
    order: str = "position",
    redundancy: bool | None = None,
    selection: Selection | None = None,
    *,
    budget: Budget | None = None,
) -> Summary:
    """Summarize an already-read Document (see `summarize` for the settings).

    `budget` replaces `sentences`/`words`/`ratio` (give one or the other).
    """
    if budget is None:
        budget = Budget(sentences, words, ratio)
    elif (sentences, words, ratio) != (None, None, None):
        raise TypeError("give either budget or sentences/words/ratio, not both")
    scorer = method if isinstance(method, Method) else get_method(method or default_method())
    if redundancy is None:
        redundancy = scorer.redundancy
    if selection is None:
        selection = scorer.selection
    scores = scorer.score(doc)
    chosen = select(
        doc, scores, budget.max_sentences, budget.words, budget.ratio, order, redundancy, selection
    )
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
        **budget.to_dict(),
        "order": order,
        "redundancy": redundancy,
        "selection": selection.to_dict(),
        "params": scorer.get_params(),
    }
    return Summary(items, scorer.name, settings, doc)


def summarize(
    text: str,
    method: str | Method | None = None,
    sentences: int | None = None,
    words: int | None = None,
    ratio: float | None = None,
    *,
    order: str = "position",
    redundancy: bool | None = None,
    selection: Selection | None = None,
    format: str = "auto",
) -> Summary:
    """Extractive summary of one story given as text (raw or corpus-style tokenized).

    `method=None` uses the default method. Length (`newsum.budget.Budget`): at most `sentences`
    sentences, `words` words and `ratio` of the story's sentences. A given `sentences` is a
    maximum that `words`/`ratio` can only lower; None means 3 unless `words` or `ratio` is
    given, which then limit the summary alone. Sentences come in story order
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
