"""What the fleet's outputs (text, HTML, Markdown, JUnit) share, built on render.common's one boundary for
hostile strings: the fleet as cleaned, redacted JSON data, a label per workspace, the fleet's problems
numbered, and the few phrases every format words the same way.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from netcheck.fleetmodel import FleetReport
from netcheck.model import Verdict
from netcheck.redact import redact
from netcheck.render.common import clean, counted

# A problem lists the workspaces it breaks by name, this many at most: one shared by 40 stays one line.
NAMES_SHOWN = 8


def fleet_data(fleet: FleetReport) -> dict[str, Any]:
    """The fleet as JSON data (`netcheck.fleet/1`), secrets redacted and every string safe to show."""
    out: dict[str, Any] = clean(redact(fleet.to_json()))
    return out


def labels(d: dict[str, Any]) -> dict[str, str]:
    """Workspace id -> the name people know it by; with its resource group (and subscription) when two
    workspaces of the fleet share a name."""
    runs = d["workspaces"]
    names = Counter(w["name"] for w in runs)
    in_rg = Counter((w["name"], w["resource_group"]) for w in runs)
    out = {}
    for w in runs:
        label = w["name"]
        if names[label] > 1:
            where = w["resource_group"] if in_rg[(label, w["resource_group"])] == 1 else \
                f"{w['subscription']}/{w['resource_group']}"
            label = f"{label} ({where})"
        out[w["id"]] = label
    return out


def subject(problem: dict[str, Any]) -> str:
    """A problem's subject, from its result id `probe@subject` (empty for a probe as a whole)."""
    return str(problem["id"]).partition("@")[2]


def elided(names: list[str], limit: int = NAMES_SHOWN) -> str:
    """`a, b, c`; a long list shows its first `limit` names and how many more."""
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])}, … and {len(names) - limit} more"


def breaks(problem: dict[str, Any], label: dict[str, str], limit: int = NAMES_SHOWN) -> str:
    """`breaks 3 workspaces: a, b, c`."""
    names = [label.get(w, w) for w in problem["workspaces"]]
    return f"breaks {counted(len(names), 'workspace')}: {elided(names, limit)}"


def problem_numbers(d: dict[str, Any]) -> dict[str, list[int]]:
    """Workspace id -> the numbers (1-based, as shown) of the fleet problems it has."""
    out: dict[str, list[int]] = {w["id"]: [] for w in d["workspaces"]}
    for n, p in enumerate(d["problems"], 1):
        for w in p["workspaces"]:
            out.setdefault(w, []).append(n)
    return out


def worst_first(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The workspaces, worst verdict first, then by name (a stable order for people to scan)."""
    return sorted(d["workspaces"], key=lambda w: (-Verdict(w["verdict"]).rank, w["name"], w["id"]))


def results_text(w: dict[str, Any]) -> str:
    """A workspace's results per verdict (`3 fail, 2 skip, 40 pass`), or why it has none."""
    report = w["report"]
    if report is None:
        return f"not checked: {w['error'] or 'no report'}"
    return ", ".join(f"{n} {v}" for v, n in report["counts"].items() if n) or "no results"


def network_text(w: dict[str, Any]) -> str:
    """Why its network checks did not run here and the command that runs them where they can, or ''."""
    if not w["network"]:
        return ""
    return f"{w['network']}: {w['command']}" if w["command"] else str(w["network"])


def scope_text(d: dict[str, Any]) -> str:
    scope = d["scope"]
    parts = []
    if scope.get("subscriptions"):
        parts.append(f"subscriptions {elided([str(s) for s in scope['subscriptions']], 4)}")
    if scope.get("management_groups"):
        parts.append(f"management groups {elided([str(m) for m in scope['management_groups']], 4)}")
    if not parts:
        parts.append("every subscription the credential can read")
    if scope.get("where"):
        parts.append(f"where {scope['where']}")
    return " · ".join(parts)


def verdict_counts(d: dict[str, Any]) -> str:
    """Workspaces per verdict, the ones there are: `2 fail, 1 error, 3 pass`."""
    return ", ".join(f"{n} {v}" for v, n in d["counts"].items() if n)


def summary_line(d: dict[str, Any]) -> str:
    """The line every format ends (or opens) with: problems and workspaces counted."""
    return (f"{counted(len(d['problems']), 'problem')} · {counted(len(d['workspaces']), 'workspace')} "
            f"({verdict_counts(d) or 'none'})")
