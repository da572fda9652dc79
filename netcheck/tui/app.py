"""The Textual app for one workspace (`netcheck` on a terminal): the report screen (netcheck.tui.report)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import App

from netcheck.model import Report
from netcheck.probe import Probe
from netcheck.settings import Settings
from netcheck.tui.report import ReportScreen

__all__ = ["NetcheckApp", "ReportScreen", "run_tui"]

# What callers and tests read of the app: the report screen's. Only these names: Textual looks up its own
# (action_*, _*) on the app and must not find the screen's.
_READ_THROUGH = frozenset({"report", "results", "running", "roots", "view", "settings", "catalog", "selected",
                           "selected_probe", "view_tree", "current", "jump_to", "go_to_root"})


class NetcheckApp(App[int]):
    """The single-workspace TUI: a ReportScreen (its attributes read through, for callers and tests)."""

    CSS_PATH = "netcheck.tcss"
    TITLE = "netcheck"

    def __init__(self, settings: Settings, report: Report | None = None, catalog: Sequence[Probe] | None = None) -> None:
        super().__init__()
        self.view_screen = ReportScreen(settings, report, catalog)

    def get_default_screen(self) -> ReportScreen:
        return self.view_screen

    def __getattr__(self, name: str) -> Any:
        if name in _READ_THROUGH:   # only these: Textual looks up its own names (action_*, _*) on the app
            return getattr(self.view_screen, name)
        raise AttributeError(name)


def run_tui(settings: Settings, catalog: Sequence[Probe]) -> int:
    code = NetcheckApp(settings, catalog=catalog).run()
    return 130 if code is None else int(code)
