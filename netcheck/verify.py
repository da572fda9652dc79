"""Verify after fixing: read a saved JSON report, say what `--rerun` re-checks, and compare two reports
(`netcheck diff OLD NEW`: fixed / still failing / new)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netcheck.model import REPORT_SCHEMA
from netcheck.render.common import safe_text

MAX_REPORT = 64 << 20   # a report larger than this is not one run's


def load(path: Path) -> dict[str, Any]:
    """A `netcheck.report/2` document, validated against the shipped schema; ValueError (one line) if not."""
    import jsonschema

    from netcheck.render.json_report import schema

    try:
        if not path.is_file() or path.stat().st_size > MAX_REPORT:
            raise ValueError(f"not a regular file of at most {MAX_REPORT >> 20} MB")
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(f"{str(path)!r}: cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{str(path)!r}: not JSON ({exc.msg}, line {exc.lineno})") from None
    found = doc.get("schema") if isinstance(doc, dict) else None
    if found != REPORT_SCHEMA:
        what = f"its schema is {found!r}" if isinstance(found, str) else "it has no schema field"
        raise ValueError(f"{str(path)!r}: not a {REPORT_SCHEMA} report ({what}; write one with --json)")
    if (err := jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema()).iter_errors(doc))):
        at = "/".join(map(str, err.absolute_path)) or "top level"
        raise ValueError(f"{str(path)!r}: not a valid {REPORT_SCHEMA} report (at {at}: "
                         f"{safe_text(err.message)[:200]})")
    return doc


def _failing(r: dict[str, Any]) -> bool:
    """Still a problem: failed, could not decide, or blocked by one."""
    return r["verdict"] in ("fail", "error") or r.get("skip") == "blocked"


def _glob_literal(text: str) -> str:
    """`text` as an fnmatch pattern that matches only itself (controls, which --only refuses, match any)."""
    return "".join(f"[{c}]" if c in "*?[" else c if c.isprintable() else "?" for c in text)


def rerun_patterns(doc: dict[str, Any]) -> list[str]:
    """`--only` patterns for every result that did not pass: `probe@subject`, or the probe for a probe-wide one."""
    out = []
    for r in doc["results"]:
        if r["verdict"] != "pass":
            out.append(f"{r['probe']}@{_glob_literal(r['subject'])}" if r["subject"] else r["probe"])
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Diff:
    fixed: list[dict[str, Any]]       # a problem in OLD, not in NEW
    still: list[dict[str, Any]]       # a problem in both (NEW's result)
    new: list[dict[str, Any]]         # a problem in NEW only
    unchecked: list[dict[str, Any]]   # a problem in OLD that NEW did not check

    @property
    def exit_code(self) -> int:
        """0 when every old problem is fixed and none is new; 1 while anything still fails or went unchecked."""
        return 1 if self.still or self.new or self.unchecked else 0

    def to_json(self) -> dict[str, Any]:
        def item(r: dict[str, Any]) -> dict[str, Any]:
            return {"id": r["id"], "verdict": r["verdict"], "summary": r["summary"]}

        return {"schema": "netcheck.diff/1", "fixed": [item(r) for r in self.fixed],
                "still_failing": [item(r) for r in self.still], "new": [item(r) for r in self.new],
                "not_rechecked": [item(r) for r in self.unchecked], "exit_code": self.exit_code}

    def text(self) -> str:
        lines = []
        for title, rows in (("still failing", self.still), ("new", self.new),
                            ("not re-checked", self.unchecked), ("fixed", self.fixed)):
            if rows:
                lines.append(f"{title} ({len(rows)}):")
                lines += [f"  {safe_text(r['id'])}  {r['verdict']}: {safe_text(r['summary'])}" for r in rows]
        lines.append(f"{len(self.fixed)} fixed, {len(self.still)} still failing, {len(self.new)} new"
                     + (f", {len(self.unchecked)} not re-checked" if self.unchecked else ""))
        return "\n".join(lines) + "\n"


def diff(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    """Compare two reports by result id (`probe@subject`, stable across runs)."""
    before = {r["id"]: r for r in old["results"]}
    after = {r["id"]: r for r in new["results"]}
    ran = {r["probe"] for r in new["results"]}
    fixed: list[dict[str, Any]] = []
    still: list[dict[str, Any]] = []
    unchecked: list[dict[str, Any]] = []
    for rid, r in before.items():
        if not _failing(r):
            continue
        if rid not in after:   # gone from a probe that ran: nothing left to complain about
            (fixed if r["probe"] in ran else unchecked).append(r)
        elif _failing(after[rid]):
            still.append(after[rid])
        else:
            fixed.append(after[rid])
    fresh = [r for rid, r in after.items() if _failing(r) and not (rid in before and _failing(before[rid]))]
    return Diff(fixed, still, fresh, unchecked)
