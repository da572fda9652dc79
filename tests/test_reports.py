"""Reports for the network team and for pipelines: HTML, Markdown, JUnit XML, JSON."""

from __future__ import annotations

import html.parser
import json
import re
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from conftest import ROOT, cli_env, shared_run

from netcheck.render import render
from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator

XSD = xmlschema.XMLSchema(str(Path(__file__).parent / "data" / "junit.xsd"))
ARTIFACTS = ROOT / "test-artifacts"
SECRETS = ["c2VjcmV0LWtleS1wbGFudGVkLWluLWEtdGFnLTEyMzQ1Njc4OTA=", "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9",
           "U2VjcmV0U2lnbmF0dXJlUGxhbnRlZA", "c2lnbmF0dXJlLXBsYW50ZWQ", "sim-demo-key"]
FORMATS = ["text", "json", "md", "html", "junit"]


def out(name: str, fmt: str) -> str:
    return render(fmt, shared_run(name)[0])


def test_html_leads_with_verdict_counts_and_root_causes() -> None:
    page = out("default", "html")
    assert '<span class="verdict v-fail" id="verdict">fail</span>' in page
    counts = shared_run("default")[0].counts
    assert f"{counts['pass']} pass" in page and "8 fail" in page and "2 problems" in page
    causes = page.split('id="root-causes"')[1].split("<h2 ")[0]
    heads = re.findall(r"<h3 .*?</h3>", causes, re.S)
    assert len(heads) == 2 and "acr.pe_approval" in heads[0] and "pdns.links" in heads[1]
    assert "dns.system" not in "".join(heads)   # a consequence is not a problem of its own
    assert "az network private-dns link vnet create -g rg-mlops-prod -z privatelink.api.azureml.ms" in page
    assert "<script" not in page and "http://" not in page.replace("https://", "")  # nothing fetched, no scripts


def test_html_for_healthy() -> None:
    page = out("healthy", "html")
    assert 'id="verdict">pass<' in page and 'id="root-causes"' not in page


def test_html_tables_wrap_ids_at_slashes_and_never_split_a_short_word() -> None:
    page = out("default", "html")
    assert "/<wbr>subscriptions/<wbr>6b1e2f3a-<wbr>" in page
    assert "<td>Completed</td>" in page and "<td>Pending</td>" in page


def test_markdown_root_causes_fixes_and_counts() -> None:
    md = out("default", "md")
    assert md.startswith("# netcheck: ❌ fail")
    assert md.index("## Problems") < md.index("### Problem 1") < md.index("## Checks")
    assert "```sh\naz network private-endpoint-connection approve --id" in md
    counts = shared_run("default")[0].counts
    assert f"2 problems · {counts['pass']} pass · {counts['skip']} skip · 0 warn · 0 error · 8 fail" in md
    assert "# netcheck: ✅ pass" in out("healthy", "md")


def test_junit_is_valid_and_maps_verdicts() -> None:
    xml = out("default", "junit")
    XSD.validate(xml)
    suite = ET.fromstring(xml).find("testsuite")
    assert suite is not None and suite.get("failures") == "8" and suite.get("skipped") == "11"
    cases = suite.findall("testcase")
    failing = {c.get("classname") for c in cases if c.find("failure") is not None}
    assert failing == {"stage1-configuration.acr.pe_approval", "stage1-configuration.pdns.links",
                       "stage2-name-resolution.dns.system", "stage2-name-resolution.dns.azure"}
    link = next(c for c in cases if c.get("classname", "").endswith("pdns.links") and c.find("failure") is not None)
    assert link.get("name") == "pdns.links privatelink.api.azureml.ms → vnet-ml-spoke"
    assert "$ az network private-dns link vnet create" in (link.findtext("failure") or "")
    XSD.validate(out("healthy", "junit"))
    warn = ET.fromstring(out("cert-expiring-soon", "junit"))
    outs = [c.findtext("system-out") for c in warn.iter("testcase") if c.find("system-out") is not None]
    assert any(o and o.startswith("WARNING: certificate valid, but expires in") for o in outs)
    errors = ET.fromstring(out("arm-vault-unavailable", "junit"))
    assert [c.get("classname") for c in errors.iter("testcase") if c.find("error") is not None] == [
        "stage0-context.ctx.reads", "stage1-configuration.kv.bypass"]   # the vault's read, and the probe that needed it


