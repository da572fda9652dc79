"""Copying a fix: the desktop's clipboard when there is one, else the terminal's (OSC 52), else a file.

A terminal that cannot take OSC 52 drops it silently, so we say when we know it will: tmux ignores it
from programs unless `set-clipboard on` (its default is `external`), GNU screen and the Linux console
don't know it, and TERM=dumb is no terminal at all. Then the text goes to a file whose path is shown.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from netcheck.output import write_report

_NO_OSC52_TERMS = ("dumb", "linux", "cons25", "vt100", "vt220")


def osc52_blocked(env: Mapping[str, str] | None = None) -> str | None:
    """Why this terminal will not take OSC 52, or None when it should."""
    env = os.environ if env is None else env
    term = env.get("TERM", "")
    if not term or term in _NO_OSC52_TERMS:
        return f"the terminal (TERM={term or 'unset'}) cannot take the clipboard"
    if env.get("TMUX"):
        setting = _tmux_set_clipboard(env)
        if setting != "on":
            return (f"tmux ignores the clipboard escape from programs (set-clipboard is {setting or 'unknown'}; "
                    "`set -g set-clipboard on` allows it)")
    if env.get("STY"):
        return "GNU screen does not pass the clipboard escape on"
    return None


def _tmux_set_clipboard(env: Mapping[str, str]) -> str | None:
    if shutil.which("tmux") is None:
        return None
    try:
        done = subprocess.run(["tmux", "show-options", "-gv", "set-clipboard"], capture_output=True, text=True,
                              timeout=3, env=dict(env))
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def system_clipboard(text: str) -> bool:
    """The desktop's clipboard, through the first tool that takes it (none over SSH, usually)."""
    for tool in (["wl-copy"], ["xclip", "-selection", "clipboard"], ["xsel", "-b", "-i"], ["pbcopy"]):
        if shutil.which(tool[0]):
            try:
                subprocess.run(tool, input=text.encode(), timeout=3, check=True, capture_output=True)
                return True
            except (OSError, subprocess.SubprocessError):
                continue
    return False


def save(text: str, name: str) -> Path:
    """Write `text` to `name` in the current directory (else the temporary one), with the umask's mode."""
    for folder in (Path.cwd(), Path(tempfile.gettempdir())):
        path = folder / name
        try:
            write_report(path, text)
            return path.resolve()
        except OSError:
            continue
    raise OSError(f"cannot write {name} here or in {tempfile.gettempdir()}")
