"""The TUI driven as a user would, with Pilot: the Problems view first, every key, live runs against the
simulator; then SVG snapshots of a replayed run at 80x24 and 200x50. (tmux: tests/test_tui_tmux.py.)"""

from __future__ import annotations

import asyncio
import json
import os
import re
import stat
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import demo_args, shared_run
from textual.binding import Binding
from textual.widgets import Input, Static, Tree

from netcheck.cli import apply_options, scenario_settings
from netcheck.fixplan import script
from netcheck.model import Fix, Report, Result, Verdict
from netcheck.settings import Settings
from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator
from netcheck.subject import Ref, as_subject
from netcheck.tui import clipboard
from netcheck.tui.app import NetcheckApp, ReportScreen
from netcheck.tui.screens import KEYS, MARKS
from netcheck.tui.views import nodes

APPROVE = "az network private-endpoint-connection approve"
LINK = "az network private-dns link vnet create"


@asynccontextmanager
async def live(name: str, latency_ms: float | None = None, size: tuple[int, int] = (120, 40)) -> AsyncIterator[Any]:
    sc = load(name)
    with Simulator(sc, latency_ms) as sim:
        app = NetcheckApp(scenario_settings(sim, apply_options(demo_args(name), sc), os.environ))
        async with app.run_test(size=size) as pilot:
            yield app, pilot


@asynccontextmanager
async def shown_report(name: str, size: tuple[int, int] = (120, 40)) -> AsyncIterator[Any]:
    """The TUI over a finished run of the scenario (the run every test file shares)."""
    report = (await asyncio.to_thread(shared_run, name))[0]   # it runs its own event loop
    t = report.target
    app = NetcheckApp(Settings(subscription=t.subscription, resource_group=t.resource_group, workspace=t.workspace),
                      report)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.selected() is not None and "Fix" in detail(app))
        yield app, pilot


async def until(pilot: Any, ready: Any, limit: float = 10) -> None:
    """Let the app draw until `ready()` (a busy machine can take more than one refresh)."""
    end = time.monotonic() + limit
    while not ready() and time.monotonic() < end:
        await pilot.pause(0.05)


async def finished(app: NetcheckApp, pilot: Any, limit: float = 60) -> None:
    end = time.monotonic() + limit
    while app.report is None or app.running:
        assert time.monotonic() < end, "the check did not finish"
        await pilot.pause(0.05)
    await pilot.pause(0.2)


def ids(tree: Tree[Any]) -> list[str]:
    return [n.data.id for n in nodes(tree) if isinstance(n.data, Result)]


def top(app: NetcheckApp) -> list[str]:
    return [n.data.id for n in app.view_tree().root.children if isinstance(n.data, Result)]


def detail(app: NetcheckApp) -> str:
    return "\n".join(str(w.render()) for w in app.query("DetailPane Static"))


