"""Where a report goes: a file written whole or not at all, or a stream in whatever encoding it has."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import TextIO


def _umask() -> int:
    mask = os.umask(0)   # the only way to read it is to set it; put it straight back
    os.umask(mask)
    return mask


def write_report(path: Path, text: str) -> None:
    """Write a report file with the umask's mode (0644 under 022), like any other tool's output.

    A regular file (or a new one) is written beside it and renamed over it, so an interrupted run leaves
    no half-written report. Anything else at the path (/dev/null, /dev/stdout, a FIFO, a symlink) is
    written in place, through the path, and never replaced: renaming over it would turn it into a file.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(path, "w", encoding="utf-8") as f:   # follows a symlink; a device or FIFO stays one
            f.write(text)
        return
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes 0600; a report is not a secret (nothing secret is in it) and is shared
        mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask()
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_stream(stream: TextIO, text: str, fmt: str) -> None:
    """Write to stdout whatever its encoding: what it can't encode is escaped, never a crash after the run.
    JSON is re-encoded with \\u escapes, so it stays valid JSON on an ASCII stream."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        if fmt == "json":
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=True) + "\n"
        else:
            text = text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:
        pass
    stream.write(text)
    stream.flush()
