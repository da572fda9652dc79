"""A DNS resolution as the simulator hands it to the wire: the records in order, the rcode, the zone."""

from __future__ import annotations

from dataclasses import dataclass, field


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
