"""The simulated DNS servers at the wire, as real clients see them: RA on every recursive answer, AA
only on what Azure DNS answers from a private zone, SOA with NXDOMAIN and NODATA, TTLs that count
down in a server's cache, FORMERR for garbage, BADVERS for EDNS versions above 0."""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Callable

import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.rcode
import dns.rdatatype
import dns.rrset

from netcheck.sim.answer import Answer, Rec
from netcheck.sim.resolvers import CustomDns, Server
from netcheck.sim.world import World
from netcheck.sim.zones import PRIVATE_SOA, PUBLIC_SOA

UDP_LIMIT = 512  # without EDNS; larger answers are truncated so clients retry over TCP


def _formerr(data: bytes) -> bytes | None:
    """A reply to a message that can't be parsed: its id, FORMERR, nothing else (too short: drop)."""
    if len(data) < 12:
        return None
    (ident, flags) = struct.unpack("!HH", data[:4])
    if flags & 0x8000:
        return None  # a response, not a query: never answer it
    return struct.pack("!HHHHHH", ident, 0x8000 | (flags & 0x7900) | dns.rcode.FORMERR, 0, 0, 0, 0)


def _negative(resp: dns.message.Message, ans: Answer) -> None:
    """The zone's SOA in the authority section, with its minimum as TTL (RFC 2308)."""
    soa = PRIVATE_SOA if ans.zone_private else PUBLIC_SOA
    ttl = min(3600, int(soa.split()[-1]))
    resp.authority.append(dns.rrset.from_text(ans.zone + ".", ttl, "IN", "SOA", soa))


def _rrset(rec: Rec, ttl: int) -> dns.rrset.RRset:
    values = [v + "." if rec.rdtype in ("CNAME", "NS") and not v.endswith(".") else v for v in rec.values]
    return dns.rrset.from_text_list(rec.owner + ".", ttl, "IN", rec.rdtype, values)


def response(query: dns.message.Message, ans: Answer, authoritative: bool,
             ttl_of: Callable[[Rec], int]) -> dns.message.Message:
    resp = dns.message.make_response(query)
    resp.flags |= dns.flags.RA
    if authoritative:
        resp.flags |= dns.flags.AA
    q = query.question[0]
    qname, qtype = q.name.to_text().rstrip(".").lower(), dns.rdatatype.to_text(q.rdtype)
    found = False
    for rec in ans.recs:
        if rec.rdtype == "CNAME" and qtype != "CNAME":
            resp.answer.append(_rrset(rec, ttl_of(rec)))
        elif rec.rdtype == qtype or qtype == "ANY":
            if qtype == "CNAME" and rec.owner != qname:
                break
            resp.answer.append(_rrset(rec, ttl_of(rec)))
            found = True
            if qtype == "CNAME":
                break
    if ans.rcode == "SERVFAIL":
        resp.answer.clear()
        resp.set_rcode(dns.rcode.SERVFAIL)
    elif ans.rcode == "NXDOMAIN":
        resp.set_rcode(dns.rcode.NXDOMAIN)
        _negative(resp, ans)
    elif not found and not (qtype == "CNAME" and ans.recs):
        _negative(resp, ans)   # NODATA
    return resp


class Resolver:
    """One simulated server on the wire; call it with a query's wire form."""

    def __init__(self, world: World, kind: str, addr: str = "", latency_ms: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.world, self.kind, self.addr, self.latency_ms = world, kind, addr, latency_ms
        net = world.network()
        server = {"public": net.public, "azure": net.azure(world.where_vnet)}.get(kind) or net.server(addr)
        if server is None:
            raise ValueError(f"no simulated DNS server at {addr}")
        self.server: Server = server
        # Azure DNS answers from the VNet's private zones authoritatively; an inbound endpoint is Azure DNS
        self.can_be_authoritative = not isinstance(server, CustomDns) and kind != "public"
        self.queries = 0
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, int]] = {}
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return isinstance(self.server, CustomDns) and self.server.down

    def __call__(self, data: bytes, over_tcp: bool) -> bytes | None:
        with self._lock:
            self.queries += 1
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        if self.down:
            return None  # a dead server: the client times out
        try:
            query = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return _formerr(data)
        if query.flags & dns.flags.QR:
            return None
        refused = (dns.rcode.NOTIMP if query.opcode() != dns.opcode.QUERY else dns.rcode.FORMERR
                   if len(query.question) != 1 else dns.rcode.BADVERS if query.edns > 0 else None)
        if refused is not None:
            resp = dns.message.make_response(query)
            resp.flags |= dns.flags.RA
            resp.set_rcode(refused)
            return resp.to_wire()
        name = query.question[0].name.to_text().rstrip(".").lower()
        ans = self.server.resolve(name)
        resp = response(query, ans, self.can_be_authoritative and ans.authoritative, self._ttl)
        return self._fit(query, resp, over_tcp)

    def _ttl(self, rec: Rec) -> int:
        """What is left of a cached record's TTL; authoritative data always has its full TTL."""
        if rec.private and self.can_be_authoritative:
            return rec.ttl
        now, key = self._clock(), (rec.owner, rec.rdtype)
        with self._lock:
            got = self._cache.get(key)
            if got is None or now - got[0] >= got[1]:   # not cached, or expired: fetched now, full TTL
                got = self._cache[key] = (now, rec.ttl)
        return got[1] - int(now - got[0])

    @staticmethod
    def _fit(query: dns.message.Message, resp: dns.message.Message, over_tcp: bool) -> bytes:
        limit = max(UDP_LIMIT, query.payload if query.edns >= 0 else UDP_LIMIT)
        wire = resp.to_wire()
        if not over_tcp and len(wire) > limit:
            resp.answer.clear()
            resp.authority.clear()
            resp.flags |= dns.flags.TC
            wire = resp.to_wire()
        return wire
