"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import UsageError


def write_output(path: Path, data: bytes) -> None:
    """``write_bytes`` for a file the user asked for: a failure is theirs to fix (UsageError).

    A symbolic link stays a link: the file it points to is replaced. A device or a pipe
    (``-o /dev/stdout``) is written to, not replaced: an atomic rename would put a regular
    file where the device was (run as root, ``-o /dev/full`` replaced the device and said
    it had written the output).
    """
    try:
        if path.exists() and not path.is_file():  # followed through any link
            if path.is_dir():
                raise UsageError(f"{path}: is a folder", hint="Name a file to write.")
            with open(path, "wb") as fh:  # a device or a pipe
                fh.write(data)
            return
        target = Path(os.path.realpath(path)) if path.is_symlink() else path
        if target != path and not target.parent.is_dir():
            raise UsageError(f"{path}: a symbolic link to {target}, whose folder does not "
                             "exist", hint="Point the link at a file in an existing folder, or "
                             "write to another path.")
        write_bytes(target, data)
    except BrokenPipeError:  # `-o /dev/stdout | head`: the reader left, as on stdout
        raise
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror or exc}",
                         hint="Check that the folder is writable and the disk has room; "
                         "the file there (if any) is unchanged.") from None


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; match what open() would give
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
