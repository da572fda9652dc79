"""One A query to one server, like `dig @SERVER NAME`: the CNAME chain, the addresses, the time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from netcheck.net.errors import reason
from netcheck.settings import Address, Settings


@dataclass(frozen=True)
class Lookup:
    server: str                        # as the user knows it, e.g. 10.0.0.4:53
    name: str
    chain: tuple[str, ...] = ()        # CNAME targets, in order
    ips: tuple[str, ...] = ()
    rcode: str = "NOERROR"
    ms: int = 0
    error: str | None = None           # timeout | refused | ... when there was no answer
    detail: str = ""
    over_tcp: bool = False
    flags: tuple[str, ...] = field(default=())

    @property
    def answered(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"server": self.server, "rcode": self.rcode if self.answered else None,
                                  "chain": list(self.chain), "addresses": list(self.ips), "ms": self.ms}
        if self.error:
            out["error"] = f"{self.error}: {self.detail}" if self.detail else self.error
        if self.over_tcp:
            out["tcp"] = True
        return out


def label(server: Address) -> str:
    host, port = server
    return f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"


def system_resolver() -> Address | None:
    """The first nameserver of /etc/resolv.conf, as nslookup would use it."""
    import dns.resolver

    try:
        servers = dns.resolver.Resolver(configure=True).nameservers
    except Exception:  # no resolv.conf, or an unreadable one
        return None
    first = next((str(s) for s in servers), None)
    return (first, 53) if first else None


async def lookup(settings: Settings, server: Address, name: str, timeout: float) -> Lookup:
    import dns.asyncquery
    import dns.flags
    import dns.message
    import dns.rcode
    import dns.rdatatype

    addr, port = settings.route(*server)
    t0 = time.monotonic()
    over_tcp = False
    try:
        query = dns.message.make_query(name, dns.rdatatype.A)
        resp = await dns.asyncquery.udp(query, addr, timeout=timeout, port=port, ignore_unexpected=True)
        if resp.flags & dns.flags.TC:  # truncated: ask again over TCP, as resolvers do
            over_tcp = True
            resp = await dns.asyncquery.tcp(query, addr, timeout=timeout, port=port)
    except Exception as exc:
        return Lookup(label(server), name, ms=round((time.monotonic() - t0) * 1000), error=reason(exc),
                      detail=str(exc) or type(exc).__name__, over_tcp=over_tcp)
    ms = round((time.monotonic() - t0) * 1000)
    chain: list[str] = []
    current = name.rstrip(".").lower()
    ips: list[str] = []
    for _ in range(16):
        step = next((rr for rr in resp.answer if rr.name.to_text().rstrip(".").lower() == current), None)
        if step is None:
            break
        if step.rdtype == dns.rdatatype.CNAME:
            current = step[0].target.to_text().rstrip(".").lower()
            chain.append(current)
            continue
        if step.rdtype == dns.rdatatype.A:
            ips = [r.address for r in step]
        break
    flags = tuple(f for f in ("AA", "RA", "TC") if resp.flags & getattr(dns.flags, f))
    return Lookup(label(server), name, tuple(chain), tuple(ips), dns.rcode.to_text(resp.rcode()), ms,
                  over_tcp=over_tcp, flags=flags)
