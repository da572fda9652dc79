"""The Textual app: the probe tree with live state, a detail pane, and keys to act on a result."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Static, Tree
from textual.widgets.tree import TreeNode

from netcheck.app import events, target_of
from netcheck.model import Report, Result, Verdict, exit_code
from netcheck.output import write_report
from netcheck.probe import STAGES, Probe
from netcheck.redact import redact_text
from netcheck.render.common import SYMBOLS, safe_text
from netcheck.runner import Done, Finished, Started
from netcheck.settings import Settings
from netcheck.subject import Ref
from netcheck.tui.detail import DetailPane
from netcheck.tui.screens import ExportScreen, TextScreen, help_screen

PROBLEMS = (Verdict.FAIL, Verdict.ERROR, Verdict.WARN)
_STYLE = {Verdict.PASS: "green", Verdict.FAIL: "red", Verdict.WARN: "yellow", Verdict.ERROR: "magenta",
          Verdict.SKIP: "dim"}
Node = TreeNode[Any]


def _label(verdict: Verdict, text: str) -> str:
    from rich.markup import escape

    return f"[{_STYLE[verdict]}]{SYMBOLS[verdict.value]}[/] {escape(shown(text))}"


def shown(text: str) -> str:
    """What the TUI shows of a string from a result: redacted, and safe (render.common's one boundary)."""
    return safe_text(redact_text(text))


class NetcheckApp(App[int]):
    """`report` given: show it (replay, for snapshots); else run the check for `settings`."""

    CSS_PATH = "netcheck.tcss"
    TITLE = "netcheck"
    BINDINGS = [
        Binding("q", "quit_check", "quit"),
        Binding("f", "toggle_failures", "failures only"),
        Binding("c", "copy_fix", "copy fix"),
        Binding("x", "explain", "explain"),
        Binding("e", "export", "export"),
        Binding("r", "rerun", "re-run"),
        Binding("R", "rerun_probe", "re-run probe", show=False),
        Binding("question_mark", "help", "help"),
    ]

    def __init__(self, settings: Settings, report: Report | None = None, catalog: Sequence[Probe] | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.report: Report | None = report
        self.results: list[Result] = list(report.results) if report else []
        self.running: set[str] = set()
        self.failures_only = False
        if catalog is None:   # the installed catalog, unless a caller brings its own
            from netcheck.probes import CATALOG

            catalog = CATALOG
        self.catalog: Sequence[Probe] = catalog

    def compose(self) -> ComposeResult:
        yield Static(self._where_text(), id="where", markup=False)
        with Horizontal(id="body"):
            tree: Tree[Any] = Tree("netcheck", id="results")
            tree.show_root = False
            yield tree
            yield DetailPane(id="detail")
        yield Static("", id="counts")
        yield Footer()

    def on_mount(self) -> None:
        if self.report is None:
            self.action_rerun()
        else:
            self._rebuild()
            self._update_counts()
            self.call_after_refresh(self._select_first_problem)
        self.query_one(Tree).focus()

    # ---- running ---------------------------------------------------------------------------------
    def action_rerun(self, only: str | None = None) -> None:
        if self.running:
            return
        if only is None:
            self.results, self.report = [], None
            self._rebuild()
        self.run_worker(self._run(only), exclusive=True, group="check")

    async def _run(self, only: str | None) -> None:
        settings = dataclasses.replace(self.settings, only=(only,)) if only else self.settings
        fresh: list[Result] = []
        async for event in events(settings, self.catalog):
            if isinstance(event, Started):
                self.running.add(event.probe.id)
                if not only:
                    self._probe_node(event.probe.id, event.probe.stage)
            elif isinstance(event, Finished):
                self.running.discard(event.result.probe)
                fresh.append(event.result)
                if not only:
                    self.results.append(event.result)
                    self._add(event.result)
            elif isinstance(event, Done):
                self.running.clear()
                if only:   # keep the other probes' results, replace the re-run probe's
                    kept = [r for r in self.results if r.probe != only]
                    ordered = {r.ref: i for i, r in enumerate(self.results)}
                    mine = [r for r in fresh if r.probe == only]
                    self.results = sorted(kept + mine, key=lambda r: ordered.get(r.ref, len(ordered)))
                    base = self.report or event.report
                    self.report = dataclasses.replace(base, results=tuple(self.results))
                else:
                    self.report = event.report
                    self.results = list(event.report.results)
                self.query_one("#where", Static).update(self._where_text())
                self._rebuild()
                self.call_after_refresh(self._select_first_problem, only)
            self._update_counts()

    # ---- the tree --------------------------------------------------------------------------------
    def _stage_node(self, stage: int) -> Node:
        tree = self.query_one(Tree)
        for node in tree.root.children:
            if node.data == ("stage", stage):
                return node
        return tree.root.add(f"stage {stage}: {STAGES.get(stage, '')}", data=("stage", stage), expand=True)

    def _probe_node(self, probe_id: str, stage: int) -> Node:
        parent = self._stage_node(stage)
        for node in parent.children:
            if node.data == ("probe", probe_id):
                return node
        return parent.add(f"… {probe_id}", data=("probe", probe_id), expand=True)

    def _add(self, result: Result) -> None:
        if self.failures_only and result.verdict not in PROBLEMS:
            return
        probe = self._probe_node(result.probe, result.stage)
        mine = [r for r in self.results if r.probe == result.probe and
                (not self.failures_only or r.verdict in PROBLEMS)]
        worst = max((r.verdict for r in mine), key=lambda v: v.rank)
        if len(mine) == 1 and not result.subject:
            probe.set_label(_label(result.verdict, f"{result.probe}: {result.summary}"))
            probe.data = result
            probe.allow_expand = False
            return
        probe.set_label(_label(worst, f"{result.probe} ({len(mine)})"))
        probe.add_leaf(_label(result.verdict, f"{result.subject.text}: {result.summary}"), data=result)

    def _rebuild(self) -> None:
        tree = self.query_one(Tree)
        tree.clear()
        shown = [r for r in self.results if not self.failures_only or r.verdict in PROBLEMS]
        for r in shown:
            self._add(r)
        if self.failures_only and not shown:
            tree.root.add_leaf("no failures, errors or warnings", data=None)

    def _tree_nodes(self) -> list[Node]:
        out: list[Node] = []
        stack = list(self.query_one(Tree).root.children)
        while stack:
            node = stack.pop(0)
            out.append(node)
            stack[0:0] = list(node.children)
        return out

    def _select(self, node: Node) -> None:
        tree = self.query_one(Tree)
        if node.parent is not None:
            node.parent.expand()
        tree.move_cursor(node)
        tree.scroll_to_node(node, animate=False)
        self.query_one(DetailPane).show(node.data if isinstance(node.data, Result) else None)

    def _select_first_problem(self, probe_id: str | None = None) -> None:
        nodes = [(n, n.data) for n in self._tree_nodes() if isinstance(n.data, Result)]
        if probe_id:
            nodes = [(n, r) for n, r in nodes if r.probe == probe_id] or nodes
        for verdicts in ((Verdict.FAIL,), (Verdict.ERROR,), (Verdict.WARN,), tuple(Verdict)):
            hit = next((n for n, r in nodes if r.verdict in verdicts), None)
            if hit is not None:
                self._select(hit)
                return

    def selected(self) -> Result | None:
        node = self.query_one(Tree).cursor_node
        return node.data if node is not None and isinstance(node.data, Result) else None

    def selected_probe(self) -> str | None:
        node = self.query_one(Tree).cursor_node
        if node is None:
            return None
        if isinstance(node.data, Result):
            return node.data.probe
        return node.data[1] if isinstance(node.data, tuple) and node.data[0] == "probe" else None

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Any]) -> None:
        self.query_one(DetailPane).show(event.node.data if isinstance(event.node.data, Result) else None)

    def on_tree_node_selected(self, event: Tree.NodeSelected[Any]) -> None:
        r = event.node.data
        if isinstance(r, Result) and r.verdict is Verdict.SKIP and r.cause:
            self.jump_to(r.cause)

    def jump_to(self, ref: Ref) -> bool:
        """Move to the result a skip names as its cause (a probe and its subject, or a probe)."""
        for node in self._tree_nodes():
            if isinstance(node.data, Result) and (node.data.ref == Ref(ref.probe, ref.subject) or (
                    not ref.subject and node.data.probe == ref.probe)):
                self._select(node)
                return True
        self.notify(f"{shown(ref.text)} is not in the tree (filtered out?)", severity="warning", markup=False)
        return False

    # ---- keys ------------------------------------------------------------------------------------
    def action_toggle_failures(self) -> None:
        self.failures_only = not self.failures_only
        self._rebuild()
        self.call_after_refresh(self._select_first_problem)
        self._update_counts()

    def action_copy_fix(self) -> None:
        r = self.selected()
        if r is None or r.fix is None or not r.fix.commands:
            self.notify("The selected result has no fix commands", severity="warning")
            return
        text = "\n".join(shown(c) for c in r.fix.commands)   # what the pane shows is what is copied
        how = _system_clipboard(text)
        if how is None:
            self.copy_to_clipboard(text)   # OSC 52: works over SSH in most terminals
            how = "terminal (OSC 52)"
        n = len(r.fix.commands)
        self.notify(f"Copied {n} command{'' if n == 1 else 's'} to the {how} clipboard")

    def action_explain(self) -> None:
        probe_id = self.selected_probe()
        if probe_id is None:
            return
        p = next(p for p in self.catalog if p.id == probe_id)
        self.push_screen(TextScreen(f"{p.id}: {p.title}", p.explain + (f"\n\ndocs: {p.docs}" if p.docs else "")))

    def action_help(self) -> None:
        self.push_screen(help_screen())

    def action_export(self) -> None:
        if self.report is None:
            self.notify("Wait for the check to finish", severity="warning")
            return
        self.push_screen(ExportScreen("netcheck-report.html"), self._export)

    def _export(self, path: str | None) -> None:
        if not path or self.report is None:
            return
        from netcheck.render import format_for, no_format, render

        if (fmt := format_for(Path(path))) is None:
            self.notify(no_format(Path(path)), severity="error")
            return
        try:
            write_report(Path(path), render(fmt, self.report))
        except OSError as exc:
            self.notify(f"Cannot write {shown(path)}: {exc.strerror}", severity="error", markup=False)
            return
        self.notify(f"{fmt} report written to {shown(path)}", markup=False)

    def action_rerun_probe(self) -> None:
        probe_id = self.selected_probe()
        if probe_id and self.report is not None:
            self.action_rerun(only=probe_id)

    async def action_quit_check(self) -> None:
        self.workers.cancel_group(self, "check")
        code = 130 if self.report is None else exit_code(self.report, self.settings.strict)
        self.exit(code)

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
        counts = {v: 0 for v in Verdict}
        for r in self.results:
            counts[r.verdict] += 1
        text = "  ".join(f"[{_STYLE[v]}]{n} {v.value}[/]" for v, n in counts.items())
        if self.running:
            text += f"  · running {len(self.running)}"
        if self.failures_only:
            text += "  · failures only (f)"
        self.query_one("#counts", Static).update(text)


def _system_clipboard(text: str) -> str | None:
    for tool in (["wl-copy"], ["xclip", "-selection", "clipboard"], ["xsel", "-b", "-i"], ["pbcopy"]):
        if shutil.which(tool[0]):
            try:
                subprocess.run(tool, input=text.encode(), timeout=3, check=True)
                return "system"
            except (OSError, subprocess.SubprocessError):
                continue
    return None


def run_tui(settings: Settings, catalog: Sequence[Probe]) -> int:
    code = NetcheckApp(settings, catalog=catalog).run()
    return 130 if code is None else int(code)
