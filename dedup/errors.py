"""Errors raised by the library.

Every error subclasses :class:`DedupError` and the matching built-in, so callers can
catch either. The CLI turns them into one-line messages and exit code 1.
"""

from __future__ import annotations


class DedupError(Exception):
    """Base class of every error this library raises on purpose."""


class InputError(DedupError, ValueError):
    """Input that cannot be read: names the file and, where it has one, the line.

    >>> str(InputError("bad JSON", path="a.jsonl", line=3))
    'a.jsonl:3: bad JSON'
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        self.reason = message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


class ParameterError(DedupError, ValueError):
    """A parameter outside its documented bounds; the message says the bound."""


class MissingDependency(DedupError, ImportError):
    """An optional feature whose package is not installed; the message says exactly
    what to ``pip install``.

    >>> str(MissingDependency("reading Parquet", "pyarrow", extra="parquet"))
    "reading Parquet needs pyarrow: pip install 'dedup[parquet]'"
    """

    def __init__(self, feature: str, package: str, *, extra: str, detail: str = ""):
        self.feature = feature
        self.package = package
        self.extra = extra
        message = f"{feature} needs {package}: pip install 'dedup[{extra}]'"
        super().__init__(message + (f" ({detail})" if detail else ""))
