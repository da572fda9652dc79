"""The diagnosis's data: the names that matter, what resolvers answered, and what it concludes.

Plain frozen dataclasses, no I/O. A probe builds `Target`s from the facts and the service registry,
`Seen`s from its lookups (`Answer.of(lookup)`), and reads back `Divergence`s: the probe whose result is
the root cause, its subject as data (netcheck.subject's kinds, as that probe's result names it), and the
facts the fix needs (`Remedy`). A resolver is netcheck.subject.Resolver: role system, azure or custom, and
its address as the probes name it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from netcheck.diagnosis.remedy import Remedy
from netcheck.subject import Ref, Resolver, Subject

AZURE_DNS = "168.63.129.16"


class Placed(Protocol):
    """Where netcheck runs, as the diagnosis needs it: its VNet (None: outside every Azure VNet). A
    facts.Location (from the VM's NIC) or a model.Where (placed by the VM's address) both are."""

    @property
    def vnet_id(self) -> str | None: ...


def host_of(server: str) -> str:
    """A resolver's address without a port: 10.0.0.4:53 -> 10.0.0.4, [fd00::4]:53 -> fd00::4."""
    if server.startswith("["):
        return server[1:server.index("]")]
    return server.rsplit(":", 1)[0] if server.count(":") == 1 else server


@dataclass(frozen=True, kw_only=True)
class Target:
    """A name that matters. `private_name` is the privatelink name public DNS CNAMEs it to, which only
    happens when the resource has a private endpoint (None: its public answer is the right one)."""

    fqdn: str
    private_name: str | None = None
    addresses: tuple[str, ...] = ()        # the private endpoint NIC's: the ground truth
    private_endpoint_id: str | None = None

    @property
    def zone(self) -> str | None:
        """The private DNS zone answering for the privatelink name: every such zone starts `privatelink.`."""
        n = self.private_name
        return n[n.index("privatelink."):] if n and "privatelink." in n else None

    @property
    def record(self) -> str | None:
        """The privatelink name relative to its zone."""
        return self.private_name[: -len(self.zone) - 1] if self.private_name and self.zone else None


class LookupLike(Protocol):
    """What netcheck.net.dns.Lookup offers (read-only)."""

    @property
    def chain(self) -> tuple[str, ...]: ...
    @property
    def ips(self) -> tuple[str, ...]: ...
    @property
    def rcode(self) -> str: ...
    @property
    def error(self) -> str | None: ...


@dataclass(frozen=True, kw_only=True)
class Answer:
    """One answer, as netcheck.net.dns.Lookup observes it."""

    chain: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    rcode: str = "NOERROR"
    error: str | None = None      # timeout | refused | ...: no answer

    @classmethod
    def of(cls, lookup: LookupLike) -> Answer:
        return cls(chain=tuple(lookup.chain), ips=tuple(lookup.ips), rcode=lookup.rcode, error=lookup.error)

    def kind(self, target: Target) -> str:
        """none | nxdomain | nodata | expected | stale | private | public."""
        if self.error:
            return "none"
        if self.rcode == "NXDOMAIN":
            return "nxdomain"
        if not self.ips:
            return "nodata"
        if set(self.ips) & set(target.addresses):
            return "expected"
        if all(ipaddress.ip_address(i).is_private for i in self.ips):
            return "stale" if target.addresses else "private"
        return "public"

    def right(self, target: Target) -> bool:
        """The answer the expected path gives: the private endpoint's address, or public without one."""
        kind = self.kind(target)
        return kind in ("expected", "private") if target.private_name else kind == "public"


@dataclass(frozen=True, kw_only=True)
class Seen:
    """What one resolver answered for one name, round by round (one round when only one was asked)."""

    resolver: Resolver
    name: str
    rounds: tuple[Answer, ...]

    def flips(self, target: Target) -> bool:
        """Answers of more than one kind across the rounds (private, public, another private address,
        NXDOMAIN...); a round without an answer says nothing."""
        return len({a.kind(target) for a in self.rounds} - {"none"}) > 1


@dataclass(frozen=True, kw_only=True)
class Observed:
    answers: tuple[Seen, ...] = ()
    connects: Mapping[str, bool] = field(default_factory=dict)   # address -> a TCP connect to :443 from here worked

    def of(self, resolver: Resolver, name: str) -> Seen | None:
        return next((s for s in self.answers if s.resolver == resolver and s.name == name), None)

    def by_role(self, role: str, name: str) -> Seen | None:
        return next((s for s in self.answers if s.resolver.role == role and s.name == name), None)


@dataclass(frozen=True, kw_only=True)
class Divergence:
    """The first hop where an answer (or the route to an address) left the expected path."""

    probe: str                   # the root cause's probe id
    subject: Subject
    hop: str                     # location | server | stability | rule | shadow | zone | record | stale | route | ...
    remedy: Remedy
    names: tuple[str, ...] = ()  # the names it explains
    seen_at: tuple[Resolver, ...] = ()   # where a wrong answer was seen (none for a route)

    @property
    def ref(self) -> Ref:
        """The root cause's result, as the consequences name it (`cause`)."""
        return Ref(self.probe, self.subject)
