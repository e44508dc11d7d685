"""`newsum batch`: summarize a whole corpus into one record per story; streaming and resumable."""

from __future__ import annotations

import argparse
import os
import sys

from ..llm.options import add_llm_options
from .summarize import add_length_options, length_settings


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def add_parser(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "batch",
        parents=[parent],
        help="summarize a corpus (JSONL, a folder of stories, Parquet) into JSONL or Parquet",
        description="Summarize every story of INPUT (JSONL or JSONL.gz records, a directory of "
        ".txt/.story/.html files, or Parquet) into OUTPUT (.jsonl, .jsonl.gz or .parquet), one "
        "record {id, summary, indices, method} per input record, in input order. Records that "
        "fail go to OUTPUT.errors.jsonl (exit code 1). An interrupted run continues where it "
        "stopped when the same command is run again. OUTPUT appears only when complete.",
    )
    p.add_argument("input", metavar="INPUT", help="JSONL(.gz) file, directory, or .parquet file")
    p.add_argument("output", metavar="OUTPUT", help=".jsonl, .jsonl.gz or .parquet file")
    p.add_argument("--method", "-m", default=None, help="scoring method (see `newsum methods`)")
    add_length_options(p)
    p.add_argument(
        "--workers",
        "-j",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: the available cores)",
    )
    p.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local processes (default) or a Dask distributed cluster",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default with --engine dask: "
        "a local cluster of --workers processes)",
    )
    p.add_argument("--id-field", default="id", help="record field (or column) holding the id")
    p.add_argument(
        "--text-field", default="article", help="record field (or column) holding the story"
    )
    p.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        metavar="N",
        help="records per unit of work and of resumption (default 500)",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="replace an OUTPUT left by a finished run"
    )
    p.add_argument(
        "--restart",
        action="store_true",
        help="discard an unfinished run (OUTPUT.parts) instead of continuing it",
    )
    p.add_argument(
        "--quiet", "-q", action="store_true", help="no progress bar and no closing summary line"
    )
    add_llm_options(p, strict=True)
    p.add_argument(
        "--llm-concurrency",
        type=int,
        default=4,
        metavar="N",
        help="llm method: at most N requests to the server at once (default 4)",
    )


def run(args: argparse.Namespace) -> int:
    import signal

    from ..batch import DEFAULT_CHUNK_SIZE, Interrupted, local_engine, run_batch
    from ..errors import UsageError
    from ..llm.options import llm_params
    from ..progress import Progress

    workers = args.workers if args.workers is not None else _cores()
    if workers < 1:
        raise UsageError(f"--workers must be at least 1, got {workers}")
    if args.llm_concurrency < 1:
        raise UsageError(f"--llm-concurrency must be at least 1, got {args.llm_concurrency}")
    params = llm_params(args) if args.method == "llm" else None
    if params and args.engine != "dask":
        workers = 1  # llm requests wait on the server: threads, at most --llm-concurrency
    if args.scheduler and args.engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    if args.engine == "dask":
        from ..batch.dask_engine import dask_engine, require_distributed

        require_distributed()
        engine = dask_engine(args.scheduler, workers)
    else:
        engine = local_engine(workers)

    def log(message: str) -> None:
        if not args.quiet:
            print(f"newsum: {message}", file=sys.stderr)

    def on_term(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    previous = signal.signal(signal.SIGTERM, on_term)
    progress = Progress(None, "batch", sys.stderr, enabled=False if args.quiet else None)
    try:
        result = run_batch(
            args.input,
            args.output,
            method=args.method,
            length=length_settings(args),
            engine=engine,
            chunk_size=DEFAULT_CHUNK_SIZE if args.chunk_size is None else args.chunk_size,
            id_field=args.id_field,
            text_field=args.text_field,
            overwrite=args.overwrite,
            restart=args.restart,
            progress=progress,
            log=log,
            params=params,
            concurrency=args.llm_concurrency,
        )
    except KeyboardInterrupt as exc:
        progress.close()
        progress.enabled = False
        signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        print(
            "newsum: interrupted; finished chunks are kept in "
            f"{args.output}.parts, run the same command again to continue",
            file=sys.stderr,
        )
        if workers > 1 and args.engine != "dask":
            _leave(128 + signum)
        return 128 + signum
    finally:
        progress.close()
        signal.signal(signal.SIGTERM, previous)
    rate = result.new_records / result.seconds if result.seconds else 0.0
    failed = f", {result.errors:,} failed (see {result.errors_file})" if result.errors else ""
    resumed = f", {result.resumed_chunks} chunks resumed" if result.resumed_chunks else ""
    log(
        f"{result.records:,} summaries -> {result.output}{failed}{resumed} "
        f"in {result.seconds:.1f} s ({rate:,.0f} stories/s)"
    )
    return 1 if result.errors else 0


def _leave(code: int) -> None:
    """Exit now, without the interpreter's shutdown.

    The interrupted run killed its worker processes; one killed while writing its result leaves
    the pool's result pipe half-written, and the pool's manager thread then waits on it forever,
    so a normal exit (which joins that thread) would hang (about 1 run in 80 under
    `tools/stress_batch_interrupt.py`). Every output file is already closed or removed here.
    """
    import multiprocessing.util

    # What a normal exit does first: release the pool's named semaphores (finalizers of
    # priority 0 and up; those below join the pool's threads), else the resource tracker warns
    # of leaked semaphores on stderr.
    multiprocessing.util._run_finalizers(0)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
