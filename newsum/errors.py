"""Errors a user can act on: the CLI prints them as one line and exits 2."""


class NewsumError(Exception):
    """Base class for errors newsum reports without a traceback."""


class InputError(NewsumError, ValueError):
    """The input cannot be summarized (empty, binary, not UTF-8, malformed record, ...)."""


class UsageError(NewsumError, ValueError):
    """A setting is invalid (unknown method, negative length, ...)."""
