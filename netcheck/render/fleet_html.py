"""The fleet as one self-contained HTML file: the fleet's problems first (what breaks, who owns the change,
the workspaces it breaks, the fix once), then a table of workspaces (sortable and filterable by a small
inline script; complete and worst-first without it), then every workspace's own report, folded
(`<details>`), one click from its row. Each report is the single-workspace report's body (render.html),
its ids prefixed so many fit in one page. Inline CSS and script, no fetches; print CSS from the single
report.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from netcheck.fleetmodel import FleetReport
from netcheck.model import Verdict
from netcheck.probes.impact import Impact, impact
from netcheck.render import fleet_common as shared
from netcheck.render.common import SYMBOLS
from netcheck.render.html import body, environment


def _impacts(d: dict[str, Any]) -> list[Impact]:
    """What each problem breaks and who owns its change, as the single report says it for its root."""
    return [impact(p["probe"], shared.subject(p), cloud=d["cloud"]) for p in d["problems"]]


def _weight(w: dict[str, Any]) -> int:
    """The results column's sort key: most failures first when sorted descending; unchecked above all."""
    if w["report"] is None:
        return 10**9
    c = w["report"]["counts"]
    return int(c["fail"] * 10**6 + c["error"] * 10**3 + c["warn"])


def render(fleet: FleetReport, *, color: bool = False) -> str:
    env = environment()
    d = shared.fleet_data(fleet)
    anchors = {w["id"]: f"ws-{i}" for i, w in enumerate(d["workspaces"], 1)}
    bodies: dict[str, Markup] = {w["id"]: body(env, w["report"], prefix=f"{anchors[w['id']]}-", h=3)
                                 for w in d["workspaces"] if w["report"]}
    return env.get_template("fleet.html.j2").render(
        d=d, problems=d["problems"], rows=shared.worst_first(d), label=shared.labels(d), anchors=anchors,
        bodies=bodies, numbers=shared.problem_numbers(d), impacts=_impacts(d), symbols=SYMBOLS,
        subject=shared.subject, shown=shared.NAMES_SHOWN, ranks={v.value: -v.rank for v in Verdict},
        results=shared.results_text, weight=_weight, network=shared.network_text, scope=shared.scope_text(d),
        summary=shared.summary_line(d))
