"""What every report format shares: a redacted view of the report in which every string is safe to show.

`clean()` is the renderers' one boundary for hostile strings (anything ARM or DNS can carry): the text
tree, Markdown, HTML, JUnit and the TUI show only what `data()` / `clean()` give them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from netcheck.model import Report
from netcheck.probe import STAGES
from netcheck.redact import redact

# One mark per verdict for the plain tree, the HTML report and the TUI (Markdown uses emoji instead).
SYMBOLS = {"pass": "✓", "warn": "!", "fail": "✗", "error": "?", "skip": "-"}

# Shown as escapes (`\n`, `\x1b`, `\u202e`), never as themselves: C0 controls (newlines would forge lines in
# the tree and JUnit, ANSI escapes drive terminals), DEL, C1 controls, and the invisible format characters
# that reorder or hide text (bidi overrides and isolates, zero-width marks, the BOM).
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
# Not characters at all (lone surrogates from ARM's JSON `\ud800`) or invalid in XML (U+FFFE, U+FFFF and
# the other noncharacters, in every plane): the Unicode replacement character stands in for them.
_PLANE_ENDS = "".join(chr(plane | 0xFFFE) + chr(plane | 0xFFFF) for plane in range(0, 0x110000, 0x10000))
_INVALID = re.compile(f"[\ud800-\udfff\ufdd0-\ufdef{_PLANE_ENDS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group(0)
    return _ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def safe_text(value: str) -> str:
    """One line of plain, visible text: no controls, no reordering, only encodable characters."""
    value = _INVALID.sub("\ufffd", value)
    return _HIDDEN.sub(_escape, value)


def valid_unicode(value: Any) -> Any:
    """A JSON-shaped value whose strings all encode as UTF-8 (lone surrogates replaced), nothing else changed."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {valid_unicode(k): valid_unicode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [valid_unicode(v) for v in value]
    return value


def clean(value: Any) -> Any:
    """A JSON-shaped value with every string (keys too) made safe by `safe_text`."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def data(report: Report) -> dict[str, Any]:
    """The report as JSON data, with secrets redacted and every string safe to show."""
    out: dict[str, Any] = clean(redact(report.to_json()))
    return out


def text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def evidence_tables(evidence: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, list[str], list[list[str]]]]]:
    """Plain key/value rows, and tables for lists of records (DNS answers per name, connections...)."""
    rows: list[tuple[str, str]] = []
    tables: list[tuple[str, list[str], list[list[str]]]] = []
    for key, value in evidence.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            cols = list(dict.fromkeys(k for v in value for k in v))
            tables.append((key, cols, [[text(v.get(c, "")) for c in cols] for v in value]))
        else:
            rows.append((key, text(value)))
    return rows, tables


def root_causes(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The results that are root causes (the report's `root_causes`), in order."""
    by_id = {r["id"]: r for r in d["results"]}
    return [by_id[c["id"]] for c in d["root_causes"]]


def counted(n: int, noun: str) -> str:
    """`1 problem`, `2 problems`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def stage_name(stage: int) -> str:
    return f"Stage {stage}: {STAGES.get(stage, '')}"


def where_text(d: dict[str, Any]) -> str:
    w = d["where"]
    if not w["in_azure"]:
        return "outside Azure"
    vm, vnet = (text(w[k] or "?").rsplit("/", 1)[-1] for k in ("vm_id", "vnet_id"))
    return f"Azure VM {vm} in VNet {vnet} ({w['private_ip']})"


def target_text(d: dict[str, Any]) -> str:
    t = d["target"]
    if not t["workspace"]:
        return "network only (--no-azure)"
    eps = f", endpoints {', '.join(t['endpoints'])}" if t["endpoints"] else ""
    return f"workspace {t['workspace']} in {t['resource_group']} ({t['subscription']}, {t['cloud']}){eps}"
