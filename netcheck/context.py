"""The world a probe sees: settings, the facts gathered so far and the results of earlier probes.

Injected, never global: tests and the simulator build a Context of their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from netcheck.model import Result, Verdict, Where
from netcheck.settings import Settings

if TYPE_CHECKING:
    from netcheck.azure.facts import Inventory, Location
    from netcheck.targets import Names


@dataclass
class Context:
    settings: Settings
    clock: Callable[[], float] = time.monotonic
    results: dict[str, list[Result]] = field(default_factory=dict)
    where: Where = field(default_factory=lambda: Where(in_azure=False))
    location: Location | None = None
    credential: Any = None
    inventory: Inventory | None = None
    names: Names | None = None
    # Bounds concurrent network operations of all probes together.
    limit: asyncio.Semaphore = field(init=False)
    # Anything a probe caches for its dependents (e.g. resolved addresses), by probe id.
    shared: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.limit = asyncio.Semaphore(self.settings.concurrency)

    def results_of(self, probe_id: str) -> list[Result]:
        return self.results.get(probe_id, [])

    def blocked(self, probe_id: str, subject: str | None = None) -> str | None:
        """The cause to name when `probe_id`'s result for `subject` is not usable, else None.

        A probe-level result (no subject) that is not usable blocks every subject.
        """
        results = self.results_of(probe_id)
        mine = [r for r in results if subject is None or r.subject == subject] or [
            r for r in results if not r.subject]
        for r in mine:
            if not r.verdict.usable:
                return r.cause if r.verdict is Verdict.SKIP and r.cause else r.ref
        return None
