"""JUnit XML for pipelines: one testcase per result (classname = probe, name = subject)."""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from typing import Any

from netcheck.model import Report
from netcheck.render.common import data, evidence_tables, text


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


def render(report: Report, *, color: bool = False) -> str:
    d = data(report)
    results = d["results"]
    counts = d["counts"]
    suites = ET.Element("testsuites", name="netcheck", tests=str(len(results)), failures=str(counts["fail"]),
                        errors=str(counts["error"]), time=f"{d['duration_ms'] / 1000:.3f}")
    suite = ET.SubElement(suites, "testsuite", name="netcheck", package="netcheck", id="0",
                          timestamp=d["started"].removesuffix("Z"), hostname=socket.gethostname() or "localhost",
                          tests=str(len(results)), failures=str(counts["fail"]), errors=str(counts["error"]),
                          skipped=str(counts["skip"]), time=f"{d['duration_ms'] / 1000:.3f}")
    props = ET.SubElement(suite, "properties")
    for key, value in (("verdict", d["verdict"]), ("netcheck", d["netcheck"]),
                       *((f"target.{k}", text(v)) for k, v in d["target"].items()),
                       *((f"where.{k}", text(v)) for k, v in d["where"].items())):
        ET.SubElement(props, "property", name=key, value=str(value))
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=r["probe"], name=r["subject"] or r["probe"],
                             time=f"{r['duration_ms'] / 1000:.3f}")
        if r["verdict"] == "fail":
            ET.SubElement(case, "failure", message=r["summary"], type="fail").text = _details(r)
        elif r["verdict"] == "error":
            ET.SubElement(case, "error", message=r["summary"], type="error").text = _details(r)
        elif r["verdict"] == "skip":
            ET.SubElement(case, "skipped", message=r["summary"])
        elif r["verdict"] == "warn":
            ET.SubElement(case, "system-out").text = f"WARNING: {_details(r)}"
    ET.SubElement(suite, "system-out").text = f"netcheck {d['verdict']}"
    ET.SubElement(suite, "system-err").text = ""
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
