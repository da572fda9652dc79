"""Renderers: pure functions of a report, one module per format, loaded only when used."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

from netcheck.model import Report

_MODULES = {"text": "text", "json": "json_report", "md": "markdown", "html": "html", "junit": "junit"}
EXTENSIONS = {".json": "json", ".md": "md", ".html": "html", ".htm": "html", ".xml": "junit", ".txt": "text"}


def format_for(path: Path) -> str | None:
    """The report format a file name asks for (`--out report.html`, the TUI's export), None if none."""
    return EXTENSIONS.get(path.suffix.lower())


def no_format(path: Path) -> str:
    return f"'{path.name}' names no report format: end it in .html, .md, .xml (JUnit), .json or .txt"


def chosen_format(args: Any) -> str | None:
    """The report format the options ask for (`--json`, `--output`, `--out FILE`'s extension), "text" when
    there is no terminal for the TUI (or `--no-tui`, a fix plan, CI), None for the TUI. ValueError names
    an `--out` file whose name asks for no format. Both `netcheck` and `netcheck fleet` choose this way."""
    if args.json:
        return "json"
    if args.output:
        return str(args.output)
    if args.out is not None:
        if (fmt := format_for(args.out)) is None:
            raise ValueError(f"argument --out: {no_format(args.out)}, or give --output")
        return fmt
    if args.no_tui or getattr(args, "fix_plan", None) or not sys.stdout.isatty() or os.environ.get("CI"):
        return "text"
    return None


def render(fmt: str, report: Report, *, color: bool = False, detail: str = "") -> str:
    """`detail` (text only): "quiet" problems only, "verbose" every result with its evidence."""
    module = importlib.import_module(f"netcheck.render.{_MODULES[fmt]}")
    extra = {"detail": detail} if fmt == "text" else {}
    return str(module.render(report, color=color, **extra))
