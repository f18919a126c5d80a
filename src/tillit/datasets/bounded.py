"""The import preview outside the web process, with a time and a memory limit, computed once.

A hostile or broken file (an XLSX zip bomb past the reader's own limits, a pathological CSV)
must not keep a web thread busy or grow the server's memory. The preview runs in a child
process (spawned, so it shares nothing with the server's threads) under RLIMIT_AS and a
deadline; when either is exceeded the child is killed and the preview says why. The result is
kept beside the upload, so looking at the page again costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_noop

PREVIEW_SECONDS = 30
PREVIEW_MEMORY = 1_500_000_000  # bytes of address space for the child


def _child(conn, dataset: str, path: str, mapping, n: int, memory: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        from tillit.analytics.ingest import preview

        conn.send(("ok", preview(dataset, Path(path), mapping=mapping, n=n)))
    except MemoryError:
        conn.send(("memory", None))
    finally:
        conn.close()


def _refused(message: str, params: dict):
    from tillit.analytics.ingest import FileError, Preview

    result = Preview()
    result.problems.append(FileError(message, params))
    return result


def _cache_path(path: Path, mapping, n: int) -> Path:
    key = hashlib.sha256(
        json.dumps([asdict(mapping) if mapping else None, n], sort_keys=True, default=str).encode()
    ).hexdigest()[:16]
    return path.with_name(f".{path.name}.preview-{key}")


def bounded_preview(
    dataset: str,
    path: Path,
    *,
    mapping=None,
    n: int = 20,
    seconds: float | None = None,
    memory: int | None = None,
):
    seconds = seconds or getattr(settings, "TILLIT_PREVIEW_SECONDS", PREVIEW_SECONDS)
    memory = memory or getattr(settings, "TILLIT_PREVIEW_MEMORY", PREVIEW_MEMORY)
    path = Path(path)
    cache = _cache_path(path, mapping, n)
    if cache.exists():
        try:
            return pickle.loads(cache.read_bytes())  # noqa: S301 - written by this module, 0600, in the data directory
        except Exception:  # noqa: BLE001, S110 - a broken cache is computed again
            pass
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(sender, dataset, str(path), mapping, n, memory), daemon=True
    )
    process.start()
    sender.close()
    outcome = None
    try:
        if receiver.poll(seconds):
            outcome = receiver.recv()
    except EOFError:
        outcome = (
            "memory",
            None,
        )  # the child died (killed by the kernel or out of memory) without a word
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    if outcome is None:
        result = _refused(
            gettext_noop(
                "Reading the start of the file took more than %(seconds)s seconds, so it was "
                "stopped. Nothing was imported. Save the data as CSV, or split the file."
            ),
            {"seconds": int(seconds)},
        )
    elif outcome[0] == "memory":
        result = _refused(
            gettext_noop(
                "Reading the start of the file needed more than %(mb)s MB of memory, so it "
                "was stopped. Nothing was imported. Save the data as CSV, or split the file."
            ),
            {"mb": memory // 1_000_000},
        )
    else:
        result = outcome[1]
    fd = os.open(cache, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pickle.dumps(result))
    return result
