"""A persistent Oxigraph store on disk: what a path holds, and switching a new build in.

A build never writes where the user pointed. It fills a store in a staging folder beside the
target, then swaps the two folders with one ``renameat2(RENAME_EXCHANGE)`` (or one rename when
the target does not exist yet), so a kill at any moment leaves either the previous store or the
new one at the target, whole. Staging folders left by a killed build are removed by the next
build, under a lock so that two builds never remove each other's. A path that holds anything
other than a natoeu store is never opened for writing.
"""

from __future__ import annotations

import contextlib
import ctypes
import enum
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import UsageError

KEY_GRAPH = "urn:natoeu:cache"
KEY_PREDICATE = KEY_GRAPH + ":key"
_STAGING = ".natoeu-staging-"
_SENTINEL = "NATOEU-STAGING"  # only folders holding this file are ours to remove
_RENAME_EXCHANGE = 2


class Holds(enum.Enum):
    NOTHING = "nothing"  # absent, or an empty folder
    NATOEU = "a natoeu store"
    OTHER = "something else"


@dataclass(frozen=True)
class Content:
    holds: Holds
    key: str | None = None  # the cache key of the graph a natoeu store holds


def location(path: Path) -> Path:
    """Where a store named ``path`` lives: a symbolic link's target (built and switched there,
    the link kept). Swapping the link itself replaced it with a folder and left its target
    stale. A link whose target's folder does not exist is refused."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if not target.parent.is_dir():
        raise UsageError(f"{path}: a symbolic link to {target}, whose folder does not exist",
                         hint="Create that folder, point the link at a store or an empty "
                         "folder, or name another path.")
    return target


def marker(key: str) -> Any:
    """The quad that says which graph (by cache key) a store holds."""
    import pyoxigraph as ox

    return ox.Quad(ox.NamedNode(KEY_GRAPH), ox.NamedNode(KEY_PREDICATE), ox.Literal(key),
                   ox.NamedNode(KEY_GRAPH))


def inspect(path: Path) -> Content:
    """What ``path`` holds, read without writing to it."""
    import pyoxigraph as ox

    if not path.exists():
        return Content(Holds.NOTHING)
    if not path.is_dir():
        return Content(Holds.OTHER)
    if not any(path.iterdir()):
        return Content(Holds.NOTHING)
    if not (path / "CURRENT").is_file():  # RocksDB's own file: not a store at all
        return Content(Holds.OTHER)
    try:
        key = key_of(ox.Store.read_only(str(path)))  # closed on return, before any swap
    except OSError:
        return Content(Holds.OTHER)
    return Content(Holds.OTHER) if key is None else Content(Holds.NATOEU, key)


def key_of(store: Any) -> str | None:
    """The cache key an open natoeu store was built for, or None."""
    import pyoxigraph as ox

    keys = [str(getattr(q.object, "value", "")) for q in store.quads_for_pattern(
        ox.NamedNode(KEY_GRAPH), ox.NamedNode(KEY_PREDICATE), None, ox.NamedNode(KEY_GRAPH))]
    return keys[0] if len(keys) == 1 else None


def refuse(path: Path, content: Content, key: str | None = None) -> None:
    """Raise unless ``path`` holds nothing or a natoeu store (of the graph of ``key``, when
    given: a rebuild may replace a store of any key, a query may not)."""
    if content.holds is Holds.OTHER:
        raise UsageError(f"{path}: not a natoeu store, left untouched",
                         hint="Choose a new path or an empty folder for the store.")
    if content.holds is Holds.NATOEU and key is not None and content.key != key:
        raise UsageError(
            f"{path}: the store holds the graph of other inputs (another --home, or data "
            "changed since it was built); it was left untouched",
            hint=f"Rebuild it with `natoeu load --store oxigraph:{path}` (with the same --home), "
            "or query another path.")


def _exchange(a: Path, b: Path) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd = -100
    if libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b),
                      _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), str(b))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the parent folder's lock (flock on the folder itself: no lock file left behind)."""
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"{path}: another natoeu command is building a store in "
                             f"{path.parent}", hint="Wait for it to finish, then run this "
                             "again.") from None
        yield
    finally:
        os.close(fd)


