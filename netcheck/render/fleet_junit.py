"""The fleet as JUnit XML for pipelines: a testsuite per workspace, named after it.

A checked workspace's suite holds its results as the single report's testcases (render.junit: name
`probe subject`, classname per stage and probe, a consequence's message naming its root); its properties
say which workspace it is and, when its network checks were left to a run in its own VNet, why and the
command. A workspace that could not be checked is a suite with one erroring testcase that says why.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET
from typing import Any

from netcheck.fleetmodel import FleetReport
from netcheck.render.fleet_common import fleet_data, labels
from netcheck.render.junit import document, suite


def _props(w: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    keys = ("id", "name", "subscription", "resource_group", "kind", "network", "command")
    return tuple((f"workspace.{k}", str(w[k])) for k in keys if w[k])


def _unchecked(parent: ET.Element, d: dict[str, Any], w: dict[str, Any], name: str, n: int) -> None:
    """A workspace without a report: one testcase in error, with the reason."""
    s = ET.SubElement(parent, "testsuite", name=name, package="netcheck", id=str(n),
                      timestamp=d["started"].removesuffix("Z"), hostname=socket.gethostname() or "localhost",
                      tests="1", failures="0", errors="1", skipped="0", time="0.000")
    props = ET.SubElement(s, "properties")
    for key, value in (*_props(w), ("verdict", w["verdict"])):
        ET.SubElement(props, "property", name=key, value=value)
    case = ET.SubElement(s, "testcase", classname="fleet.workspace", name=f"fleet.workspace {name}", time="0.000")
    reason = w["error"] or "no report"
    ET.SubElement(case, "error", message=f"not checked: {reason}", type="error").text = reason
    ET.SubElement(s, "system-out").text = f"netcheck {w['verdict']}"
    ET.SubElement(s, "system-err").text = ""


def render(fleet: FleetReport, *, color: bool = False) -> str:
    d = fleet_data(fleet)
    label = labels(d)
    reports = [w["report"] for w in d["workspaces"] if w["report"]]
    unchecked = len(d["workspaces"]) - len(reports)
    suites = ET.Element("testsuites", name="netcheck fleet",
                        tests=str(sum(len(r["results"]) for r in reports) + unchecked),
                        failures=str(sum(r["counts"]["fail"] for r in reports)),
                        errors=str(sum(r["counts"]["error"] for r in reports) + unchecked),
                        time=f"{d['duration_ms'] / 1000:.3f}")
    for n, w in enumerate(d["workspaces"]):
        if w["report"]:
            suite(suites, w["report"], name=label[w["id"]], n=n, props=_props(w))
        else:
            _unchecked(suites, d, w, label[w["id"]], n)
    return document(suites)
