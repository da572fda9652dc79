"""The TUI driven as a user would: Pilot against the simulator, SVG snapshots, and tmux."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import cli_env, demo_args, shared_run
from textual.widgets import Input

from netcheck.cli import apply_options, scenario_settings
from netcheck.model import Fix, Report, Result, Verdict
from netcheck.settings import Settings
from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator
from netcheck.subject import Ref, as_subject
from netcheck.tui.app import NetcheckApp


@asynccontextmanager
async def live(name: str, latency_ms: float | None = None, size: tuple[int, int] = (120, 40)) -> AsyncIterator[Any]:
    sc = load(name)
    with Simulator(sc, latency_ms) as sim:
        app = NetcheckApp(scenario_settings(sim, apply_options(demo_args(name), sc), os.environ))
        async with app.run_test(size=size) as pilot:
            yield app, pilot


async def finished(app: NetcheckApp, pilot: Any, limit: float = 60) -> None:
    end = time.monotonic() + limit
    while app.report is None or app.running:
        assert time.monotonic() < end, "the check did not finish"
        await pilot.pause(0.05)
    await pilot.pause(0.2)


async def test_first_failure_selected_and_its_fix_shown() -> None:
    async with live("default") as (app, pilot):
        await finished(app, pilot)
        assert app.selected() is not None and app.selected().ref.text == "acr.pe_approval@ep-fraud-egress.91ac"
        text = " ".join(str(w.render()) for w in app.query("DetailPane Static"))
        assert "az network private-endpoint-connection approve --id" in text
        assert "65 pass" in str(app.query_one("#counts").render())
        await pilot.press("q")
    assert app.return_value == 1


async def test_healthy_exits_zero_and_arrows_move_the_selection() -> None:
    async with live("healthy") as (app, pilot):
        await finished(app, pilot)
        first = app.selected()
        await pilot.press("down", "down")
        assert app.selected() != first
        await pilot.press("q")
    assert app.return_value == 0


async def test_failures_filter_keeps_only_problems() -> None:
    async with live("kv-no-bypass") as (app, pilot):
        await finished(app, pilot)
        await pilot.press("f")
        await pilot.pause(0.2)
        shown = [n.data for n in app._tree_nodes() if isinstance(n.data, Result)]
        assert [r.ref.text for r in shown] == ["kv.bypass@kv-contoso-ml"]
        await pilot.press("f")
        await pilot.pause(0.2)
        assert len([n for n in app._tree_nodes() if isinstance(n.data, Result)]) > 50


async def test_enter_on_a_skip_jumps_to_its_cause() -> None:
    async with live("zone-missing") as (app, pilot):
        await finished(app, pilot)
        skip = "pdns.links@privatelink.api.azureml.ms → vnet-ml-hub"
        (link,) = [r for r in app.results if r.ref.text == skip]
        assert app.jump_to(link.ref)
        await pilot.pause(0.1)
        assert app.selected().ref.text == skip
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert app.selected().ref.text == "pdns.zones@privatelink.api.azureml.ms"


async def test_copy_puts_the_fix_commands_on_the_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    import netcheck.tui.app as tui

    monkeypatch.setattr(tui, "_system_clipboard", lambda text: None)  # no desktop here: OSC 52
    async with live("kv-no-bypass") as (app, pilot):
        await finished(app, pilot)
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        await pilot.press("c")
        assert copied == ["az keyvault update -g rg-mlops-prod -n kv-contoso-ml --bypass AzureServices"]


async def export_to(app: NetcheckApp, pilot: Any, path: Path) -> None:
    """What a person does: `e`, type the file's name, enter."""
    await pilot.press("e")
    await pilot.pause(0.1)
    app.screen.query_one("Input", Input).value = str(path)
    await pilot.press("enter")
    await pilot.pause(0.2)


