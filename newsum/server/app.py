"""The FastAPI app: `POST /v1/summarize` (and `/v1/summarize/batch`, `/v1/check`),
`GET /v1/methods`, `/healthz`, `/readyz`, the page.

This module only adds HTTP concerns to the library's path (newsum.server.work): a body-size
limit while the body streams in (limits.BodyLimit), security headers on every answer, a time
limit per request enforced by killing the worker process doing it (newsum.server.pool), a
bounded wait queue (503 when full) and JSON errors that never carry a traceback.
"""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import NewsumError, UsageError
from ..summarizer import default_method
from . import batch_route, check_route
from .limits import (
    LARGE_STORY,
    MAX_BODY_BYTES,
    REQUEST_TIMEOUT,
    BodyLimit,
    SecurityHeaders,
    env_float,
    error_response,
)
from .pool import JobError, Saturated, WorkerCrashed, WorkerPool, default_size
from .schemas import ErrorResponse, HealthResponse, SummarizeRequest, SummarizeResponse
from .work import method_list, summarize_request, warm_up

log = logging.getLogger("newsum.server")

STATIC_DIR = Path(__file__).parent / "static"
# The HTTP status of each error newsum raises on purpose (the message is meant for the client).
_JOB_ERRORS = {"UsageError": 400, "InputError": 422, "NewsumError": 422}


async def answer(
    pool: WorkerPool,
    what: str,
    limit: float,
    large: bool,
    started: float,
    func: Any,
    *args: Any,
    smaller: str = "a shorter story",
) -> JSONResponse:
    """func(*args) in a worker as the JSON answer (with `elapsed_ms`), or the error answer:
    504 past `limit` seconds (the worker is stopped; the message says to send `smaller`), 503
    when saturated, 4xx for newsum's own errors, 500 for anything else."""
    try:
        result = await pool.run(func, *args, deadline=time.monotonic() + limit, large=large)
    except TimeoutError:
        return error_response(504, f"{what} took longer than the {limit:g} s limit; send {smaller}")
    except Saturated:
        response = error_response(503, "the server is busy (every worker and the queue)")
        response.headers["Retry-After"] = "1"
        return response
    except JobError as exc:  # the work raised in its worker: only newsum's errors are shown
        return _job_error(exc)
    except WorkerCrashed:
        log.error("a worker process died while %s; it was replaced", what)
        return error_response(500, "internal error (the worker stopped; it was replaced)")
    result["elapsed_ms"] = round((time.perf_counter() - started) * 1000.0, 2)
    return JSONResponse(result)


def unknown_method(method: str, names: list[str]) -> JSONResponse:
    """The 400 answer for a method the service does not offer, naming those it does."""
    return error_response(
        400, f"unknown method {method!r} (available: {', '.join(names)})", methods=names
    )


def _job_error(exc: JobError) -> JSONResponse:
    if exc.kind in _JOB_ERRORS:
        return error_response(_JOB_ERRORS[exc.kind], exc.message)
    if exc.kind == "MemoryError":
        return error_response(500, "out of memory while summarizing; send a shorter story")
    return error_response(500, "internal error (the server log has the details)")


# ----------------------------------------------------------------------------- errors


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
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            # FastAPI's answer when json.loads itself fails (RecursionError on deep nesting).
            return error_response(422, "malformed JSON body: nested too deeply or unreadable")
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


# ----------------------------------------------------------------------------- local API docs


@lru_cache(maxsize=1)
def _redoc_js() -> bytes:
    """fastapi-offline's ReDoc bundle with its one remote asset (a logo on a CDN) made local."""
    import fastapi_offline

    path = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
    return path.read_bytes().replace(
        b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"/static/favicon.svg"
    )


def _make_fastapi(kwargs: dict[str, Any]) -> FastAPI:
    """FastAPI with Swagger UI and ReDoc whose every asset is served by this server."""
    try:
        from fastapi_offline import FastAPIOffline
    except ImportError:  # pragma: no cover - no API docs rather than docs loading a CDN
        return FastAPI(docs_url=None, redoc_url=None, **kwargs)
    from fastapi.openapi.docs import get_redoc_html

    app = FastAPIOffline(
        static_url="/docs-static",
        redoc_url=None,
        swagger_ui_parameters={"validatorUrl": None},  # no badge from validator.swagger.io
        **kwargs,
    )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> Response:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="newsum - ReDoc",
            redoc_js_url="/docs-local/redoc.standalone.js",
            redoc_favicon_url="/static/favicon.svg",
            with_google_fonts=False,
        )

    @app.get("/docs-local/redoc.standalone.js", include_in_schema=False)
    async def redoc_js() -> Response:
        return Response(await run_in_threadpool(_redoc_js), media_type="text/javascript")

    return app


