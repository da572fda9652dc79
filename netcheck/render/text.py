"""The plain tree, in the manner of `flutter doctor`: one line per result, details for what is not pass."""

from __future__ import annotations

import json
from typing import Any

from netcheck.model import Report, Result, Verdict
from netcheck.probe import STAGES
from netcheck.redact import redact

SYMBOLS = {Verdict.PASS: "✓", Verdict.WARN: "!", Verdict.FAIL: "✗", Verdict.ERROR: "?", Verdict.SKIP: "-"}
_COLORS = {Verdict.PASS: "32", Verdict.WARN: "33", Verdict.FAIL: "31", Verdict.ERROR: "35", Verdict.SKIP: "2"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _value(v: Any) -> str:
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))


def evidence_lines(evidence: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in evidence.items():
        if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
            lines.append(f"{key}:")
            lines.extend(f"  - {', '.join(f'{k}={_value(x)}' for k, x in item.items())}" for item in value)
        else:
            lines.append(f"{key}: {_value(value)}")
    return lines


def where_line(report: Report) -> str:
    w = report.where
    if not w.in_azure:
        return "where: outside Azure (no instance metadata)"
    vnet = w.vnet_id.rsplit("/", 1)[-1] if w.vnet_id else "unknown VNet"
    return f"where: Azure VM in VNet {vnet} ({w.private_ip or 'no IP'})"


def target_line(report: Report) -> str:
    t = report.target
    if not t.workspace:
        return "target: network only (--no-azure)"
    eps = f" · endpoints {', '.join(t.endpoints)}" if t.endpoints else ""
    return f"target: workspace {t.workspace} · group {t.resource_group} · subscription {t.subscription}{eps}"


def result_line(r: Result, color: bool) -> str:
    mark = _paint(f"[{SYMBOLS[r.verdict]}]", _COLORS[r.verdict], color)
    subject = f" {_paint(r.subject, '1', color)}" if r.subject else ""
    return f"  {mark} {r.probe}{subject}: {r.summary}"


def render(report: Report, *, color: bool = False) -> str:
    data = redact(report.to_json())
    out = [f"netcheck {report.version} · {report.started}", target_line(report), where_line(report), ""]
    stage = None
    for r, raw in zip(report.results, data["results"], strict=True):
        if r.stage != stage:
            stage = r.stage
            out.append(_paint(f"stage {stage}: {STAGES.get(stage, '')}", "1", color))
        out.append(redact(result_line(r, color)))
        if r.verdict is Verdict.PASS:
            continue
        if r.cause:
            out.append(f"      cause: {r.cause}")
        out.extend(f"      {line}" for line in evidence_lines(raw["evidence"]))
        if raw["fix"]:
            out.append(f"      fix: {raw['fix']['summary']}")
            out.extend(f"        $ {c}" for c in raw["fix"]["commands"])
            if raw["fix"]["docs"]:
                out.append(f"        docs: {raw['fix']['docs']}")
    counts = " · ".join(f"{n} {v}" for v, n in report.counts.items())
    out += ["", f"{counts} → {_paint(report.verdict.value, _COLORS[report.verdict], color)}"]
    return "\n".join(out) + "\n"
