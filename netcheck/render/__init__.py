"""Renderers: pure functions of a report, one module per format, loaded only when used."""

from __future__ import annotations

import importlib
from pathlib import Path

from netcheck.model import Report

_MODULES = {"text": "text", "json": "json_report", "md": "markdown", "html": "html", "junit": "junit"}
EXTENSIONS = {".json": "json", ".md": "md", ".html": "html", ".htm": "html", ".xml": "junit", ".txt": "text"}


def format_for(path: Path) -> str | None:
    """The report format a file name asks for (`--out report.html`, the TUI's export), None if none."""
    return EXTENSIONS.get(path.suffix.lower())


def no_format(path: Path) -> str:
    return f"'{path.name}' names no report format: end it in .html, .md, .xml (JUnit), .json or .txt"


def render(fmt: str, report: Report, *, color: bool = False, detail: str = "") -> str:
    """`detail` (text only): "quiet" problems only, "verbose" every result with its evidence."""
    module = importlib.import_module(f"netcheck.render.{_MODULES[fmt]}")
    extra = {"detail": detail} if fmt == "text" else {}
    return str(module.render(report, color=color, **extra))
