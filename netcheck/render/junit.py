"""JUnit XML for pipelines: one testcase per result.

name `probe subject` (unique per run), classname `stageN-title.probe` (CI tools group by stage, then probe),
a time per result; a consequence's failure, error or skip message names its root cause's result id."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from typing import Any

from netcheck.model import Report
from netcheck.probe import STAGES
from netcheck.render.common import data, evidence_tables, text


def classname(r: dict[str, Any]) -> str:
    return f"stage{r['stage']}-{STAGES.get(r['stage'], '').replace(' ', '-')}.{r['probe']}"


def _message(r: dict[str, Any], roots: dict[str, str]) -> str:
    root = roots.get(r["id"])
    return f"{r['summary']} (root cause: {root})" if root else r["summary"]


def _details(r: dict[str, Any]) -> str:
    rows, tables = evidence_tables(r["evidence"])
    lines = [r["summary"], *(f"{k}: {v}" for k, v in rows)]
    for name, cols, body in tables:
        lines.append(f"{name}:")
        lines += ["  " + ", ".join(f"{c}={v}" for c, v in zip(cols, row, strict=True)) for row in body]
    if r["cause"]:
        lines.append(f"cause: {r['cause']}")
    if r["fix"]:
        lines += [f"fix: {r['fix']['summary']}", *(f"  $ {c}" for c in r["fix"]["commands"])]
        if r["fix"]["docs"]:
            lines.append(f"docs: {r['fix']['docs']}")
    return "\n".join(lines)


def suite(parent: ET.Element, d: dict[str, Any], *, name: str = "netcheck", n: int = 0,
          props: tuple[tuple[str, str], ...] = ()) -> ET.Element:
    """One report's testsuite (its results as testcases) under `parent`; a fleet adds one per workspace."""
    results = d["results"]
    counts = d["counts"]
    suite = ET.SubElement(parent, "testsuite", name=name, package="netcheck", id=str(n),
                          timestamp=d["started"].removesuffix("Z"), hostname=socket.gethostname() or "localhost",
                          tests=str(len(results)), failures=str(counts["fail"]), errors=str(counts["error"]),
                          skipped=str(counts["skip"]), time=f"{d['duration_ms'] / 1000:.3f}")
    element = ET.SubElement(suite, "properties")
    for key, value in (*props, ("verdict", d["verdict"]), ("netcheck", d["netcheck"]),
                       *((f"target.{k}", text(v)) for k, v in d["target"].items()),
                       *((f"where.{k}", text(v)) for k, v in d["where"].items())):
        ET.SubElement(element, "property", name=key, value=str(value))
    roots = {k: c["id"] for c in d["root_causes"] for k in c["explains"]}   # consequence -> its root
    for r in results:
        case_name = f"{r['probe']} {r['subject']}" if r["subject"] else r["probe"]
        case = ET.SubElement(suite, "testcase", classname=classname(r), name=case_name,
                             time=f"{r['duration_ms'] / 1000:.3f}")
        if r["verdict"] == "fail":
            ET.SubElement(case, "failure", message=_message(r, roots), type="fail").text = _details(r)
        elif r["verdict"] == "error":
            ET.SubElement(case, "error", message=_message(r, roots), type="error").text = _details(r)
        elif r["verdict"] == "skip":
            ET.SubElement(case, "skipped", message=_message(r, roots))
        elif r["verdict"] == "warn":
            ET.SubElement(case, "system-out").text = f"WARNING: {_details(r)}"
    ET.SubElement(suite, "system-out").text = f"netcheck {d['verdict']}"
    ET.SubElement(suite, "system-err").text = ""
    return suite


def document(suites: ET.Element) -> str:
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def render(report: Report, *, color: bool = False) -> str:
    d = data(report)
    counts = d["counts"]
    suites = ET.Element("testsuites", name="netcheck", tests=str(len(d["results"])), failures=str(counts["fail"]),
                        errors=str(counts["error"]), time=f"{d['duration_ms'] / 1000:.3f}")
    suite(suites, d)
    return document(suites)
