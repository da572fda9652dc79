"""The plain text (no TTY, --no-tui, CI): problems first, then the tree with consequences under their cause.

Layout: a header; "N problems", each root cause on one line with its fix (from the report's fix plan, so
each command is printed once) and how many results it explains; then the stages, where a probe whose
results all pass is one line (`✓ pdns.zones 6/6`) and a consequence is nested under its cause; the last
line counts problems and checks. `detail`: "quiet" stops after the problems, "verbose" shows every result
with its evidence.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from netcheck.model import Report
from netcheck.render.common import SYMBOLS, counted, data, evidence_tables, stage_name, target_text, where_text

_COLORS = {"pass": "32", "warn": "33", "fail": "31", "error": "35", "skip": "2"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


class _Text:
    def __init__(self, d: dict[str, Any], color: bool, detail: str) -> None:
        self.d, self.color, self.detail = d, color, detail
        self.by_id = {r["id"]: r for r in d["results"]}
        self.roots = [c["id"] for c in d["root_causes"]]
        self.step_of = {rid: n for n, s in enumerate(d["fix_plan"], 1) for rid in s["resolves"]}
        self.children: dict[str, list[str]] = defaultdict(list)   # direct consequences, nested in the tree
        for r in d["results"]:
            cause = (r["caused_by"] or {}).get("id")
            if cause and self.by_id[cause]["verdict"] != "pass":
                self.children[cause].append(r["id"])
        self.nested = {c for kids in self.children.values() for c in kids}
        self.printed: set[str] = set()   # commands already shown: none twice
        self.out: list[str] = []

    def mark(self, verdict: str) -> str:
        return _paint(SYMBOLS[verdict], _COLORS[verdict], self.color)

    def line(self, r: dict[str, Any]) -> str:
        subject = f" {_paint(r['subject'], '1', self.color)}" if r["subject"] else ""
        return f"{self.mark(r['verdict'])} {r['probe']}{subject}: {r['summary']}"

    def fix(self, fix: dict[str, Any], indent: str) -> None:
        self.out.append(f"{indent}fix: {fix['summary']}")
        for c in fix["commands"]:
            if c not in self.printed:
                self.printed.add(c)
                self.out.append(f"{indent}  $ {c}")
        if fix["docs"]:
            self.out.append(f"{indent}  docs: {fix['docs']}")

    def evidence(self, r: dict[str, Any], indent: str) -> None:
        rows, tables = evidence_tables(r["evidence"])
        self.out.extend(f"{indent}{k}: {v}" for k, v in rows)
        for name, cols, body in tables:
            self.out.append(f"{indent}{name}:")
            self.out.extend(f"{indent}  - " + ", ".join(f"{c}={v}" for c, v in zip(cols, row, strict=True))
                            for row in body)

    def problems(self) -> None:
        self.out.append(_paint(counted(len(self.roots), "problem"), "1", self.color) if self.roots
                        else "no problems")
        for n, c in enumerate(self.d["root_causes"], 1):
            r = self.by_id[c["id"]]
            explains = f" (explains {counted(len(c['explains']), 'result')})" if c["explains"] else ""
            self.out.append(f"  {n}. {self.line(r)}{explains}")
            step = self.step_of.get(r["id"])
            if step is None:
                continue
            plan = self.d["fix_plan"][step - 1]
            if plan["resolves"][0] == r["id"]:
                self.fix(plan, "     ")
            else:
                self.out.append(f"     fix: the same as problem {self._first_with(step)} ({plan['summary']})")

    def _first_with(self, step: int) -> int:
        first = self.d["fix_plan"][step - 1]["resolves"][0]
        return self.roots.index(first) + 1 if first in self.roots else step

    def result(self, r: dict[str, Any], indent: str) -> None:
        self.out.append(f"{indent}{self.line(r)}")
        more = indent + "    "
        if r["id"] in self.roots:
            self.out.append(f"{more}problem {self.roots.index(r['id']) + 1}, fix above")
        elif r["caused_by"] and r["id"] not in self.nested:
            self.out.append(f"{more}cause: {r['cause']}")
        if self.detail == "verbose" or (r["verdict"] != "pass" and r["id"] not in self.nested):
            self.evidence(r, more)
        if r["fix"] and r["id"] not in self.step_of and r["verdict"] != "pass":
            self.fix(r["fix"], more)
        for kid in self.children.get(r["id"], []):
            self.result(self.by_id[kid], indent.replace("↳", " ") + "  ↳ ")

    def tree(self) -> None:
        stage = None
        probes: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
        for r in self.d["results"]:
            probes[(r["stage"], r["probe"])].append(r)
        for (st, probe), rs in probes.items():
            if st != stage:
                stage = st
                self.out.append(_paint(stage_name(st).lower(), "1", self.color))
            passes = [r for r in rs if r["verdict"] == "pass"]
            if passes and self.detail != "verbose":
                self.out.append(f"  {self.mark('pass')} {probe} {len(passes)}/{len(rs)}")
            for r in rs:
                if r["id"] in self.nested or (r["verdict"] == "pass" and self.detail != "verbose"):
                    continue
                self.result(r, "  ")

    def render(self) -> str:
        d = self.d
        self.out += [f"netcheck {d['netcheck']} · {d['started']}", f"target: {target_text(d)}",
                     f"where: {where_text(d)}", ""]
        self.problems()
        if self.detail != "quiet":
            self.out.append("")
            self.tree()
        counts = ", ".join(f"{n} {v}" for v, n in d["counts"].items() if n)
        self.out += ["", f"{counted(len(self.roots), 'problem')} · {counted(len(d['results']), 'check')} "
                         f"({counts}) → {_paint(d['verdict'], _COLORS[d['verdict']], self.color)}"]
        return "\n".join(self.out) + "\n"


def render(report: Report, *, color: bool = False, detail: str = "") -> str:
    # data(): redacted, control characters replaced: names can't drive the terminal
    return _Text(data(report), color, detail).render()
