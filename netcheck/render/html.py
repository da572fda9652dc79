"""One self-contained HTML file for the network team: problems first, each with what breaks, who owns
the change, the flows involved and the fix; consequences and passes folded (`<details>`); a table of
contents; inline CSS, no scripts, no fetches; a report with a few problems prints on a few A4 pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from netcheck.model import Report
from netcheck.render.common import SYMBOLS, data, evidence_tables, target_text, where_text
from netcheck.render.problems import anchor, others, passes, problems

if TYPE_CHECKING:
    import jinja2

# A table cell may break at spaces, after these and inside any longer run without them: resource ids wrap
# at their slashes, names at their dots, and a short word like "Completed" is never split to make room.
_BREAK_AFTER = re.compile(r"(?<=[\s/.:=_-])")
_LONGEST_RUN = 24


def wrappable(value: object) -> Markup:
    parts = _BREAK_AFTER.split(str(value))
    pieces = [p[i:i + _LONGEST_RUN] for p in parts for i in range(0, len(p), _LONGEST_RUN)]
    return Markup("<wbr>").join(escape(p) for p in pieces)


def environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("netcheck", "render"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["wrappable"] = wrappable
    return env


def context(d: dict[str, Any], *, prefix: str = "", h: int = 2) -> dict[str, Any]:
    """What the templates show of one report's cleaned data; `prefix` for its ids, `h` its heading level."""
    return dict(d=d, problems=problems(d), others=others(d), stages=passes(d), symbols=SYMBOLS, anchor=anchor,
                tables=evidence_tables, target=target_text(d), where=where_text(d), prefix=prefix, h=h)


def body(env: jinja2.Environment, d: dict[str, Any], *, prefix: str, h: int) -> Markup:
    """One report below its title, to embed in a page holding several (the fleet's)."""
    return Markup(env.get_template("_report_body.j2").render(context(d, prefix=prefix, h=h)))


def render(report: Report, *, color: bool = False) -> str:
    return environment().get_template("report.html.j2").render(context(data(report)))
