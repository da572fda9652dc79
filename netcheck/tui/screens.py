"""Modal screens: help, explain, export."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

KEYS = [
    ("↑ ↓ / click", "move through the results"),
    ("enter", "on a result with a cause: go to its root cause (through every hop); else fold/unfold"),
    ("space", "fold / unfold: a problem's consequences, a probe's results"),
    ("t", "switch between the Problems view and the full stage tree"),
    ("n / p", "next / previous problem (root cause)"),
    ("c", "copy the selected fix (its own, or its root cause's)"),
    ("C", "copy the whole fix plan (a reviewable bash script)"),
    ("i", "show long resource ids whole (they are elided in the middle to fit)"),
    ("f", "stage tree: failures only (fail, error, warn) / everything"),
    ("x", "explain the selected probe (netcheck explain)"),
    ("e", "export a report (html, md, junit, json, text)"),
    ("r", "run the whole check again"),
    ("R", "run the selected probe again"),
    ("?", "this help"),
    ("q", "quit (cancels a running check); in the fleet view, back to the fleet"),
    ("escape", "in the fleet view: back to the fleet"),
]

MARKS = [
    ("✓", "pass"),
    ("✗", "fail: something is wrong; its fix is shown"),
    ("!", "warning: works, but worth a look"),
    ("?", "error: netcheck could not decide (a read or probe failed)"),
    ("-", "skipped: blocked by a cause, not applicable here, or not asked for"),
    ("…", "a probe still running; in a name, the middle of a long id left out (i shows it)"),
    ("·", "a probe that ran and had nothing to report here"),
    ("1. 2.", "the problems (root causes), in the order to fix them"),
    ("↳", "a consequence: explained by the root cause it is nested under"),
    ("checked 34/40", "probes done / probes to run, then the time so far"),
]


class TextScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,enter,question_mark,x", "dismiss", "close")]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self.title_text, self.body = title, body

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"[b]{self.title_text}[/b]")
            with VerticalScroll():
                yield Static(self.body, markup=False)
            yield Label("[dim]esc to close[/dim]")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


def help_screen() -> TextScreen:
    width = max(len(k) for k, _ in KEYS + MARKS)
    keys = "\n".join(f"{k:<{width}}  {what}" for k, what in KEYS)
    marks = "\n".join(f"{k:<{width}}  {what}" for k, what in MARKS)
    return TextScreen("netcheck keys", f"{keys}\n\nWhat the marks mean\n{marks}")


class ExportScreen(ModalScreen[str | None]):
    """Asks where to write the report; the format follows the extension."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("[b]Export the report[/b]: the extension picks the format "
                        "(.html, .md, .xml for JUnit, .json, .txt)")
            yield Input(value=self.default, id="path")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
