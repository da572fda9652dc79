"""Modal screens: help, explain, export."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

KEYS = [
    ("↑ ↓ / click", "move through the results"),
    ("enter", "open a node; on a skipped result, jump to its cause"),
    ("f", "failures only (fail, error, warn) / everything"),
    ("c", "copy the selected fix commands to the clipboard"),
    ("x", "explain the selected probe (netcheck explain)"),
    ("e", "export a report (html, md, junit, json, text)"),
    ("r", "run the whole check again"),
    ("R", "run the selected probe again"),
    ("?", "this help"),
    ("q", "quit (cancels a running check)"),
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
    width = max(len(k) for k, _ in KEYS)
    return TextScreen("netcheck keys", "\n".join(f"{k:<{width}}  {what}" for k, what in KEYS))


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
