"""Renderers: a Summary as plain text, JSON or markdown; and all-or-nothing output files."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import IO

from .document import Summary


def render(
    summary: Summary, fmt: str = "text", name: str | None = None, record_id: str | None = None
) -> str:
    """The summary in `fmt` ("text", "json" or "markdown"), ending with a newline."""
    if fmt == "json":
        obj = summary.to_dict()
        if record_id is not None:
            obj = {"id": record_id, **obj}
        elif name:
            obj = {"source": name, **obj}
        return json.dumps(obj, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        heading = summary.document.title or record_id or name
        lines = [f"### {heading}", ""] if heading else []
        lines += [f"- {s.text}" for s in summary.sentences]
        return "\n".join(lines) + "\n"
    if fmt == "text":
        return str(summary) + "\n"
    raise ValueError(f"unknown output format {fmt!r}")


class AtomicOutput:
    """stdout, or a file that appears only when complete (temp file renamed on success)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._tmp: str | None = None
        self._fh: IO[str] = sys.stdout
        self._keep = True

    def __enter__(self) -> AtomicOutput:
        if self.path:
            folder = os.path.dirname(os.path.abspath(self.path))
            fd, self._tmp = tempfile.mkstemp(prefix=".newsum-", dir=folder)
            follow_umask(fd)
            self._fh = os.fdopen(fd, "w", encoding="utf-8")
        return self

    def write(self, text: str) -> None:
        self._fh.write(text)

    def discard(self) -> None:
        """Leave no output file behind (nothing worth writing)."""
        self._keep = False

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self._tmp:
            self._fh.flush()
            return
        self._fh.close()
        if exc_type is None and self._keep:
            os.replace(self._tmp, self.path)
        else:
            os.unlink(self._tmp)


def follow_umask(fd: int) -> None:
    """Give a temp file (mkstemp makes it 0600) the mode a plain open() would: 0666 less umask."""
    mask = os.umask(0)
    os.umask(mask)
    os.fchmod(fd, 0o666 & ~mask)


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".newsum-", dir=folder)
    try:
        follow_umask(fd)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
