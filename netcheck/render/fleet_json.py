"""`netcheck fleet --json`: the fleet as JSON (schema netcheck.fleet/1, shipped as netcheck/fleet.schema.json),
written as the single report's JSON is: secrets redacted, valid UTF-8, invisible characters escaped."""

from __future__ import annotations

from netcheck.fleetmodel import FleetReport
from netcheck.render.json_report import dumps


def render(fleet: FleetReport, *, color: bool = False) -> str:
    return dumps(fleet.to_json())