async def press(pilot: Any, *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause(0.1)


async def test_opens_on_the_problems_with_the_first_one_selected_and_its_fix_before_the_evidence() -> None:
    async with shown_report("default") as (app, _pilot):
        report = app.report
        assert report is not None and app.view == "problems"
        assert top(app) == [r.id for r in report.root_causes()] == [
            "acr.pe_approval@ep-fraud-egress.91ac", "pdns.links@privatelink.api.azureml.ms → vnet-ml-spoke"]
        links = app.view_tree().root.children[1]   # its consequences nested beneath it
        assert [n.data.id for n in links.children] == [r.id for r in report.explains(report.root_causes()[1])]
        assert app.selected() is report.root_causes()[0]
        text = detail(app)
        assert text.index("Fix: Approve the connection") < text.index(APPROVE) < text.index("Evidence")
        assert "2 problems" in str(app.query_one("#counts", Static).render())


async def test_t_switches_to_the_stage_tree_and_back_keeping_the_selection() -> None:
    async with shown_report("default") as (app, pilot):
        chosen = app.selected()
        await press(pilot, "t")
        assert app.view == "tree" and app.query_one("#results").display and not app.query_one("#problems").display
        assert ids(app.view_tree()) == [r.id for r in app.report.results]   # every result, in report order
        assert app.selected() is chosen
        await press(pilot, "t")
        assert app.view == "problems" and app.selected() is chosen


async def test_n_and_p_go_to_the_next_and_previous_problem_in_both_views() -> None:
    async with shown_report("default") as (app, pilot):
        first, second = app.report.root_causes()
        await press(pilot, "n")
        assert app.selected() is second
        await press(pilot, "n")   # round again
        assert app.selected() is first
        await press(pilot, "p")
        assert app.selected() is second
        await press(pilot, "t", "p")
        assert app.selected() is first
        await press(pilot, "n")
        assert app.selected() is second


async def test_enter_goes_to_the_root_cause_through_every_hop_from_a_skip() -> None:
    async with shown_report("default") as (app, pilot):
        report = app.report
        (frontend,) = [r for r in report.results if r.id == "http.frontend@ep-fraud.eastus.inference.ml.azure.com"]
        assert frontend.verdict is Verdict.SKIP and report.caused_by(frontend).probe == "dns.system"   # two hops
        await press(pilot, "t")
        assert app.jump_to(frontend.ref)
        await pilot.pause(0.1)
        assert app.selected() is frontend
        await press(pilot, "enter")
        assert app.selected().id == "pdns.links@privatelink.api.azureml.ms → vnet-ml-spoke"
        await press(pilot, "t")   # the same from a consequence in the Problems view
        assert app.jump_to(frontend.ref) and app.view == "problems"
        await pilot.pause(0.1)
        assert app.selected() is frontend
        await press(pilot, "enter")
        assert app.selected().id == "pdns.links@privatelink.api.azureml.ms → vnet-ml-spoke"


async def test_a_consequence_shows_its_root_and_the_roots_fix_and_c_copies_that(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clipboard, "system_clipboard", lambda text: False)
    monkeypatch.setattr(clipboard, "osc52_blocked", lambda env=None: None)
    async with shown_report("default") as (app, pilot):
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        (tls,) = [r for r in app.report.results if r.id == "tls.cert@ep-fraud.eastus.inference.ml.azure.com"]
        assert app.jump_to(tls.ref)
        await pilot.pause(0.1)
        text = detail(app)
        assert "Root cause: pdns.links@privatelink.api.azureml.ms → vnet-ml-spoke via dns.system@" in text
        assert "Fix (its root cause's" in text and LINK in text
        await press(pilot, "c")
        (cmd,) = copied
        assert cmd.startswith(LINK) and cmd.endswith("-e false") and "\n" not in cmd   # the command, not the view
        await press(pilot, "n")   # back at the first problem: its own fix
        await press(pilot, "c")
        assert copied[-1].startswith(APPROVE) and copied[-1].endswith("--description Approved")


async def test_shift_c_copies_the_whole_plan_as_the_fix_plan_script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clipboard, "system_clipboard", lambda text: False)
    monkeypatch.setattr(clipboard, "osc52_blocked", lambda env=None: None)
    async with shown_report("default") as (app, pilot):
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        await press(pilot, "C")
    (plan,) = copied
    assert plan == script(app.report.to_json())
    commands = [line for line in plan.splitlines() if not line.startswith("#")]
    assert sum(APPROVE in c for c in commands) == 1 and sum(LINK in c for c in commands) == 1
    assert "set -euo pipefail" in commands


