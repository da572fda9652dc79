"""The fleet as plain text (no TTY, --no-tui, CI): problems first, then one line per workspace.

Layout: a header (version, time, cloud, scope) and what limited the run; "N problems", each fleet problem
once with its fix once and "breaks K workspaces: a, b, c, … and N more"; then "workspaces", one line each,
worst first (verdict mark, name and its kind unless Default, subscription/resource group, its problems by
number, its results per verdict, and "network checks need a run inside VNet X: <command>" where set); the
last line counts problems and workspaces. Colour only when asked (the CLI asks per terminal), never under
NO_COLOR.
"""

from __future__ import annotations

import os
from typing import Any

from netcheck.fleetmodel import FleetReport
from netcheck.render import fleet_common as shared
from netcheck.render.common import SYMBOLS, counted
from netcheck.render.text import _COLORS, _paint


def _mark(verdict: str, color: bool) -> str:
    return _paint(SYMBOLS[verdict], _COLORS[verdict], color)


def _fix(fix: dict[str, Any], indent: str) -> list[str]:
    out = [f"{indent}fix: {fix['summary']}", *(f"{indent}  $ {c}" for c in fix["commands"])]
    return [*out, f"{indent}  docs: {fix['docs']}"] if fix["docs"] else out


def _problems(d: dict[str, Any], label: dict[str, str], color: bool) -> list[str]:
    problems = d["problems"]
    out = [_paint(counted(len(problems), "problem"), "1", color) if problems else "no problems"]
    for n, p in enumerate(problems, 1):
        what = f" {_paint(shared.subject(p), '1', color)}" if shared.subject(p) else ""
        explains = f" (explains {counted(p['explains'], 'more result')})" if p["explains"] else ""
        out.append(f"  {n}. {_mark(p['verdict'], color)} {p['probe']}{what}: {p['summary']}{explains}")
        out.append(f"     {shared.breaks(p, label)}")
        if p["fix"]:
            out += _fix(p["fix"], "     ")
    return out


def _workspace(w: dict[str, Any], label: str, numbers: list[int], color: bool) -> str:
    found = f" · problem{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}" if numbers else ""
    network = shared.network_text(w)
    kind = f" ({w['kind']})" if w["kind"] != "Default" else ""
    return (f"  {_mark(w['verdict'], color)} {_paint(label, '1', color)}{kind}  {w['subscription']}/{w['resource_group']}"
            f"{found} · {shared.results_text(w)}{f' · {network}' if network else ''}")


def render(fleet: FleetReport, *, color: bool = False) -> str:
    color = color and not os.environ.get("NO_COLOR")   # https://no-color.org: whoever asked for colour
    d = shared.fleet_data(fleet)   # redacted, controls escaped: no name can drive the terminal or forge a line
    label = shared.labels(d)
    out = [f"netcheck fleet {d['netcheck']} · {d['started']} · {d['cloud']}", f"scope: {shared.scope_text(d)}",
           *(f"note: {n}" for n in d["notes"]), ""]
    out += _problems(d, label, color)
    out += ["", _paint("workspaces", "1", color)]
    numbers = shared.problem_numbers(d)
    for w in shared.worst_first(d):
        out.append(_workspace(w, label[w["id"]], numbers[w["id"]], color))
    out += ["", f"{shared.summary_line(d)} → {_paint(d['verdict'], _COLORS[d['verdict']], color)}"]
    return "\n".join(out) + "\n"
