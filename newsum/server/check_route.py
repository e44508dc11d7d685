"""`POST /v1/check`: how far a story supports a summary (newsum.check over HTTP).

Kept apart from app.py so the service's structure can change without touching it: `register`
adds the route to an app; the app's body limit, error handlers and time limit
(`app.state.timeout`) apply as to every route.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Executor
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..check import check
from ..errors import InputError
from ..readers import read_document


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
    if req.html is not None:
        from ..html import read_html

        doc = read_html(req.html)
    else:
        doc = read_document(req.story or "", req.format)
    result = check(doc, req.summary)
    out = result.to_dict(story=True)
    out["text"] = doc.text
    out["elapsed_ms"] = 0.0
    return out


def register(app: FastAPI, executor: Executor | None = None) -> None:
    """Add `POST /v1/check` to `app`; the work runs in `executor` (default: asyncio's)."""

    @app.post(
        "/v1/check",
        response_model=CheckResponse,
        responses={
            413: {"description": "Body over the size limit"},
            422: {"description": "Malformed JSON, no story or summary, or no text found"},
            504: {"description": "Checking took longer than the time limit"},
        },
        summary="Check a summary against its story (faithfulness)",
    )
    async def check_summary(req: CheckRequest) -> JSONResponse:
        """Each summary sentence's score, verdict, supporting story sentences and the spans
        (names, numbers, dates, quantities, words) the story does not back."""
        from .app import error_response

        started = time.perf_counter()
        timeout = getattr(app.state, "timeout", 10.0)
        work = asyncio.get_running_loop().run_in_executor(executor, check_request, req)
        try:
            result = await asyncio.wait_for(work, timeout)
        except TimeoutError:
            return error_response(
                504, f"checking took longer than the {timeout:g} s limit; send a shorter story"
            )
        except InputError as exc:
            return error_response(422, str(exc))
        result["elapsed_ms"] = round((time.perf_counter() - started) * 1000.0, 2)
        return JSONResponse(result)
