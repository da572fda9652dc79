"""The fleet's HTML: self-contained, problems first, a table of workspaces that sorts and filters (and is
whole without scripts), each workspace's own report one click away; checked in headless Chromium."""

from __future__ import annotations

import dataclasses
import html.parser
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from fleet_sample import HUB_COMMAND, LOST, sample_fleet
from test_fleet_outputs import NASTY, hostile_fleet

from netcheck.render import fleet_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
APPROVE = "az network private-endpoint-connection approve --id"


class _Page(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.hrefs: list[str] = []
        self.fetches: list[str] = []     # anything the browser would load
        self.tags: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags[tag] += 1
        if a.get("id"):
            self.ids[str(a["id"])] += 1
        if tag == "a" and a.get("href"):
            self.hrefs.append(str(a["href"]))
        self.fetches += [str(a[k]) for k in ("src", "srcset", "data", "poster") if a.get(k)]
        if tag == "link":
            self.fetches.append(str(a.get("href")))


def _parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


def test_the_page_is_self_contained_and_every_link_lands_on_one_element() -> None:
    page = fleet_html.render(sample_fleet())
    p = _parse(page)
    assert not p.fetches and "@import" not in page and "url(" not in page
    assert p.tags["script"] == 1 and p.tags["style"] == 1
    assert all(n == 1 for n in p.ids.values()), [i for i, n in p.ids.items() if n > 1]   # embedded reports too
    local = [h[1:] for h in p.hrefs if h.startswith("#")]
    assert local and set(local) <= set(p.ids)
    assert all(h.startswith(("#", "https://")) for h in p.hrefs)   # in-page, or a fix's docs


def test_problems_come_first_then_the_table_then_each_workspace_report() -> None:
    fleet = sample_fleet()
    page = fleet_html.render(fleet)
    problems, rest = page.split('<h2 id="workspace-table">')
    table, reports = rest.split('<h2 id="workspace-reports">')
    assert problems.count('class="problem ') == len(fleet.problems)
    assert problems.count(APPROVE) == 1 and APPROVE not in table           # the fleet's fix once
    assert reports.count(APPROVE) == 2     # and in each of the two workspaces' own (folded) reports
    first = problems.split('id="problem-2"')[0]
    assert "breaks 2 workspaces:" in first and "registry owner" in first and "image pull (deployment)" in first
    assert '<a href="#ws-1">mlw-fraud</a>, <a href="#ws-2">mlw-churn</a>' in first
    assert table.count("<tr data-verdict=") == len(fleet.workspaces)
    order = [m for m in re.findall(r'<a href="#ws-\d+">([^<]+)</a></td>', table)]
    assert order == ["mlw-churn", "mlw-fraud", "mlw-hub", "mlw-risk", "mlw-lost", "mlw-ok"]   # worst first
    assert HUB_COMMAND in table.replace("<wbr>", "") and "not checked: " + LOST in table
    # mlw-fraud's own report, folded, with its problems and checks under its own ids
    fraud = reports.split('<details class="ws" id="ws-1">')[1].split('<details class="ws" ')[0]
    assert 'id="ws-1-problem-1"' in fraud and 'id="ws-1-checks"' in fraud and "acr.pe_approval" in fraud
    assert '<h3 class="sec" id="ws-1-root-causes">Problems</h3>' in fraud
    lost = reports.split('<details class="ws" id="ws-6">')[1].split("</details>")[0]
    assert f"<strong>Not checked:</strong> {LOST}" in lost


def test_hostile_names_are_inert_in_the_page() -> None:
    page = fleet_html.render(hostile_fleet())
    p = _parse(page)
    assert "<d>" not in page and "\x1b" not in page and p.tags["script"] == 1
    assert "a`b|c&lt;d&gt;&amp;e\\x1b[31m\\n# f *g* [x](javascript:alert(1))" in page.replace("<wbr>", "")
    assert NASTY not in page and not [h for h in p.hrefs if "javascript" in h]


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp_path / 'profile'}", *args], capture_output=True, timeout=120,
                          check=True)


# Run in the page after its own script: filter, then sort by name, and write down what the table shows.
_PROBE = """<script>
var q = document.getElementById("q"), out = [];
function names() { return Array.prototype.filter.call(document.querySelectorAll("#workspaces tbody tr"),
  function (r) { return !r.hidden; }).map(function (r) { return r.cells[1].textContent; }).join(","); }
out.push("all=" + names());
q.value = "rg-ml-r"; q.dispatchEvent(new Event("input"));
out.push("filtered=" + names() + "|" + document.getElementById("shown").textContent);
q.value = ""; q.dispatchEvent(new Event("input"));
document.getElementById("only").value = "pass"; document.getElementById("only").dispatchEvent(new Event("change"));
out.push("verdict=" + names());
document.getElementById("only").value = ""; document.getElementById("only").dispatchEvent(new Event("change"));
document.querySelectorAll("#workspaces th button")[1].click();
out.push("sorted=" + names());
var results = document.querySelectorAll("#workspaces th button")[6];
results.click(); results.click();
out.push("most_failing=" + names() + "|" + results.parentNode.getAttribute("aria-sort"));
document.body.setAttribute("data-probe", out.join(";"));
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/test installs it)")
def test_in_chromium_the_table_filters_and_sorts_and_a_link_opens_its_report(tmp_path: Path) -> None:
    page = fleet_html.render(sample_fleet())
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    dom = _chromium(tmp_path, "--dump-dom", probe.as_uri() + "#ws-2-problem-1").stdout.decode()
    (result,) = re.findall(r'data-probe="([^"]*)"', dom)
    seen = dict(part.split("=", 1) for part in result.split(";"))
    assert seen["all"] == "mlw-churn,mlw-fraud,mlw-hub,mlw-risk,mlw-lost,mlw-ok"
    assert seen["filtered"] == "mlw-risk|1 of 6 shown"
    assert seen["verdict"] == "mlw-ok"
    assert seen["sorted"] == "mlw-churn,mlw-fraud,mlw-hub,mlw-lost,mlw-ok,mlw-risk"
    assert seen["most_failing"] == "mlw-lost,mlw-fraud,mlw-hub,mlw-risk,mlw-churn,mlw-ok|descending"
    assert '<details class="ws" id="ws-2" open="">' in dom        # the link to its problem opened its report
    assert '<details class="ws" id="ws-1">' in dom and '<div id="filter">' in dom


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/test installs it)")
def test_the_page_prints_on_a4(tmp_path: Path) -> None:
    page = tmp_path / "fleet.html"
    page.write_text(fleet_html.render(sample_fleet()), encoding="utf-8")
    pdf = tmp_path / "fleet.pdf"
    _chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert boxes and all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)   # A4 in points
    # the problems and the table print; folded reports stay folded: a few pages, not one per result
    assert 1 <= len(re.findall(rb"/Type\s*/Page(?![s\w])", data)) <= 6


def test_without_scripts_the_table_is_whole_and_the_controls_that_need_them_hidden() -> None:
    fleet = sample_fleet()
    page = fleet_html.render(fleet)
    assert '<div id="filter" hidden>' in page and page.count("<tr data-verdict=") == len(fleet.workspaces)
    assert page.count('<details class="ws" id="ws-') == len(fleet.workspaces)   # each report: a click on its name


def test_a_healthy_fleet_says_so() -> None:
    fleet = sample_fleet()
    healthy = dataclasses.replace(fleet, workspaces=(fleet.workspaces[3],))
    page = fleet_html.render(healthy)
    assert "No problems" in page and 'class="problem ' not in page.split('id="workspace-reports"')[0]
