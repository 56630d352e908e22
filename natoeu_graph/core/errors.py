"""The library's error hierarchy. Only the CLI turns these into messages and exit codes."""

from __future__ import annotations


class NatoeuError(Exception):
    """Base class. ``hint`` tells the user what to do next."""

    exit_code = 4

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(NatoeuError):
    """Bad arguments: unknown query, malformed parameter, bad SPARQL text."""

    exit_code = 2


class InputError(NatoeuError):
    """An input file cannot be read or parsed. The message names the file and line."""

    exit_code = 3

    def __init__(
        self, path: str, line: int | None, reason: str, hint: str | None = None
    ) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}", hint)
        self.path = path
        self.line = line
        self.reason = reason


class RemoteError(NatoeuError):
    """A remote engine (an endpoint, or a SERVICE a query calls) failed or cannot be reached."""

    exit_code = 3


class NotConformingError(NatoeuError):
    """The graph does not conform to the shapes, or a check query returned rows."""

    exit_code = 1

    def __init__(self, message: str, report: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.report = report


class ReasoningBudgetError(NatoeuError):
    """Reasoning exceeded its time or size budget."""

    exit_code = 1


class ToolMissingError(NatoeuError):
    """An external program the command needs (e.g. Graphviz `dot`) is not installed.

    Not a bug of natoeu (exit 4) but something the machine lacks: exit 3, like an unreadable
    input, with a hint that says how to install it."""

    exit_code = 3
