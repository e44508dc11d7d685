"""Errors a user can act on: the CLI prints them as one line and exits 2."""


class NewsumError(Exception):
    """Base class for errors newsum reports without a traceback."""


class InputError(NewsumError, ValueError):
    """The input cannot be summarized (empty, binary, not UTF-8, malformed record, ...)."""


class UsageError(NewsumError, ValueError):
    """A setting is invalid (unknown method, negative length, ...)."""


# The hint for a missing dependency: they all come with newsum itself, except training's.
REINSTALL = "reinstall newsum with its dependencies (`pip install .` in its folder)"


def missing_module(exc: ImportError, needed_by: str, hint: str = REINSTALL) -> UsageError:
    """A UsageError naming the module an import could not find (it may be a dependency of a
    dependency, or one a package re-raised as a plain ImportError, as lxml does for
    lxml_html_clean); any other ImportError (a broken install) is re-raised as it is.

    Use as `except ImportError as exc: raise missing_module(exc, "HTML input") from None`.
    """
    cause: BaseException | None = exc
    while cause is not None and not (isinstance(cause, ModuleNotFoundError) and cause.name):
        cause = cause.__cause__ or cause.__context__
    if cause is None:
        raise exc
    return UsageError(
        f"{needed_by} needs the Python module {cause.name!r}, which is not installed: {hint}"
    )
