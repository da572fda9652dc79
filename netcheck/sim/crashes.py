"""Exceptions raised in the simulator's server threads: kept, so the test that caused one fails with it."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable


class Crashes:
    """Every exception a server thread raised, with its traceback: a simulator bug must fail the test that
    caused it (Simulator.stop raises), never look like a timeout. `echo` also prints each as it happens."""

    def __init__(self, echo: Callable[[str], None] | None = None) -> None:
        self._lock = threading.Lock()
        self.tracebacks: list[str] = []
        self.echo = echo

    def record(self, where: str, exc: BaseException) -> None:
        text = f"{where}:\n" + "".join(traceback.format_exception(exc))
        with self._lock:
            self.tracebacks.append(text)
        if self.echo:
            self.echo(text)


class SimulatorCrash(RuntimeError):
    """The simulator raised while serving: the tracebacks, so the test that caused it fails with them."""
