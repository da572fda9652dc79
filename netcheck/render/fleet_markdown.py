"""The fleet as Markdown for a ticket: the same structure as the fleet's text and HTML.

`# title`, `## Problems` with `### Problem N` each (what breaks, who owns it, the workspaces it breaks, the fix
once in a fenced block), then `## Workspaces`, a table with a row per workspace (worst first) naming its
problems by number. Every string comes cleaned from fleet_common.fleet_data() and is escaped here with the
single report's escaping (render.markdown) for where it stands.
"""

from __future__ import annotations

from typing import Any

from netcheck.fleetmodel import FleetReport
from netcheck.probes.impact import impact
from netcheck.render import fleet_common as shared
from netcheck.render.common import counted
from netcheck.render.markdown import ICONS, _fix, cell, code, inline


def _workspaces(p: dict[str, Any], label: dict[str, str]) -> list[str]:
    """The workspaces a problem breaks: a table row with the first few; every one, folded, when there are more."""
    out = [f"| **Workspaces** | {cell(shared.breaks(p, label))} |"]
    if len(p["workspaces"]) > shared.NAMES_SHOWN:
        out.append("")   # the table ends here; the full list follows it
        names = ", ".join(inline(label.get(w, w)) for w in p["workspaces"])
        return [*out, f"<details><summary>All {len(p['workspaces'])} workspaces</summary>", "", names, "",
                "</details>"]
    return out


def _problem(n: int, p: dict[str, Any], d: dict[str, Any], label: dict[str, str]) -> list[str]:
    what = f" · {inline(shared.subject(p))}" if shared.subject(p) else ""
    explains = f" (explains {counted(p['explains'], 'more result')})" if p["explains"] else ""
    hit = impact(p["probe"], shared.subject(p), cloud=d["cloud"])
    workspaces = _workspaces(p, label)
    out = [f"### Problem {n}", "",
           f"{ICONS[p['verdict']]} **{p['verdict']}** {code(p['probe'])}{what}: {inline(p['summary'])}{explains}", "",
           "| | |", "|---|---|", f"| **Breaks** | {cell(hit.breaks)} |", f"| **Owner** | {cell(hit.owner)} |",
           *workspaces, ""]
    return out + (_fix(p["fix"]) if p["fix"] else [])


def _row(w: dict[str, Any], label: str, numbers: list[int]) -> str:
    found = ", ".join(f"[{n}](#problem-{n})" for n in numbers)
    if w["network"]:
        network = cell(w["network"]) + (f": {code(w['command'], in_table=True)}" if w["command"] else "")
    else:
        network = "ran here" if w["report"] else "none"
    return (f"| {ICONS[w['verdict']]} | {cell(label)} | {cell(w['subscription'])} | {cell(w['resource_group'])} | "
            f"{found} | {cell(shared.results_text(w))} | {network} |")


def render(fleet: FleetReport, *, color: bool = False) -> str:
    d = shared.fleet_data(fleet)
    label = shared.labels(d)
    out = [f"# netcheck fleet: {ICONS[d['verdict']]} {d['verdict']}", "",
           f"- **Scope:** {inline(shared.scope_text(d))}",
           f"- **When:** {inline(d['started'])} ({d['duration_ms']} ms), netcheck {inline(d['netcheck'])}, "
           f"{inline(d['cloud'])}",
           f"- **Results:** {inline(shared.summary_line(d))}", *(f"- **Note:** {inline(n)}" for n in d["notes"]), ""]
    if d["problems"]:
        out += ["## Problems", ""]
        for n, p in enumerate(d["problems"], 1):
            out += _problem(n, p, d, label)
    else:
        out += ["## No problems", "", "Every workspace's checks passed or had nothing to check.", ""]
    numbers = shared.problem_numbers(d)
    out += ["## Workspaces", "", "| | workspace | subscription | resource group | problems | results | network checks |",
            "|---|---|---|---|---|---|---|", *(_row(w, label[w["id"]], numbers[w["id"]]) for w in shared.worst_first(d)), ""]
    return "\n".join(out).rstrip("\n") + "\n"
