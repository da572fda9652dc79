"""One self-contained HTML file for the network team: inline CSS, no scripts, no fetches, prints on A4."""

from __future__ import annotations

from typing import Any

from netcheck.model import Report
from netcheck.render.common import data, evidence_tables, root_causes, stage_name, target_text, where_text

SYMBOLS = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "skip": "-"}


def render(report: Report, *, color: bool = False) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("netcheck", "render"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    d = data(report)
    causes = root_causes(d)
    stages: dict[int, list[dict[str, Any]]] = {}
    for r in d["results"]:
        stages.setdefault(r["stage"], []).append(r)
    return env.get_template("report.html.j2").render(
        d=d, causes=causes, stages=[(stage_name(s), rs) for s, rs in stages.items()], symbols=SYMBOLS,
        tables=evidence_tables, target=target_text(d), where=where_text(d))
