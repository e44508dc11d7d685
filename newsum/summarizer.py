"""The one path every front end uses: Document -> method scores -> selector -> Summary."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .budget import Budget
from .document import Document, Summary, SummarySentence
from .errors import InputError
from .methods.base import Method, get_method
from .readers import read_document
from .select import Selection, select_many

DEFAULT_METHOD = "model"


def default_method() -> str:
    """The method used when none is named."""
    return DEFAULT_METHOD


def _budget(
    sentences: int | None, words: int | None, ratio: float | None, budget: Budget | None
) -> Budget:
    if budget is None:
        return Budget(sentences, words, ratio)
    if (sentences, words, ratio) != (None, None, None):
        raise TypeError("give either budget or sentences/words/ratio, not both")
    return budget


def _resolve(
    method: str | Method | None, redundancy: bool | None, selection: Selection | None
) -> tuple[Method, bool, Selection]:
    """The method instance and its defaults for the settings left unset."""
    scorer = method if isinstance(method, Method) else get_method(method or default_method())
    return (
        scorer,
        scorer.redundancy if redundancy is None else redundancy,
        scorer.selection if selection is None else selection,
    )


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
    budget = _budget(sentences, words, ratio, budget)
    scorer, redundancy, selection = _resolve(method, redundancy, selection)
    if scorer.abstractive:
        return _written(doc, scorer, budget, order)
    return _summaries([doc], scorer, [scorer.score(doc)], budget, order, redundancy, selection)[0]


def _written(doc: Document, scorer: Method, budget: Budget, order: str) -> Summary:
    """The Summary of a method that writes its own checked highlights (`llm`)."""
    items, produced_by = scorer.write(doc, budget)
    settings = {**budget.to_dict(), "order": order, "params": scorer.get_params()}
    settings[scorer.name] = produced_by
    return Summary(items, scorer.name, settings, doc)


def _summaries(
    docs: list[Document],
    scorer: Method,
    scores: list[Any],
    budget: Budget,
    order: str,
    redundancy: bool,
    selection: Selection,
) -> list[Summary]:
    """The Summary of each story from its scores, chosen for all the stories at once."""
    chosen = select_many(
        docs, scores, budget.max_sentences, budget.words, budget.ratio, order, redundancy, selection
    )
    out = []
    for doc, story_scores, indices in zip(docs, scores, chosen, strict=True):
        items = [
            SummarySentence(
                text=doc.sentences[i].text,
                index=i,
                score=round(float(story_scores[i]), 6),
                start=doc.sentences[i].start,
                end=doc.sentences[i].end,
            )
            for i in indices
        ]
        settings: dict[str, Any] = {
            **budget.to_dict(),
            "order": order,
            "redundancy": redundancy,
            "selection": selection.to_dict(),
            "params": scorer.get_params(),
        }
        out.append(Summary(items, scorer.name, settings, doc))
    return out


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
    budget: Budget | None = None,
) -> Summary:
    """Extractive summary of one story given as text (raw or corpus-style tokenized).

    `method=None` uses the default method. Length (`newsum.budget.Budget`, or `budget=`): at
    most `sentences` sentences, `words` words and `ratio` of the story's sentences. A given
    `sentences` is a maximum that `words`/`ratio` can only lower; None means 3 unless `words`
    or `ratio` is given, which then limit the summary alone. Sentences come in story order
    unless `order="score"`. `redundancy` switches trigram blocking of repeats on or off; None
    means the method's default (on for every method but `lead`, which is the first k sentences).
    `selection` (`newsum.select.Greedy()`, `Combination(...)` or `Ranked()`) says how sentences
    are chosen from the scores; None means the method's default (`Ranked` for `model`, whose
    learned ranker picks the best set of 2 or 3 of its 6 top sentences; `Greedy` for the others).
    """
    doc = read_document(text, format)
    return summarize_document(
        doc, method, sentences, words, ratio, order, redundancy, selection, budget=budget
    )


# Stories scored together by summarize_many: enough to share the per-call numpy overhead of a
# method's batch scorer, few enough to keep memory small.
BATCH = 64


def summarize_many(
    texts: Iterable[str | Document],
    method: str | Method | None = None,
    sentences: int | None = None,
    words: int | None = None,
    ratio: float | None = None,
    *,
    order: str = "position",
    redundancy: bool | None = None,
    selection: Selection | None = None,
    format: str = "auto",
    errors: str = "raise",
    budget: Budget | None = None,
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
    budget = _budget(sentences, words, ratio, budget)
    scorer, redundancy, selection = _resolve(method, redundancy, selection)
    out: list[Summary | InputError] = []
    batch: list[Document] = []

    def flush() -> None:
        if scorer.abstractive:
            out.extend(_written(doc, scorer, budget, order) for doc in batch)
            batch.clear()
            return
        scores = scorer.score_many(batch)
        out.extend(_summaries(batch, scorer, scores, budget, order, redundancy, selection))
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


def summarize_read(items: Sequence[Any], method: Method, **settings: Any) -> list[Any]:
    """`items` with each Document replaced by its Summary, all of them through one
    `summarize_many` (`settings` are its settings); any other item (a reading error) stays in
    its place. For front ends that read stories themselves (batch, the service's batch route,
    `newsum summarize` over many records)."""
    docs = [d for d in items if isinstance(d, Document)]
    summaries = iter(summarize_many(docs, method, **settings))
    return [next(summaries) if isinstance(d, Document) else d for d in items]
