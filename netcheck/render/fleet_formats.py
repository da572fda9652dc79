"""One entry point for the fleet's outputs, as render.render() is for a single report's: the format a
name asks for (`text`, `md`, `html`, `junit`; the same names and file endings as the single report's),
each renderer loaded only when used. `--json` is the fleet's own JSON (FleetReport.to_json, redacted)."""

from __future__ import annotations

import importlib

from netcheck.fleetmodel import FleetReport

MODULES = {"text": "fleet_text", "md": "fleet_markdown", "html": "fleet_html", "junit": "fleet_junit"}


def render_fleet(fmt: str, fleet: FleetReport, *, color: bool = False) -> str:
    """`color` (text only): ANSI colours, when the caller's terminal takes them; NO_COLOR always wins."""
    module = importlib.import_module(f"netcheck.render.{MODULES[fmt]}")
    return str(module.render(fleet, color=color))
