"""`POST /v1/summarize/batch`: many stories in one request, summarized together.

The stories go through `newsum.summarize_many` in one worker, as `newsum batch` sends them: the
trained model scores 64 stories' sentences at once, 2-3x the stories/s of one story a request
(`benchmarks/bench_serve.py --batch 64`), and one HTTP round trip carries them all. Kept apart
from app.py like check_route.py: the app's body limit, worker pool, time limit and error
answers apply.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictInt, StrictStr

from ..document import Document, Summary
from ..errors import InputError
from ..summarizer import default_method, summarize_read
from .limits import LARGE_STORY, error_response
from .schemas import StoryIn, SummaryOut, SummarySettings
from .work import method_instance, read_request, request_budget, summary_answer

MAX_STORIES = 1000  # a request's stories; the body limit (2 MB) usually comes first


class BatchStoryIn(StoryIn):
    """One story of a batch, with an optional `id` that its result repeats."""

    id: StrictStr | StrictInt | None = Field(
        None, description="Any string or integer of yours, returned with this story's result."
    )


class SummarizeBatchRequest(SummarySettings):
    """Stories, and the settings every one of them is summarized with."""

    stories: list[BatchStoryIn] = Field(
        min_length=1, max_length=MAX_STORIES, description="The stories, each text or html."
    )


class BatchSummaryOut(SummaryOut):
    id: StrictStr | StrictInt | None = None


class BatchErrorOut(BaseModel):
    id: StrictStr | StrictInt | None = None
    error: str = Field(description="Why this story could not be summarized (one line).")
    status: int = Field(description="422, as /v1/summarize would answer for the story alone.")


class SummarizeBatchResponse(BaseModel):
    results: list[BatchSummaryOut | BatchErrorOut] = Field(
        description="One per story, in the order sent: its summary, or its error."
    )
    elapsed_ms: float


def summarize_batch_request(req: SummarizeBatchRequest, method_name: str) -> dict[str, Any]:
    """The JSON answer for a batch: the stories read one by one (a story that cannot be read
    is an error in its place), then summarized together (summarize_many)."""
    read: list[Document | InputError] = []
    for story in req.stories:
        try:
            read.append(read_request(story.text, story.html, req.format))
        except InputError as exc:
            read.append(exc)
    summarized = summarize_read(
        read,
        method_instance(method_name),
        order=req.order,
        redundancy=req.redundancy,
        budget=request_budget(req),
    )
    results: list[dict[str, Any]] = []
    for story, summary in zip(req.stories, summarized, strict=True):
        if isinstance(summary, Summary):
            html = story.html is not None
            item = summary_answer(summary.document, summary, html, req.include_text)
        else:
            item = {"error": str(summary), "status": 422}
        results.append(item if story.id is None else {"id": story.id, **item})
    return {"results": results}


def register(app: FastAPI) -> None:
    """Add `POST /v1/summarize/batch` to `app` (its methods: `app.state.method_names`)."""

    @app.post(
        "/v1/summarize/batch",
        response_model=SummarizeBatchResponse,
        responses={
            400: {"description": "Unknown or abstractive method, or invalid length setting"},
            413: {"description": "Body over the size limit"},
            422: {"description": "Malformed JSON, no stories, too many, or a malformed story"},
            503: {"description": "Every worker is busy and the wait queue is full; retry later"},
            504: {"description": "The request took longer than the time limit (work stopped)"},
        },
        summary="Summarize many stories in one request",
    )
    async def summarize_batch(req: SummarizeBatchRequest) -> JSONResponse:
        """The highlights of each story (as /v1/summarize answers them, without `elapsed_ms`),
        or the error that story alone would get, in the order sent."""
        from .app import answer, unknown_method

        started = time.perf_counter()
        method = req.method or default_method()
        if method not in app.state.method_names:
            return unknown_method(method, app.state.method_names)
        if method in app.state.abstractive:
            return error_response(
                400, f"{method} writes one story a request: send each to POST /v1/summarize"
            )
        size = sum(len(s.text if s.text is not None else s.html or "") for s in req.stories)
        pool, limit = app.state.pool, app.state.timeout
        large = size > LARGE_STORY
        return await answer(
            pool,
            "summarizing",
            limit,
            large,
            started,
            summarize_batch_request,
            req,
            method,
            smaller="fewer or shorter stories",
        )
