"""Hostile input and output (issue 12): report files and streams, strings ARM or DNS can carry in every
format, secrets by value, bad input with exit 2 and one line, interrupts, `collect` without ARM."""

from __future__ import annotations

import asyncio
import html.parser
import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xmlschema
from conftest import cli_env, demo_args, validate_report
from markdown_it import MarkdownIt

from netcheck.app import check
from netcheck.azure.collect import gather, inventory_text
from netcheck.cli import apply_options, scenario_settings
from netcheck.probes import CATALOG
from netcheck.render import render
from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator
from netcheck.subject import Ref

XSD = xmlschema.XMLSchema(str(Path(__file__).parent / "data" / "junit.xsd"))
HUMAN = ["text", "md", "html", "junit"]
SUB = "6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b"
REGISTRY = f"/subscriptions/{SUB}/resourceGroups/rg-mlops-prod/providers/Microsoft.ContainerRegistry/registries/crcontosoml"

# A name as ARM could return it: a newline that would forge a result line, a right-to-left override, a C1
# control, an ANSI escape, Markdown links and images, XML-invalid noncharacters, a lone surrogate, HTML.
HOSTILE = ("ep-fraud/line1\n  [✓] ctx.target: FORGED pass line \u202egnp.exe \x85 \x1b[31mRED "
           "[x](javascript:alert(1)) ![i](https://evil.example/p.png) \ufffe\uffff \ud800 <b>bold</b>")
RAW = ["\u202e", "\x85", "\x1b", "\ufffe", "\uffff", "\ud800"]
# ARM names are their id's last segment and never hold a '/': the name carries the rest, the free texts all
HOSTILE_NAME = HOSTILE.replace("/", "\u2215")


def netcheck(*argv: str, timeout: float = 120, **kw: Any) -> subprocess.CompletedProcess[str]:
    env = kw.pop("env", None) or cli_env()
    return subprocess.run([sys.executable, "-m", "netcheck", *argv], capture_output=True, text=True, env=env,
                          timeout=timeout, **kw)