def test_osc52_is_known_not_to_work_under_tmux_by_default_screen_and_dumb_terminals() -> None:
    assert clipboard.osc52_blocked({"TERM": "xterm-256color"}) is None
    assert "TERM=dumb" in (clipboard.osc52_blocked({"TERM": "dumb"}) or "")
    assert "TERM=unset" in (clipboard.osc52_blocked({}) or "")
    assert "screen" in (clipboard.osc52_blocked({"TERM": "screen", "STY": "1.pts-0"}) or "")
    # tmux without a server to ask (a stale $TMUX): its setting is unknown, so not trusted
    why = clipboard.osc52_blocked({"TERM": "tmux-256color", "TMUX": "/nonexistent/sock,1,0", "PATH": os.defpath})
    assert why is not None and "set-clipboard" in why


async def test_without_a_clipboard_the_plan_goes_to_a_file_whose_path_is_shown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clipboard, "system_clipboard", lambda text: False)
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.chdir(tmp_path)
    async with shown_report("default") as (app, pilot):
        copied: list[str] = []
        monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
        await press(pilot, "C")
        await press(pilot, "c")
        messages = [str(n.message) for n in app._notifications]
    assert copied == []
    plan, fix = tmp_path / "netcheck-fix-plan.sh", tmp_path / "netcheck-fix.sh"
    assert any("TERM=dumb" in m and str(plan) in m for m in messages), messages
    assert any(str(fix) in m for m in messages), messages
    assert plan.read_text() == script(app.report.to_json())
    assert APPROVE in fix.read_text() and LINK not in fix.read_text()
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(plan.stat().st_mode) == 0o666 & ~umask


async def test_long_ids_are_elided_in_the_middle_and_i_shows_them_whole() -> None:
    async with shown_report("default", size=(80, 24)) as (app, pilot):
        report = app.report
        full = report.root_causes()[0].fix.commands[0].split()[-3]   # the connection's id

        def id_lines() -> list[str]:
            return [x for x in detail(app).splitlines() if "--id" in x]

        await until(pilot, lambda: len(id_lines()) == 1 and "…" in id_lines()[0])   # the old pane gone, too
        assert full.startswith("/subscriptions/") and full not in detail(app)
        (line,) = id_lines()
        assert "…" in line and line.rstrip(" \\").endswith("ep-fraud-egress.91ac") and len(line) <= 78
        await press(pilot, "i")
        await until(pilot, lambda: id_lines() == [f"    --id {full} \\"])
        assert id_lines() == [f"    --id {full} \\"]
        await press(pilot, "i")
        await until(pilot, lambda: full not in detail(app))
        assert full not in detail(app) and "…" in id_lines()[0]


async def test_help_lists_every_key_and_every_mark() -> None:
    async with shown_report("default") as (app, pilot):
        await press(pilot, "question_mark")
        text = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        for binding in [b for b in ReportScreen.BINDINGS if isinstance(b, Binding)]:
            key = "?" if binding.key == "question_mark" else binding.key
            assert any(key in k.split(" ") for k, _ in KEYS), f"{key} is not in the help"
        for k, what in KEYS + MARKS:
            assert f"{k}" in text and what in text
        for symbol in ("✓", "✗", "!", "?", "-", "↳"):
            assert any(k == symbol for k, _ in MARKS)
        await press(pilot, "escape")
        assert not app.screen.query("TextScreen") and app.screen is app.screen_stack[0]


async def test_f_keeps_only_the_problems_in_the_stage_tree() -> None:
    async with shown_report("kv-no-bypass") as (app, pilot):
        await press(pilot, "f")
        assert app.view == "tree" and ids(app.view_tree()) == ["kv.bypass@kv-contoso-ml"]
        await press(pilot, "f")
        assert len(ids(app.view_tree())) > 50


async def test_healthy_says_no_problems_and_exits_zero() -> None:
    async with live("healthy") as (app, pilot):
        await finished(app, pilot)
        labels = [str(n.label) for n in app.view_tree().root.children]
        assert len(labels) == 1 and labels[0].startswith("✓ no problems")
        await press(pilot, "n")
        assert any("No problems" in str(n.message) for n in app._notifications)
        await press(pilot, "t", "down", "down")
        assert app.selected() is not None
        await pilot.press("q")
    assert app.return_value == 0