# ----------------------------------------------------------------------------- the app


def create_app(
    timeout: float | None = None,
    max_body: int | None = None,
    threads: int | None = None,
    queue: int | None = None,
    work: Any = None,
) -> FastAPI:
    """The service. Unset settings come from NEWSUM_TIMEOUT / NEWSUM_MAX_BODY / NEWSUM_THREADS /
    NEWSUM_QUEUE (so `newsum serve --workers N` can pass them to its worker processes), then the
    defaults. `threads` is the number of summarizing worker processes (the name is kept from
    when they were threads); `work` replaces summarize_request (a module-level function; tests).
    """
    timeout = timeout if timeout is not None else env_float("NEWSUM_TIMEOUT", REQUEST_TIMEOUT)
    max_body = (
        max_body if max_body is not None else int(env_float("NEWSUM_MAX_BODY", MAX_BODY_BYTES))
    )
    size = threads or int(env_float("NEWSUM_THREADS", default_size()))
    queue = queue if queue is not None else int(env_float("NEWSUM_QUEUE", 0)) or None
    work = work or summarize_request
    pool = WorkerPool(size, queue=queue, warm=warm_up, preload=("newsum.server.warm",))
    methods_info = method_list()
    method_names = [m["name"] for m in methods_info["methods"]]
    # An llm request waits on its server (up to two turns) before it is checked.
    slow = {
        m["name"]: 2 * m["params"]["timeout"] for m in methods_info["methods"] if m["abstractive"]
    }

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Workers start warm (numpy, the model, trafilatura loaded) before the first request.
        await run_in_threadpool(pool.start)
        yield
        pool.close()

    app = _make_fastapi(
        {
            "title": "newsum",
            "version": __version__,
            "description": "Extractive news summarization: the highlights of a story, as "
            "sentences with their offsets (code points, and UTF-16 code units as "
            "`start16`/`end16`). Offline; nothing is fetched.",
            "lifespan": lifespan,
        }
    )
    app.state.timeout = timeout
    app.state.max_body = max_body
    app.state.pool = pool
    _install_error_handlers(app)

    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorResponse, "description": why}
        for code, why in (
            (400, "Unknown method or invalid length setting"),
            (413, "Body over the size limit"),
            (422, "Malformed JSON, no story, or no text found in the story"),
            (503, "Every worker is busy and the wait queue is full; retry later"),
            (504, "The request took longer than the time limit (its work was stopped)"),
        )
    }

    @app.post(
        "/v1/summarize",
        response_model=SummarizeResponse,
        responses=errors,
        summary="Summarize one story (text or web page)",
    )
    async def summarize(req: SummarizeRequest) -> JSONResponse:
        """Highlights of one story; each sentence's `start`/`end` index into the story text in
        code points, `start16`/`end16` in UTF-16 code units."""
        started = time.perf_counter()
        limit = timeout + slow.get(req.method or "", 0.0)
        method = req.method or default_method()
        if method not in method_names:
            return unknown_method(method, method_names)
        large = len(req.text if req.text is not None else req.html or "") > LARGE_STORY
        return await answer(pool, "summarizing", limit, large, started, work, req, method)

    check_route.register(app)  # POST /v1/check (newsum/server/check_route.py)
    app.state.method_names = method_names
    app.state.abstractive = set(slow)
    batch_route.register(app)  # POST /v1/summarize/batch (newsum/server/batch_route.py)

    def _health(status: str) -> dict[str, Any]:
        s = pool.stats()
        return {
            "status": status,
            "version": __version__,
            "workers": s.size,
            "busy": s.busy,
            "queued": s.queued,
            "queue_limit": s.queue_limit,
            "replaced": s.replaced,
        }

    @app.get("/v1/methods", summary="List the scoring methods")
    async def methods() -> dict[str, Any]:
        """The scoring methods, their descriptions and default settings."""
        return methods_info

    @app.get("/healthz", summary="Liveness check", response_model=HealthResponse)
    async def healthz() -> dict[str, Any]:
        """Liveness: 200 while the server is serving, with the workers' load."""
        return _health("ok")

    @app.get(
        "/readyz",
        summary="Readiness check",
        response_model=HealthResponse,
        responses={503: {"model": HealthResponse, "description": "Every worker is busy"}},
    )
    async def readyz() -> JSONResponse:
        """Readiness: 200 when a worker is free for a new request, 503 when saturated."""
        if pool.saturated:
            return JSONResponse(_health("saturated"), status_code=503)
        return JSONResponse(_health("ready"))

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    app.add_middleware(BodyLimit, max_bytes=max_body)
    # Outermost, around Starlette's own error middleware too: even a crash's 500 has the headers.
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build())  # type: ignore[method-assign]
    return app
