"""Command-line options of the `llm` method, shared by summarize, batch, eval and serve."""

from __future__ import annotations

import argparse
from typing import Any


def add_llm_options(p: argparse.ArgumentParser, strict: bool = True) -> None:
    """--llm-url / --llm-model / --llm-context / --llm-timeout (and --strict / --fallback)."""
    g = p.add_argument_group("llm method (an OpenAI-compatible server)")
    g.add_argument(
        "--llm-url",
        default=None,
        metavar="URL",
        help="API base of the server, e.g. http://127.0.0.1:8080/v1 (default: $NEWSUM_LLM_URL); "
        "an API key is read from $NEWSUM_LLM_API_KEY",
    )
    g.add_argument(
        "--llm-model", default=None, metavar="NAME", help="model name (default: $NEWSUM_LLM_MODEL)"
    )
    g.add_argument(
        "--llm-context",
        type=int,
        default=6000,
        metavar="CHARS",
        help="at most this many characters of story sentences in the prompt; longer stories "
        "send their best-ranked sentences (default 6000)",
    )
    g.add_argument(
        "--llm-timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="seconds one request may take (default 120)",
    )
    if strict:
        g.add_argument(
            "--strict",
            action="store_true",
            help="replace a highlight the story does not support with the best story sentence",
        )
        g.add_argument(
            "--fallback",
            choices=("none", "extractive"),
            default="none",
            help="when the server is unreachable or keeps failing: 'extractive' uses the "
            "`model` method (with a warning); 'none' (default) is an error",
        )


def llm_params(args: argparse.Namespace) -> dict[str, Any]:
    """Settings for `get_method("llm", **params)` from parsed options."""
    from ..errors import UsageError

    if args.llm_context < 200:
        raise UsageError(f"--llm-context must be at least 200 characters, got {args.llm_context}")
    if args.llm_timeout <= 0:
        raise UsageError(f"--llm-timeout must be positive, got {args.llm_timeout}")
    params: dict[str, Any] = {
        "url": args.llm_url,
        "model": args.llm_model,
        "context_chars": args.llm_context,
        "timeout": args.llm_timeout,
    }
    if hasattr(args, "strict"):
        params["strict"] = args.strict
        params["fallback"] = args.fallback
    return params


def set_llm_env(args: argparse.Namespace) -> None:
    """Pass the llm options to the service's worker processes (through the environment)."""
    import os

    from . import ENV_CONTEXT, ENV_MODEL, ENV_TIMEOUT, ENV_URL

    params = llm_params(args)
    for name, key in (
        (ENV_URL, "url"),
        (ENV_MODEL, "model"),
        (ENV_CONTEXT, "context_chars"),
        (ENV_TIMEOUT, "timeout"),
    ):
        if params[key] is not None:
            os.environ[name] = str(params[key])


def method_for(name: str, args: argparse.Namespace) -> Any:
    """The method instance a command should use: `llm` gets its options, others none."""
    from ..methods.base import get_method

    if name == "llm":
        return get_method("llm", **llm_params(args))
    return get_method(name)
