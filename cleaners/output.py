"""Safe output: atomic writes, and never onto an input file."""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from cleaners.errors import OutputError


def check_not_input(out: str | Path | None, inputs) -> None:
    """Refuse an output path that names one of the inputs."""
    if out is None or str(out) == "-":
        return
    target = Path(out).resolve()
    for given in inputs:
        if str(given) == "-":
            continue
        if Path(given).resolve() == target:
            raise OutputError(f"{out}: is also an input; refusing to overwrite it (choose another -o)")


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path``; rename it over ``path`` only if the block succeeds."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        raise OutputError(f"{path}: folder {path.parent} does not exist")
    if path.is_dir():
        raise OutputError(f"{path}: is a folder, expected a file name")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path | None, text: str) -> None:
    """Write ``text`` to ``path`` atomically, or to stdout when ``path`` is ``None`` or ``-``."""
    if path is None or str(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: str | Path | None, data: bytes) -> None:
    if path is None or str(path) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
