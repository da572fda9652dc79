"""The fleet TUI (`netcheck fleet` on a terminal): progress while the fleet is checked, then the fleet's
problems first (each listing the workspaces it breaks), then every workspace with its verdict; enter on a
workspace opens its Problems view (netcheck.tui.app.ReportScreen), escape comes back.

    fleet = run_fleet_tui(lambda progress: check_fleet(..., progress=progress))

`work(progress)` runs in a thread of its own and calls `progress(done, total)` as workspaces finish.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static, Tree

from netcheck.fleetmodel import FleetProblem, FleetReport, WorkspaceRun
from netcheck.render.common import counted
from netcheck.settings import Settings
from netcheck.tui.detail import shell_lines
from netcheck.tui.report import NARROW, ReportScreen
from netcheck.tui.views import label, shown

Work = Callable[[Callable[[int, int], None]], FleetReport]


def _order(ws: WorkspaceRun) -> tuple[int, str]:
    return -ws.verdict.rank, ws.name


class FleetApp(App[int]):
    CSS_PATH = "netcheck.tcss"
    TITLE = "netcheck fleet"
    BINDINGS = [
        Binding("q", "quit_fleet", "quit"),
        Binding("n", "next_problem", "next problem"),
    ]

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.work = work
        self.fleet: FleetReport | None = None
        self.error: BaseException | None = None
        self.done, self.total, self.t0 = 0, 0, time.monotonic()
        self.names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static("netcheck fleet · finding workspaces…", id="where", markup=False)
        with Horizontal(id="body"):
            tree: Tree[Any] = Tree("fleet", id="problems")
            tree.show_root = False
            yield tree
            yield VerticalScroll(Static("", id="fleet-detail", markup=False), id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.screen.set_class(self.size.width < NARROW, "narrow")
        self.ticker = self.set_interval(0.1, self._tick)
        threading.Thread(target=self._work, name="netcheck-fleet", daemon=True).start()

    def on_resize(self) -> None:
        self.screen.set_class(self.size.width < NARROW, "narrow")

    def _work(self) -> None:   # in its own thread: the UI only reads done/total and the result
        try:
            fleet = self.work(self._progress)
        except BaseException as exc:   # handed to the caller of run_fleet_tui, raised there
            self.error = exc
            self.call_from_thread(self.exit, 2)
            return
        self.call_from_thread(self._show, fleet)

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def _tick(self) -> None:
        if self.fleet is None:
            seconds = time.monotonic() - self.t0
            of = f"{self.done}/{self.total}" if self.total else "…"
            self.query_one("#where", Static).update(f"netcheck fleet · workspaces {of} · {seconds:.1f} s")

    # ---- the list ----------------------------------------------------------------------------------
    def _show(self, fleet: FleetReport) -> None:
        self.fleet = fleet
        self.ticker.stop()
        by_id = {w.id: w for w in fleet.workspaces}
        self.names = {w.id: f"{w.name} ({w.resource_group}, {w.subscription})" for w in fleet.workspaces}
        problems = fleet.problems
        self.query_one("#where", Static).update(
            f"netcheck fleet · {counted(len(fleet.workspaces), 'workspace')} · "
            f"{counted(len(problems), 'problem')} · {fleet.verdict.value} · {fleet.duration_ms / 1000:.1f} s")
        tree = self.query_one(Tree)
        tree.clear()
        top = tree.root.add(f"[b]{counted(len(problems), 'problem')}[/b]", ("section", "problems"), expand=True)
        for n, p in enumerate(problems, 1):
            node = top.add(label(p.verdict, f"{p.probe} {p.id.partition('@')[2]}  "
                                            f"({counted(len(p.workspaces), 'workspace')})", f"{n}. "), p)
            for wid in p.workspaces:
                node.add_leaf(self._ws_label(by_id[wid]), by_id[wid])
        if not problems:
            top.add_leaf("[green]✓[/] no problems", None)
        listed = tree.root.add(f"[b]{counted(len(fleet.workspaces), 'workspace')}[/b]", ("section", "ws"), expand=True)
        for ws in sorted(fleet.workspaces, key=_order):
            listed.add_leaf(self._ws_label(ws), ws)
        tree.focus()
        self._select(next(iter(top.children), None) or next(iter(listed.children), None))

    def _select(self, node: Any) -> None:
        tree = self.query_one(Tree)
        if node is not None and tree.last_line >= 0:   # (asking numbers the lines: the node has its line)
            tree.move_cursor(node)

    def _ws_label(self, ws: WorkspaceRun) -> str:
        roots = len(ws.report.root_causes()) if ws.report else 0
        why = counted(roots, "problem") if ws.report else f"not checked: {ws.error or 'no report'}"
        return label(ws.verdict, f"{ws.name}  ({ws.resource_group}) · {why}")

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Any]) -> None:
        self.query_one("#fleet-detail", Static).update(self._detail(event.node.data))

    def on_tree_node_selected(self, event: Tree.NodeSelected[Any]) -> None:
        if isinstance(event.node.data, WorkspaceRun):
            self.open(event.node.data)

    def open(self, ws: WorkspaceRun) -> bool:
        """The workspace's Problems view, over the fleet (escape or q comes back)."""
        if ws.report is None:
            self.notify(f"{shown(ws.name)} was not checked: {shown(ws.error or 'no report')}", severity="warning",
                        markup=False)
            return False
        settings = Settings(subscription=ws.subscription, resource_group=ws.resource_group, workspace=ws.name)
        self.push_screen(ReportScreen(settings, ws.report, closable=True))
        return True

    def _detail(self, data: Any) -> str:
        if isinstance(data, FleetProblem):
            lines = [f"{data.verdict.value.upper()}  {data.id}", data.summary, "",
                     f"Breaks {counted(len(data.workspaces), 'workspace')}; explains "
                     f"{counted(data.explains, 'more result')} across them"]
            if data.fix:
                lines += ["", f"Fix: {data.fix.summary}"]
                lines += [x for c in data.fix.commands for x in shell_lines(c, 74)]
            names = [self.names.get(w, w) for w in data.workspaces]
            lines += ["", "Workspaces (enter on one opens it):"] + [f"  {n}" for n in names[:30]]
            lines += [f"  … and {len(names) - 30} more (space unfolds them all)"] if len(names) > 30 else []
            return "\n".join(shown(x) for x in lines)
        if isinstance(data, WorkspaceRun):
            lines = [f"{data.verdict.value.upper()}  {data.name}", f"{data.kind} workspace in {data.resource_group} "
                     f"({data.subscription})", data.id]
            if data.report:
                lines += ["", "Problems:"] + [f"  {r.id}: {r.summary}" for r in data.report.root_causes()]
            if data.error:
                lines += ["", f"Not checked: {data.error}"]
            if data.network:
                lines += ["", data.network] + ([f"  $ {data.command}"] if data.command else [])
            lines += ["", "enter opens its Problems view" if data.report else ""]
            return "\n".join(shown(x) for x in lines)
        return ""

    def action_next_problem(self) -> None:
        tree = self.query_one(Tree)
        here = tree.cursor_node
        problems = [n for n in tree.root.children[0].children if isinstance(n.data, FleetProblem)] if \
            tree.root.children else []
        if problems:
            after = [n for n in problems if here is None or n.line > here.line]
            self._select((after or problems)[0])

    def action_quit_fleet(self) -> None:
        self.exit(130 if self.fleet is None else 0)


def run_fleet_tui(work: Work) -> FleetReport:
    """Run `work(progress)` behind the fleet TUI and return its FleetReport once the person quits.

    Raises what `work` raised (after the TUI has left the screen), and KeyboardInterrupt when the person
    quits before the fleet is checked.
    """
    app = FleetApp(work)
    app.run()
    if app.error is not None:
        raise app.error
    if app.fleet is None:
        raise KeyboardInterrupt
    return app.fleet
