"""`POST /v1/check`: how far a story supports a summary (newsum.check over HTTP).

Kept apart from app.py: `register` adds the route to an app. The app's body limit, error
handlers, worker pool (`app.state.pool`: the work runs in a worker process that is stopped at
the time limit) and time limit (`app.state.timeout`) apply as to every route.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..check import check
from .limits import LARGE_STORY
from .work import read_request


class CheckRequest(BaseModel):
    """A story (text or web page) and a summary of it to check."""

    model_config = ConfigDict(extra="forbid")

    story: str | None = Field(None, description="The story as plain (or corpus-tokenized) text.")
    html: str | None = Field(None, description="A news web page; its story text is extracted.")
    summary: str | list[str] = Field(
        description="The summary: text (split into sentences) or a list of sentences."
    )
    format: Literal["auto", "text", "tokenized"] = Field(
        "auto", description="How to read `story`: raw, corpus-tokenized, or detect."
    )

    @model_validator(mode="after")
    def _one_input(self) -> CheckRequest:
        if (self.story is None) == (self.html is None):
            raise ValueError("give the story as exactly one of 'story' or 'html'")
        return self


class SpanOut(BaseModel):
    start: int = Field(description="Character offset in the summary sentence's text.")
    end: int
    text: str
    type: Literal["name", "number", "date", "quantity", "word"]
    reason: Literal["absent", "elsewhere"]


class CheckedSentenceOut(BaseModel):
    text: str
    score: float
    supported: bool
    sources: list[int] = Field(description="Indices of the supporting story sentences, best first.")
    unsupported: list[SpanOut]


class StorySentenceOut(BaseModel):
    index: int
    text: str
    start: int = Field(description="Character offset of the sentence in `text`.")
    end: int


class CheckResponse(BaseModel):
    score: float = Field(description="0-1, higher = more faithful (mean of the sentences).")
    supported: bool
    sentences: list[CheckedSentenceOut]
    story_sentences: list[StorySentenceOut] = Field(
        description="The story sentences that `sources` point at."
    )
    text: str = Field(description="The story text the offsets refer to.")
    elapsed_ms: float


def check_request(req: CheckRequest) -> dict[str, Any]:
    """The JSON answer for one request."""
    doc = read_request(req.story, req.html, req.format)
    result = check(doc, req.summary)
    out = result.to_dict(story=True)
    out["text"] = doc.text
    out["elapsed_ms"] = 0.0
    return out


def register(app: FastAPI) -> None:
    """Add `POST /v1/check` to `app`: the work runs in the app's worker pool under its time
    limit, and errors are answered as for /v1/summarize (`newsum.server.app.answer`)."""

    @app.post(
        "/v1/check",
        response_model=CheckResponse,
        responses={
            413: {"description": "Body over the size limit"},
            422: {"description": "Malformed JSON, no story or summary, or no text found"},
            503: {"description": "Every worker is busy and the wait queue is full; retry later"},
            504: {"description": "Checking took longer than the time limit (its work was stopped)"},
        },
        summary="Check a summary against its story (faithfulness)",
    )
    async def check_summary(req: CheckRequest) -> JSONResponse:
        """Each summary sentence's score, verdict, supporting story sentences and the spans
        (names, numbers, dates, quantities, words) the story does not back."""
        from .app import answer

        started = time.perf_counter()
        large = len(req.story if req.story is not None else req.html or "") > LARGE_STORY
        pool, limit = app.state.pool, app.state.timeout
        return await answer(pool, "checking", limit, large, started, check_request, req)
