"""A small pool of worker processes whose work can be stopped.

Python cannot stop a thread, so CPU work runs in processes: a job that passes its deadline has
its process killed (the work really stops) and a fresh one takes its place. Workers are forked
from a forkserver that imported and warmed newsum once, so a replacement is ready in
milliseconds. Two guarantees against stalls:

- the wait is bounded: at most `queue` jobs wait for a worker; one more is refused (Saturated,
  the service's 503) instead of piling up;
- large jobs cannot take every worker: while `reserve` workers are left, only small jobs may use
  them, so a normal request is never stuck behind several huge ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger("newsum.server")

DEFAULT_QUEUE = 64  # waiting requests; each holds its body (<= 2 MB), so memory stays bounded


class Saturated(Exception):
    """Every worker is busy and the wait queue is full."""


class WorkerCrashed(Exception):
    """The worker process died while running the job (killed by the OS, out of memory...)."""


class JobError(Exception):
    """The job raised; `kind` is its class name, `message` its text (never a traceback)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _worker_main(conn: Connection, warm: Callable[[], None] | None) -> None:
    """A worker's loop: receive (function, args), answer ("ok", result) or ("error", ...)."""
    # Ctrl-C reaches the whole process group: the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if warm is not None:
        with contextlib.suppress(Exception):
            warm()
    while True:
        try:
            func, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple = ("ok", func(*args))
        except BaseException as exc:  # the job's own error goes back as data
            if not isinstance(exc, Exception) and not isinstance(exc, MemoryError):
                raise
            if not _expected(exc):
                log.error("job failed:\n%s", "".join(traceback.format_exception(exc)))
            reply = ("error", type(exc).__name__, str(exc), _expected(exc))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


def _expected(exc: BaseException) -> bool:
    from ..errors import NewsumError

    return isinstance(exc, NewsumError)


@dataclass(eq=False)
class _Slot:
    proc: Any
    conn: Connection
    large: bool = False
    started: float = 0.0


@dataclass
class PoolStats:
    size: int
    busy: int
    large: int
    queued: int
    queue_limit: int
    replaced: int = 0
    pids: list[int] = field(default_factory=list)


class WorkerPool:
    """`size` worker processes; `await run(func, *args, deadline=..., large=...)` runs a job.

    `func` must be a module-level function (it is sent by reference). Not thread-safe: use it
    from one event loop.
    """

    def __init__(
        self,
        size: int,
        *,
        queue: int | None = None,
        reserve: int | None = None,
        warm: Callable[[], None] | None = None,
        preload: tuple[str, ...] = (),
    ) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.size = size
        self.queue_limit = queue if queue is not None else DEFAULT_QUEUE
        # With one worker there is nothing to reserve; else keep one for small jobs.
        self.reserve = min(reserve if reserve is not None else 1, size - 1)
        self._warm = warm
        self._ctx = multiprocessing.get_context(
            "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        )
        if preload and self._ctx.get_start_method() == "forkserver":
            self._ctx.set_forkserver_preload(list(preload))
        self._free: list[_Slot] = []
        self._busy: set[_Slot] = set()
        self._waiting: deque[tuple[asyncio.Future, bool]] = deque()
        self.replaced = 0
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    def _spawn(self) -> _Slot:
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(
            target=_worker_main, args=(child, self._warm), daemon=True, name="newsum-worker"
        )
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def start(self) -> None:
        """Start the workers (blocking: the first start also starts the forkserver)."""
        self._free = [self._spawn() for _ in range(self.size)]

    def close(self) -> None:
        self._closed = True
        for slot in [*self._free, *self._busy]:
            self._kill(slot)
        self._free.clear()
        self._busy.clear()
        while self._waiting:
            fut, _ = self._waiting.popleft()
            if not fut.done():
                fut.set_exception(Saturated())

    @staticmethod
    def _kill(slot: _Slot) -> None:
        with contextlib.suppress(Exception):
            slot.proc.kill()
        with contextlib.suppress(Exception):
            slot.conn.close()
        with contextlib.suppress(Exception):
            slot.proc.join(1)

    def stats(self) -> PoolStats:
        return PoolStats(
            size=self.size,
            busy=len(self._busy),
            large=sum(1 for s in self._busy if s.large),
            queued=len(self._waiting),
            queue_limit=self.queue_limit,
            replaced=self.replaced,
            pids=[s.proc.pid for s in [*self._free, *self._busy]],
        )

    @property
    def saturated(self) -> bool:
        """No worker is free for a new (small) job right now."""
        return not self._free or bool(self._waiting)

    # ------------------------------------------------------------------ scheduling

    def _may_take(self, large: bool) -> bool:
        if not self._free:
            return False
        if not large:
            return True
        large_busy = sum(1 for s in self._busy if s.large)
        return large_busy < self.size - self.reserve

    def _take(self, large: bool) -> _Slot:
        slot = self._free.pop()
        slot.large = large
        slot.started = time.monotonic()
        self._busy.add(slot)
        return slot

    def _wake(self) -> None:
        """Hand free workers to the first waiting jobs that may take them (FIFO per kind)."""
        for fut, large in list(self._waiting):
            if not self._free:
                return
            if fut.done():
                self._waiting.remove((fut, large))
            elif self._may_take(large):
                self._waiting.remove((fut, large))
                fut.set_result(self._take(large))

    async def _acquire(self, large: bool, deadline: float) -> _Slot:
        if self._closed:
            raise Saturated()
        if self._may_take(large) and not any(not lg or large for _, lg in self._waiting):
            return self._take(large)
        if len(self._waiting) >= self.queue_limit:
            raise Saturated()
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        entry = (fut, large)
        self._waiting.append(entry)
        try:
            return await asyncio.wait_for(fut, max(0.0, deadline - time.monotonic()))
        except BaseException:
            if entry in self._waiting:
                self._waiting.remove(entry)
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                self._release(fut.result())  # handed a worker just as the wait ended
            raise

    def _release(self, slot: _Slot, replace: bool = False) -> None:
        self._busy.discard(slot)
        slot.large = False
        if replace:
            self._kill(slot)
            self.replaced += 1
            if self._closed:
                return
            try:
                slot = self._spawn()
            except Exception:  # pragma: no cover - fork failed (no memory): one worker fewer
                log.exception("could not start a replacement worker")
                return
        if not self._closed:
            self._free.append(slot)
            self._wake()

    async def run(
        self, func: Callable[..., Any], *args: Any, deadline: float, large: bool = False
    ) -> Any:
        """func(*args) in a worker. Raises TimeoutError past `deadline` (time.monotonic()),
        Saturated when the queue is full, JobError when func raised, WorkerCrashed."""
        slot = await self._acquire(large, deadline)
        loop = asyncio.get_running_loop()
        replace = True
        try:
            job = (func, args)
            await loop.run_in_executor(None, slot.conn.send, job)
            readable = loop.create_future()
            fd = slot.conn.fileno()
            loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
            try:
                await asyncio.wait_for(readable, max(0.0, deadline - time.monotonic()))
            finally:
                loop.remove_reader(fd)
            try:
                reply = slot.conn.recv()
            except (EOFError, OSError):
                raise WorkerCrashed("the worker process died") from None
            replace = False
        except (BrokenPipeError, ConnectionResetError):
            raise WorkerCrashed("the worker process died") from None
        finally:
            self._release(slot, replace=replace)
        if reply[0] == "ok":
            return reply[1]
        raise JobError(reply[1], reply[2])


def default_size() -> int:
    """Workers by default: the cores, at least 2 (one is kept for small jobs), at most 4."""
    return max(2, min(4, os.cpu_count() or 1))
