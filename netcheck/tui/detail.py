"""The detail pane: one result's summary, evidence as tables, fix, cause."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from netcheck.model import Result
from netcheck.redact import redact
from netcheck.render.common import clean, evidence_tables


class DetailPane(VerticalScroll):
    """Shows the selected result; `show(None)` shows a hint."""

    def compose(self) -> ComposeResult:
        yield Static("Select a result to see its evidence and fix.", classes="hint")

    def show(self, result: Result | None) -> None:
        self.remove_children()
        if result is None:
            self.mount(Static("Select a result to see its evidence and fix.", classes="hint"))
            return
        data: dict[str, Any] = clean(redact(result.to_json()))
        parts: list[Any] = [
            Static(f"{data['verdict'].upper()}  {data['probe']}  {data['subject']}",
                   classes=f"heading v-{data['verdict']}", markup=False),
            Static(data["summary"], markup=False, classes="summary"),
        ]
        if data["cause"]:
            parts.append(Static(f"Caused by {data['cause']} (enter on the result jumps there)", markup=False,
                                classes="cause"))
        rows, tables = evidence_tables(data["evidence"])
        if rows:
            parts.append(Static("Evidence", classes="section"))
            table: DataTable[str] = DataTable(show_cursor=False, zebra_stripes=True)
            table.add_columns("fact", "value")
            for key, value in rows:
                table.add_row(key, value)
            parts.append(table)
        for name, cols, body in tables:
            parts.append(Static(name, classes="section", markup=False))
            t: DataTable[str] = DataTable(show_cursor=False, zebra_stripes=True)
            t.add_columns(*cols)
            for row in body:
                t.add_row(*row)
            parts.append(t)
        if data["fix"]:
            fix = data["fix"]
            parts.append(Static(f"Fix: {fix['summary']}", classes="section", markup=False))
            if fix["commands"]:
                parts.append(Static("\n".join(f"$ {c}" for c in fix["commands"]), classes="commands", markup=False))
            if fix["docs"]:
                parts.append(Static(f"docs: {fix['docs']}", markup=False))
        self.mount_all(parts)
        self.scroll_home(animate=False)
