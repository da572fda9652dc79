"""Renderers: pure functions of a report, one module per format, loaded only when used."""

from __future__ import annotations

import importlib

from netcheck.model import Report

_MODULES = {"text": "text", "json": "json_report", "md": "markdown", "html": "html", "junit": "junit"}


def render(fmt: str, report: Report, *, color: bool = False) -> str:
    module = importlib.import_module(f"netcheck.render.{_MODULES[fmt]}")
    return str(module.render(report, color=color))
