"""A function run in a forked child while the caller goes on (two cores: `natoeu qa` runs its
queries while its SHACL validation runs beside them).

The child gets the parent's objects copy-on-write, so the function may use them up; its result
(or the exception it raised) comes back pickled. A child that passes its deadline, or whose
result nobody wants any more, is killed (pipeline.reason.budget bounds reasoning so).
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")


_IN_CHILD = False


def in_child() -> bool:
    """Whether this process is a Forked child: its objects are copies the function may use up."""
    return _IN_CHILD


def _child(fn: Callable[..., Any], args: tuple[Any, ...], conn: Connection) -> None:
    global _IN_CHILD
    _IN_CHILD = True
    try:
        outcome: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # re-raised in the parent
        outcome = (False, exc)
    try:
        conn.send(outcome)
    except Exception as exc:  # an exception that does not pickle: its words at least
        conn.send((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]}"
                                       if not outcome[0] else f"unpicklable result: {exc}")))
    conn.close()


class Forked(Generic[T]):
    """``fn(*args)`` under way in a forked child; ``result()`` waits for it."""

    def __init__(self, fn: Callable[..., T], *args: Any) -> None:
        self._value: tuple[bool, Any] | None = None
        ctx = multiprocessing.get_context("fork")
        for stream in (sys.stdout, sys.stderr):  # else the child could write them out again
            stream.flush()
        self._conn, child = ctx.Pipe(duplex=False)
        self._proc: Any = ctx.Process(target=_child, args=(fn, args, child), daemon=True)
        self._proc.start()
        child.close()

    def result(self, timeout: float | None = None) -> T:
        """The function's result, or what it raised; TimeoutError (the child killed) if it has
        not answered within ``timeout`` seconds."""
        if self._value is None:
            try:
                if timeout is not None and not self._conn.poll(timeout):
                    raise TimeoutError(f"no answer within {timeout:g} s")
                self._value = self._conn.recv()
            except EOFError:  # killed (out of memory, a signal)
                self._value = (False, RuntimeError("a forked worker stopped without answering"))
            finally:
                self.cancel()
        ok, value = self._value
        if not ok:
            raise value
        return cast(T, value)

    def cancel(self) -> None:
        """Stop the child if it still runs (the caller gave up on the result)."""
        if self._proc is None:
            return
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()
        self._conn.close()
        self._proc = None
