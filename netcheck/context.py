"""The world a probe sees: settings, the network clients, the facts gathered so far, what earlier
probes observed (typed), and their results.

Injected, never global: tests and the simulator build a Context of their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from netcheck.model import Result, Verdict, Where
from netcheck.net import dns, http, tcp, tls
from netcheck.settings import Address, Settings
from netcheck.subject import Ref, Resolver, Subject

if TYPE_CHECKING:
    from netcheck.azure.facts import Inventory, Location
    from netcheck.targets import Names


@dataclass(frozen=True)
class Network:
    """The network clients the probes use: the real ones, or fakes a unit test injects."""

    lookup: Callable[[Settings, Address, str, float], Awaitable[dns.Lookup]] = dns.lookup
    connect: Callable[[Settings, str, int, float], Awaitable[tcp.Connect]] = tcp.connect
    handshake: Callable[[Settings, str, str, float], Awaitable[tls.Handshake]] = tls.handshake
    request: Callable[..., Awaitable[http.Response]] = http.request


@dataclass
class Context:
    settings: Settings
    clock: Callable[[], float] = time.monotonic
    results: dict[str, list[Result]] = field(default_factory=dict)
    where: Where = field(default_factory=lambda: Where(in_azure=False))
    location: Location | None = None
    credential: Any = None
    inventory: Inventory | None = None
    # Where ctx.target's facts already come from when a caller gathered them (`netcheck fleet`: Resource
    # Graph); then ctx.target uses ctx.inventory as it is, and no ARM token is needed.
    facts_from: str | None = None
    names: Names | None = None
    net: Network = field(default_factory=Network)
    # What the network probes observed, for the probes after them (and diagnosis):
    # dns.*: each resolver's first answer per name; net.tcp: each address's connect per host;
    # tls.cert: the handshake and certificate per host.
    answers: dict[Resolver, dict[str, dns.Lookup]] = field(default_factory=dict)
    connections: dict[str, tuple[tcp.Connect, ...]] = field(default_factory=dict)
    certificates: dict[str, tls.Handshake] = field(default_factory=dict)
    # The dns.* probes' shared observation and diagnosis (probes/_observe.py), made once by whichever asks first.
    dns_observation: asyncio.Task[Any] | None = None
    # Bounds concurrent network operations of all probes together.
    limit: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.limit = asyncio.Semaphore(self.settings.concurrency)

    def results_of(self, probe_id: str) -> list[Result]:
        return self.results.get(probe_id, [])

    def answers_of(self, role: str) -> dict[str, dns.Lookup]:
        """The answers of the resolver with this role (system, azure), by name; empty if not asked."""
        return next((found for r, found in self.answers.items() if r.role == role), {})

    def blocked(self, probe_id: str, subject: Subject | None = None) -> Ref | None:
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