async def test_while_running_it_counts_and_nothing_moves_at_the_end() -> None:
    seen: list[tuple[list[str], list[str]]] = []
    progress: list[str] = []
    async with live("default", latency_ms=40) as (app, pilot):
        while app.report is None:
            progress.append(str(app.query_one("#counts", Static).render()))
            seen.append((ids(app.query_one("#problems", Tree)), ids(app.query_one("#results", Tree))))
            await pilot.pause(0.1)
        await finished(app, pilot)
        final = (ids(app.query_one("#problems", Tree)), ids(app.query_one("#results", Tree)))
        assert final[1] == [r.id for r in app.report.results]
        assert top(app) == [r.id for r in app.report.root_causes()]
        done = str(app.query_one("#counts", Static).render())
        labels = [str(n.label) for n in nodes(app.query_one("#results", Tree))]
        assert not [x for x in labels if x.startswith("…")], labels   # nothing left looking as if running
    partial = [p for p in progress if (m := re.search(r"checked (\d+)/(\d+) · \d+\.\d s", p)) and m[1] != m[2]]
    assert partial, progress
    assert re.search(r"2 problems · checked (\d+)/\1 · ", done), done
    for problems, tree in seen:   # what was there mid-run kept its order
        assert [i for i in final[0] if i in problems] == problems
        assert [i for i in final[1] if i in tree] == tree
    assert any(0 < len(tree) < len(final[1]) for _, tree in seen)


async def test_first_failure_fix_on_a_live_run_and_exit_code() -> None:
    async with live("default") as (app, pilot):
        await finished(app, pilot)
        assert app.selected().id == "acr.pe_approval@ep-fraud-egress.91ac" and APPROVE in detail(app)
        await pilot.press("q")
    assert app.return_value == 1


async def export_to(app: NetcheckApp, pilot: Any, path: Path) -> None:
    """What a person does: `e`, type the file's name, enter."""
    await press(pilot, "e")
    app.screen.query_one("Input", Input).value = str(path)
    await pilot.press("enter")
    await pilot.pause(0.2)


async def test_export_writes_the_report_and_refuses_an_unknown_format(tmp_path: Path) -> None:
    async with shown_report("kv-no-bypass") as (app, pilot):
        await export_to(app, pilot, tmp_path / "out.md")
        await export_to(app, pilot, tmp_path / "out.pdf")
        assert any("names no report format" in str(n.message) for n in app._notifications)
    assert (tmp_path / "out.md").read_text().startswith("# netcheck: ❌ fail")
    assert not (tmp_path / "out.pdf").exists()


async def test_x_explains_the_selected_probe() -> None:
    async with shown_report("kv-no-bypass") as (app, pilot):
        await press(pilot, "x")
        assert "networkAcls" in " ".join(str(s.render()) for s in app.screen.query("Static"))


async def test_r_reruns_everything_and_shift_r_the_selected_probe_keeping_the_others() -> None:
    async with live("kv-no-bypass") as (app, pilot):
        await finished(app, pilot)
        before = [r.id for r in app.results]
        await press(pilot, "R")
        await finished(app, pilot)
        assert [r.id for r in app.results] == before and app.selected().id == "kv.bypass@kv-contoso-ml"
        await press(pilot, "r")
        assert app.report is None or app.running or [r.id for r in app.results] == before
        await finished(app, pilot)
        assert [r.id for r in app.results] == before and top(app) == ["kv.bypass@kv-contoso-ml"]


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


SIZES = [(80, 24), (200, 50)]


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_all_pass(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(replay("healthy"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_problems_first(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(replay("default"), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_a_consequence_under_its_root(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(replay("default"), terminal_size=size, press=["n", "space", "down", "down"])


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_stage_tree(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(replay("default"), terminal_size=size, press=["t"])


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_help(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(replay("default"), terminal_size=size, press=["question_mark"])
