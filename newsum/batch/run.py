"""The run: lock, manifest, resume, engine, assemble.

OUTPUT.parts is created with its manifest (method, effective settings, fields, chunk size,
input) inside; a rerun with the same settings continues it, recomputing exactly the chunks
without a part, after checking each committed chunk's digest against the input.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import UsageError
from ..files import _umask
from ..progress import Progress
from ..readers import read_document
from .engines import Engine, local_engine
from .output import (
    assemble,
    check_part,
    commit_part,
    committed_parts,
    discard_part,
    errors_path,
    output_format,
    parts_path,
)
from .sources import Chunk, Source, iter_chunks, open_source, require_pyarrow

DEFAULT_CHUNK_SIZE = 500
MANIFEST = "manifest.json"
_FORMAT_VERSION = 1


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; `signum` says which (exit code 128 + signum)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass(slots=True)
class BatchResult:
    """What a finished run did: records written, errors, chunks and how many were resumed."""

    output: str
    records: int = 0
    errors: int = 0
    chunks: int = 0
    resumed_chunks: int = 0
    new_records: int = 0
    seconds: float = 0.0

    @property
    def errors_file(self) -> str:
        return errors_path(self.output)


def _lock(path: str, output: str) -> int:
    """An exclusive lock (flock) on `path`, held until the process ends or the fd is closed."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, one run per OUTPUT is up to the user
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise UsageError(f"another `newsum batch` is writing {output}") from None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # the lock file was replaced while we waited: take the new one


def _manifest(
    source: Source, job: dict[str, Any], settings: dict[str, Any], chunk_size: int
) -> dict[str, Any]:
    from .. import __version__

    return {
        "format": _FORMAT_VERSION,
        "newsum": __version__,
        "input": source.describe(),
        "method": job["method"],
        "settings": settings,
        "id_field": job["id_field"],
        "text_field": job["text_field"],
        "chunk_size": chunk_size,
    }


_COMPARED = ("format", "newsum", "method", "settings", "id_field", "text_field", "chunk_size")


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    diffs = [k for k in _COMPARED if old.get(k) != new.get(k)]
    o_in, n_in = old.get("input", {}), new.get("input", {})
    diffs += [f"input {k}" for k in ("path", "kind") if o_in.get(k) != n_in.get(k)]
    return diffs


def _remove_stale(output: str) -> None:
    folder = os.path.dirname(os.path.abspath(output))
    base = glob.escape(os.path.basename(output))
    for path in glob.glob(os.path.join(folder, f".{base}.tmp-*")):
        with contextlib.suppress(OSError):
            os.unlink(path)
    for path in glob.glob(os.path.join(folder, f".{base}.parts-*")):
        shutil.rmtree(path, ignore_errors=True)


