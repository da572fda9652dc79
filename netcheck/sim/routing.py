"""Where a connection from the machine netcheck runs on lands, as Azure's network would carry it.

A private address answers only inside its own VNet or a VNet peered with it (`peeringState: Connected`
on both sides), and only if something holds it (a NIC, a private endpoint; a stale record's address
holds nothing); any other private address is dropped (the client times out). A public address reaches
the service's public side. The scenario's `blackhole:` rules drop a flow from one source VNet (an NSG or a
route to nowhere): `{from: VNET_ID | internet, to: CIDR, port: 443}`.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from netcheck.azure.facts import parent
from netcheck.sim.world import World

Landing = Literal["private", "public", "blackhole"]
INTERNET = "internet"   # the source of a machine outside Azure
_VNET = "microsoft.network/virtualnetworks"


def _field(obj: Any, key: str) -> dict[str, Any]:
    """obj[key] when it is a mapping, else an empty one (a malformed field just never matches)."""
    p = obj.get(key) if isinstance(obj, dict) else None
    return p if isinstance(p, dict) else {}


def _props(res: Any) -> dict[str, Any]:
    return _field(res, "properties")


def _networks(prefixes: Any) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    out = []
    for p in prefixes if isinstance(prefixes, list) else []:
        try:
            out.append(ipaddress.ip_network(str(p), strict=False))
        except ValueError:
            continue   # netcheck's own parsers judge a malformed prefix; the network just never matches it
    return out


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


class Routes:
    def __init__(self, world: World) -> None:
        self.world = world
        self.source = world.where_vnet or INTERNET
        self.spaces = {v["id"].lower(): _networks(_field(_props(v), "addressSpace").get("addressPrefixes"))
                       for v in world.of_type("Microsoft.Network/virtualNetworks")}
        self.reachable = {world.where_vnet} | self.peers(world.where_vnet) if world.where_vnet else set()
        self.held = self._held()

    def _peerings(self, vnet_id: str) -> list[tuple[str, str]]:
        """(remote VNet id, peeringState) of each peering of a VNet: inline, or as child resources."""
        vnet = self.world.resources.get(vnet_id.lower(), {})
        items = list(_props(vnet).get("virtualNetworkPeerings") or [])
        items += [r for r in self.world.of_type(f"{_VNET}/virtualNetworkPeerings")
                  if parent(r["id"]).lower() == vnet_id.lower()]
        out = []
        for p in items:
            remote = _props(p).get("remoteVirtualNetwork")
            if isinstance(remote, dict) and isinstance(remote.get("id"), str):
                out.append((remote["id"].lower(), str(_props(p).get("peeringState", ""))))
        return out

    def peers(self, vnet_id: str) -> set[str]:
        """VNets whose peering with this one is Connected on both sides (only then does it carry traffic)."""
        mine = {remote for remote, state in self._peerings(vnet_id) if state == "Connected"}
        return {r for r in mine if (vnet_id.lower(), "Connected") in self._peerings(r)}

    def vnet_of(self, addr: str) -> str | None:
        ip = _ip(addr)
        return next((v for v, nets in self.spaces.items() if ip and any(ip in n for n in nets)), None)

    def _blackholed(self, addr: str, port: int) -> bool:
        ip = _ip(addr)
        for rule in self.world.scenario.blackhole:
            if rule.get("from", self.source).lower() != self.source:
                continue
            if "port" in rule and rule["port"] != port:
                continue
            if ip is not None and ip in ipaddress.ip_network(str(rule["to"]), strict=False):
                return True
        return False

    def landing(self, addr: str, port: int) -> Landing:
        ip = _ip(addr)
        if ip is None or self._blackholed(addr, port):
            return "blackhole"
        if not ip.is_private:
            return "public"
        return "private" if self.vnet_of(addr) in self.reachable and addr in self.held else "blackhole"

    def _held(self) -> set[str]:
        """Private addresses something answers on: NICs' and private endpoints' addresses, those of records no
        private endpoint names (the scenario leaves that endpoint out) and of public_dns A lists. A record a
        private endpoint names with another address is stale: its address holds nothing."""
        held: set[str] = set()
        claimed: set[str] = set()   # public names the private endpoints' DNS configs name
        records: list[tuple[str, list[str]]] = []
        for res in self.world.resources.values():
            props = _props(res)
            for cfg in props.get("ipConfigurations") or []:
                held.add(str(_props(cfg).get("privateIPAddress") or ""))
            for cfg in props.get("customDnsConfigs") or []:
                if isinstance(cfg, dict):
                    held.update(str(a) for a in cfg.get("ipAddresses") or [])
                    claimed.add(str(cfg.get("fqdn", "")).lower().rstrip("."))
            if isinstance(props.get("aRecords"), list):
                fqdn = str(props.get("fqdn") or "").lower().rstrip(".")
                records.append((fqdn.replace(".privatelink.", ".", 1),
                                [str(r.get("ipv4Address") or "") for r in props["aRecords"] if isinstance(r, dict)]))
        for public_name, ips in records:
            if public_name not in claimed:
                held.update(ips)
        for entry in self.world.scenario.public_dns.values():   # a name the scenario points at a host (an AKS
            held.update(str(a) for a in entry.get("a") or [])   # internal load balancer, say)
        return held

    def addresses(self) -> set[str]:
        """Every address netcheck can learn from this scenario (ARM, private zones, public DNS): each gets its
        own route, so an unreachable private one can't fall through to a front end."""
        found: set[str] = set()
        for res in self.world.resources.values():
            props = _props(res)
            for cfg in props.get("ipConfigurations") or []:
                found.add(str(_props(cfg).get("privateIPAddress") or ""))
            for cfg in props.get("customDnsConfigs") or []:
                found.update(str(a) for a in (cfg.get("ipAddresses") or []) if isinstance(cfg, dict))
            for rec in props.get("aRecords") or []:
                found.add(str(rec.get("ipv4Address") or "") if isinstance(rec, dict) else "")
        for entry in self.world.scenario.public_dns.values():
            found.update(str(a) for a in entry.get("a") or [])
        names = set(self.world.scenario.public_dns) | set(self.world.scenario.tls)
        names |= set(getattr(self.world, "known_hosts", {}))
        for name in names:
            for vnet in {None, self.world.where_vnet}:
                found.update(self.world.resolve(str(name), vnet).ips)
        return {a for a in found if _ip(a) is not None}
