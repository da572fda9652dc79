"""The HTML, Markdown and JUnit reports lead with the problems: impact, owner, flows, the fix once."""

from __future__ import annotations

import dataclasses
import html.parser
import itertools
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from conftest import shared_run
from markdown_it import MarkdownIt

from netcheck.model import Fix, Report, Result, Verdict
from netcheck.probes import CATALOG
from netcheck.probes.impact import PROBES, impact
from netcheck.render import render
from netcheck.render.common import safe_text
from netcheck.render.markdown import inline
from netcheck.subject import Named, Ref

XSD = xmlschema.XMLSchema(str(Path(__file__).parent / "data" / "junit.xsd"))
LINK_CMD = "az network private-dns link vnet create -g rg-mlops-prod -z privatelink.api.azureml.ms"
APPROVE_CMD = "az network private-endpoint-connection approve --id"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def default() -> Report:
    return shared_run("default")[0]


# --- the impact/owner table ------------------------------------------------------------------------------

def test_every_probe_in_the_catalog_has_an_impact_and_an_owner() -> None:
    assert {p.id for p in CATALOG} <= set(PROBES)


def test_impact_follows_the_host_a_network_probe_looked_at() -> None:
    assert impact("acr.pe_approval", "x") .owner == "registry owner"
    assert impact("dns.system", "crcontosoml.azurecr.io").breaks == "image pull (deployment)"
    assert impact("pdns.links", "privatelink.azurecr.io → vnet-a").owner == "DNS team"
    scoring = impact("net.tcp", "ep1.eastus.inference.ml.azure.com", vnet="vnet-ml-spoke")
    assert (scoring.breaks, scoring.owner) == ("scoring from VNet vnet-ml-spoke", "network team")
    assert impact("dns.system", "ep1.eastus.inference.ml.azure.cn", cloud="AzureChinaCloud").breaks == "scoring"


# --- HTML ------------------------------------------------------------------------------------------------

class _Page(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.open: list[str] = []
        self.in_details: list[str] = []   # text of elements inside <details>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "a" and a.get("href"):
            self.hrefs.append(str(a["href"]))
        if tag == "details":
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open:
            self.in_details.append(data)


def test_html_problems_carry_impact_owner_flows_and_the_fix_once() -> None:
    page = render("html", default())
    problems = page.split('id="root-causes"')[1].split("<h2 ")[0]
    first, second = problems.split('id="problem-2"')
    assert "acr.pe_approval" in first and "registry owner" in first and "image pull (deployment)" in first
    flat = second.replace("<wbr>", "")
    assert "pdns.links" in flat and "DNS team" in flat and "scoring from VNet vnet-ml-spoke" in flat
    assert "10.30.1.4 → ep-fraud.eastus.inference.ml.azure.com 10.20.1.5:443" in flat   # client → PE:443
    assert "deployment egress → private endpoint ep-fraud-blue-acr → registry crcontosoml:443" in first.replace(
        "<wbr>", "")
    assert page.count(LINK_CMD) == 1 and page.count(APPROVE_CMD) == 1   # each fix once, in its problem


def test_html_folds_consequences_and_passes_and_its_contents_link_to_anchors() -> None:
    page = render("html", default())
    p = _Page()
    p.feed(page)
    folded = "".join(p.in_details)
    assert "dns.system" in folded and "http.frontend" in folded          # consequences, under their cause
    assert "pdns.zones" in folded and "6/6 pass" in folded               # passes, per probe
    local = [h[1:] for h in p.hrefs if h.startswith("#")]
    assert {"root-causes", "problem-1", "problem-2", "checks"} <= set(local) and set(local) <= p.ids
    healthy = render("html", shared_run("healthy")[0])
    assert 'id="root-causes"' not in healthy and "No problems" in healthy


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/test installs it)")
def test_the_default_demo_prints_on_at_most_three_a4_pages(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    page = tmp_path / "report.html"
    page.write_text(render("html", default()), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.as_uri()], capture_output=True, timeout=120, check=True)
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert boxes and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)   # A4 in points
    assert 1 <= _pdf_pages(data) <= 3


# --- Markdown --------------------------------------------------------------------------------------------

def _md(text: str) -> tuple[str, list[Any]]:
    md = MarkdownIt("commonmark").enable("table")
    return md.render(text), md.parse(text)


def test_markdown_has_the_same_structure_with_consistent_heading_levels() -> None:
    text = render("md", default())
    page, tokens = _md(text)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))   # never skips a level
    heads = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert heads[:4] == ["netcheck: ❌ fail", "Problems", "Problem 1", "Problem 2"] and heads[-1] == "Checks"
    assert text.count(LINK_CMD) == 1 and text.count(APPROVE_CMD) == 1
    assert "<td><strong>Owner</strong></td>\n<td>DNS team</td>" in page
    assert "<summary>Explains 13 more results</summary>" in text


