"""`newsum methods`: list the available methods, one line each."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    sub.add_parser("methods", parents=[parent], help="list the available methods")


def run(args: argparse.Namespace) -> int:
    from ..methods.base import method_classes
    from ..summarizer import default_method

    default = default_method()
    classes = method_classes()
    width = max(len(n) for n in classes)
    for name, cls in classes.items():
        mark = " (default)" if name == default else ""
        if cls.abstractive:  # needs a server: say whether one is configured
            method = cls()
            mark += (
                f" [configured: {method.model} at {method.url}]"
                if method.configured
                else " [not configured: set NEWSUM_LLM_URL and NEWSUM_LLM_MODEL]"
            )
        print(f"{name:<{width}}  {cls.description}{mark}")
    return 0
