"""A real `newsum serve` process on a free loopback port, shared by the server and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx


def code_points(sentences: list[dict]) -> list[dict]:
    """API sentences without their UTF-16 offsets: comparable with the library's Summary."""
    return [{k: v for k, v in s.items() if k not in ("start16", "end16")} for s in sentences]


def extractive_methods() -> list[str]:
    """The methods a service offers without an LLM server (llm needs `serve --llm-url`)."""
    from newsum.methods.base import method_classes

    return [name for name, cls in method_classes().items() if not cls.abstractive]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`newsum serve` in a subprocess on a free loopback port; stopped by `stop()`."""

    def __init__(self, *extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [
            sys.executable,
            "-m",
            "newsum.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--no-access-log",
            "--log-level",
            "warning",
            *extra,
        ]
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"newsum serve exited: {self.proc.stdout.read()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("newsum serve did not start within 30 s")
            time.sleep(0.1)

    def alive(self) -> bool:
        return self.proc.poll() is None and httpx.get(self.url + "/healthz").status_code == 200

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.stdout.read()