def test_markdown_for_ten_endpoints_fits_in_a_github_comment() -> None:
    report = _with_endpoints(default(), 10)
    assert len({r.subject.text for r in report.results if "inference" in r.subject.text}) >= 10
    text = render("md", report)
    assert len(text) < 65_536, len(text)
    assert text.count(LINK_CMD) == 1 and "✅" in text


def _renamed(value: Any, new: str) -> Any:
    if isinstance(value, str):
        return value.replace("ep-fraud", new)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _renamed(getattr(value, f.name), new)
                                             for f in dataclasses.fields(value) if f.init})
    if isinstance(value, dict):
        return {k: _renamed(v, new) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_renamed(v, new) for v in value)
    return value


def _with_endpoints(report: Report, n: int) -> Report:
    """The default demo's real results, each one about endpoint ep-fraud repeated for n endpoints."""
    results: list[Result] = []
    for r in report.results:
        if "ep-fraud" in json.dumps(r.to_json(), ensure_ascii=False):
            results += [_renamed(r, f"ep-{i:02d}") for i in range(n)]
        else:
            results.append(r)
    return dataclasses.replace(report, results=tuple(results))


NASTY = "a`b|c<d>&e\x1b[31m\n# f *g* [x](javascript:alert(1))"


def test_markdown_escapes_backticks_pipes_markup_and_controls_in_headings_and_cells() -> None:
    r = default().results[0]
    bad = dataclasses.replace(r, probe="ws.v1_legacy_mode", subject=Named(NASTY), verdict=Verdict.FAIL,
                              summary=NASTY, cause=None, evidence={NASTY: NASTY, "rows": [{"k|": NASTY}]},
                              fix=Fix(NASTY, (f"echo '{NASTY}'",)))
    kid = dataclasses.replace(r, probe="dns.system", subject=Named("c" + NASTY), verdict=Verdict.SKIP,
                              summary=NASTY, cause=Ref("ws.v1_legacy_mode", Named(NASTY)), fix=None)
    text = render("md", dataclasses.replace(default(), results=(bad, kid)))
    page, _ = _md(text)
    assert "javascript" not in "".join(re.findall(r'href="[^"]*"', page)) and "<d>" not in page
    assert "\x1b" not in text
    shown = "a`b|c&lt;d&gt;&amp;e\\x1b[31m\\n# f *g* [x](javascript:alert(1))"   # literally, as HTML text
    assert f"<p>❌ <strong>fail</strong> <code>ws.v1_legacy_mode</code> · {shown}: {shown}</p>" in page
    assert page.count(f"<td>{shown}</td>") >= 3              # evidence key, value, and the summary cell
    assert f"<td>c{shown}</td>" in page                         # the consequence's subject, one cell
    assert "<th>k|</th>" in page                                # a pipe in a column name: still one column
    heading, _ = _md("## " + inline(safe_text(NASTY)))        # a name in a heading stays one literal heading
    assert heading == f"<h2>{shown}</h2>\n"
    assert "<h1>" in page and page.count("<h1>") == 1


# --- JUnit -----------------------------------------------------------------------------------------------

def test_junit_names_probe_and_subject_classname_per_stage_and_a_consequence_names_its_root() -> None:
    xml = render("junit", default())
    XSD.validate(xml)
    cases = ET.fromstring(xml).findall("testsuite/testcase")
    names = [c.get("name") for c in cases]
    assert len(names) == len(set(names))   # no two checks called "mlw-contoso-prod"
    link = next(c for c in cases if c.get("name") == "pdns.links privatelink.api.azureml.ms → vnet-ml-spoke")
    assert link.get("classname") == "stage1-configuration.pdns.links"
    assert all(c.get("time") and re.fullmatch(r"\d+\.\d{3}", c.get("time") or "") for c in cases)
    dns = next(c for c in cases if c.get("name") == "dns.system ep-fraud.eastus.inference.ml.azure.com")
    assert dns.get("classname") == "stage2-name-resolution.dns.system"
    failure = dns.find("failure")
    assert failure is not None and failure.get("message", "").endswith(
        "(root cause: pdns.links@privatelink.api.azureml.ms → vnet-ml-spoke)")
    root = link.find("failure")
    assert root is not None and "root cause" not in root.get("message", "")
    skipped = [c.find("skipped") for c in cases if c.find("skipped") is not None
               and "tcp" in (c.get("classname") or "")]
    assert skipped and all("root cause: pdns.links@" in (s.get("message") or "") for s in skipped if s is not None)