def one_line_usage_error(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "Warning" not in r.stderr, r.stderr
    assert r.stderr.startswith("netcheck: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert r.stdout == ""
    return r.stderr


def scenario_file(folder: Path, name: str, **body: Any) -> Path:
    """A scenario written as JSON (which YAML reads): JSON can carry a lone surrogate as \\ud800."""
    path = folder / f"{name}.yaml"
    data = {"scenario": 1, "name": name, "summary": f"{name} (a test's scenario)", "base": "healthy", **body}
    path.write_text(json.dumps(data), encoding="ascii")
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scenario_file(tmp_path_factory.mktemp("hostile"), "hostile-strings", patch=[
        {"remove": "*/privateEndpointConnections/ep-fraud-egress.91ac"}], arm=[{
            "id": f"{REGISTRY}/privateEndpointConnections/{HOSTILE_NAME}", "name": HOSTILE_NAME,
            "type": "Microsoft.ContainerRegistry/registries/privateEndpointConnections",
            "properties": {"provisioningState": "Succeeded", "privateEndpoint": {
                "id": "/subscriptions/0b7c4a1e-6d2f-4a3b-8c9d-aml00egress01/resourceGroups/azureml-rg/providers/"
                      "Microsoft.Network/privateEndpoints/ep-fraud-blue-acr"},
                "privateLinkServiceConnectionState": {"status": "Pending", "description": HOSTILE,
                                                      "actionsRequired": HOSTILE}}}],
        expect={"acr.pe_approval": "fail"})


# ---- every format survives any string ----------------------------------------------------------------------
def _assert_inert(fmt: str, out: str) -> None:
    for ch in RAW:
        assert ch not in out, (fmt, repr(ch))
    assert "FORGED" in out, fmt   # the hostile name is there, shown
    for line in out.splitlines():   # ... but on the result's own line: it can't start one of its own
        assert "FORGED" not in line or "line1" in line, (fmt, line)


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def _links_and_images(html_text: str) -> list[tuple[str, dict[str, str | None]]]:
    p = _Tags()
    p.feed(html_text)
    return [(t, a) for t, a in p.found if t in ("a", "img", "script", "b")]


@pytest.mark.parametrize("fmt", HUMAN)
def test_a_hostile_name_is_inert_in_every_human_format(hostile: Path, fmt: str) -> None:
    r = netcheck("demo", str(hostile), "--only", "acr.*", "--output", fmt)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    _assert_inert(fmt, r.stdout)
    if fmt == "md":   # rendered as GitHub would: no link, no image, no HTML from the name
        page = MarkdownIt("commonmark").enable("table").render(r.stdout)
        assert not [(t, a) for t, a in _links_and_images(page) if t != "a" or "javascript" in str(a.get("href"))]
    if fmt == "html":   # the only links: the probe's own docs page, and the contents' anchors in the page
        found = _links_and_images(r.stdout.split("<body", 1)[1])
        assert all(t == "a" and str(a.get("href")).startswith(("https://learn.microsoft.com/", "#"))
                   for t, a in found)
    if fmt == "junit":
        XSD.validate(r.stdout)
        for el in ET.fromstring(r.stdout).iter():
            for line in (el.text or "").splitlines():
                assert not line.lstrip().startswith("[✓] ctx.target"), line


def test_json_keeps_the_name_as_data_and_inert(hostile: Path) -> None:
    r = netcheck("demo", str(hostile), "--only", "acr.*", "--json")
    assert r.returncode == 1, r.stderr
    for ch in ("\u202e", "\x85", "\x1b"):   # escaped in the text ...
        assert ch not in r.stdout
    data = json.loads(r.stdout)
    validate_report(data)
    assert _has(data, HOSTILE.replace("\ud800", "\ufffd"))   # ... and exact as data (a lone surrogate replaced)


def _has(data: Any, text: str) -> bool:
    return any(text in s for s in _strings(data))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_a_stdout_that_is_not_utf8_gets_the_report(hostile: Path) -> None:
    env = cli_env(PYTHONIOENCODING="ascii")
    text = netcheck("demo", str(hostile), "--only", "acr.*", "--output", "text", env=env)
    assert text.returncode == 1 and "Traceback" not in text.stderr, text.stderr
    assert text.stdout.isascii() and "FORGED" in text.stdout
    js = netcheck("demo", str(hostile), "--only", "acr.*", "--json", env=env)
    assert js.returncode == 1 and js.stdout.isascii(), js.stderr
    assert _has(json.loads(js.stdout), HOSTILE.replace("\ud800", "\ufffd"))   # valid JSON, the same data


async def test_the_tui_shows_and_exports_a_hostile_name_inert(hostile: Path, tmp_path: Path) -> None:
    from textual.widgets import DataTable, Input, Tree

    from netcheck.tui.app import NetcheckApp

    sc = load(str(hostile))
    with Simulator(sc) as sim:
        app = NetcheckApp(scenario_settings(sim, apply_options(demo_args(str(hostile), "--only", "acr.*"), sc),
                                            os.environ))
        async with app.run_test(size=(120, 40)) as pilot:
            end = time.monotonic() + 60
            while app.report is None or app.running:
                assert time.monotonic() < end, "the check did not finish"
                await pilot.pause(0.05)
            app.jump_to(Ref("acr.pe_approval"))   # the detail pane shows its evidence, the hostile name among it
            await pilot.pause(0.2)
            shown = []
            stack = list(app.query_one(Tree).root.children)
            while stack:
                node = stack.pop()
                shown.append(str(node.label))
                stack += list(node.children)
            shown += [str(w.render()) for w in app.query("Static")]
            for table in app.query(DataTable):
                shown += [str(c) for i in range(table.row_count) for c in table.get_row_at(i)]
            _assert_inert("tui", "\n".join(shown))
            for name in ("export.txt", "export.md"):
                await pilot.press("e")
                await pilot.pause(0.1)
                app.screen.query_one("Input", Input).value = str(tmp_path / name)
                await pilot.press("enter")
                await pilot.pause(0.2)
    umask = os.umask(0o022)
    os.umask(umask)
    for name in ("export.txt", "export.md"):
        _assert_inert(name, (tmp_path / name).read_text(encoding="utf-8"))
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask   # a report, not a secret


# ---- secrets by value ------------------------------------------------------------------------------------------
ARM_TOKEN = "opaque-arm-token-held-by-netcheck-0042"   # no JWT, no key=, not a long base64 run: no shape
SCORE_KEY = "opaque-score-key-held-by-netcheck-0042"


@pytest.fixture(scope="module")
def echoing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ARM and the scoring front end echo back the exact token and key netcheck sent."""
    host = "ep-fraud.eastus.inference.ml.azure.com"
    return scenario_file(tmp_path_factory.mktemp("echo"), "echoing", options=["--score"], faults=[
        {"request": "GET */vaults/kv-contoso-ml", "status": 403, "message": f"denied for token {ARM_TOKEN}"}],
        tls={host: {"score": {"status": 401, "body": f"key {SCORE_KEY} and {ARM_TOKEN} rejected"}}})


def _with_token(sim: Simulator, token: str) -> None:
    sim.token = sim.arm.token = token


def test_the_token_and_key_netcheck_holds_appear_in_no_format_nor_collect(echoing: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETCHECK_SCORE_KEY", SCORE_KEY)
    sc = load(str(echoing))
    with Simulator(sc) as sim:
        _with_token(sim, ARM_TOKEN)
        settings = scenario_settings(sim, apply_options(demo_args(str(echoing)), sc), os.environ)
        report = asyncio.run(check(settings, CATALOG))
        inventory = inventory_text(asyncio.run(gather(settings)))
    assert any(str(r.evidence.get("body", "")).count(SCORE_KEY) for r in report.results)   # it was echoed
    assert any(ARM_TOKEN in (r.summary + json.dumps(r.evidence)) for r in report.results)
    for fmt in [*HUMAN, "json"]:
        out = render(fmt, report).replace("\\[", "[").replace("\\]", "]")   # Markdown escapes brackets
        assert SCORE_KEY not in out and ARM_TOKEN not in out and "[redacted]" in out, fmt
    assert ARM_TOKEN not in inventory and "[redacted]" in inventory


@pytest.mark.parametrize(("var", "value"), [
    ("NETCHECK_SCORE_KEY", "abc-key\r\nX-Injected: 1"),
    ("NETCHECK_ARM_TOKEN", "abc-token\nX-Injected: 1"),
    ("NETCHECK_ARM_TOKEN", "t" * 100_000),
    ("NETCHECK_ARM_TOKEN", "tökén-€-not-latin-1"),
])
def test_a_secret_a_header_cannot_carry_is_refused_unsent(var: str, value: str) -> None:
    argv = ["demo", "score-200"] if var == "NETCHECK_SCORE_KEY" else \
        ["--no-azure", "--host", "a.example.com", "--resolver", "127.0.0.1:9"]
    err = one_line_usage_error(netcheck(*argv, env=cli_env(**{var: value})))
    assert value[:7] not in err   # the message never repeats the secret


# ---- output files ------------------------------------------------------------------------------------------
QUICK = ["demo", "healthy", "--only", "ws.v1_legacy_mode"]


def test_a_report_file_gets_the_umasks_mode(tmp_path: Path) -> None:
    for mask, mode in ((0o022, 0o644), (0o077, 0o600)):
        out = tmp_path / f"r{mask:o}.json"
        r = netcheck(*QUICK, "--out", str(out), preexec_fn=lambda m=mask: os.umask(m))
        assert r.returncode == 0, r.stderr
        assert stat.S_IMODE(out.stat().st_mode) == mode
        json.loads(out.read_text())


def test_out_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    real.write_text("old")
    link.symlink_to(real)
    r = netcheck(*QUICK, "--out", str(link))
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and json.loads(real.read_text())["verdict"] == "pass"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[tuple[Path, list[bytes]]]:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    got: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as f:
            got.append(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    yield path, got
    reader.join(timeout=30)


def test_out_to_a_fifo_writes_into_it_and_leaves_a_fifo(fifo: tuple[Path, list[bytes]]) -> None:
    path, got = fifo
    r = netcheck(*QUICK, "--out", str(path))
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(path.stat().st_mode)
    deadline = time.monotonic() + 30
    while not got and time.monotonic() < deadline:
        time.sleep(0.05)
    assert json.loads(got[0])["verdict"] == "pass"


def test_sigterm_mid_run_exits_130_and_leaves_no_file_nor_simulator_keys(tmp_path: Path) -> None:
    tmp, out = tmp_path / "tmp", tmp_path / "out"
    tmp.mkdir()
    out.mkdir()
    run = subprocess.Popen([sys.executable, "-m", "netcheck", "demo", "arm-vault-slow", "--timeout", "60",
                            "--out", str(out / "report.html")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=cli_env(TMPDIR=str(tmp)))
    deadline = time.monotonic() + 60   # ready: the simulator's CA is on disk, so its keys are being made
    while not list(tmp.glob("netcheck-sim-*/ca.pem")):
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    run.send_signal(signal.SIGTERM)
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 130 and stdout == "" and "Traceback" not in stderr, stderr
    assert list(tmp.iterdir()) == [] and list(out.iterdir()) == []


# ---- bad input: exit 2, one line ---------------------------------------------------------------------------
TARGET = ["-s", SUB, "-g", "rg-x", "-w", "ws-x"]


@pytest.mark.parametrize("argv", [
    ["-s", SUB + "\n", "-g", "rg-x", "-w", "ws-x"],
    ["-s", SUB, "-g", "rg-x\n", "-w", "ws-x"],
    ["-s", SUB, "-g", "rg-x", "-w", "ws-x\n"],
    [*TARGET, "-e", "ep-one\n"],
    ["--no-azure", "--host", "a.example.com\n"],
    ["--no-azure", "--host", "a.example.com", "--request-id", "id\n"],
    [*TARGET, "--arm-endpoint", "https://management .azure.com"],
    [*TARGET, "--arm-endpoint", "https://"],
    [*TARGET, "--arm-endpoint", "https://127.0.0.1:99999"],
    [*TARGET, "--arm-endpoint", "http://management.azure.com"],
    ["--no-azure", "--host", "a.example.com", "--timeout", "1e-300"],
    ["--no-azure", "--host", "a.example.com", "--timeout", "nan"],
    ["--no-azure", "--host", "a.example.com", "--resolver", "127.0.0.1:99999"],
])
def test_bad_options_exit_2_with_one_line(argv: list[str]) -> None:
    one_line_usage_error(netcheck(*argv))


def test_a_garbage_ca_bundle_exits_2(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n\x00\xff")
    assert "--ca-bundle" in one_line_usage_error(netcheck(*TARGET, "--ca-bundle", str(bundle)))


@pytest.mark.parametrize("kind", ["deep", "zero", "mars"])
def test_a_bad_inventory_exits_2(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "inv.json"
    if kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
    elif kind == "mars":
        path.write_text(json.dumps({"schema": "netcheck.inventory/1", "subscription": SUB, "resource_group": "rg",
                                    "cloud": "Mars", "workspace": None}))
    err = one_line_usage_error(netcheck("--inventory", "/dev/zero" if kind == "zero" else str(path)))
    assert "--inventory" in err
    if kind == "mars":
        assert "'Mars'" in err


@pytest.mark.parametrize(("options", "refused"), [
    (["--out", "written-by-a-scenario.html"], "--out"),
    (["--connect-to", ":53:192.0.2.53:53"], "--connect-to"),
    (["--resolver", "192.0.2.53"], "--resolver"),
    (["--dns-server", "192.0.2.53"], "--dns-server"),
    (["--score", "--score-key-file", "/etc/hostname"], "--score-key-file"),
    (["--arm-endpoint", "https://management.azure.com"], "--arm-endpoint"),
    (["--no-tui", "--json"], "--json"),
])
def test_a_scenario_may_not_set_options_that_leave_the_simulator_or_write(tmp_path: Path, options: list[str],
                                                                          refused: str) -> None:
    path = scenario_file(tmp_path, "sets-options", options=options)
    r = netcheck("demo", str(path), "--json", cwd=tmp_path)
    assert refused in one_line_usage_error(r)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sets-options.yaml"]   # nothing written


def test_a_scenario_may_set_options_that_stay_on_the_simulator(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, "sets-options", options=["--only", "ws.v1_legacy_mode", "--timeout", "20",
                                                            "--resolver", "127.0.0.1:9", "--strict"])
    r = netcheck("demo", str(path), "--json")
    assert r.returncode == 0, r.stderr
    assert {x["probe"] for x in json.loads(r.stdout)["results"]} >= {"ws.v1_legacy_mode"}


# ---- collect -----------------------------------------------------------------------------------------------
def test_collect_without_arm_writes_nothing_and_fails(tmp_path: Path) -> None:
    out = tmp_path / "inv.json"
    r = netcheck("collect", *TARGET, "--arm-endpoint", "https://127.0.0.1:9", "--timeout", "3", "--out", str(out),
                 env=cli_env(NETCHECK_ARM_TOKEN="opaque-token-for-collect"))
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "nothing written" in r.stderr and "opaque-token-for-collect" not in r.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []
