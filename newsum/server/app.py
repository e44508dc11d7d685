"""The FastAPI app: `POST /v1/summarize`, `GET /v1/methods`, `GET /healthz` and the web page.

Every request goes through the library's own path (readers.load_document ->
summarize_document); this module only adds HTTP concerns: a body-size limit enforced while the
body streams in, a time limit per request (work runs in a thread pool), and JSON errors that
never carry a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..budget import Budget
from ..document import Document, Summary
from ..errors import InputError, NewsumError, UsageError
from ..methods.base import Method, get_method, method_classes
from ..readers import load_document, read_document
from ..summarizer import default_method, summarize_document
from . import check_route

log = logging.getLogger("newsum.server")

MAX_BODY_BYTES = 2 * 1024 * 1024  # 2 MB: larger bodies get 413 before they are read in full
REQUEST_TIMEOUT = 10.0  # seconds of summarizing work allowed per request (504 after that)
BODY_TIMEOUT = 30.0  # seconds a client has to send its whole body (408 after that)
STATIC_DIR = Path(__file__).parent / "static"
# The page loads nothing from elsewhere; this header makes the browser hold it to that.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


# ----------------------------------------------------------------------------- schemas


class SummarizeRequest(BaseModel):
    """One story, as plain text or as a web page, and how long its summary may be."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="The story as plain (or corpus-tokenized) text.")
    html: str | None = Field(None, description="A news web page; its story text is extracted.")
    method: str | None = Field(None, description="Scoring method (GET /v1/methods lists them).")
    sentences: int | None = Field(
        None,
        description="At most this many sentences (default 3 unless words/ratio given); "
        "words and ratio can only lower a given count.",
    )
    words: int | None = Field(None, description="At most this many words in total.")
    ratio: float | None = Field(None, description="At most this fraction of the sentences.")
    order: Literal["position", "score"] = Field("position", description="Output order.")
    redundancy: bool | None = Field(
        None,
        description="Skip sentences repeating a chosen trigram; null: the method's default "
        "(on for every method but lead).",
    )
    format: Literal["auto", "text", "tokenized"] = Field(
        "auto", description="How to read `text`: raw, corpus-tokenized, or detect."
    )
    include_text: bool = Field(
        False,
        description="Return the story text the offsets refer to as `text` "
        "(always returned for `html` input, where it is the extracted story).",
    )

    @model_validator(mode="after")
    def _one_input(self) -> SummarizeRequest:
        if (self.text is None) == (self.html is None):
            raise ValueError("give the story as exactly one of 'text' or 'html'")
        return self


class SentenceOut(BaseModel):
    text: str
    index: int
    score: float
    start: int = Field(description="Character offset of the sentence in the story text.")
    end: int


class DocumentInfo(BaseModel):
    sentences: int
    characters: int
    kind: str
    input: Literal["text", "html"]
    meta: dict[str, Any]


class SummarizeResponse(BaseModel):
    sentences: list[SentenceOut]
    method: str
    title: str | None
    elapsed_ms: float
    settings: dict[str, Any]
    document: DocumentInfo
    text: str | None = Field(None, description="The story text (html input, or include_text).")


class ErrorResponse(BaseModel):
    error: str
    status: int


# ----------------------------------------------------------------------------- errors


def error_response(status: int, message: str, **extra: Any) -> JSONResponse:
    """The one error shape: {"error": message, "status": code, ...}."""
    return JSONResponse({"error": message, "status": status, **extra}, status_code=status)


def _validation_message(errors: list[dict[str, Any]]) -> str:
    parts = []
    for err in errors[:5]:
        if err.get("type") == "json_invalid":
            return "malformed JSON body: " + str((err.get("ctx") or {}).get("error", "invalid"))
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "invalid request: " + "; ".join(parts)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        # Echoing inputs back could return megabytes (and is no help): keep where and why only.
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
            for e in errors[:20]
        ]
        return error_response(422, _validation_message(errors), detail=detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = error_response(exc.status_code, str(exc.detail))
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(UsageError)
    async def _usage(request: Request, exc: UsageError) -> JSONResponse:
        return error_response(400, str(exc))

    @app.exception_handler(NewsumError)
    async def _input(request: Request, exc: NewsumError) -> JSONResponse:
        return error_response(422, str(exc))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("error while handling %s %s", request.method, request.url.path)
        if isinstance(exc, MemoryError):
            return error_response(500, "out of memory while summarizing; send a shorter story")
        return error_response(500, "internal error (the server log has the details)")


# ----------------------------------------------------------------------------- body limit


class BodyLimit:
    """ASGI middleware: refuse bodies over `max_bytes` (413) without ever holding more.

    A declared Content-Length over the limit is refused before reading; otherwise the body is
    counted as it streams in (chunked uploads included) and refused as soon as it passes the
    limit. A body that takes longer than `timeout` seconds to arrive gets 408.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float = BODY_TIMEOUT) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await self._reply(send, 400, "invalid Content-Length header")
                return
            if size > self.max_bytes:
                await self._too_large(send)
                return
        chunks: list[bytes] = []
        received = 0
        try:
            async with asyncio.timeout(self.timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    body = message.get("body", b"")
                    received += len(body)
                    if received > self.max_bytes:
                        await self._too_large(send)
                        return
                    chunks.append(body)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await self._reply(send, 408, f"request body not received within {self.timeout:g} s")
            return
        body = b"".join(chunks)
        chunks.clear()
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        mb = self.max_bytes / (1024 * 1024)
        await self._reply(send, 413, f"request body is larger than the {mb:g} MB limit")

    @staticmethod
    async def _reply(send: Send, status: int, message: str) -> None:
        response = error_response(status, message)
        response.headers["connection"] = "close"
        await send(
            {"type": "http.response.start", "status": status, "headers": response.raw_headers}
        )
        await send({"type": "http.response.body", "body": response.body})


# ----------------------------------------------------------------------------- the work


def _budget(req: SummarizeRequest) -> Budget:
    return Budget(req.sentences, req.words, req.ratio)


def _read(req: SummarizeRequest) -> Document:
    if req.html is not None:
        return load_document(req.html, format="html")
    return load_document(req.text or "", format=req.format)


def summarize_request(req: SummarizeRequest, method: Method) -> dict[str, Any]:
    """The JSON answer for one request: the library's Summary plus what the page needs."""
    doc = _read(req)
    summary: Summary = summarize_document(
        doc, method, order=req.order, redundancy=req.redundancy, budget=_budget(req)
    )
    out = summary.to_dict()
    result: dict[str, Any] = {
        "sentences": out["sentences"],
        "method": out["method"],
        "title": doc.title,
        "elapsed_ms": 0.0,
        "settings": jsonable_encoder(out["settings"]),  # method params may be paths, numpy...
        "document": {
            "sentences": len(doc),
            "characters": len(doc.text),
            "kind": doc.kind,
            "input": "html" if req.html is not None else "text",
            "meta": {k: v for k, v in doc.meta.items() if isinstance(v, str | int | float)},
        },
    }
    if req.include_text or req.html is not None:
        result["text"] = doc.text
    return result


def _method_list() -> dict[str, Any]:
    default = default_method()
    methods = []
    for name, cls in method_classes().items():
        try:
            params = cls().get_params()
        except Exception:  # a method needing arguments: list it without defaults
            params = {}
        methods.append(
            {
                "name": name,
                "description": cls.description,
                "default": name == default,
                "params": params,
            }
        )
    return {"default": default, "methods": methods}


def _warm_up() -> None:
    """Import what requests will need (numpy, trafilatura...) before the first one comes."""
    try:
        from ..html import read_html

        read_html(
            "<html><body><article><p>"
            + "The service starts and reads a page. " * 3
            + "</p></article></body></html>"
        )
    except Exception:  # HTML input will report its own error per request
        log.exception("HTML extraction failed its warm-up")
    doc = read_document("The service starts. Each method scores this story once. Then it serves.")
    for name in method_classes():
        try:
            summarize_document(doc, get_method(name), sentences=1)
        except Exception:  # a broken method must not stop the service; its requests will say
            log.exception("method %s failed its warm-up", name)


# ----------------------------------------------------------------------------- the app


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def create_app(
    timeout: float | None = None,
    max_body: int | None = None,
    threads: int | None = None,
) -> FastAPI:
    """The service. Unset settings come from NEWSUM_TIMEOUT / NEWSUM_MAX_BODY / NEWSUM_THREADS
    (so `newsum serve --workers N` can pass them to its worker processes), then the defaults.
    """
    timeout = timeout if timeout is not None else _env_float("NEWSUM_TIMEOUT", REQUEST_TIMEOUT)
    max_body = (
        max_body if max_body is not None else int(_env_float("NEWSUM_MAX_BODY", MAX_BODY_BYTES))
    )
    threads = threads or int(_env_float("NEWSUM_THREADS", min(8, (os.cpu_count() or 1) + 4)))
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="newsum")
    methods_info = _method_list()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Import each method's dependencies now (numpy...), not during the first request.
        await asyncio.get_running_loop().run_in_executor(executor, _warm_up)
        yield
        executor.shutdown(wait=False, cancel_futures=True)

    kwargs: dict[str, Any] = {
        "title": "newsum",
        "version": __version__,
        "description": "Extractive news summarization: the highlights of a story, as sentences "
        "with their character offsets. Offline; nothing is fetched.",
        "lifespan": lifespan,
    }
    try:  # API docs with Swagger UI / ReDoc assets served locally, not from a CDN
        from fastapi_offline import FastAPIOffline

        app = FastAPIOffline(static_url="/docs-static", **kwargs)
    except ImportError:  # pragma: no cover - plain FastAPI docs (their assets come from a CDN)
        app = FastAPI(**kwargs)
    app.state.timeout = timeout
    app.state.max_body = max_body
    _install_error_handlers(app)

    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorResponse, "description": why}
        for code, why in (
            (400, "Unknown method or invalid length setting"),
            (413, "Body over the size limit"),
            (422, "Malformed JSON, no story, or no text found in the story"),
            (504, "Summarizing took longer than the time limit"),
        )
    }

    @app.post(
        "/v1/summarize",
        response_model=SummarizeResponse,
        responses=errors,
        summary="Summarize one story (text or web page)",
    )
    async def summarize(req: SummarizeRequest) -> JSONResponse:
        """Highlights of one story; each sentence's `start`/`end` index into the story text."""
        started = time.perf_counter()
        try:
            method = get_method(req.method or default_method())
        except UsageError as exc:
            return error_response(
                400, str(exc), methods=[m["name"] for m in methods_info["methods"]]
            )
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(executor, summarize_request, req, method)
        try:
            result = await asyncio.wait_for(work, timeout)
        except TimeoutError:
            return error_response(
                504, f"summarizing took longer than the {timeout:g} s limit; send a shorter story"
            )
        except InputError as exc:
            return error_response(422, str(exc))
        result["elapsed_ms"] = round((time.perf_counter() - started) * 1000.0, 2)
        return JSONResponse(result)

    check_route.register(app, executor)  # POST /v1/check (newsum/server/check_route.py)

    @app.get("/v1/methods", summary="List the scoring methods")
    async def methods() -> dict[str, Any]:
        """The scoring methods, their descriptions and default settings."""
        return methods_info

    @app.get("/healthz", summary="Liveness check")
    async def healthz() -> dict[str, Any]:
        """Liveness: answers while the server is serving."""
        return {"status": "ok", "version": __version__}

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(
            STATIC_DIR / "index.html",
            headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"},
        )

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.add_middleware(BodyLimit, max_bytes=max_body)
    return app
