"""The fleet TUI over real runs of shipped scenarios: progress, the fleet's problems first, every workspace's
verdict, enter on a workspace opens its Problems view."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from conftest import shared_run
from textual.widgets import Static, Tree

from netcheck.fleetmodel import FleetProblem, FleetReport, WorkspaceRun
from netcheck.model import Result
from netcheck.tui.fleet import FleetApp, run_fleet_tui
from netcheck.tui.report import ReportScreen

SCENARIOS = ("default", "kv-no-bypass", "two-faults", "healthy")


def fleet_of(reports: dict[str, Any]) -> FleetReport:
    runs = [WorkspaceRun(id=f"/subscriptions/sub-{i}/resourceGroups/rg-{name}/providers/"
                            f"Microsoft.MachineLearningServices/workspaces/mlw-{name}",
                         name=f"mlw-{name}", subscription=f"sub-{i}", resource_group=f"rg-{name}", report=report)
            for i, (name, report) in enumerate(reports.items())]
    runs.append(WorkspaceRun(id="/subscriptions/sub-9/resourceGroups/rg-x/providers/"
                                "Microsoft.MachineLearningServices/workspaces/mlw-throttled",
                             name="mlw-throttled", subscription="sub-9", resource_group="rg-x",
                             error="its reads kept failing: 429 Too Many Requests"))
    return FleetReport("0", "2026-01-01T00:00:00Z", 1234, "AzureCloud", {"subscriptions": []}, tuple(runs))


async def fleet() -> FleetReport:
    reports = {}
    for name in SCENARIOS:   # shared_run runs its own event loop: in a thread
        reports[name] = (await asyncio.to_thread(shared_run, name))[0]
    return fleet_of(reports)


async def until(pilot: Any, ready: Callable[[], bool], limit: float = 20) -> None:
    end = time.monotonic() + limit
    while not ready():
        assert time.monotonic() < end, "the fleet TUI did not get there"
        await pilot.pause(0.05)


def cursor(app: FleetApp) -> Any:
    node = app.query_one(Tree).cursor_node
    return None if node is None else node.data


def where(app: FleetApp) -> str:
    return str(app.query_one("#where", Static).render())


async def test_progress_then_problems_first_then_every_workspace_and_enter_opens_one() -> None:
    expected = await fleet()
    gate = threading.Event()

    def work(progress: Callable[[int, int], None]) -> FleetReport:
        progress(0, 5)
        progress(2, 5)
        gate.wait(30)
        return expected

    app = FleetApp(work)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: "workspaces 2/5 · " in where(app))
        assert app.fleet is None
        gate.set()
        await until(pilot, lambda: app.fleet is not None and "5 workspaces" in where(app) and cursor(app) is not None)
        assert "4 problems · fail" in where(app)
        problems, listed = app.query_one(Tree).root.children
        assert [n.data for n in problems.children] == list(expected.problems)
        shared = [p for p in expected.problems if p.id == "kv.bypass@kv-contoso-ml"]
        assert len(shared) == 1 and len(shared[0].workspaces) == 2   # one problem, both workspaces beneath it
        (kv,) = [n for n in problems.children if n.data is shared[0]]
        assert [n.data.name for n in kv.children if n.data] == ["mlw-kv-no-bypass", "mlw-two-faults"]
        assert [n.data.name for n in listed.children if n.data] == [
            "mlw-default", "mlw-kv-no-bypass", "mlw-two-faults", "mlw-throttled", "mlw-healthy"]
        labels = [str(n.label) for n in listed.children]
        assert labels[0].startswith("✗ mlw-default") and "2 problems" in labels[0]
        assert labels[3].startswith("? mlw-throttled") and "429 Too Many Requests" in labels[3]
        assert labels[4].startswith("✓ mlw-healthy") and "0 problems" in labels[4]
        assert isinstance(cursor(app), FleetProblem)   # the first problem selected
        shown = str(app.query_one("#fleet-detail", Static).render())
        assert "Fix: Let trusted Azure services through" in shown and "$ az keyvault update" in shown
        assert "mlw-kv-no-bypass (rg-kv-no-bypass, sub-1)" in shown and "mlw-two-faults (rg-two-faults" in shown

        app.query_one(Tree).move_cursor(listed.children[0])
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        default = expected.workspaces[0].report
        assert default is not None
        await until(pilot, lambda: screen.selected() is not None)
        assert [n.data.id for n in screen.view_tree().root.children if isinstance(n.data, Result)] == [
            r.id for r in default.root_causes()]
        await pilot.press("n")
        await pilot.pause(0.1)
        assert screen.selected() is default.root_causes()[1]
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ReportScreen))

        app.query_one(Tree).move_cursor(listed.children[3])   # not checked: says why, opens nothing
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, ReportScreen)
        assert any("429 Too Many Requests" in str(n.message) for n in app._notifications)

        app.query_one(Tree).move_cursor(listed.children[1])   # q in a workspace comes back to the fleet too
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReportScreen))
        await pilot.press("q")
        await until(pilot, lambda: not isinstance(app.screen, ReportScreen))
        await pilot.press("q")
    assert app.return_value == 0 and app.fleet is expected


async def test_n_goes_from_problem_to_problem() -> None:
    expected = await fleet()
    app = FleetApp(lambda progress: expected)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.fleet is not None and app.query_one(Tree).cursor_node is not None)
        seen = []
        for _ in expected.problems:
            seen.append(cursor(app))
            await pilot.press("n")
            await pilot.pause(0.05)
        assert seen == list(expected.problems)
        assert cursor(app) is expected.problems[0]   # round again


async def test_a_failing_fleet_run_leaves_the_tui_and_hands_its_error_over() -> None:
    def work(progress: Callable[[int, int], None]) -> FleetReport:
        raise ValueError("Resource Graph refused --where: Query is invalid")

    app = FleetApp(work)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.error is not None)
        await pilot.pause(0.2)
    assert app.return_value == 2 and isinstance(app.error, ValueError)


def test_run_fleet_tui_raises_what_the_work_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def headless_run(self: FleetApp) -> None:   # the real app, without a terminal
        async def go() -> None:
            async with self.run_test(size=(80, 24)) as pilot:
                end = time.monotonic() + 20
                while self.error is None and time.monotonic() < end:
                    await pilot.pause(0.05)
        asyncio.run(go())

    monkeypatch.setattr(FleetApp, "run", headless_run)

    def work(progress: Callable[[int, int], None]) -> FleetReport:
        raise PermissionError("management group mg-x: not readable")

    with pytest.raises(PermissionError, match="mg-x"):
        run_fleet_tui(work)
