"""One self-contained HTML file for the network team: inline CSS, no scripts, no fetches, prints on A4."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

from netcheck.model import Report
from netcheck.render.common import SYMBOLS, data, evidence_tables, root_causes, stage_name, target_text, where_text

# A table cell may break at spaces, after these and inside any longer run without them: resource ids wrap
# at their slashes, names at their dots, and a short word like "Completed" is never split to make room.
_BREAK_AFTER = re.compile(r"(?<=[\s/.:=_-])")
_LONGEST_RUN = 24


def wrappable(value: object) -> Markup:
    parts = _BREAK_AFTER.split(str(value))
    pieces = [p[i:i + _LONGEST_RUN] for p in parts for i in range(0, len(p), _LONGEST_RUN)]
    return Markup("<wbr>").join(escape(p) for p in pieces)


def render(report: Report, *, color: bool = False) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("netcheck", "render"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["wrappable"] = wrappable
    d = data(report)
    causes = root_causes(d)
    stages: dict[int, list[dict[str, Any]]] = {}
    for r in d["results"]:
        stages.setdefault(r["stage"], []).append(r)
    return env.get_template("report.html.j2").render(
        d=d, causes=causes, stages=[(stage_name(s), rs) for s, rs in stages.items()], symbols=SYMBOLS,
        tables=evidence_tables, target=target_text(d), where=where_text(d))
