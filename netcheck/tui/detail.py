"""The detail pane: one result's summary, its fix (its own, or its root cause's) before the evidence.

Fix commands are shown as a shell would take them, one option per line, so a line only ever breaks at a
space; a resource id too long for the pane is elided in the middle (`i` shows every id whole, then the
pane scrolls sideways). What `c` copies is always the command itself.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import HorizontalScroll, VerticalScroll
from textual.widgets import DataTable, Static

from netcheck.fixplan import quote
from netcheck.model import Fix, Report, Result
from netcheck.redact import redact
from netcheck.render.common import clean, counted, evidence_tables
from netcheck.tui.views import shown

HINT = "Select a result to see its fix and evidence."
ELLIPSIS = "…"


def elide(text: str, width: int) -> str:
    """A resource id (or any long token) cut in the middle to `width`, keeping its start and its name."""
    if len(text) <= width or width < 12:
        return text
    tail = max(width * 3 // 5, width - 24)
    return text[: width - tail - 1] + ELLIPSIS + text[-tail:]


def elide_ids(text: str, width: int) -> str:
    """Every space-separated word that is longer than `width` elided; the spaces stay where they are."""
    return " ".join(elide(w, width) if w.startswith("/") else w for w in text.split(" "))


def shell_lines(command: str, width: int | None) -> list[str]:
    """`$ az words` then one `--option value` per line, `\\`-continued; `width` None keeps ids whole."""
    try:
        argv = shlex.split(command)
    except ValueError:
        return [f"$ {command}"]
    groups: list[list[str]] = [[]]
    for a in argv:
        if a.startswith("-") and groups[-1]:
            groups.append([])
        groups[-1].append(quote(a))
    lines = [("$ " if i == 0 else "    ") + " ".join(g) + (" \\" if i < len(groups) - 1 else "")
             for i, g in enumerate(groups)]
    return lines if width is None else [_fit(line, width) for line in lines]


def _fit(line: str, width: int) -> str:
    """The line's longest word elided by as much as the line is too long (a word of a command: an id)."""
    words = line.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    over = len(line) - width
    if over > 0:
        words[longest] = elide(words[longest], len(words[longest]) - over)
    return " ".join(words)


def url_lines(line: str, width: int | None) -> list[str]:
    """A line ending in a URL too long for the pane, broken after a `/` or before a `#` (a URL has no
    spaces: the pane would otherwise break it anywhere, mid-word)."""
    lines = [""]
    for piece in re.split(r"(?<=[/ ])|(?=#)", line):
        if width is not None and lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("  ")
        lines[-1] += piece
    return lines


def fix_for(report: Report | None, result: Result) -> tuple[Fix | None, Result | None]:
    """The fix to show (and copy) for a result: its own, else its root cause's (and that root)."""
    if result.fix or report is None or result not in report.results:
        return result.fix, None
    root = report.root_of(result)
    return (root.fix, root) if root is not result and root.fix else (None, None)


class DetailPane(VerticalScroll):
    """Shows the selected result; `show(None)` shows a hint."""

    full_ids = False

    def compose(self) -> ComposeResult:
        yield Static(HINT, classes="hint")

    def show(self, result: Result | None, report: Report | None = None) -> None:
        self.shown_result, self.report = result, report
        self.remove_children()
        if result is None:
            self.mount(Static(HINT, classes="hint"))
            return
        width = None if self.full_ids else max(self.size.width - 6, 40) if self.size.width else 74
        d: dict[str, Any] = clean(redact(result.to_json()))
        ids = (lambda s: s) if width is None else (lambda s: elide_ids(s, width))
        parts: list[Any] = [
            Static(ids(f"{d['verdict'].upper()}  {d['probe']}  {d['subject']}"), classes=f"heading v-{d['verdict']}",
                   markup=False),
            Static(ids(d["summary"]), markup=False, classes="summary"),
        ]
        inside = report is not None and result in report.results
        if inside and report is not None and result.cause:
            root, direct = report.root_of(result), report.caused_by(result)
            via = f" via {shown(direct.id)}" if direct is not None and direct is not root else ""
            parts.append(Static(ids(f"Root cause: {shown(root.id)}{via} (enter goes there)"), markup=False,
                                classes="cause"))
        elif result.cause:
            parts.append(Static(ids(f"Caused by {shown(result.cause.text)}"), markup=False, classes="cause"))
        if inside and report is not None and (kids := report.explains(result)):
            parts.append(Static(f"Explains {counted(len(kids), 'result')} (nested beneath it)", classes="cause"))
        parts += self._fix(result, report, width)
        parts += self._evidence(d["evidence"], ids)
        self.mount_all(parts)
        self.scroll_home(animate=False)

    def _fix(self, result: Result, report: Report | None, width: int | None) -> list[Any]:
        fix, root = fix_for(report, result)
        if fix is None:
            return []
        whose = f" (its root cause's, {shown(root.id)})" if root is not None else ""
        out: list[Any] = [Static(f"Fix{whose}: {shown(fix.summary)}", classes="section", markup=False)]
        if fix.commands:
            lines = [line for c in fix.commands for line in shell_lines(shown(c), width)]
            body = Static(Text("\n".join(lines), no_wrap=True, overflow="ignore"), classes="commands")
            out.append(HorizontalScroll(body, classes="commands-box") if width is None else body)
        if fix.docs:
            out.append(Static("\n".join(url_lines(f"docs: {shown(fix.docs)}", width)), markup=False))
        return out

    def _evidence(self, evidence: dict[str, Any], ids: Any) -> list[Any]:
        rows, tables = evidence_tables(evidence)
        out: list[Any] = []
        if rows:
            out.append(Static("Evidence", classes="section"))
            table: DataTable[str] = DataTable(show_cursor=False, zebra_stripes=True)
            table.add_columns("fact", "value")
            for key, value in rows:
                table.add_row(key, ids(value) if self.full_ids else elide_ids(value, max(self.size.width - 24, 30)))
            out.append(table)
        for name, cols, body in tables:
            out.append(Static(name, classes="section", markup=False))
            t: DataTable[str] = DataTable(show_cursor=False, zebra_stripes=True)
            t.add_columns(*cols)
            for row in body:
                t.add_row(*(ids(c) for c in row))
            out.append(t)
        return out

    def toggle_ids(self) -> bool:
        self.full_ids = not self.full_ids
        self.show(getattr(self, "shown_result", None), getattr(self, "report", None))
        return self.full_ids
