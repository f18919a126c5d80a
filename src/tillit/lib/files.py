"""Files written whole or not at all, and the clean-up of what a crash leaves behind.

`write_atomic` writes to a temporary name in the same folder (`.<name>.<pid>.tmp`, so the process
that wrote it is known), flushes it to disk and renames it into place: a reader never sees half a
file under its real name. A process killed while writing leaves only the temporary file;
`remove_leftovers` removes it at once when its writer has ended. A process killed after the rename
but before its database transaction committed leaves a whole file no row names; that is removed
once nobody has touched it for a while (it may still be committing).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Container
from pathlib import Path

_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp$")


def temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, content: bytes, mode: int = 0o600) -> None:
    """Write `content` to `path` so that `path` holds either nothing or all of it, on disk."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = temporary_name(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def writer_pid(path: Path) -> int | None:
    """The process id in a temporary name `.<name>.<pid>.tmp`; None for any other name."""
    match = _TEMPORARY.match(path.name)
    return int(match["pid"]) if match else None


def pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process with that number: alive as far as we can tell
    return True


def remove_leftovers(root: Path, known: Container[str], *, untouched_for: float) -> int:
    """Remove, under `root`, temporary files whose writer has ended (or that nobody has touched for
    `untouched_for` seconds), and files whose path relative to `root` is not in `known` and that
    nobody has touched for that long. Returns how many were removed."""
    if not root.is_dir():
        return 0
    cutoff = time.time() - untouched_for
    removed = 0
    for path in root.rglob("*"):
        try:
            if not path.is_file():
                continue
            old = path.stat().st_mtime < cutoff
        except FileNotFoundError:
            continue  # removed meanwhile
        pid = writer_pid(path)
        if pid is not None:
            # this process's own temporary files are work in progress until they are old
            leftover = old or (pid != os.getpid() and not pid_running(pid))
        else:
            leftover = old and path.relative_to(root).as_posix() not in known
        if leftover:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
