"""What the TUI does with a report on a key: copy a fix or the whole plan, export, explain, help.

The report screen (netcheck.tui.report) supplies the selection and the report; this keeps the clipboard's fallbacks and
the file dialogs out of its layout and navigation (netcheck.tui.navigation).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual.screen import Screen

from netcheck.fixplan import script
from netcheck.model import Report, Result
from netcheck.output import write_report
from netcheck.probe import Probe
from netcheck.render.common import counted
from netcheck.tui import clipboard
from netcheck.tui.detail import fix_for
from netcheck.tui.screens import ExportScreen, TextScreen, help_screen
from netcheck.tui.views import shown


class Actions(Screen[None]):
    """The keys that act on the report rather than move through it."""

    report: Report | None
    catalog: Sequence[Probe]

    def selected(self) -> Result | None:
        raise NotImplementedError

    def selected_probe(self) -> str | None:
        raise NotImplementedError

    def current(self) -> Report:
        raise NotImplementedError

    def action_copy_fix(self) -> None:
        r = self.selected()
        fix, root = fix_for(self.current(), r) if r is not None else (None, None)
        if r is None or fix is None or not fix.commands:
            self.notify("The selected result has no fix commands", severity="warning")
            return
        step = {"summary": fix.summary, "commands": list(fix.commands), "docs": fix.docs,
                "resolves": [(root or r).id]}
        n = len(fix.commands)
        self._copy("\n".join(shown(c) for c in fix.commands), counted(n, "command"),
                   self._script([step]), "netcheck-fix.sh")

    def action_copy_plan(self) -> None:
        if self.report is None:
            self.notify("Wait for the check to finish", severity="warning")
            return
        plan = [s.to_json() for s in self.report.causes.fix_plan()]
        if not plan:
            self.notify("Nothing to fix: no problem has a fix", severity="warning")
            return
        text = self._script(plan)
        self._copy(text, f"the fix plan ({counted(len(plan), 'step')})", text, "netcheck-fix-plan.sh")

    def _script(self, plan: list[dict[str, Any]]) -> str:
        report = self.current()
        return script({"target": (self.report or report).target.to_json(), "started": report.started,
                       "fix_plan": plan})

    def _copy(self, text: str, what: str, file_text: str, file_name: str) -> None:
        if clipboard.system_clipboard(text):
            self.notify(f"Copied {what} to the system clipboard")
            return
        if (why := clipboard.osc52_blocked()) is None:
            self.app.copy_to_clipboard(text)
            self.notify(f"Copied {what} to the terminal's clipboard (OSC 52)")
            return
        try:
            path = clipboard.save(file_text, file_name)
        except OSError as exc:
            self.notify(f"Cannot copy: {why}; {exc}", severity="error", markup=False, timeout=20)
            return
        self.notify(f"Cannot copy: {why}. Wrote {what} to {path}", severity="warning", markup=False, timeout=30)

    def action_explain(self) -> None:
        probe_id = self.selected_probe()
        if probe_id is None:
            return
        p = next(p for p in self.catalog if p.id == probe_id)
        self.app.push_screen(TextScreen(f"{p.id}: {p.title}", p.explain + (f"\n\ndocs: {p.docs}" if p.docs else "")))

    def action_help(self) -> None:
        self.app.push_screen(help_screen())

    def action_export(self) -> None:
        if self.report is None:
            self.notify("Wait for the check to finish", severity="warning")
            return
        self.app.push_screen(ExportScreen("netcheck-report.html"), self._export)

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
