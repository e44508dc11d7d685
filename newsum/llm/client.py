"""A small client for OpenAI-compatible chat completion servers (Ollama, llama.cpp, vLLM, ...).

Standard library only. The API key is sent as a bearer token and never appears in a message,
a repr or a log line. Transient failures (connection errors, timeouts, 429 and 5xx) are retried
with exponential backoff; anything else is an `LLMError` at once.
"""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from . import (  # re-exported: the errors and settings belong to the package
    ENV_KEY,
    ENV_MODEL,
    ENV_URL,
    FormatRejected,
    LLMError,
    LLMUnavailable,
)

_RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
_MAX_ANSWER = 4 * 1024 * 1024  # bytes: an answer bigger than this is not a list of highlights


@dataclass(slots=True)
class LLMClient:
    """Chat completions at `url` (the API base, e.g. http://127.0.0.1:8080/v1) with `model`.

    `timeout` bounds the whole request (connect, wait and read); `connect_timeout` the
    connection alone; `retries` is how many times a transient failure is retried.
    """

    url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 120.0
    connect_timeout: float = 5.0
    retries: int = 2
    backoff: float = 1.0

    def __post_init__(self) -> None:
        if not self.url.lower().startswith(("http://", "https://")):
            raise LLMError(f"LLM server URL must start with http:// or https://, not {self.url!r}")
        self.url = self.url.rstrip("/")
        if self.url.endswith("/chat/completions"):
            self.url = self.url[: -len("/chat/completions")]

    @property
    def endpoint(self) -> str:
        return self.url + "/chat/completions"

    def chat(self, messages: list[dict[str, str]], **options: Any) -> str:
        """The text of the first choice of a chat completion.

        Connection errors, timeouts, 429/5xx, non-JSON and empty answers are retried with
        backoff, then raised as LLMUnavailable; other failures are LLMError at once.
        """
        body: dict[str, Any] = {"model": self.model, "messages": messages, **options}
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                return _first_choice_text(self._post(body))
            except _Transient as exc:
                problem = str(exc)
        raise LLMUnavailable(problem)

    # ------------------------------------------------------------------------- transport

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body`; the connection must open within `connect_timeout`, and the whole
        answer (the server generates before it sends headers) arrive within `timeout`."""
        where = f"LLM server {self.url}"
        data = json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        parts = urllib.parse.urlsplit(self.endpoint)
        conn_cls = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        conn = conn_cls(parts.hostname or "", parts.port, timeout=self.connect_timeout)
        deadline = time.monotonic() + self.timeout
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            try:
                conn.connect()
            except TimeoutError:
                raise _Transient(
                    f"{where} did not accept a connection within {self.connect_timeout:g} s"
                ) from None
            sock = conn.sock  # kept: the connection lets go of it once the answer has come
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            conn.request("POST", path, body=data, headers=headers)
            resp = conn.getresponse()
            raw = _read_bounded(resp, deadline, sock)
            status = resp.status
        except TimeoutError:
            raise _Transient(f"{where} did not answer within {self.timeout:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            raise _Transient(f"{where} is unreachable ({_reason(exc)})") from None
        finally:
            conn.close()
        if status >= 400:
            _raise_for_status(where, status, raw, "response_format" in body)
        try:
            answer = json.loads(raw)
        except ValueError:
            raise _Transient(f"{where} answered with something that is not JSON") from None
        if not isinstance(answer, dict):
            raise _Transient(f"{where} answered with JSON that is not an object")
        return answer


def _raise_for_status(where: str, status: int, raw: bytes, asked_format: bool) -> None:
    detail = _error_detail(raw)
    if asked_format and "response_format" in detail:
        raise FormatRejected(f"{where} rejected the response format{detail}")
    if status in _RETRY_STATUS:
        raise _Transient(f"{where} answered HTTP {status}{detail}")
    if status in (401, 403):
        raise LLMError(f"{where} refused the request (HTTP {status}: check the API key)")
    raise LLMError(f"{where} answered HTTP {status}{detail}")


class _Transient(Exception):
    """A failure worth retrying."""


def client_from_env(
    url: str | None = None, model: str | None = None, api_key: str | None = None, **kw: Any
) -> LLMClient:
    """A client from the arguments, else NEWSUM_LLM_URL / NEWSUM_LLM_MODEL / NEWSUM_LLM_API_KEY."""
    url = url or os.environ.get(ENV_URL)
    model = model or os.environ.get(ENV_MODEL)
    if not url:
        raise LLMError(f"the llm method needs a server: give --llm-url or set {ENV_URL}")
    if not model:
        raise LLMError(f"the llm method needs a model name: give --llm-model or set {ENV_MODEL}")
    return LLMClient(url, model, api_key or os.environ.get(ENV_KEY) or None, **kw)


def _first_choice_text(answer: dict[str, Any]) -> str:
    if "error" in answer and not answer.get("choices"):
        err = answer["error"]
        msg = err.get("message") if isinstance(err, dict) else err
        raise _Transient(f"the LLM server reported an error: {' '.join(str(msg).split())[:200]}")
    choices = answer.get("choices")
    if not isinstance(choices, list) or not choices:
        raise _Transient("the LLM server answered with no choices")
    first = choices[0] if isinstance(choices[0], dict) else {}
    message = first.get("message") if isinstance(first.get("message"), dict) else {}
    content = message.get("content")
    if content is None:
        content = first.get("text")  # completions-style servers
    if isinstance(content, list):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    if not isinstance(content, str) or not content.strip():
        refusal = message.get("refusal")
        if refusal:
            raise LLMError(f"the model refused: {' '.join(str(refusal).split())[:200]}")
        raise _Transient("the LLM server answered with an empty message")
    return content


def _read_bounded(resp: http.client.HTTPResponse, deadline: float, sock: Any) -> bytes:
    chunks, size = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        chunk = resp.read1(65536) if hasattr(resp, "read1") else resp.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > _MAX_ANSWER:
            raise _Transient("the LLM server's answer is larger than 4 MB")
        chunks.append(chunk)


def _error_detail(raw: bytes) -> str:
    try:
        obj = json.loads(raw[:4096].decode("utf-8", "replace"))
    except ValueError:
        return ""
    err = obj.get("error", obj.get("detail", obj)) if isinstance(obj, dict) else obj
    msg = err.get("message") if isinstance(err, dict) else err
    return f": {' '.join(str(msg).split())[:200]}" if msg else ""


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