def _start_parts(output: str, manifest: dict[str, Any]) -> None:
    """Create OUTPUT.parts atomically with its manifest inside (so it never exists without)."""
    folder = os.path.dirname(os.path.abspath(output))
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(output)}.parts-new-", dir=folder)
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it 0700; a plain mkdir follows the umask
    with open(os.path.join(tmp, MANIFEST), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.rename(tmp, parts_path(output))


def run_batch(
    input: str,
    output: str,
    *,
    method: str | None = None,
    length: dict[str, Any] | None = None,
    engine: Engine | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    id_field: str = "id",
    text_field: str = "article",
    overwrite: bool = False,
    restart: bool = False,
    progress: Progress | None = None,
    log: Callable[[str], None] | None = None,
    params: dict[str, Any] | None = None,
    concurrency: int = 4,
) -> BatchResult:
    """Summarize every record of `input` into `output`, resuming an interrupted run.

    `length` takes summarize_document's keywords (sentences, words, ratio, order, redundancy);
    `engine` defaults to in-process. `params` are the method's settings (the llm method's
    server and model); an abstractive method sends at most `concurrency` requests at once
    from each running chunk. Raises UsageError/InputError before any work for bad
    settings, an unreadable input, an existing OUTPUT (unless `overwrite`) or an unfinished run
    with other settings (unless `restart`, which discards it).
    """
    from ..budget import Budget
    from ..methods.base import get_method
    from ..summarizer import default_method, summarize_document

    started = time.monotonic()
    log = log or (lambda message: None)
    if chunk_size < 1:
        raise UsageError(f"chunk size must be at least 1, got {chunk_size}")
    length = dict(length or {})
    if concurrency < 1:
        raise UsageError(f"concurrency must be at least 1, got {concurrency}")
    scorer = get_method(method or default_method(), **(params or {}))
    # The settings a summary reports are the effective ones (defaults resolved): the manifest's.
    if scorer.abstractive:  # asking its server for a probe would cost a request: list them
        length_only = {k: length.get(k) for k in ("sentences", "words", "ratio")}
        probe_settings = {**Budget(**length_only).to_dict(), "params": scorer.get_params()}
    else:
        probe_settings = summarize_document(
            read_document("Check the settings once."), scorer, **length
        ).settings
    settings = json.loads(json.dumps(probe_settings, default=repr, sort_keys=True))
    job = {"method": scorer.name, "length": length, "id_field": id_field, "text_field": text_field}
    if params:
        job["params"] = params
    if scorer.abstractive:
        job["concurrency"] = concurrency

    folder = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(folder):
        raise UsageError(f"{output}: its folder {folder} does not exist")
    if os.path.isdir(output):
        raise UsageError(f"{output}: is a directory; give an output file name")
    if os.path.abspath(output) == os.path.abspath(input):
        raise UsageError("the output would overwrite the input")
    if output_format(output) == "parquet":
        require_pyarrow()
    source = open_source(input, id_field, text_field)
    manifest = _manifest(source, job, settings, chunk_size)

    lock_path = os.path.join(folder, f".{os.path.basename(output)}.lock")
    lock_fd = _lock(lock_path, output)
    try:
        _remove_stale(output)
        parts = parts_path(output)
        if os.path.isdir(parts) and restart:
            shutil.rmtree(parts)
        if os.path.isdir(parts):
            try:
                with open(os.path.join(parts, MANIFEST), encoding="utf-8") as fh:
                    old = json.load(fh)
            except (OSError, ValueError):
                old = {}
            diffs = _differences(old, manifest)
            if diffs:
                raise UsageError(
                    f"{parts} holds an unfinished run with other settings ({', '.join(diffs)}); "
                    "rerun with the same settings to continue it, or pass --restart to discard it"
                )
        else:
            if os.path.exists(output):
                if not overwrite:
                    raise UsageError(
                        f"{output} already exists (a finished run); pass --overwrite to redo it"
                    )
                os.unlink(output)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(errors_path(output))
            _start_parts(output, manifest)
        done = committed_parts(parts)
        result = BatchResult(output)
        if done:
            log(f"resuming the unfinished run in {parts}: {len(done)} chunks already done")
        _process(source, chunk_size, parts, done, job, engine, progress, result, log)
        result.records, result.errors = assemble(parts, result.chunks, output)
        trash = tempfile.mkdtemp(prefix=f".{os.path.basename(output)}.parts-done-", dir=folder)
        os.replace(parts, os.path.join(trash, "parts"))
        shutil.rmtree(trash, ignore_errors=True)
    finally:
        if not os.path.isdir(parts_path(output)):  # nothing to resume: no lock file left behind
            with contextlib.suppress(OSError):
                os.unlink(lock_path)
        os.close(lock_fd)
    result.seconds = time.monotonic() - started
    return result


def _process(
    source: Source,
    chunk_size: int,
    parts: str,
    done: set[int],
    job: dict[str, Any],
    engine: Engine | None,
    progress: Progress | None,
    result: BatchResult,
    log: Callable[[str], None],
) -> None:
    total = source.total() if progress is not None and progress.enabled else None
    counted = {"read": 0, "resumed": 0}

    def remaining() -> int | None:
        """Records left to summarize: known, or estimated from how much input was read."""
        estimate = total
        if estimate is None:
            share = source.fraction()
            if not share or share < 0.001:
                return None
            estimate = max(int(counted["read"] / share), counted["read"])
        return estimate - counted["resumed"]

    def pending() -> Iterator[Chunk]:
        for chunk in iter_chunks(source, chunk_size):
            result.chunks = chunk.index + 1
            counted["read"] += len(chunk.items)
            if chunk.index in done:
                header, why = check_part(parts, chunk.index)
                if header is not None and header["records"] != len(chunk.items):
                    header, why = None, "its record count is not the chunk's"
                if header is None:  # never joined: recomputed from its input
                    log(f"part {chunk.index} of {parts} does not verify ({why}); recomputing it")
                    discard_part(parts, chunk.index)
                    yield chunk
                    continue
                if header["digest"] != chunk.digest:
                    raise UsageError(
                        f"the input changed since the unfinished run in {parts} "
                        f"(chunk {chunk.index} differs); pass --restart to start over"
                    )
                result.resumed_chunks += 1
                counted["resumed"] += len(chunk.items)
                continue
            yield chunk

    run = engine or local_engine(1)
    with contextlib.closing(run(pending(), job)) as finished:
        for chunk, body in finished:
            commit_part(parts, chunk, body)
            result.new_records += len(chunk.items)
            if progress is not None:
                progress.total = remaining()
                progress.update(len(chunk.items))
    if progress is not None:
        progress.total = result.new_records
