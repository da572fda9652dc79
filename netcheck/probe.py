"""How a probe is declared: a small frozen spec around one async function.

The function's docstring is the explanation `netcheck explain ID` prints: what it checks, why,
and what each verdict means. The runner acts on `needs` (a failed dependency makes this probe
`skip` with the dependency as its cause) and on `after` (wait for it, run whatever it found).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from netcheck.model import Finding

if TYPE_CHECKING:
    from netcheck.context import Context

RunFn = Callable[["Context"], Awaitable[Sequence[Finding]]]


@dataclass(frozen=True)
class Probe:
    id: str
    stage: int
    title: str
    run: RunFn
    needs: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    docs: str = ""

    @property
    def explain(self) -> str:
        return inspect.getdoc(self.run) or ""

    @property
    def waits_for(self) -> tuple[str, ...]:
        return self.needs + self.after


def probe(
    id: str,
    *,
    stage: int,
    title: str,
    needs: Sequence[str] = (),
    after: Sequence[str] = (),
    docs: str = "",
) -> Callable[[RunFn], Probe]:
    """Declare a probe: `@probe("ws.v1_legacy_mode", stage=1, title=..., needs=["ctx.target"])`."""

    def wrap(fn: RunFn) -> Probe:
        return Probe(id, stage, title, fn, tuple(needs), tuple(after), docs)

    return wrap


STAGES = {0: "context", 1: "configuration", 2: "name resolution", 3: "reachability"}
