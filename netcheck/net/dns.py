"""One A query to one server, like `dig @SERVER NAME`: the CNAME chain, the addresses, the time."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from typing import Any

from netcheck.net.errors import reason
from netcheck.settings import Address, Settings

# A stub resolver sends a UDP query again when no answer comes (resolv.conf `attempts`, dig's
# +tries): one lost datagram is not a dead server. netcheck does the same within its one timeout:
# the first try waits half of it, each resend a quarter; an answer to any try counts.
UDP_TRIES = (0.5, 0.25, 0.25)


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
    tries: int = 1                     # UDP queries sent before the answer (or the timeout)

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
        if self.tries > 1:
            out["udp_tries"] = self.tries
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


async def _udp(query: Any, addr: str, port: int, timeout: float) -> tuple[Any, int]:
    """The answer and the number of tries: the query is sent again after each share of the timeout
    that passes without an answer."""
    import dns.asyncbackend
    import dns.asyncquery
    import dns.exception
    import dns.inet

    backend = dns.asyncbackend.get_default_backend()
    async with await backend.make_socket(dns.inet.af_for_address(addr), socket.SOCK_DGRAM) as sock:
        for tries, share in enumerate(UDP_TRIES, 1):
            try:   # the same socket and query id: a late answer to an earlier try is taken too
                return await dns.asyncquery.udp(query, addr, timeout=timeout * share, port=port,
                                                ignore_unexpected=True, sock=sock), tries
            except dns.exception.Timeout:
                continue
        raise dns.exception.Timeout(timeout=timeout)


async def lookup(settings: Settings, server: Address, name: str, timeout: float) -> Lookup:
    """Ask over UDP (with resends), and over TCP when the answer is truncated; all within `timeout`."""
    import dns.asyncquery
    import dns.exception
    import dns.flags
    import dns.message
    import dns.rcode
    import dns.rdatatype

    addr, port = settings.route(*server)
    t0 = time.monotonic()
    over_tcp, tries = False, 0
    try:
        query = dns.message.make_query(name, dns.rdatatype.A)
        resp, tries = await _udp(query, addr, port, timeout)
        if resp.flags & dns.flags.TC:  # truncated: ask again over TCP, as resolvers do
            over_tcp = True
            left = max(timeout - (time.monotonic() - t0), 0.0)
            resp = await dns.asyncquery.tcp(query, addr, timeout=left, port=port)
    except Exception as exc:
        ms = round((time.monotonic() - t0) * 1000)
        detail = str(exc) or type(exc).__name__
        if over_tcp:
            detail = f"the UDP answer was truncated and the retry over TCP failed: {detail}"
        tries = tries or (len(UDP_TRIES) if isinstance(exc, dns.exception.Timeout) else 1)
        return Lookup(label(server), name, ms=ms, error=reason(exc), detail=detail, over_tcp=over_tcp, tries=tries)
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
                  over_tcp=over_tcp, flags=flags, tries=tries)
