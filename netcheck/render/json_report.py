"""`--json`: the report as JSON (schema netcheck.report/1, shipped as netcheck/report.schema.json)."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

from netcheck.model import Report
from netcheck.redact import redact
from netcheck.render.common import valid_unicode

# JSON keeps every string exactly (it is data), but characters that reorder or hide text on a terminal
# (C1 controls, bidi overrides, zero-width marks) are written as \u escapes: the same data, inert.
_INVISIBLE = re.compile("[\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def dumps(value: Any) -> str:
    """JSON data as written: secrets redacted, valid UTF-8, invisible characters as escapes."""
    text = json.dumps(valid_unicode(redact(value)), indent=2, ensure_ascii=False)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text) + "\n"


def render(report: Report, *, color: bool = False) -> str:
    return dumps(report.to_json())


def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("netcheck").joinpath("report.schema.json").read_text())
    return data
