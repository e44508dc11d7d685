"""`newsum serve`: the HTTP API and the web page, served by uvicorn."""

from __future__ import annotations

import argparse
import os

from ..llm.options import add_llm_options


def add_parser(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve",
        parents=[parent],
        help="serve the HTTP API and the web page",
        description="Serve POST /v1/summarize, GET /v1/methods, GET /healthz, GET /readyz, "
        "the API docs (/docs) and the web page (/) with uvicorn. Everything is served locally.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument(
        "--workers", type=int, default=1, metavar="N", help="worker processes (default 1)"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="time limit in seconds for one request's summarizing (default 10)",
    )
    p.add_argument(
        "--max-body",
        type=int,
        default=None,
        metavar="BYTES",
        help="largest request body accepted (default 2097152, 2 MB)",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help="summarizing worker processes per server worker (default: cores, 2 to 4); "
        "a request over --timeout has its process killed and replaced",
    )
    p.add_argument(
        "--queue",
        type=int,
        default=None,
        metavar="N",
        help="requests that may wait for a summarizing process (default 64); more get 503",
    )
    p.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="server log level (default info)",
    )
    p.add_argument(
        "--no-access-log", dest="access_log", action="store_false", help="do not log each request"
    )
    add_llm_options(p, strict=False)  # the llm method is offered when --llm-url is given


def _check_port(host: str, port: int) -> None:
    """Fail with one clear line when the address cannot be bound (rather than a log dump)."""
    import socket

    from ..errors import UsageError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror})") from None


def run(args: argparse.Namespace) -> int:
    from ..errors import UsageError, missing_module
    from ..llm.options import set_llm_env

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}")
    if args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError(f"--timeout must be positive, got {args.timeout}")
    if args.max_body is not None and args.max_body < 1:
        raise UsageError(f"--max-body must be positive, got {args.max_body}")
    if args.threads is not None and args.threads < 1:
        raise UsageError(f"--threads must be at least 1, got {args.threads}")
    if args.queue is not None and args.queue < 1:
        raise UsageError(f"--queue must be at least 1, got {args.queue}")
    try:
        import uvicorn
    except ImportError as exc:
        raise missing_module(exc, "`newsum serve`") from None
    # Settings reach the app (in every worker process) through the environment.
    for name, value in (
        ("NEWSUM_TIMEOUT", args.timeout),
        ("NEWSUM_MAX_BODY", args.max_body),
        ("NEWSUM_THREADS", args.threads),
        ("NEWSUM_QUEUE", args.queue),
    ):
        if value is not None:
            os.environ[name] = str(value)
    set_llm_env(args)
    _check_port(args.host, args.port)
    uvicorn.run(
        "newsum.server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=args.access_log,
        timeout_graceful_shutdown=5,
    )
    return 0
