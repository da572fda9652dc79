"""Markdown for a GitHub or Azure DevOps ticket: tables for evidence, fixes in fenced blocks."""

from __future__ import annotations

from typing import Any

from netcheck.model import Report
from netcheck.render.common import data, evidence_tables, root_causes, stage_name, target_text, where_text

ICONS = {"pass": "✅", "warn": "⚠️", "fail": "❌", "error": "❓", "skip": "⏭️"}


def cell(value: str) -> str:
    """A table cell that can't break the table: pipes escaped, newlines as <br>, HTML inert."""
    return (value.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "").replace("\n", "<br>"))


def inline(value: str) -> str:
    return value.replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")


def _fence(lines: list[str]) -> list[str]:
    body = "\n".join(lines)
    fence = "```"
    while fence in body:
        fence += "`"
    return [f"{fence}sh", body, fence]


def _result(r: dict[str, Any]) -> list[str]:
    subject = f" `{inline(r['subject'])}`" if r["subject"] else ""
    out = [f"#### {ICONS[r['verdict']]} {r['verdict']}: `{r['probe']}`{subject}", "", inline(r["summary"]), ""]
    if r["cause"]:
        out += [f"Caused by `{inline(r['cause'])}`.", ""]
    rows, tables = evidence_tables(r["evidence"])
    if rows:
        out += ["| evidence | value |", "|---|---|", *(f"| {cell(k)} | {cell(v)} |" for k, v in rows), ""]
    for name, cols, body in tables:
        out += [f"**{inline(name)}**", "", "| " + " | ".join(cell(c) for c in cols) + " |",
                "|" + "---|" * len(cols), *("| " + " | ".join(cell(v) for v in row) + " |" for row in body), ""]
    if r["fix"]:
        out += [f"**Fix:** {inline(r['fix']['summary'])}", ""]
        if r["fix"]["commands"]:
            out += [*_fence(r["fix"]["commands"]), ""]
        if r["fix"]["docs"]:
            out += [f"Docs: <{r['fix']['docs']}>", ""]
    return out


def render(report: Report, *, color: bool = False) -> str:
    d = data(report)
    counts = " · ".join(f"{n} {v}" for v, n in d["counts"].items())
    out = [f"# netcheck: {ICONS[d['verdict']]} {d['verdict']}", "",
           f"- **Target:** {inline(target_text(d))}", f"- **Where it ran:** {inline(where_text(d))}",
           f"- **When:** {d['started']} ({d['duration_ms']} ms), netcheck {d['netcheck']}", f"- **Results:** {counts}", ""]
    causes = root_causes(d)
    if causes:
        out += ["## Root causes", ""]
        for r in causes:
            out += _result(r)
    stage = None
    for r in d["results"]:
        if r["stage"] != stage:
            stage = r["stage"]
            out += [f"## {stage_name(stage)}", "", "| | probe | subject | summary |", "|---|---|---|---|"]
            out += [f"| {ICONS[x['verdict']]} | `{x['probe']}` | {cell(x['subject'])} | {cell(x['summary'])} |"
                    for x in d["results"] if x["stage"] == stage]
            out.append("")
            for x in d["results"]:
                if x["stage"] == stage and x["verdict"] not in ("pass",) and x not in causes:
                    out += _result(x)
    return "\n".join(out) + "\n"