async def test_export_writes_the_report(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    async with live("kv-no-bypass") as (app, pilot):
        await finished(app, pilot)
        await export_to(app, pilot, target)
    assert target.read_text().startswith("# netcheck: ❌ fail")


async def test_export_to_a_name_without_a_format_says_so_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    async with live("kv-no-bypass") as (app, pilot):
        await finished(app, pilot)
        await export_to(app, pilot, target)
        assert any("names no report format" in str(n.message) for n in app._notifications)
    assert not target.exists()


async def test_explain_and_help_screens() -> None:
    async with live("kv-no-bypass") as (app, pilot):
        await finished(app, pilot)
        await pilot.press("x")
        await pilot.pause(0.1)
        assert "networkAcls" in " ".join(str(s.render()) for s in app.screen.query("Static"))
        await pilot.press("escape", "question_mark")
        await pilot.pause(0.1)
        assert "copy the selected fix commands" in " ".join(str(s.render()) for s in app.screen.query("Static"))


async def test_rerun_selected_probe_keeps_the_others() -> None:
    async with live("kv-no-bypass") as (app, pilot):
        await finished(app, pilot)
        before = len(app.results)
        await pilot.press("R")
        await pilot.pause(0.1)
        await finished(app, pilot)
        assert len(app.results) == before and app.selected().ref.text == "kv.bypass@kv-contoso-ml"


async def test_quit_during_a_slow_run_cancels_cleanly() -> None:
    async with live("healthy", latency_ms=400) as (app, pilot):
        await pilot.pause(0.3)
        assert app.report is None   # still running, the UI answers keys
        await pilot.press("question_mark", "escape")
        await pilot.press("q")
    assert app.return_value == 130


# ---- snapshots: a replayed report with frozen clock, durations and loopback ports ----------------

def frozen(name: str) -> Report:
    report = shared_run(name)[0]
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:5353", json.dumps(report.to_json()))
    data = json.loads(text)

    def calm(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: 0 if k in ("ms", "duration_ms") else calm(v) for k, v in value.items()}
        if isinstance(value, list):
            return [calm(v) for v in value]
        return value

    def cause(text: str | None) -> Ref | None:   # a JSON report names its cause as text only
        if text is None:
            return None
        probe, _, subject = text.partition("@")
        return Ref(probe, as_subject(subject))

    results = tuple(Result(r["probe"], as_subject(r["subject"]), r["stage"], r["title"], Verdict(r["verdict"]),
                           r["summary"], cause(r["cause"]), 0, calm(r["evidence"]),
                           Fix(r["fix"]["summary"], tuple(r["fix"]["commands"]), r["fix"]["docs"]) if r["fix"] else None)
                    for r in data["results"])
    return Report(report.version, "2026-01-01T00:00:00Z", 0, report.where, report.target, results)


def replay(name: str) -> NetcheckApp:
    report = frozen(name)
    t = report.target
    return NetcheckApp(Settings(subscription=t.subscription, resource_group=t.resource_group, workspace=t.workspace),
                       report)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_snapshot_all_pass(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(replay("healthy"), terminal_size=size)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_snapshot_failures_with_fix(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(replay("default"), terminal_size=size)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_snapshot_help(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(replay("default"), terminal_size=size, press=["question_mark"])


# ---- as a person: netcheck demo in tmux ------------------------------------------------------------

@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/test installs it)")
def test_demo_in_tmux_shows_the_tree_and_a_fix(tmp_path: Path) -> None:
    sock = str(tmp_path / "tmux.sock")
    conf = tmp_path / "tmux.conf"   # our own config, so the pane outlives a crash and shows it
    conf.write_text("set -g remain-on-exit on\n")
    # tmux runs the command with $SHELL: make it a real shell whatever the caller's login shell is.
    env = cli_env(TERM="xterm-256color", SHELL="/bin/sh")
    cmd = f"{sys.executable} -m netcheck demo default; echo EXIT=$?"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-S", sock, "-f", str(conf), *args],
                              capture_output=True, text=True, env=env, timeout=30)

    def tmux(*args: str) -> str:
        done = run(*args)
        assert done.returncode == 0, f"tmux {args[0]}: {done.stderr}"
        return done.stdout

    def capture() -> str:   # with the history: the shell's line after the TUI leaves its screen
        return tmux("capture-pane", "-p", "-S", "-")

    def screen_until(text: str, seconds: float) -> str:
        screen, end = "", time.monotonic() + seconds
        while text not in screen and "EXIT=" not in screen and time.monotonic() < end:
            time.sleep(0.3)
            screen = capture()
        return screen

    # First tmux itself, with a command that can't fail: a machine where tmux can't run a pane (no
    # pseudo-terminals, say) skips with tmux's reason; from here on a failure is netcheck's.
    warmup = run("new-session", "-d", "echo tmux-ok")
    if warmup.returncode != 0:
        pytest.skip(f"tmux cannot start a session here: {warmup.stderr.strip()}")
    if "tmux-ok" not in screen_until("tmux-ok", 10):
        pytest.skip("tmux starts but its pane runs nothing here")
    tmux("kill-server")
    tmux("new-session", "-d", "-x", "120", "-y", "40", cmd)
    try:
        screen_until("10.30.1.4 · fail", 90)   # the header says the run ended
        # then the first failure is selected and its fix drawn: wait for that, not for a guessed time
        screen = screen_until("az network private-endpoint-connection approve", 30)
        assert "8 fail" in screen, screen
        assert "FAIL  acr.pe_approval" in screen   # the first failure is selected, its fix beside it
        assert "az network private-endpoint-connection approve" in screen
        tmux("send-keys", "f")
        filtered, end = screen_until("failures only", 30), time.monotonic() + 30
        while "ctx.credential" in filtered and time.monotonic() < end:   # the label may come before the tree
            time.sleep(0.3)
            filtered = capture()
        assert "failures only" in filtered and "ctx.credential" not in filtered and "pdns.links" in filtered, filtered
        tmux("send-keys", "q")
        screen = screen_until("EXIT=", 20)
        assert "EXIT=1" in screen, screen
    finally:
        run("kill-server")
