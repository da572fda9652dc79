"""One entry point for the fleet's outputs, as render.render() is for a single report's: the format a
name asks for (`text`, `json`, `md`, `html`, `junit`: the single report's names and file endings), each
renderer loaded only when used."""

from __future__ import annotations

import importlib

from netcheck.fleetmodel import FleetReport

MODULES = {"text": "fleet_text", "json": "fleet_json", "md": "fleet_markdown", "html": "fleet_html",
           "junit": "fleet_junit"}


def render_fleet(fmt: str, fleet: FleetReport, *, color: bool = False) -> str:
    """`color` (text only): ANSI colours, when the caller's terminal takes them; NO_COLOR always wins."""
    module = importlib.import_module(f"netcheck.render.{MODULES[fmt]}")
    return str(module.render(fleet, color=color))
