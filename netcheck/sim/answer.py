"""A DNS resolution as the simulator hands it to the wire: the records in order, the rcode, the zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from netcheck.clouds import Cloud
    from netcheck.sim.scenario import Scenario


@dataclass(frozen=True)
class Rec:
    owner: str
    rdtype: str           # CNAME, A, AAAA, TXT, SOA, NS
    values: tuple[str, ...]
    ttl: int
    private: bool         # from a private zone (Azure DNS answers it authoritatively)


@dataclass
class Answer:
    """The CNAMEs followed, then the final name's records; the rcode; the zone that answered last."""

    recs: list[Rec] = field(default_factory=list)
    rcode: str = "NOERROR"     # NOERROR | NXDOMAIN | SERVFAIL
    zone: str = ""             # its SOA goes with NXDOMAIN and NODATA
    zone_private: bool = False

    @property
    def chain(self) -> list[tuple[str, str]]:
        return [(r.owner, r.values[0]) for r in self.recs if r.rdtype == "CNAME"]

    @property
    def ips(self) -> list[str]:
        return [v for r in self.recs if r.rdtype == "A" for v in r.values]

    @property
    def authoritative(self) -> bool:
        """Whether the question name itself was answered from a private zone."""
        return self.recs[0].private if self.recs else self.zone_private and self.rcode != "SERVFAIL"

    def extend(self, other: Answer) -> None:
        self.recs += other.recs
        self.rcode, self.zone, self.zone_private = other.rcode, other.zone, other.zone_private


class WorldView(Protocol):
    """What the DNS modules (zones, resolvers) read of the simulated world: sim.world.World, named by its
    shape so that the world can build them without an import circle."""

    scenario: Scenario
    cloud: Cloud
    resources: dict[str, dict[str, Any]]
    known_hosts: dict[str, str]

    def of_type(self, type_: str) -> list[dict[str, Any]]: ...
    def children(self, parent_id: str, segment: str) -> list[dict[str, Any]]: ...
    def vnet_of_dns_server(self, addr: str) -> str | None: ...
    def linked_zones(self, vnet_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]: ...
    def has_private_endpoint(self, host: str) -> bool: ...
    def front_ends(self) -> dict[str, str]: ...
