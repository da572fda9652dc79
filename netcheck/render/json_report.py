"""`--json`: the report as JSON (schema netcheck.report/1, shipped as netcheck/report.schema.json)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from netcheck.model import Report
from netcheck.redact import redact


def render(report: Report, *, color: bool = False) -> str:
    return json.dumps(redact(report.to_json()), indent=2, ensure_ascii=False) + "\n"


def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("netcheck").joinpath("report.schema.json").read_text())
    return data
