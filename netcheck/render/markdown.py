"""Markdown for a GitHub or Azure DevOps ticket: tables for evidence, fixes in fenced blocks."""

from __future__ import annotations

import re
from typing import Any

from netcheck.model import Report
from netcheck.render.common import data, evidence_tables, root_causes, stage_name, target_text, where_text

ICONS = {"pass": "✅", "warn": "⚠️", "fail": "❌", "error": "❓", "skip": "⏭️"}

# Markdown syntax a name could use to become a link, an image, emphasis or a heading: shown literally.
_MARKUP = re.compile(r"([\\`*_\[\]#!|~])")


def inline(value: str) -> str:
    """Plain text, shown as written: no links (`[x](javascript:...)`), no images, no HTML.
    The value is already one line (render.common.clean escapes newlines and controls)."""
    return _MARKUP.sub(r"\\\1", value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def cell(value: str) -> str:
    """A table cell that can't break the table: the same as inline text, pipes included."""
    return inline(value)


def code(value: str) -> str:
    """An inline code span: literal by nature, so only a backtick could end it early."""
    return "`" + value.replace("`", "'") + "`"


def _docs(url: str) -> str:
    return f"Docs: <{url}>" if re.fullmatch(r"https://[^\s<>]+", url) else f"Docs: {inline(url)}"


def _fence(lines: list[str]) -> list[str]:
    body = "\n".join(lines)
    fence = "```"
    while fence in body:
        fence += "`"
    return [f"{fence}sh", body, fence]


def _result(r: dict[str, Any]) -> list[str]:
    subject = f" {inline(r['subject'])}" if r["subject"] else ""
    out = [f"#### {ICONS[r['verdict']]} {r['verdict']}: {code(r['probe'])}{subject}", "", inline(r["summary"]), ""]
    if r["cause"]:
        out += [f"Caused by {inline(r['cause'])}.", ""]
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
            out += [_docs(r["fix"]["docs"]), ""]
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
            out += [f"| {ICONS[x['verdict']]} | {code(x['probe'])} | {cell(x['subject'])} | {cell(x['summary'])} |"
                    for x in d["results"] if x["stage"] == stage]
            out.append("")
            for x in d["results"]:
                if x["stage"] == stage and x["verdict"] not in ("pass",) and x not in causes:
                    out += _result(x)
    return "\n".join(out) + "\n"