class _Collect(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def test_hostile_names_stay_inert_in_every_format() -> None:
    page = out("hostile-names", "html")
    parsed = _Collect()
    parsed.feed(page)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not any(k.startswith("on") for k, _ in parsed.attrs)
    assert "&lt;script&gt;" in page and "\x1b" not in page
    cells = re.findall(r"<td>(.*?)</td>", page, re.S)
    assert any("x" * 24 in c for c in cells) and not any("x" * 25 in c for c in cells)   # a long name can wrap
    md = out("hostile-names", "md")
    width = 0
    for line in md.splitlines():   # every row of every table: as many cells as its header
        n = len(line.replace("\\|", "").split("|")[1:-1]) if line.startswith("|") else 0
        width = width or n
        assert n in (0, width), line
        width = width if n else 0
    assert "<script>" not in md and "\x1b" not in md
    xml = out("hostile-names", "junit")
    ET.fromstring(xml)   # well-formed, control characters replaced
    XSD.validate(xml)
    assert "\x1b" not in out("hostile-names", "json")
    assert "\x1b" not in out("hostile-names", "text")   # a name can't drive the terminal


@pytest.mark.parametrize("fmt", FORMATS)
def test_planted_secrets_appear_in_no_format(fmt: str) -> None:
    for name in ("hostile-names", "score-200"):
        text = out(name, fmt)
        for secret in SECRETS:
            assert secret not in text, (name, fmt, secret)
    shown = out("hostile-names", fmt).replace("\\[", "[").replace("\\]", "]")   # Markdown escapes brackets
    assert "[redacted]" in shown  # the token in ARM's error message was masked


def test_report_file_is_written_whole_at_the_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from netcheck import output

    target = tmp_path / "r.html"
    output.write_report(target, "complete")
    assert target.read_text() == "complete" and [p.name for p in tmp_path.iterdir()] == ["r.html"]

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt   # Ctrl-C just before the file would have been put in place

    monkeypatch.setattr(output.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.write_report(tmp_path / "half.html", "x" * 10)
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no half-written file, no temp left


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/test installs it)")
def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    page = tmp_path / "report.html"
    page.write_text(out("default", "html"), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-default.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,1600"]
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120,
                   check=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000   # a blank page compresses to a few KB
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert 'id="verdict">fail<' in dom and 'id="root-causes"' in dom and "acr.pe_approval" in dom


def test_json_report_carries_the_schema() -> None:
    data = json.loads(out("default", "json"))
    assert data["schema"] == "netcheck.report/2" and data["counts"]["fail"] == 8


def test_ctrl_c_mid_run_leaves_no_report_file(tmp_path: Path) -> None:
    # The simulator runs here, so the test sees the run's ARM reads: the interrupt is sent once the
    # workspace has been read, while the key vault's read hangs (20 s, under --timeout 60).
    target = tmp_path / "report.html"
    with Simulator(load("arm-vault-slow")) as sim:
        o = sim.overrides()
        argv = ["-s", o["subscription"], "-g", o["resource_group"], "-w", o["workspace"],
                "--arm-endpoint", o["arm_endpoint"], "--ca-bundle", str(o["ca_bundle"]),
                "--resolver", "{}:{}".format(*o["resolver"]), "--azure-dns", "{}:{}".format(*o["azure_dns"]),
                *(f"--connect-to={h}:{p}:{a}:{q}" for (h, p), (a, q) in o["connect_to"]),
                "--timeout", "60", "--out", str(target)]
        run = subprocess.Popen([sys.executable, "-m", "netcheck", *argv], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=cli_env(NETCHECK_ARM_TOKEN=o["arm_token"]))
        try:
            deadline = time.monotonic() + 120   # a bound on waiting, not a timing assertion
            while not any(r.path.endswith("/workspaces/mlw-contoso-prod") for r in list(sim.arm.requests)):
                assert run.poll() is None, run.communicate()
                assert time.monotonic() < deadline, "the run never read the workspace"
                time.sleep(0.05)   # poll the request log
            run.send_signal(signal.SIGINT)
            stdout, stderr = run.communicate(timeout=60)
        finally:
            if run.poll() is None:
                run.kill()
                run.communicate()
    assert run.returncode == 130 and stdout == "" and "Traceback" not in stderr, stderr
    assert list(tmp_path.iterdir()) == []   # neither the report nor a temporary half of it
