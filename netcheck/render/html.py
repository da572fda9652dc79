"""One self-contained HTML file for the network team: problems first, each with what breaks, who owns
the change, the flows involved and the fix; consequences and passes folded (`<details>`); a table of
contents; inline CSS, no scripts, no fetches; a report with a few problems prints on a few A4 pages."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from netcheck.model import Report
from netcheck.render.common import SYMBOLS, data, evidence_tables, target_text, where_text
from netcheck.render.problems import anchor, others, passes, problems

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
    return env.get_template("report.html.j2").render(
        d=d, problems=problems(d), others=others(d), stages=passes(d), symbols=SYMBOLS, anchor=anchor,
        tables=evidence_tables, target=target_text(d), where=where_text(d))
