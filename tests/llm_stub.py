"""A small local stand-in for an OpenAI-compatible server, for the `llm` method's error cases.

Each test gives a `reply(body) -> (status, payload, delay)` function; the server records every
request (body and headers) so tests can look at what newsum sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], tuple[int, Any, float]]


def chat_answer(content: str | None, **message: Any) -> dict[str, Any]:
    """A chat completion whose first choice says `content`."""
    return {
        "id": "stub",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, **message}}],
    }


def highlights(*items: tuple[str, list[int]]) -> dict[str, Any]:
    """A chat completion answering with highlights as JSON: (text, cited numbers)."""
    body = {"highlights": [{"text": t, "sources": s} for t, s in items]}
    return chat_answer(json.dumps(body))


@contextmanager
def stub_server(reply: Reply) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(API base URL, list of received requests) while the server runs."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            seen.append({"path": self.path, "body": body, "headers": dict(self.headers)})
            status, payload, delay = reply(body)
            if delay:
                time.sleep(delay)
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client gave up (timeout tests)
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    finally:
        server.shutdown()
        server.server_close()
