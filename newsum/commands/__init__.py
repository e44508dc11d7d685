"""Subcommands of the `newsum` command, one module each (`add_parser(sub, parent)` and `run(args)`).

Modules here import only argparse-level code at top level, so `newsum --help` stays fast.
"""

COMMANDS = ["summarize", "methods", "eval", "score", "check", "train", "serve", "batch"]