def _cannot(path: Path, exc: OSError) -> UsageError:
    """A store that cannot be written where the user asked: what the machine lacks."""
    text = str(exc)
    reason = ("the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT)
              or "No space left" in text else
              "the folder is read-only" if exc.errno == errno.EROFS
              or "Read-only file system" in text else
              "permission denied" if exc.errno in (errno.EACCES, errno.EPERM)
              or "Permission denied" in text else
              (exc.strerror or text.splitlines()[0] if text else type(exc).__name__))
    return UsageError(f"{path}: cannot build the store there: {reason}",
                      hint="Free some space or choose a folder you may write to; the store "
                      "there (if any) is unchanged.")


def writable(path: Path) -> None:
    """Raise the error ``replace`` would give if ``path``'s folder cannot be written: before
    minutes of work, not after them."""
    folder = path.absolute().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot(path, exc) from None
    if not os.access(folder, os.W_OK):
        code = errno.EROFS if os.statvfs(folder).f_flag & os.ST_RDONLY else errno.EACCES
        raise _cannot(path, OSError(code, os.strerror(code), str(folder)))


def _sweep(path: Path) -> None:
    """Remove staging folders that killed builds of ``path`` left behind (under the lock: no
    build is under way): those marked as such, and empty ones (a build killed between making
    its folder and marking it)."""
    for leftover in path.parent.glob(f".{path.name}{_STAGING}*"):
        if (leftover / _SENTINEL).is_file():
            _remove_staging(leftover)
        else:
            with contextlib.suppress(OSError):  # only if empty: never anything else's files
                leftover.rmdir()


def _remove_staging(staging: Path) -> None:
    """Its contents first, its mark last: a kill on the way leaves a folder still marked, which
    the next build sweeps."""
    for entry in staging.iterdir() if staging.is_dir() else ():
        if entry.name != _SENTINEL:
            shutil.rmtree(entry, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def replace(path: Path, fill: Callable[[Path], None],
            unless: Callable[[], bool] | None = None,
            then: Callable[[], None] | None = None) -> None:
    """Build a store with ``fill(folder)`` beside ``path`` and switch it in at once.

    ``path`` must hold nothing or a natoeu store; the caller decided that (``refuse``) and it is
    checked again under the lock, in case another command changed it meanwhile. ``unless``,
    asked under the lock too: nothing to do (another command did it meanwhile); ``then``, run
    under the lock once the new store is in place (what records it).
    """
    shown = path
    path = location(path).absolute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot(shown, exc) from None
    with _locked(path):
        if unless is not None and unless():
            return
        refuse(path, inspect(path))
        _sweep(path)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{path.name}{_STAGING}", dir=path.parent))
        except OSError as exc:
            raise _cannot(shown, exc) from None
        try:
            (staging / _SENTINEL).write_text("a natoeu store being built; safe to delete\n")
            built = staging / "store"
            fill(built)
            _fsync_dir(built)
        except OSError as exc:  # a full disk, most likely: nothing half-built is left
            shutil.rmtree(staging, ignore_errors=True)
            raise _cannot(shown, exc) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if path.exists():
            try:
                _exchange(built, path)
            except (OSError, AttributeError) as exc:
                if isinstance(exc, OSError) and exc.errno not in (errno.ENOSYS, errno.EINVAL):
                    raise
                # no atomic exchange here (not Linux, or the file system lacks it): move the
                # old store into staging first; a kill between the renames leaves it there
                os.rename(path, staging / "previous")
                os.rename(built, path)
        else:
            os.rename(built, path)
        _fsync_dir(path.parent)
        _remove_staging(staging)
        if then is not None:
            then()
