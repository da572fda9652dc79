"""The two views of a run as trees that only ever grow in place: the Problems view (root causes, their
consequences beneath) and the full stage tree. Every node goes where the report will put its result
(stage, catalog order, subject), so nothing moves when the run ends."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.markup import escape
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from netcheck.model import Report, Result, Verdict
from netcheck.probe import STAGES
from netcheck.redact import redact_text
from netcheck.render.common import SYMBOLS, counted, safe_text

Node = TreeNode[Any]
Key = tuple[Any, ...]
STYLE = {Verdict.PASS: "green", Verdict.FAIL: "red", Verdict.WARN: "yellow", Verdict.ERROR: "magenta",
         Verdict.SKIP: "dim"}
PENDING = "…"          # a probe that has not reported yet
QUIET = "·"            # a probe that ran and reported nothing
CONSEQUENCE = "↳"      # a result explained by the root cause above it
WARNINGS = "warnings"  # the Problems view's last group: warnings that are nobody's consequence


def shown(text: str) -> str:
    """What the TUI shows of a string from a result: redacted, and safe (render.common's one boundary)."""
    return safe_text(redact_text(text))


def mark(verdict: Verdict) -> str:
    return f"[{STYLE[verdict]}]{SYMBOLS[verdict.value]}[/]"


def label(verdict: Verdict, text: str, prefix: str = "") -> str:
    return f"{prefix}{mark(verdict)} {escape(shown(text))}"


class Placer:
    """Adds nodes under a parent at the position their key gives, and finds them again by key."""

    def __init__(self, tree: Tree[Any]) -> None:
        self.tree = tree
        self.keys: dict[Any, Key] = {}

    def clear(self) -> None:
        self.tree.clear()
        self.keys.clear()

    def child(self, parent: Node, key: Key) -> Node | None:
        return next((n for n in parent.children if self.keys.get(n.id) == key), None)

    def place(self, parent: Node, key: Key, text: str, data: Any, *, leaf: bool = False, expand: bool = False) -> Node:
        if (node := self.child(parent, key)) is not None:
            node.set_label(text)
            node.data = data
            return node
        after = next((n for n in parent.children if self.keys.get(n.id, key) > key), None)
        node = parent.add(text, data, before=after, expand=expand, allow_expand=not leaf)
        self.keys[node.id] = key
        return node


class StageTree(Placer):
    """Stage → probe → result; a probe with one result and no subject is that result's node."""

    def __init__(self, tree: Tree[Any], order: dict[str, int]) -> None:
        super().__init__(tree)
        self.order = order

    def probe(self, probe_id: str, stage: int) -> Node:
        st = self.place(self.tree.root, (stage,), f"stage {stage}: {STAGES.get(stage, '')}", ("stage", stage),
                        expand=True)
        key = (self.order.get(probe_id, 1 << 30), probe_id)
        return self.child(st, key) or self.place(st, key, f"{PENDING} {probe_id}", ("probe", probe_id))

    def sync(self, results: Sequence[Result], failures_only: bool, finished: bool = False) -> None:
        problems = (Verdict.FAIL, Verdict.ERROR, Verdict.WARN)
        by_probe: dict[str, list[Result]] = {}
        for r in results:
            if not failures_only or r.verdict in problems:
                by_probe.setdefault(r.probe, []).append(r)
        for probe_id, mine in by_probe.items():
            node = self.probe(probe_id, mine[0].stage)
            worst = max((r.verdict for r in mine), key=lambda v: v.rank)
            if len(mine) == 1 and not mine[0].subject:
                node.set_label(label(mine[0].verdict, f"{probe_id}: {mine[0].summary}"))
                node.data, node.allow_expand = mine[0], False
                continue
            node.set_label(label(worst, f"{probe_id} ({len(mine)})"))
            node.data = ("probe", probe_id)
            if worst is not Verdict.PASS and worst is not Verdict.SKIP:
                node.expand()   # passes stay folded: a problem's neighbours are one key away
            for r in mine:
                self.place(node, (r.subject.text,), label(r.verdict, f"{r.subject.text}: {r.summary}"), r, leaf=True)
        if failures_only and not by_probe:
            self.place(self.tree.root, (1 << 30,), "no failures, errors or warnings", None, leaf=True)
        if finished:   # a probe that ran and found nothing to report
            for stage in self.tree.root.children:
                for node in stage.children:
                    data = node.data
                    if isinstance(data, tuple) and data[0] == "probe" and not node.children and data[1] not in by_probe:
                        node.set_label(f"{QUIET} {escape(data[1])}: nothing to report here")
                        node.allow_expand = False


def sort_key(order: dict[str, int]) -> Any:
    """The report's own order (netcheck.runner): stage, catalog position, subject."""
    return lambda r: (r.stage, order.get(r.probe, 1 << 30), r.subject.text)


class ProblemsTree(Placer):
    """Root causes in report order, numbered, each with its consequences nested; then the warnings."""

    def sync(self, report: Report, order: dict[str, int], finished: bool) -> list[Result]:
        key = sort_key(order)
        roots = report.root_causes()
        root = self.tree.root
        for n, r in enumerate(roots, 1):
            kids = report.explains(r)
            more = f"  (explains {len(kids)})" if kids else ""
            node = self.place(root, (0, *key(r)), label(r.verdict, f"{r.probe} {r.subject.text}{more}", f"{n}. "), r)
            for k in kids:
                self.place(node, key(k), label(k.verdict, f"{k.probe} {k.subject.text}", f"{CONSEQUENCE} "), k,
                           leaf=True)
            node.allow_expand = bool(kids)
        explained = {id(r) for r in roots} | {id(k) for r in roots for k in report.explains(r)}
        warns = [r for r in report.results if r.verdict is Verdict.WARN and id(r) not in explained]
        if warns:
            group = self.place(root, (2,), f"[yellow]![/] {counted(len(warns), 'warning')}", WARNINGS)
            for w in warns:
                self.place(group, key(w), label(w.verdict, f"{w.probe} {w.subject.text}"), w, leaf=True)
        empty = ("[green]✓[/] no problems" + (f": {counted(len(report.results), 'result')}, none failed"
                                              if finished else " so far"))
        placeholder = self.child(root, (1,))
        if roots and placeholder is not None:
            placeholder.remove()
            del self.keys[placeholder.id]
        elif not roots:
            self.place(root, (1,), empty, None, leaf=True)
        return roots


def nodes(tree: Tree[Any]) -> list[Node]:
    """Every node below the root, depth first (folded ones too)."""
    out: list[Node] = []
    stack = list(tree.root.children)
    while stack:
        node = stack.pop(0)
        out.append(node)
        stack[0:0] = list(node.children)
    return out


def find(tree: Tree[Any], result: Result, among: Iterable[Node] | None = None) -> Node | None:
    return next((n for n in (among or nodes(tree)) if n.data is result), None)
