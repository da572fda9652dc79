"""DNS answers of the simulated world: Azure DNS per VNet, public DNS, custom servers."""

from __future__ import annotations

import itertools
import threading
import time

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from netcheck.sim.world import Answer, World

TTL = 10
UDP_LIMIT = 512  # without EDNS; larger answers are truncated so clients retry over TCP


def _wire(query: dns.message.Message, ans: Answer, over_tcp: bool, authoritative: bool) -> bytes:
    resp = dns.message.make_response(query)
    resp.flags |= dns.flags.RA
    if authoritative:
        resp.flags |= dns.flags.AA
    q = query.question[0]
    for owner, target in ans.chain:
        resp.answer.append(dns.rrset.from_text(owner + ".", TTL, "IN", "CNAME", target + "."))
    final = (ans.chain[-1][1] if ans.chain else q.name.to_text().rstrip(".")) + "."
    if q.rdtype == dns.rdatatype.A and ans.ips:
        resp.answer.append(dns.rrset.from_text_list(final, TTL, "IN", "A", ans.ips))
    if ans.rcode == "NXDOMAIN":
        resp.set_rcode(dns.rcode.NXDOMAIN)
    limit = max(UDP_LIMIT, query.payload if query.edns >= 0 else UDP_LIMIT)
    wire = resp.to_wire()
    if not over_tcp and len(wire) > limit:
        resp.answer.clear()
        resp.flags |= dns.flags.TC
        wire = resp.to_wire()
    return wire


def _parse(data: bytes) -> dns.message.Message | None:
    try:
        query = dns.message.from_wire(data)
    except Exception:
        return None
    return query if query.question else None


class Resolver:
    """One simulated server's behaviour; call it with a query's wire form."""

    def __init__(self, world: World, kind: str, addr: str = "", latency_ms: float = 0.0) -> None:
        self.world, self.kind, self.addr, self.latency_ms = world, kind, addr, latency_ms
        self.config = world.scenario.dns_servers.get(addr, {}) if kind == "custom" else {}
        self.queries = 0
        self._asked: dict[str, itertools.count[int]] = {}
        self._lock = threading.Lock()

    def __call__(self, data: bytes, over_tcp: bool) -> bytes | None:
        query = _parse(data)
        if query is None:
            return None
        with self._lock:
            self.queries += 1
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        if self.config.get("down"):
            return None  # a dead server: the client times out
        name = query.question[0].name.to_text().rstrip(".").lower()
        ans, authoritative = self.answer(name)
        return _wire(query, ans, over_tcp, authoritative)

    def answer(self, name: str) -> tuple[Answer, bool]:
        world = self.world
        if self.kind == "public":
            return world.resolve(name, None), False
        if self.kind == "azure":
            ans = world.resolve(name, world.where_vnet)
            return ans, bool(ans.chain and ".privatelink." in ans.chain[-1][1]) or ".privatelink." in name
        vnet = world.vnet_of_dns_server(self.addr)
        if self.config.get("flapping"):
            with self._lock:  # per name: private, public, private, ...
                private = next(self._asked.setdefault(name, itertools.count())) % 2 == 0
            return world.resolve(name, vnet if private else None), False
        zones = [z.lower().rstrip(".") for z in self.config.get("forward", [])]

        def forwarded(n: str) -> bool:
            return any(n == z or n.endswith("." + z) for z in zones)

        return world.resolve(name, vnet, private=forwarded), False
