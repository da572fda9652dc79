"""Who answers whom: public DNS, Azure DNS per VNet (with DNS Private Resolver rulesets and inbound
endpoints), and custom DNS servers with conditional forwarders, as real ones behave.

Every server resolves a name hop by hop: each hop is answered locally (a zone) or forwarded. A
forwarded answer is taken whole (Windows DNS, dnsmasq) or only its first CNAME is kept and the
target resolved again through the server's own rules (BIND, Unbound; Azure DNS itself).
"""

from __future__ import annotations

import itertools
import random
import threading
from typing import Any, TypeAlias

from netcheck.azure.facts import parent
from netcheck.sim.answer import Answer, Rec, WorldView
from netcheck.sim.zones import Step, private_lookup, public_lookup

AZURE_DNS = "168.63.129.16"
MAX_DEPTH = 8           # forwarding loops end as SERVFAIL, as a real server's would
Hop: TypeAlias = "Step | tuple[Server | None, bool]"   # answered here, or (forward to, take it whole)


def _zone_match(name: str, zones: list[str]) -> str | None:
    """The longest zone that holds name ('' is the root: it holds every name)."""
    hits = [z for z in zones if z == "" or name == z or name.endswith("." + z)]
    return max(hits, key=len) if hits else None


def _norm(zone: str) -> str:
    return zone.strip().rstrip(".").lower()


class Server:
    def hop(self, name: str, state: Any) -> Hop:
        raise NotImplementedError

    def start(self, name: str) -> Any:
        """Per-query state (a custom server's flapping decision)."""
        return None

    def resolve(self, name: str, depth: int = 0) -> Answer:
        ans, seen, state = Answer(), set[str](), self.start(name)
        while name not in seen and len(seen) < 12:
            seen.add(name)
            how = self.hop(name, state)
            if isinstance(how, Step):
                if how.kind == "cname":
                    ans.recs.append(Rec(name, "CNAME", (how.target,), how.ttl, how.private))
                    name = how.target
                    continue
                ans.recs += [Rec(name, t, tuple(v), how.ttl, how.private) for t, v in how.records.items()]
                ans.rcode = "NXDOMAIN" if how.kind == "nx" else "NOERROR"
                ans.zone, ans.zone_private = how.zone, how.private
                return ans
            server, whole = how
            if server is None or depth >= MAX_DEPTH:
                ans.rcode = "SERVFAIL"
                return ans
            sub = server.resolve(name, depth + 1)
            first = sub.recs[0] if sub.recs else None
            if whole or first is None or first.rdtype != "CNAME" or sub.rcode == "SERVFAIL":
                ans.extend(sub)
                return ans
            ans.recs.append(first)   # chase: the target goes through this server's own rules again
            name = first.values[0]
        ans.rcode = "SERVFAIL"       # a CNAME loop
        return ans


class PublicDns(Server):
    def __init__(self, world: WorldView) -> None:
        self.world = world

    def hop(self, name: str, state: Any) -> Hop:
        return public_lookup(self.world, name)


class AzureDns(Server):
    """168.63.129.16 as seen from one VNet: the rulesets linked to it, then its linked private zones,
    then public DNS. It chases CNAMEs itself."""

    def __init__(self, net: Network, vnet_id: str) -> None:
        self.net, self.vnet_id = net, vnet_id

    def hop(self, name: str, state: Any) -> Hop:
        rules = self.net.rules(self.vnet_id)
        if (zone := _zone_match(name, list(rules))) is not None:
            return self.net.first_up(rules[zone], self.vnet_id), False
        return private_lookup(self.net.world, name, self.vnet_id) or public_lookup(self.net.world, name)


class CustomDns(Server):
    """A DNS server in a VNet (scenario `dns_servers`): conditional forwarders by zone (longest match),
    everything else to its default forwarders; CNAMEs in forwarded answers taken whole or chased."""

    def __init__(self, net: Network, addr: str, config: dict[str, Any]) -> None:
        self.net, self.addr, self.config = net, addr, config
        self.vnet_id = net.world.vnet_of_dns_server(addr)
        forward = config.get("forward") or []
        to = str(config.get("to", "azure"))
        self.forwarders = ({_norm(z): str(t) for z, t in forward.items()} if isinstance(forward, dict)
                           else {_norm(z): to for z in forward})
        self.default = str(config.get("default", "public"))
        self.whole = config.get("cname", "whole-answer") != "chase"
        self.flap = Flapping(config["flapping"]) if isinstance(config.get("flapping"), dict) else None

    @property
    def down(self) -> bool:
        return bool(self.config.get("down"))

    def start(self, name: str) -> Any:
        return self.flap.flips(name) if self.flap else False

    def hop(self, name: str, state: Any) -> Hop:
        zone = _zone_match(name, list(self.forwarders))
        target = self.forwarders[zone] if zone is not None else self.default
        if state and self.flap is not None and self.flap.covers(name):
            target = self.flap.other
        return self.net.at(target, self.vnet_id), self.whole


