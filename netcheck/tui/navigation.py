"""Moving through a report on screen: selecting a result (its detail shown), following its causes to the root,
stepping between problems, switching between the Problems view and the stage tree. The report screen
(netcheck.tui.report) lays these out and runs the check."""

from __future__ import annotations

from typing import Any

from textual.widgets import Tree

from netcheck.model import Result
from netcheck.subject import Ref
from netcheck.tui.actions import Actions
from netcheck.tui.detail import DetailPane
from netcheck.tui.views import Node, ProblemsTree, StageTree, find, nodes, shown


class Navigation(Actions):
    """The keys and selections that move through the report rather than act on it."""

    view: str
    roots: list[Result]
    detail: DetailPane
    problems_view: ProblemsTree
    stage_view: StageTree

    def _update_counts(self) -> None:
        raise NotImplementedError

    def view_tree(self) -> Tree[Any]:
        return self.problems_view.tree if self.view == "problems" else self.stage_view.tree

    def _select(self, node: Node) -> None:
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        tree = self.view_tree()
        if tree.last_line < 0:   # (asking numbers the lines now, so the node has its line)
            return
        tree.move_cursor(node)
        tree.scroll_to_node(node, animate=False)
        self._show_selected()

    def _show_selected(self) -> None:
        self.detail.show(self.selected(), self.current())

    def _first_problem(self, probe_id: str | None = None) -> None:
        found = [n for n in nodes(self.view_tree()) if isinstance(n.data, Result)]
        if probe_id:
            found = [n for n in found if isinstance(n.data, Result) and n.data.probe == probe_id] or found
        roots = {id(r) for r in getattr(self, "roots", [])}
        hit = next((n for n in found if id(n.data) in roots), None) or next(iter(found), None)
        if hit is not None:
            self._select(hit)

    def selected(self) -> Result | None:
        node = self.view_tree().cursor_node
        return node.data if node is not None and isinstance(node.data, Result) else None

    def selected_probe(self) -> str | None:
        node = self.view_tree().cursor_node
        if node is None:
            return None
        if isinstance(node.data, Result):
            return node.data.probe
        return node.data[1] if isinstance(node.data, tuple) and node.data[0] == "probe" else None

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Any]) -> None:
        if event.control is self.view_tree():
            self._show_selected()

    def on_tree_node_selected(self, event: Tree.NodeSelected[Any]) -> None:
        r = event.node.data
        if isinstance(r, Result) and r.cause:
            self.go_to_root(r)

    def go_to_root(self, result: Result) -> bool:
        """Follow `result`'s causes to the end of the chain and select that result in this view."""
        report = self.current()
        if result not in report.results:
            return False
        root = report.root_of(result)
        node = find(self.view_tree(), root)
        if node is None:
            self.notify(f"{shown(root.id)} is not in this view (t switches)", severity="warning", markup=False)
            return False
        self._select(node)
        return True

    def jump_to(self, ref: Ref) -> bool:
        """Select the result `ref` names (a probe and its subject, or a probe), in this view or the other."""
        for _ in range(2):
            for node in nodes(self.view_tree()):
                if isinstance(node.data, Result) and (node.data.ref == Ref(ref.probe, ref.subject) or (
                        not ref.subject and node.data.probe == ref.probe)):
                    self._select(node)
                    return True
            self.action_toggle_view()
        self.notify(f"{shown(ref.text)} is not in the tree (filtered out?)", severity="warning", markup=False)
        return False

    def _step(self, by: int) -> None:
        roots = {id(r) for r in getattr(self, "roots", [])}
        found = [n for n in nodes(self.view_tree()) if isinstance(n.data, Result) and id(n.data) in roots]
        if not found:
            self.notify("No problems" + ("" if self.report else " so far"))
            return
        everything = nodes(self.view_tree())
        here = self.view_tree().cursor_node
        at = everything.index(here) if here in everything else -1
        after = [n for n in found if (everything.index(n) - at) * by > 0]
        self._select(after[0 if by > 0 else -1] if after else found[0 if by > 0 else -1])

    def action_toggle_view(self) -> None:
        before = self.selected()
        self.view_tree().display = False
        self.view = "tree" if self.view == "problems" else "problems"
        self.view_tree().display = True
        self.view_tree().focus()
        node = find(self.view_tree(), before) if before is not None else None
        if node is not None:
            self._select(node)
        else:
            self.call_after_refresh(self._show_selected)
        self._update_counts()

    def action_next_problem(self) -> None:
        self._step(1)

    def action_previous_problem(self) -> None:
        self._step(-1)
