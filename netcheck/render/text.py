"""The plain tree, in the manner of `flutter doctor`: one line per result, details for what is not pass."""

from __future__ import annotations

from netcheck.model import Report
from netcheck.render.common import SYMBOLS, data, evidence_tables, stage_name, target_text, where_text

_COLORS = {"pass": "32", "warn": "33", "fail": "31", "error": "35", "skip": "2"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def render(report: Report, *, color: bool = False) -> str:
    d = data(report)   # redacted, control characters replaced: names can't drive the terminal
    out = [f"netcheck {d['netcheck']} · {d['started']}", f"target: {target_text(d)}", f"where: {where_text(d)}", ""]
    stage = None
    for r in d["results"]:
        if r["stage"] != stage:
            stage = r["stage"]
            out.append(_paint(stage_name(stage).lower(), "1", color))
        mark = _paint(f"[{SYMBOLS[r['verdict']]}]", _COLORS[r["verdict"]], color)
        subject = f" {_paint(r['subject'], '1', color)}" if r["subject"] else ""
        out.append(f"  {mark} {r['probe']}{subject}: {r['summary']}")
        if r["verdict"] == "pass":
            continue
        if r["cause"]:
            out.append(f"      cause: {r['cause']}")
        rows, tables = evidence_tables(r["evidence"])
        out.extend(f"      {k}: {v}" for k, v in rows)
        for name, cols, body in tables:
            out.append(f"      {name}:")
            out.extend("        - " + ", ".join(f"{c}={v}" for c, v in zip(cols, row, strict=True)) for row in body)
        if r["fix"]:
            out.append(f"      fix: {r['fix']['summary']}")
            out.extend(f"        $ {c}" for c in r["fix"]["commands"])
            if r["fix"]["docs"]:
                out.append(f"        docs: {r['fix']['docs']}")
    counts = " · ".join(f"{n} {v}" for v, n in d["counts"].items())
    out += ["", f"{counts} → {_paint(d['verdict'], _COLORS[d['verdict']], color)}"]
    return "\n".join(out) + "\n"
