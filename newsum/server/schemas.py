"""The request and answer shapes of the API (pydantic models; the OpenAPI schema comes from them).

Numbers and switches are strict: `"sentences": true` or `"sentences": "3"` is a 422, not 1 or 3.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    model_validator,
)


class StoryIn(BaseModel):
    """One story, as plain text or as a web page."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="The story as plain (or corpus-tokenized) text.")
    html: str | None = Field(None, description="A news web page; its story text is extracted.")

    @model_validator(mode="after")
    def _one_input(self) -> StoryIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("give the story as exactly one of 'text' or 'html'")
        return self


class SummarySettings(BaseModel):
    """How to summarize: the method, how long a summary may be, how to read the text."""

    model_config = ConfigDict(extra="forbid")

    method: str | None = Field(None, description="Scoring method (GET /v1/methods lists them).")
    sentences: StrictInt | None = Field(
        None,
        description="At most this many sentences (default 3 unless words/ratio given); "
        "words and ratio can only lower a given count.",
    )
    words: StrictInt | None = Field(None, description="At most this many words in total.")
    ratio: StrictFloat | StrictInt | None = Field(
        None, description="At most this fraction of the sentences."
    )
    order: Literal["position", "score"] = Field("position", description="Output order.")
    redundancy: StrictBool | None = Field(
        None,
        description="Skip sentences repeating a chosen trigram; null: the method's default "
        "(on for every method but lead).",
    )
    format: Literal["auto", "text", "tokenized"] = Field(
        "auto", description="How to read `text`: raw, corpus-tokenized, or detect."
    )
    include_text: StrictBool = Field(
        False,
        description="Return the story text the offsets refer to as `text` "
        "(always returned for `html` input, where it is the extracted story).",
    )


class SummarizeRequest(SummarySettings, StoryIn):
    """One story, as plain text or as a web page, and how long its summary may be."""


class SpanOut(BaseModel):
    start: int = Field(description="Offset in the highlight's text (code points).")
    end: int
    text: str
    type: str = Field(description="name, number, date, quantity or word")
    reason: str = Field(description="absent (not in the story) or elsewhere")


class SentenceOut(BaseModel):
    text: str
    index: int | None = Field(
        description="The sentence's index in the story; null for an abstractive highlight."
    )
    score: float
    start: int | None = Field(
        description="Offset of the sentence in the story text, in Unicode code points "
        "(Python's str indexes); null for an abstractive highlight."
    )
    end: int | None = Field(description="End offset (exclusive), in code points.")
    start16: int | None = Field(
        description="The same offset in UTF-16 code units (JavaScript's and Java's string "
        "indexes); differs from `start` after characters outside the BMP such as emoji."
    )
    end16: int | None = Field(description="End offset (exclusive), in UTF-16 code units.")
    sources: list[int] | None = Field(
        None,
        description="llm: indices of the story sentences that support the highlight, best "
        "first (`story_sentences` has their offsets).",
    )
    supported: bool | None = Field(None, description="llm: whether the story backs it all.")
    unsupported: list[SpanOut] | None = Field(
        None, description="llm: the spans of the highlight the story does not back."
    )
    cited: list[int] | None = Field(None, description="llm: the sentences the model cited.")
    replaced: str | None = Field(
        None, description="llm with strict: the unsupported highlight this sentence replaced."
    )


class StorySentenceOut(BaseModel):
    index: int
    text: str
    start: int
    end: int
    start16: int
    end16: int


class DocumentInfo(BaseModel):
    sentences: int
    characters: int
    kind: str
    input: Literal["text", "html"]
    meta: dict[str, Any]


class SummaryOut(BaseModel):
    sentences: list[SentenceOut]
    method: str
    title: str | None
    settings: dict[str, Any]
    document: DocumentInfo
    text: str | None = Field(None, description="The story text (html input, or include_text).")
    story_sentences: list[StorySentenceOut] | None = Field(
        None, description="llm: the story sentences the highlights' `sources` point at."
    )


class SummarizeResponse(SummaryOut):
    elapsed_ms: float


class ErrorResponse(BaseModel):
    error: str
    status: int


class HealthResponse(BaseModel):
    status: str = Field(description='"ok" (/healthz), "ready" or "saturated" (/readyz).')
    version: str
    workers: int = Field(description="Summarizing worker processes.")
    busy: int = Field(description="Workers running a request now.")
    queued: int = Field(description="Requests waiting for a worker.")
    queue_limit: int = Field(description="Waiting requests beyond this are refused with 503.")
    replaced: int = Field(description="Workers killed and replaced after a request's time limit.")
