"""The fleet's text, Markdown and JUnit outputs and its JSON schema, judged on a fleet of real runs:
problems first, each once with its fix once and the workspaces it breaks, then a line per workspace."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema
from fleet_sample import HUB_COMMAND, LOST, SUB_A, run, sample_fleet
from markdown_it import MarkdownIt

from netcheck.fleetmodel import FleetReport
from netcheck.render import fleet_junit, fleet_markdown, fleet_text
from netcheck.render.fleet_formats import render_fleet
from netcheck.render.fleet_schema import schema, validate, validator

ROOT = Path(__file__).resolve().parent.parent
XSD = xmlschema.XMLSchema(str(ROOT / "tests" / "data" / "junit.xsd"))
APPROVE = "az network private-endpoint-connection approve --id"
NASTY = "a`b|c<d>&e\x1b[31m\n# f *g* [x](javascript:alert(1))"


def wide_fleet(n: int = 40) -> FleetReport:
    """n workspaces that share one problem (the registry connection Pending in each)."""
    runs = tuple(run(f"mlw-{i:02d}", SUB_A, f"rg-{i:02d}", "acr-pe-pending") for i in range(n))
    return dataclasses.replace(sample_fleet(), workspaces=runs)


def hostile_fleet() -> FleetReport:
    fleet = sample_fleet()
    bad = dataclasses.replace(fleet.workspaces[-1], name=NASTY, resource_group=NASTY, error=NASTY)
    hub = dataclasses.replace(fleet.workspaces[4], network=NASTY, command=f"netcheck -w '{NASTY}'")
    return dataclasses.replace(fleet, workspaces=(*fleet.workspaces[:4], hub, bad), notes=(NASTY,))


# --- the schema ------------------------------------------------------------------------------------------

def test_the_fleet_json_validates_against_the_shipped_schema_with_each_report_against_the_single_one() -> None:
    validator().check_schema(schema())
    data = json.loads(json.dumps(sample_fleet().to_json()))
    validate(data)
    broken = json.loads(json.dumps(data))
    broken["workspaces"][0]["report"]["results"][0]["verdict"] = "maybe"   # the single report's schema applies
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)
    lost = json.loads(json.dumps(data))
    lost["workspaces"][5]["verdict"] = "pass"   # no report: it can't have passed
    with pytest.raises(jsonschema.ValidationError):
        validate(lost)
    shared = data["problems"][0]
    assert shared["id"].startswith("acr.pe_approval@") and len(shared["workspaces"]) == 2


def test_the_fleet_json_is_written_as_the_single_reports_is_redacted_and_inert() -> None:
    fleet = sample_fleet()
    leaky = dataclasses.replace(fleet.workspaces[5], error="GET https://st.blob.core.windows.net/c?sig=AbCdEf0123456789xyz "
                                "answered 403\u202e")
    text = render_fleet("json", dataclasses.replace(fleet, workspaces=(*fleet.workspaces[:5], leaky)))
    assert "AbCdEf0123456789xyz" not in text and "sig=[redacted]" in text and "\\u202e" in text
    data = json.loads(text)
    validate(data)
    assert data["workspaces"][5]["error"].endswith("answered 403\u202e")   # the same data, once parsed


def _described(node: Any, path: str) -> None:
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            assert "description" in sub, f"{path}.{key}"
            _described(sub, f"{path}.{key}")
        for sub in node.get("$defs", {}).values():
            _described(sub, path)


def test_the_schema_and_docs_describe_every_field() -> None:
    s = schema()
    _described(s, "fleet")
    doc = (ROOT / "docs" / "fleet.md").read_text(encoding="utf-8")
    fields = [*s["properties"], *s["properties"]["scope"]["properties"], *s["$defs"]["problem"]["properties"],
              *s["$defs"]["workspace"]["properties"], *s["properties"]["figures"]["properties"]]
    for name in fields:
        assert f"| `{name}` |" in doc, name


def _counts(fleet: FleetReport, i: int) -> str:
    """A workspace's results per verdict, from its report: `62 pass, 9 skip, 8 fail`."""
    report = fleet.workspaces[i].report
    assert report is not None
    return ", ".join(f"{n} {v}" for v, n in report.to_json()["counts"].items() if n)


