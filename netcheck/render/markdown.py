"""Markdown for a GitHub or Azure DevOps ticket: problems first, the same structure as the HTML report.

`# title`, `## Problems` with `### Problem N` each (what breaks, owner, flows, the fix once in a fenced
block, consequences folded in `<details>`), `## Other findings`, `## Checks` (passes summarised per probe),
so a workspace with many endpoints still fits in one GitHub comment. Every name is shown literally: the
strings come cleaned from render.common.data() and are escaped here for where they stand.
"""

from __future__ import annotations

import re
from typing import Any

from netcheck.model import Report
from netcheck.render.common import counted, data, evidence_tables, target_text, where_text
from netcheck.render.problems import Problem, others, passes, problems

ICONS = {"pass": "✅", "warn": "⚠️", "fail": "❌", "error": "❓", "skip": "⏭️"}

# Markdown syntax a name could use to become a link, an image, emphasis, a heading or a table column.
_MARKUP = re.compile(r"([\\`*_\[\]#!|~])")
# A consequence's or another finding's summary is cut at this length: the ticket keeps the problem in full
# (its evidence is never cut), the JSON report keeps everything.
SUMMARY_MAX = 240


def inline(value: str) -> str:
    """Plain text, shown as written: no links (`[x](javascript:...)`), no images, no HTML, no column breaks.
    The value is already one line (render.common.clean escapes newlines and controls)."""
    return _MARKUP.sub(r"\\\1", value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def cell(value: str, limit: int = 0) -> str:
    """A table cell that can't break the table (pipes escaped); cut at `limit` characters when given."""
    if limit and len(value) > limit:
        value = value[:limit - 1] + "…"
    return inline(value)


def code(value: str, *, in_table: bool = False) -> str:
    """An inline code span: a fence longer than any run of backticks inside; in a table, pipes escaped
    (GitHub splits cells before it reads code spans)."""
    run = max((len(m) for m in re.findall("`+", value)), default=0)
    fence = "`" * (run + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value.strip(" ") else ""
    body = value.replace("|", "\\|") if in_table else value
    return f"{fence}{pad}{body}{pad}{fence}"


def _docs(url: str) -> str:
    return f"Docs: <{url}>" if re.fullmatch(r"https://[^\s<>]+", url) else f"Docs: {inline(url)}"


def _fence(lines: list[str]) -> list[str]:
    body = "\n".join(lines)
    run = max((len(m) for m in re.findall("`{3,}", body)), default=2)
    fence = "`" * (run + 1)
    return [f"{fence}sh", body, fence]


def _fix(fix: dict[str, Any]) -> list[str]:
    out = [f"**Fix:** {inline(fix['summary'])}", ""]
    if fix["commands"]:
        out += [*_fence(fix["commands"]), ""]
    if fix["docs"]:
        out += [_docs(fix["docs"]), ""]
    return out


def _evidence(r: dict[str, Any]) -> list[str]:
    rows, tables = evidence_tables(r["evidence"])
    if not rows and not tables:
        return []
    out = ["<details><summary>Evidence</summary>", ""]
    if rows:
        out += ["| evidence | value |", "|---|---|", *(f"| {cell(k)} | {cell(v)} |" for k, v in rows), ""]
    for name, cols, body in tables:
        out += [f"**{inline(name)}**", "", "| " + " | ".join(cell(c) for c in cols) + " |",
                "|" + "---|" * len(cols), *("| " + " | ".join(cell(v) for v in row) + " |" for row in body), ""]
    return [*out, "</details>", ""]


def _fix_note(r: dict[str, Any]) -> str:
    return f" (fix: {cell(r['fix']['summary'], SUMMARY_MAX)})" if r["fix"] else ""


def _subject(r: dict[str, Any]) -> str:
    return f" · {inline(r['subject'])}" if r["subject"] else ""


def _problem(p: Problem) -> list[str]:
    r = p.result
    out = [f"### Problem {p.n}", "",
           f"{ICONS[r['verdict']]} **{r['verdict']}** {code(r['probe'])}{_subject(r)}: {inline(r['summary'])}", "",
           "| | |", "|---|---|", f"| **Breaks** | {cell(p.impact.breaks)} |", f"| **Owner** | {cell(p.impact.owner)} |"]
    if p.flows:
        out.append("| **Flows** | " + "<br>".join(cell(f) for f in p.flows) + " |")
    out.append("")
    if p.fix:
        out += _fix(p.fix)
    elif p.same_fix_as:
        out += [f"**Fix:** the same as problem {p.same_fix_as}.", ""]
    elif r["fix"]:
        out += _fix(r["fix"])
    out += _evidence(r)
    if p.consequences:
        out += [f"<details><summary>Explains {counted(len(p.consequences), 'more result')}</summary>", "",
                "| | probe | subject | summary |", "|---|---|---|---|",
                *(f"| {ICONS[c['verdict']]} | {code(c['probe'], in_table=True)} | {cell(c['subject'])} | "
                  f"{cell(c['summary'], SUMMARY_MAX)} |" for c in p.consequences), "", "</details>", ""]
    return out


def render(report: Report, *, color: bool = False) -> str:
    d = data(report)
    found = problems(d)
    counts = " · ".join(f"{n} {v}" for v, n in d["counts"].items())
    out = [f"# netcheck: {ICONS[d['verdict']]} {d['verdict']}", "",
           f"- **Target:** {inline(target_text(d))}", f"- **Where it ran:** {inline(where_text(d))}",
           f"- **When:** {inline(d['started'])} ({d['duration_ms']} ms), netcheck {inline(d['netcheck'])}",
           f"- **Results:** {counted(len(found), 'problem')} · {counts}", ""]
    if found:
        out += ["## Problems", ""]
        for p in found:
            out += _problem(p)
    else:
        out += ["## No problems", "", "Every check passed or had nothing to check.", ""]
    rest = others(d)
    if rest:
        out += ["## Other findings", "", "| | probe | subject | summary |", "|---|---|---|---|",
                *(f"| {ICONS[r['verdict']]} | {code(r['probe'], in_table=True)} | {cell(r['subject'])} | "
                  f"{cell(r['summary'], SUMMARY_MAX)}{_fix_note(r)} |" for r in rest), ""]
    out += ["## Checks", ""]
    for title, rows in passes(d):
        ok, n = sum(r[1] for r in rows), sum(r[2] for r in rows)
        out += [f"<details><summary>{inline(title)}: {ok}/{n} pass</summary>", "", "| | probe | pass |", "|---|---|---|",
                *(f"| {ICONS['pass'] if a == b else ICONS['fail']} | {code(p, in_table=True)} | {a}/{b} |"
                  for p, a, b in rows), "", "</details>", ""]
    return "\n".join(out).rstrip("\n") + "\n"