class Flapping:
    """Per name: which queries a second, disagreeing upstream answers (root hints behind forwarders,
    or a second forwarder). Patterns: alternate, every-nth (n), random (seed, p)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.names = [_norm(n) for n in config.get("names") or []]
        self.pattern = str(config.get("pattern", "alternate"))
        self.n = int(config.get("n", 2))
        self.seed, self.p = config.get("seed", 0), float(config.get("p", 0.5))
        self.other = str(config.get("other", "root-hints"))
        self._count: dict[str, itertools.count[int]] = {}
        self._rng: dict[str, random.Random] = {}
        self._lock = threading.Lock()

    def covers(self, name: str) -> bool:
        return not self.names or _zone_match(name, self.names) is not None

    def flips(self, name: str) -> bool:
        if not self.covers(name):
            return False
        with self._lock:
            k = next(self._count.setdefault(name, itertools.count()))
            if self.pattern == "random":
                rng = self._rng.setdefault(name, random.Random(f"{self.seed}:{name}"))
                return rng.random() < self.p
        n = 2 if self.pattern == "alternate" else max(1, self.n)
        return (k + 1) % n == 0


class Network:
    """Every simulated DNS server, by the address clients and forwarders use."""

    def __init__(self, world: WorldView) -> None:
        self.world = world
        self.public = PublicDns(world)
        self._azure: dict[str, AzureDns] = {}
        self._custom = {addr: CustomDns(self, addr, cfg) for addr, cfg in world.scenario.dns_servers.items()}
        self.inbound = self._inbound_endpoints()

    def azure(self, vnet_id: str | None) -> Server:
        """Azure DNS of a VNet; outside any VNet there is only public DNS."""
        if not vnet_id:
            return self.public
        return self._azure.setdefault(vnet_id.lower(), AzureDns(self, vnet_id.lower()))

    def server(self, addr: str) -> Server | None:
        """The server a client reaches at addr: a custom server or a resolver's inbound endpoint."""
        if addr in self._custom:
            return self._custom[addr]
        if addr in self.inbound:
            return self.azure(self.inbound[addr])
        return None

    def at(self, target: str, vnet_id: str | None) -> Server | None:
        """A forwarder target as a server sees it from its VNet; None: nothing answers there."""
        if target == "azure" or target == AZURE_DNS:
            return self.azure(vnet_id)
        if target in ("public", "root-hints"):
            return self.public
        found = self.server(target)
        return None if isinstance(found, CustomDns) and found.down else found

    def first_up(self, targets: list[str], vnet_id: str) -> Server | None:
        return next((s for t in targets if (s := self.at(t, vnet_id)) is not None), None)

    def addresses(self) -> list[str]:
        return [*self._custom, *(a for a in self.inbound if a not in self._custom)]

    def _inbound_endpoints(self) -> dict[str, str]:
        """Inbound endpoint address -> the VNet whose Azure DNS answers there."""
        out = {}
        for ep in self.world.of_type("Microsoft.Network/dnsResolvers/inboundEndpoints"):
            resolver = self.world.resources.get(parent(ep["id"]).lower(), {})
            vnet = str(resolver.get("properties", {}).get("virtualNetwork", {}).get("id", ""))
            for cfg in ep.get("properties", {}).get("ipConfigurations", []) or []:
                subnet_vnet = parent(str(cfg.get("subnet", {}).get("id", "")))
                if ip := cfg.get("privateIpAddress"):
                    out[str(ip)] = (vnet or subnet_vnet).lower()
        return out

    def rules(self, vnet_id: str) -> dict[str, list[str]]:
        """Domain -> target addresses, from the enabled rules of the rulesets linked to the VNet."""
        out: dict[str, list[str]] = {}
        for link in self.world.of_type("Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks"):
            if str(link.get("properties", {}).get("virtualNetwork", {}).get("id", "")).lower() != vnet_id:
                continue
            for rule in self.world.children(parent(link["id"]), "forwardingRules"):
                props = rule.get("properties", {})
                if props.get("forwardingRuleState", "Enabled") == "Enabled":
                    out.setdefault(_norm(str(props.get("domainName", ""))),
                                   [str(t.get("ipAddress")) for t in props.get("targetDnsServers", []) or []])
        return out



def listed_by_vnet(world: WorldView, path: str) -> list[dict[str, Any]] | None:
    """The POST list actions on a VNet (listDnsResolvers, listDnsForwardingRulesets), in the shapes of
    Microsoft's examples; None when path is neither."""
    vnet_id, _, action = path.rpartition("/")
    if action.lower() not in ("listdnsresolvers", "listdnsforwardingrulesets") or vnet_id.lower() not in world.resources:
        return None
    vnet = vnet_id.lower()
    if action.lower() == "listdnsresolvers":
        return [{"id": r["id"]} for r in world.of_type("Microsoft.Network/dnsResolvers")
                if str(r.get("properties", {}).get("virtualNetwork", {}).get("id", "")).lower() == vnet]
    return [{"id": parent(link["id"]), "properties": {"virtualNetworkLink": {"id": link["id"]}}}
            for link in world.of_type("Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks")
            if str(link.get("properties", {}).get("virtualNetwork", {}).get("id", "")).lower() == vnet]
