"""The Dask engine for `newsum batch`: the same chunks and worker function, on a dask cluster.

The client (the `newsum batch` process) reads the input and sends each chunk with its task, so
only the client needs to see the input; workers need newsum installed (the same version) and
return each chunk's part body, which the client commits exactly as the local engine does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import UsageError, missing_module
from .engines import BatchError, Engine
from .sources import Chunk
from .work import process_chunk


def require_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise missing_module(exc, "the Dask engine") from None
    return distributed


def _newsum_version() -> str:
    from .. import __version__

    return __version__


def dask_engine(
    scheduler: str | None = None, workers: int = 2, in_flight: int | None = None
) -> Engine:
    """Run chunks on the cluster at `scheduler` (tcp://HOST:PORT), or on a LocalCluster of
    `workers` single-threaded processes when no scheduler is given.

    At most `in_flight` chunks (default 2 per worker thread) are on the cluster at a time, so
    client memory stays bounded; a chunk whose worker dies is retried elsewhere (twice).
    """

    def run(chunks: Iterator[Chunk], job: dict[str, Any]) -> Iterator[tuple[Chunk, list[bytes]]]:
        distributed = require_distributed()
        cluster = None
        try:
            if scheduler:
                client = distributed.Client(scheduler, set_as_default=False)
            else:
                cluster = distributed.LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                )
                client = distributed.Client(cluster, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
        pending: dict[str, Chunk] = {}
        futures: list[Any] = []
        try:
            _check_workers(client)
            limit = in_flight or max(2, 2 * sum(client.nthreads().values()))
            source = iter(chunks)
            queue = distributed.as_completed(loop=client.loop)
            exhausted = False

            def fill() -> None:
                nonlocal exhausted
                while not exhausted and len(pending) < limit:
                    chunk = next(source, None)
                    if chunk is None:
                        exhausted = True
                        return
                    key = f"newsum-chunk-{chunk.index}-{chunk.digest}"
                    fut = client.submit(process_chunk, chunk, job, key=key, retries=2, pure=False)
                    pending[fut.key] = chunk
                    futures.append(fut)
                    queue.add(fut)

            fill()
            while pending:
                fut = next(queue)
                chunk = pending.pop(fut.key)
                futures.remove(fut)
                try:
                    body = fut.result()
                except Exception as exc:
                    raise BatchError(
                        f"chunk {chunk.index} failed on the cluster ({exc!r}); finished chunks "
                        "are kept, run the same command again to continue"
                    ) from None
                fut.release()
                yield chunk, body
                fill()
        finally:
            if futures:
                client.cancel(futures)
            client.close()
            if cluster is not None:
                cluster.close()

    return run


def _check_workers(client: Any) -> None:
    """Every worker must import newsum at the client's version (same version, same output)."""
    from .. import __version__

    try:
        client.wait_for_workers(1, timeout=60)
    except Exception:
        raise UsageError("the Dask cluster has no workers (waited 60 s)") from None
    try:
        versions = client.run(_newsum_version)
    except Exception as exc:  # the worker's unpickling error, whatever its type
        raise UsageError(
            f"Dask workers cannot run newsum ({exc!r}): install newsum on every worker"
        ) from None
    other = {addr: v for addr, v in versions.items() if v != __version__}
    if other:
        addr, version = next(iter(other.items()))
        raise UsageError(
            f"Dask worker {addr} runs newsum {version}, this client {__version__}: "
            "install the same version everywhere"
        )