# --- text ------------------------------------------------------------------------------------------------

def test_text_leads_with_the_problems_each_fix_once_then_a_line_per_workspace() -> None:
    fleet = sample_fleet()
    text = fleet_text.render(fleet)
    lines = text.splitlines()
    head, rest = text.split("\nworkspaces\n")
    assert lines[4] == f"{len(fleet.problems)} problems"
    ids = [re.match(r"  \d+\. \S+ (\S+) ?(.*?): ", line) for line in lines if re.match(r"  \d+\. ", line)]
    assert [f"{m[1]}@{m[2]}" for m in ids if m] == [p.id for p in fleet.problems]
    assert "     breaks 2 workspaces: mlw-fraud, mlw-churn" in head
    assert text.count(APPROVE) == 1                       # one problem in two workspaces: its fix once
    for w in fleet.workspaces:
        assert sum(f" {w.name}  " in line for line in rest.splitlines()) == 1, w.name
    assert re.search(rf"✗ mlw-hub  \S+/rg-ml-hub · problem 3 · {_counts(fleet, 4)} · network checks need a run "
                     rf"inside VNet vnet-ml-hub: {re.escape(HUB_COMMAND)}\n", rest)
    assert f"? mlw-lost  {fleet.workspaces[5].subscription}/rg-ml-lost · not checked: {LOST}" in rest
    assert f"✗ mlw-fraud  {SUB_A}/rg-ml-fraud · problems 1, 4 · {_counts(fleet, 0)}\n" in rest
    assert rest.index("mlw-fraud") < rest.index("mlw-lost") < rest.index("mlw-ok")   # worst first
    assert lines[-1] == "5 problems · 6 workspaces (1 pass, 1 error, 4 fail) → fail"
    assert "\x1b" not in text


def test_colour_when_asked_for_and_never_under_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    fleet = sample_fleet()
    coloured = render_fleet("text", fleet, color=True)
    assert "\x1b[31m✗\x1b[0m" in coloured and coloured.endswith("→ \x1b[31mfail\x1b[0m\n")
    monkeypatch.setenv("NO_COLOR", "1")
    assert render_fleet("text", fleet, color=True) == fleet_text.render(fleet)
    assert {f: render_fleet(f, fleet)[:9] for f in ("md", "html", "junit")} == {
        "md": "# netchec", "html": "<!DOCTYPE", "junit": "<?xml ver"}


def test_a_problem_shared_by_forty_workspaces_is_one_problem_with_its_list_elided() -> None:
    text = fleet_text.render(wide_fleet())
    assert text.count(APPROVE) == 1
    names = ", ".join(f"mlw-{i:02d}" for i in range(8))
    assert f"     breaks 40 workspaces: {names}, … and 32 more\n" in text
    assert text.splitlines()[-1] == "1 problem · 40 workspaces (40 fail) → fail"


def test_text_shows_hostile_names_as_inert_text_and_tells_namesakes_apart() -> None:
    text = fleet_text.render(hostile_fleet())
    assert "\x1b" not in text and "\\x1b[31m\\n# f" in text
    assert len(text.splitlines()) == len(fleet_text.render(sample_fleet()).splitlines())   # no forged line
    hub = dataclasses.replace(sample_fleet(), workspaces=(dataclasses.replace(sample_fleet().workspaces[3], kind="Hub"),))
    assert "✓ mlw-ok (Hub)  " in fleet_text.render(hub)
    twins = dataclasses.replace(sample_fleet(), workspaces=tuple(
        dataclasses.replace(w, name="mlw-prod") for w in sample_fleet().workspaces[:2]))
    assert "breaks 2 workspaces: mlw-prod (rg-ml-fraud), mlw-prod (rg-ml-churn)" in fleet_text.render(twins)


