"""Engines map `process_chunk` over chunks, yielding (chunk, part body) as chunks finish.

`local_engine` runs them in this process or in spawned worker processes; the Dask engine is in
`newsum.batch.dask_engine`. An engine is any callable `(chunks, job) -> iterator of (chunk,
part lines)`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from typing import Any

from ..errors import NewsumError
from .sources import Chunk
from .work import process_chunk

Engine = Callable[[Iterator[Chunk], dict[str, Any]], Iterator[tuple[Chunk, list[bytes]]]]


class BatchError(NewsumError):
    """The run cannot go on (a worker died, the cluster went away); committed chunks are kept."""


def _worker_init(parent: int) -> None:
    """Worker processes leave SIGINT/SIGTERM to the parent and exit if the parent disappears."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def watch() -> None:
        while True:
            time.sleep(0.25)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def local_engine(workers: int, in_flight: int | None = None) -> Engine:
    """Run chunks in this process (workers=1) or in `workers` spawned processes.

    At most `in_flight` chunks (default 2 per worker) are submitted and not yet collected, so
    memory stays bounded whatever the input size.
    """

    def run(chunks: Iterator[Chunk], job: dict[str, Any]) -> Iterator[tuple[Chunk, list[bytes]]]:
        if workers <= 1:
            for chunk in chunks:
                yield chunk, process_chunk(chunk, job)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        limit = in_flight or 2 * workers
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
        pending: dict[Any, Chunk] = {}
        clean = False
        try:
            source = iter(chunks)
            exhausted = False
            while True:
                while not exhausted and len(pending) < limit:
                    chunk = next(source, None)
                    if chunk is None:
                        exhausted = True
                        break
                    pending[pool.submit(process_chunk, chunk, job)] = chunk
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=lambda f: pending[f].index):
                    chunk = pending.pop(fut)
                    try:
                        body = fut.result()
                    except BrokenProcessPool:
                        raise BatchError(
                            "a worker process died (out of memory?); finished chunks are kept, "
                            "run the same command again to continue"
                        ) from None
                    yield chunk, body
            clean = True
        finally:
            if clean:
                pool.shutdown(wait=True)
            else:  # interrupted or failed: stop the workers now, the chunks will be redone
                for proc in list((getattr(pool, "_processes", None) or {}).values()):
                    with contextlib.suppress(Exception):
                        proc.kill()
                pool.shutdown(wait=False, cancel_futures=True)

    return run
