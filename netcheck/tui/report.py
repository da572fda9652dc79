"""One workspace's check on screen: opens on the Problems view (root causes, consequences beneath), `t` for
the full stage tree; a detail pane with the fix before the evidence; keys to follow causes, copy fixes and
act on a result. The single-workspace app (netcheck.tui.app) and the fleet TUI both show it."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

from textual import events as tevents
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Static, Tree

from netcheck.app import events, planned, target_of
from netcheck.model import Report, Result, Target, Verdict, Where, exit_code
from netcheck.probe import Probe
from netcheck.render.common import counted
from netcheck.runner import Done, Finished, Started
from netcheck.settings import Settings
from netcheck.tui.detail import DetailPane
from netcheck.tui.navigation import Navigation
from netcheck.tui.views import STYLE, ProblemsTree, StageTree, shown, sort_key

NARROW = 110   # below this many columns the detail pane goes under the list, full width


class ReportScreen(Navigation):
    """One workspace's check: `report` given, show it (replay: snapshots, the fleet view); else run the check
    for `settings`. `q` ends the app with the run's exit code, unless `closable` (then it goes back)."""

    BINDINGS = [
        Binding("q", "quit_check", "quit"),
        Binding("t", "toggle_view", "problems/tree"),
        Binding("n", "next_problem", "next"),
        Binding("p", "previous_problem", "prev"),
        Binding("c", "copy_fix", "copy fix"),
        Binding("C", "copy_plan", "copy plan"),
        Binding("i", "full_ids", "full ids", show=False),
        Binding("f", "toggle_failures", "failures only", show=False),
        Binding("x", "explain", "explain", show=False),
        Binding("e", "export", "export", show=False),
        Binding("r", "rerun", "re-run", show=False),
        Binding("R", "rerun_probe", "re-run probe", show=False),
        Binding("question_mark", "help", "help"),
        Binding("escape", "back", "back", show=False),
    ]

    def __init__(self, settings: Settings, report: Report | None = None, catalog: Sequence[Probe] | None = None,
                 closable: bool = False) -> None:
        super().__init__()
        self.closable = closable
        self.settings = settings
        self.report: Report | None = report
        self.results: list[Result] = list(report.results) if report else []
        self.running: set[str] = set()
        self.failures_only = False
        self.view = "problems"
        self.t0 = time.monotonic()
        if catalog is None:   # the installed catalog, unless a caller brings its own
            from netcheck.probes import CATALOG

            catalog = CATALOG
        self.catalog: Sequence[Probe] = catalog
        self.order = {p.id: i for i, p in enumerate(catalog)}
        self.checked: set[str] = {r.probe for r in self.results}
        self.planned = len(planned(settings, catalog)) if report is None else len(self.checked)

    def compose(self) -> ComposeResult:
        yield Static(self._where_text(), id="where", markup=False)
        with Horizontal(id="body"):
            for name in ("problems", "results"):
                tree: Tree[Any] = Tree("netcheck", id=name)
                tree.show_root = False
                yield tree
            yield DetailPane(id="detail")
        yield Static("", id="counts")
        yield Footer()

    def on_mount(self) -> None:
        self.main, self.detail = self, self.query_one(DetailPane)
        self.counts, self.where = self.query_one("#counts", Static), self.query_one("#where", Static)
        self.main.set_class(self.size.width < NARROW, "narrow")
        self.problems_view = ProblemsTree(self.query_one("#problems", Tree))
        self.stage_view = StageTree(self.query_one("#results", Tree), self.order)
        self.query_one("#results").display = False
        self.set_interval(0.2, self._update_counts)
        if self.report is None:
            self.action_rerun()
        else:
            self._sync()
            self._update_counts()
            self.call_after_refresh(self._first_problem)
        self.view_tree().focus()

    def on_resize(self, event: tevents.Resize) -> None:
        self.main.set_class(event.size.width < NARROW, "narrow")
        self.call_after_refresh(self._show_selected)

    # ---- running ---------------------------------------------------------------------------------
    def action_rerun(self, only: str | None = None) -> None:
        if self.running:
            return
        if only is None:
            self.results, self.report, self.checked, self.t0 = [], None, set(), time.monotonic()
            self.problems_view.clear()
            self.stage_view.clear()
        self.run_worker(self._run(only), exclusive=True, group="check")

    async def _run(self, only: str | None) -> None:
        settings = dataclasses.replace(self.settings, only=(only,)) if only else self.settings
        fresh: list[Result] = []
        async for event in events(settings, self.catalog):
            if isinstance(event, Started):
                self.running.add(event.probe.id)
                if not only:
                    self.stage_view.probe(event.probe.id, event.probe.stage)
            elif isinstance(event, Finished):
                self.running.discard(event.result.probe)
                fresh.append(event.result)
                if not only:
                    self.checked.add(event.result.probe)
                    self.results.append(event.result)
                    self._sync()
            elif isinstance(event, Done):
                self.running.clear()
                if only:   # keep the other probes' results, replace the re-run probe's
                    kept = [r for r in self.results if r.probe != only]
                    self.results = sorted(kept + [r for r in fresh if r.probe == only], key=sort_key(self.order))
                    self.report = dataclasses.replace(self.report or event.report, results=tuple(self.results))
                    self.problems_view.clear()
                    self.stage_view.clear()
                else:
                    self.report, self.results = event.report, list(event.report.results)
                self.checked = {p.id for p in planned(self.settings, self.catalog)} | {r.probe for r in self.results}
                self.where.update(self._where_text())
                self._sync()
                self.call_after_refresh(self._first_problem, only)
            self._update_counts()

    def current(self) -> Report:
        """The finished report, or one of the results so far (in the report's order) while running."""
        if self.report is not None:
            return self.report
        results = tuple(sorted(self.results, key=sort_key(self.order)))
        return Report("", "", 0, Where(False), Target(), results)

    def _sync(self) -> None:
        report = self.current()
        self.roots = self.problems_view.sync(report, self.order, self.report is not None)
        self.stage_view.sync(report.results, self.failures_only, self.report is not None)

    # ---- keys ------------------------------------------------------------------------------------
    def action_toggle_failures(self) -> None:
        self.failures_only = not self.failures_only
        self.stage_view.clear()
        self.stage_view.sync(self.current().results, self.failures_only, self.report is not None)
        if self.view == "problems":
            self.action_toggle_view()
        self.call_after_refresh(self._first_problem)
        self._update_counts()

    def action_full_ids(self) -> None:
        full = self.detail.toggle_ids()
        self.notify("Resource ids shown whole (scroll sideways)" if full else "Long resource ids elided in the middle")

    def action_rerun_probe(self) -> None:
        probe_id = self.selected_probe()
        if probe_id and self.report is not None:
            self.action_rerun(only=probe_id)

    def action_back(self) -> None:
        if self.closable:
            self.dismiss(None)

    async def action_quit_check(self) -> None:
        if self.closable:
            self.dismiss(None)
            return
        self.workers.cancel_group(self, "check")
        code = 130 if self.report is None else exit_code(self.report, self.settings.strict)
        self.app.exit(code)

    # ---- text ------------------------------------------------------------------------------------
    def _where_text(self) -> str:
        t = target_of(self.settings)
        target = f"workspace {t.workspace} ({t.resource_group})" if t.workspace else "network only"
        if self.report is None:
            return f"netcheck · {target} · checking…"
        w = self.report.where
        where = (f"in Azure · VNet {w.vnet_id.rsplit('/', 1)[-1] if w.vnet_id else '?'} · {w.private_ip}"
                 if w.in_azure else "outside Azure")
        return shown(f"netcheck · {target} · {where} · {self.report.verdict.value}")

    def _update_counts(self) -> None:
        done = self.report is not None and not self.running
        seconds = self.report.duration_ms / 1000 if done and self.report else time.monotonic() - self.t0
        problems = counted(len(getattr(self, "roots", [])), "problem") + ("" if done else " so far")
        checked = f"checked {len(self.checked)}/{max(self.planned, len(self.checked))} · {seconds:.1f} s"
        counts = {v: 0 for v in Verdict}
        for r in self.results:
            counts[r.verdict] += 1
        tally = " ".join(f"[{STYLE[v]}]{n} {v.value}[/]" for v, n in counts.items() if n)
        view = "stage tree" + (", failures only" if self.failures_only else "") if self.view == "tree" else "problems"
        self.counts.update(f"[b]{problems}[/b] · {checked} · {tally} · {view} (t)")
