"""The service's limits and protective middleware: body size and time, security headers.

Defaults can be changed per server (`newsum serve` options, `create_app` arguments or the
NEWSUM_* environment variables that carry them to uvicorn's worker processes).
"""

from __future__ import annotations

import asyncio
import os

from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 2 * 1024 * 1024  # 2 MB: larger bodies get 413 before they are read in full
REQUEST_TIMEOUT = 10.0  # seconds per request, queueing included (504 after that, work stopped)
BODY_TIMEOUT = 30.0  # seconds a client has to send its whole body (408 after that)
LARGE_STORY = 64 * 1024  # characters: a story over this may not take the last free worker

# The page loads nothing from elsewhere; this header makes the browser hold it to that.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# Swagger UI and ReDoc start from an inline script; still nothing from another host.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# JSON answers and assets are never documents to render.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def error_response(status: int, message: str, **extra: object) -> JSONResponse:
    """The one error shape: {"error": message, "status": code, ...}."""
    return JSONResponse({"error": message, "status": status, **extra}, status_code=status)


class SecurityHeaders:
    """ASGI middleware: security headers on every response (errors and 404s included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path == "/":
            csp = PAGE_CSP
        elif path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
            csp = DOCS_CSP
        else:
            csp = API_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Cross-Origin-Resource-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                headers["Content-Security-Policy"] = csp
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