# --- Markdown --------------------------------------------------------------------------------------------

def _md(text: str) -> tuple[str, list[Any]]:
    md = MarkdownIt("commonmark").enable("table")
    return md.render(text), md.parse(text)


def test_markdown_has_the_same_structure_through_a_real_markdown_parser() -> None:
    fleet = sample_fleet()
    text = fleet_markdown.render(fleet)
    page, tokens = _md(text)
    heads = [(int(t.tag[1]), tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert heads == [(1, "netcheck fleet: ❌ fail"), (2, "Problems"),
                     *((3, f"Problem {n}") for n in range(1, 6)), (2, "Workspaces")]
    assert all(b[0] - a[0] <= 1 for a, b in itertools.pairwise(heads))
    assert text.count(APPROVE) == 1
    assert "<td><strong>Workspaces</strong></td>\n<td>breaks 2 workspaces: mlw-fraud, mlw-churn</td>" in page
    rows = page.split("<h2>Workspaces</h2>")[1].count("<tr>") - 1
    assert rows == len(fleet.workspaces)
    assert '<td><a href="#problem-1">1</a>, <a href="#problem-4">4</a></td>' in page
    assert f"network checks need a run inside VNet vnet-ml-hub: <code>{HUB_COMMAND}</code>" in page
    assert f"<td>not checked: {LOST}</td>" in page


def test_markdown_folds_a_long_list_of_workspaces_and_escapes_hostile_names() -> None:
    text = fleet_markdown.render(wide_fleet())
    assert "breaks 40 workspaces: mlw-00" in text and "… and 32 more |" in text
    assert "<details><summary>All 40 workspaces</summary>" in text and "mlw-39" in text
    page, _ = _md(fleet_markdown.render(hostile_fleet()))
    shown = "a`b|c&lt;d&gt;&amp;e\\x1b[31m\\n# f *g* [x](javascript:alert(1))"
    assert "javascript" not in "".join(re.findall(r'href="[^"]*"', page)) and "<d>" not in page
    assert f"<td>{shown}</td>" in page and "\x1b" not in page     # a name in a cell: literal, one cell
    assert f"<li><strong>Note:</strong> {shown}</li>" in page


# --- JUnit -----------------------------------------------------------------------------------------------

def test_junit_has_a_valid_testsuite_per_workspace() -> None:
    fleet = sample_fleet()
    xml = fleet_junit.render(fleet)
    XSD.validate(xml)
    root = ET.fromstring(xml)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [w.name for w in fleet.workspaces]
    for s, w in zip(suites, fleet.workspaces, strict=True):
        names = [c.get("name") for c in s.findall("testcase")]
        assert len(names) == len(set(names))
        props = {p.get("name"): p.get("value") for p in s.iter("property")}
        assert props["workspace.id"] == w.id and props["verdict"] == w.verdict.value
        if w.report:
            assert len(names) == len(w.report.results)
            assert s.get("failures") == str(w.report.to_json()["counts"]["fail"])
    hub = {p.get("name"): p.get("value") for p in suites[4].iter("property")}
    assert hub["workspace.command"] == HUB_COMMAND
    lost = suites[5].find("testcase/error")
    assert lost is not None and lost.get("message") == f"not checked: {LOST}"
    churn = suites[1].find("testcase/failure")
    assert churn is not None and APPROVE in (churn.text or "")
    assert root.get("errors") == "1" and int(root.get("tests") or 0) == sum(len(s.findall("testcase")) for s in suites)


def test_junit_stays_valid_with_hostile_names() -> None:
    xml = fleet_junit.render(hostile_fleet())
    XSD.validate(xml)
    assert "\x1b" not in xml and ET.fromstring(xml).findall("testsuite")[5].get("name", "").startswith("a`b|c<d>")
