"""What every report format shares: a redacted, control-character-free view of the report."""

from __future__ import annotations

import json
import re
from typing import Any

from netcheck.model import Report
from netcheck.probe import STAGES
from netcheck.redact import redact

# One mark per verdict for the plain tree, the HTML report and the TUI (Markdown uses emoji instead).
SYMBOLS = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "skip": "-"}

# C0 controls (ANSI escapes among them) and DEL: invalid in XML, and a terminal hazard anywhere else.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub("?", value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def data(report: Report) -> dict[str, Any]:
    """The report as JSON data, with secrets redacted and control characters replaced."""
    out: dict[str, Any] = clean(redact(report.to_json()))
    return out


def text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def evidence_tables(evidence: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, list[str], list[list[str]]]]]:
    """Plain key/value rows, and tables for lists of records (DNS answers per name, connections...)."""
    rows: list[tuple[str, str]] = []
    tables: list[tuple[str, list[str], list[list[str]]]] = []
    for key, value in evidence.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            cols = list(dict.fromkeys(k for v in value for k in v))
            tables.append((key, cols, [[text(v.get(c, "")) for c in cols] for v in value]))
        else:
            rows.append((key, text(value)))
    return rows, tables


def root_causes(d: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in d["results"] if r["verdict"] == "fail" and not r["cause"]]


def stage_name(stage: int) -> str:
    return f"Stage {stage}: {STAGES.get(stage, '')}"


def where_text(d: dict[str, Any]) -> str:
    w = d["where"]
    if not w["in_azure"]:
        return "outside Azure"
    vm, vnet = (text(w[k] or "?").rsplit("/", 1)[-1] for k in ("vm_id", "vnet_id"))
    return f"Azure VM {vm} in VNet {vnet} ({w['private_ip']})"


def target_text(d: dict[str, Any]) -> str:
    t = d["target"]
    if not t["workspace"]:
        return "network only (--no-azure)"
    eps = f", endpoints {', '.join(t['endpoints'])}" if t["endpoints"] else ""
    return f"workspace {t['workspace']} in {t['resource_group']} ({t['subscription']}, {t['cloud']}){eps}"
