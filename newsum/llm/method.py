"""The `llm` method: abstractive highlights from an OpenAI-compatible server, each one checked
against the story and traced to the sentences that support it.

Steps: rank the story's sentences with the `model` method (to fit long stories into the
context), ask for N cited highlights as JSON, validate (repair once), then check every
highlight with `newsum.check`. `sources` are the model's citations that the checker confirms,
else the checker's own alignment.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, ClassVar

from ..budget import DEFAULT_SENTENCES, Budget
from ..document import Document, SummarySentence
from ..methods.base import Method, get_method, register
from . import (
    ENV_CONTEXT,
    ENV_MODEL,
    ENV_TIMEOUT,
    ENV_URL,
    FormatRejected,
    LLMError,
    LLMUnavailable,
)
from .prompt import (
    AnswerError,
    Draft,
    build_messages,
    context_sentences,
    parse_answer,
    repair_message,
)

if TYPE_CHECKING:
    from .client import LLMClient

FALLBACKS = ("none", "extractive")


@register
class LLM(Method):
    """Abstractive, grounded highlights written by an LLM behind an OpenAI-compatible API."""

    name: ClassVar[str] = "llm"
    description: ClassVar[str] = (
        "abstractive highlights from an OpenAI-compatible LLM server, checked against the "
        "story and traced to their source sentences"
    )
    abstractive = True
    redundancy: ClassVar[bool] = False

    def __init__(
        self,
        url: str | None = None,
        model: str | None = None,
        context_chars: int | None = None,
        timeout: float | None = None,
        temperature: float = 0.0,
        max_tokens: int = 512,
        strict: bool = False,
        fallback: str = "none",
        json_mode: bool = True,
        api_key: str | None = None,
    ) -> None:
        if fallback not in FALLBACKS:
            raise LLMError(f"fallback must be one of {', '.join(FALLBACKS)}, got {fallback!r}")
        self.url = url or os.environ.get(ENV_URL) or None
        self.model = model or os.environ.get(ENV_MODEL) or None
        self.context_chars = context_chars or int(os.environ.get(ENV_CONTEXT) or 6000)
        self.timeout = timeout or float(os.environ.get(ENV_TIMEOUT) or 120.0)
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.strict = strict
        self.fallback = fallback
        self.json_mode = json_mode
        self._api_key = api_key  # never listed by get_params, never printed
        self._client: LLMClient | None = None
        self._format_level = 0  # which response_format the server accepts (see _chat)

    def get_params(self) -> dict[str, Any]:
        # The API key is a secret: never listed, printed or logged.
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    @property
    def configured(self) -> bool:
        return bool(self.url and self.model)

    @property
    def client(self) -> LLMClient:
        if self._client is None:
            from .client import client_from_env  # HTTP code only once the method is used

            self._client = client_from_env(
                self.url, self.model, self._api_key, timeout=self.timeout
            )
        return self._client

    def score(self, doc: Document) -> list[float]:
        raise LLMError("the llm method writes highlights; it does not score sentences")

    # ------------------------------------------------------------------------- writing

    def write(
        self, doc: Document, budget: Budget | None = None
    ) -> tuple[list[SummarySentence], dict[str, Any]]:
        """The checked highlights of `doc` within `budget` (default 3), and what produced them
        (for Summary.settings)."""
        budget = budget or Budget()
        n = budget.limit(len(doc)) or DEFAULT_SENTENCES
        words = budget.words
        ranker = get_method("model")
        scores = ranker.score(doc)
        ranking = sorted(range(len(doc)), key=lambda i: (-scores[i], i))
        client = self.client  # a missing URL or model is an error even with a fallback
        info: dict[str, Any] = {"model": client.model, "server": client.url, "warnings": []}
        try:
            drafts, notes = self._ask(doc, ranking, n, words)
        except LLMError as exc:
            if self.fallback != "extractive":
                raise
            info["warnings"].append(f"{exc}; used the extractive `model` method instead")
            info["fallback"] = "extractive"
            return _extractive(doc, ranker, budget), info
        info["notes"] = notes
        items = _checked(doc, drafts, ranking, self.strict, info)
        return _fit_words(items, words), info

    def _ask(
        self, doc: Document, ranking: list[int], n: int, words: int | None
    ) -> tuple[list[Draft], list[str]]:
        texts = [s.text for s in doc.sentences]
        shown = context_sentences(texts, ranking, self.context_chars)
        messages = build_messages(texts, shown, n, words)
        options: dict[str, Any] = {"temperature": self.temperature, "max_tokens": self.max_tokens}
        answer = self._chat(messages, options)
        try:
            drafts, problems = parse_answer(answer, shown, n)
        except AnswerError as exc:
            drafts, problems = [], [str(exc)]
        if drafts and not problems:
            return drafts, []
        # One repair turn: show the model its answer and what is wrong with it.
        retry = messages + repair_message(answer, problems[0])
        try:
            fixed, fixed_problems = parse_answer(self._chat(retry, options), shown, n)
        except AnswerError as exc:
            if drafts:  # keep the first answer; its bad citations were dropped
                return drafts, problems
            raise LLMUnavailable(f"the model's answer was unusable twice ({exc})") from None
        return fixed, fixed_problems

    def _chat(self, messages: list[dict[str, str]], options: dict[str, Any]) -> str:
        """One chat turn, constraining the answer to the highlights' JSON schema where the
        server can; a server that rejects a response_format (HTTP 4xx) is asked with the next
        weaker one (schema, then any JSON, then none) and remembered."""
        formats = _RESPONSE_FORMATS if self.json_mode else [{}]
        while True:
            fmt = formats[min(self._format_level, len(formats) - 1)]
            try:
                return self.client.chat(messages, **options, **fmt)
            except LLMError as exc:
                rejected = isinstance(exc, FormatRejected) or "HTTP 4" in str(exc)
                if not fmt or not rejected or self._format_level >= len(formats) - 1:
                    raise
                self._format_level += 1


def _response_formats() -> list[dict[str, Any]]:
    item = {
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "sources": {"type": "array", "items": {"type": "integer"}},
        },
        "required": ["text", "sources"],
    }
    schema = {
        "type": "object",
        "properties": {"highlights": {"type": "array", "items": item, "minItems": 1}},
        "required": ["highlights"],
    }
    return [
        # OpenAI, vLLM, LM Studio, Ollama: structured outputs.
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "highlights", "schema": schema},
            }
        },
        # llama.cpp's servers: JSON constrained by a schema given with json_object.
        {"response_format": {"type": "json_object", "schema": schema}},
        {"response_format": {"type": "json_object"}},
        {},
    ]


_RESPONSE_FORMATS = _response_formats()


def _checked(
    doc: Document, drafts: list[Draft], ranking: list[int], strict: bool, info: dict[str, Any]
) -> list[SummarySentence]:
    from ..check import check

    result = check(doc, [d.text for d in drafts])
    items: list[SummarySentence] = []
    used: set[int] = set()
    replaced = 0
    for draft, verdict in zip(drafts, result.sentences, strict=True):
        aligned = list(verdict.sources)
        confirmed = [i for i in draft.sources if i in aligned]
        sources = confirmed or aligned
        if strict and not verdict.supported:
            best = next((i for i in ranking if i not in used), None)
            if best is not None:
                used.add(best)
                replaced += 1
                items.append(_extractive_item(doc, best, 1.0, replaced_text=draft.text))
                continue
        used.update(sources[:1])
        items.append(
            SummarySentence(
                text=draft.text,
                index=None,
                score=round(float(verdict.score), 6),
                start=None,
                end=None,
                sources=tuple(sources),
                cited=tuple(draft.sources),
                supported=bool(verdict.supported),
                unsupported=tuple(span.to_dict() for span in verdict.unsupported),
            )
        )
    if replaced:
        info["replaced"] = replaced
        info["warnings"].append(
            f"strict: replaced {replaced} unsupported highlight(s) with story sentences"
        )
    return items


def _extractive_item(
    doc: Document, i: int, score: float, replaced_text: str | None = None
) -> SummarySentence:
    s = doc.sentences[i]
    return SummarySentence(
        text=s.text,
        index=i,
        score=score,
        start=s.start,
        end=s.end,
        sources=(i,),
        supported=True,
        unsupported=(),
        replaced=replaced_text,
    )


def _extractive(doc: Document, ranker: Method, budget: Budget) -> list[SummarySentence]:
    from ..summarizer import summarize_document

    summary = summarize_document(doc, ranker, budget=budget)
    return [_extractive_item(doc, s.index, s.score) for s in summary.sentences]


def _fit_words(items: list[SummarySentence], words: int | None) -> list[SummarySentence]:
    """Keep highlights in order while they fit in `words` (never more than asked)."""
    if words is None:
        return items
    kept, used = [], 0
    for item in items:
        length = len(item.text.split())
        if used + length > words:
            break
        kept.append(item)
        used += length
    return kept
