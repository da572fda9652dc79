"""The expected resolution path of a name, computed from the facts alone.

public name -> `privatelink.` CNAME (only with a private endpoint) -> the server that answers it
(custom servers, ruleset rules by zone, longest match, else Azure DNS) -> the private zone that VNet
resolves it from (zones linked to it; with two of one name, the linked one) -> the record -> the
private endpoint NIC's address -> a network path from the client (same VNet, or peered and
Connected on both sides).

Each hop says whether the facts show it right (`ok` True), wrong (False), or can't tell (None: a
custom server's forwarders or a rule's target servers are not in ARM). Azure DNS chases CNAMEs
itself, so each name of the chain goes through the rules and zones again.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from netcheck import services
from netcheck.azure.facts import InboundEndpoint, Inventory, Peering, Zone, name_of
from netcheck.diagnosis import model as m
from netcheck.diagnosis import remedy as fx
from netcheck.diagnosis.zone_groups import restore_record, zone_groups
from netcheck.subject import WHOLE, Named, RecordName, Resolver, Rule, Subject, ZoneLink, ZoneName

_LINKED = "Completed"


@dataclass(frozen=True, kw_only=True)
class Hop:
    kind: str                  # location | server | rule | shadow | zone | record | public | route
    ok: bool | None
    probe: str
    subject: Subject
    remedy: fx.Remedy | None = None


@dataclass(frozen=True, kw_only=True)
class Path:
    resolver: Resolver
    target: m.Target
    vnet_id: str | None        # whose Azure DNS finally answers (None: only the internet's)
    hops: tuple[Hop, ...]


def covers(zone: str, name: str) -> bool:
    return name == zone or name.endswith("." + zone)


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b and a.lower() == b.lower())


def forward_zone(name: str, forwarded: tuple[str, ...]) -> str | None:
    """The public zone a forwarder must cover for a name: the longest of the cloud's forwarded zones that
    contains it (never a `privatelink.` zone)."""
    return max((z for z in forwarded if covers(z, name)), key=len, default=None)


def forward_zones(target: m.Target, forwarded: tuple[str, ...]) -> tuple[str, ...]:
    """The public zones a forwarder must cover for this name: its own and its privatelink name's."""
    return tuple(dict.fromkeys(z for n in (target.fqdn, target.private_name) if n and (z := forward_zone(n, forwarded))))


def vnet_of_address(inv: Inventory, address: str) -> str | None:
    """The VNet whose address space holds an address (a custom DNS server's, an inbound endpoint's)."""
    for ep in inv.inbound_endpoints:
        if address in ep.ips:
            return ep.vnet_id
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    for v in inv.vnets:
        if any(ip in ipaddress.ip_network(p, strict=False) for p in v.address_prefixes):
            return v.id
    return None


def inbound_of(inv: Inventory, address: str) -> InboundEndpoint | None:
    return next((ep for ep in inv.inbound_endpoints if address in ep.ips), None)


def pe_vnet(inv: Inventory, target: m.Target) -> str | None:
    pe = next((p for p in inv.private_endpoints if _same(p.id, target.private_endpoint_id)), None)
    return pe.vnet_id if pe else None


def _linked(inv: Inventory, vnet_id: str, name: str) -> list[tuple[Zone, str]]:
    """(zone, link id) for each zone linked to the VNet (link Completed) that covers the name."""
    return [(z, lk.id) for z in inv.zones for lk in z.links
            if _same(lk.vnet_id, vnet_id) and lk.state == _LINKED and covers(z.name, name)]


def _rule(inv: Inventory, vnet_id: str, name: str) -> tuple[Rule, fx.RuleFix] | None:
    """The enabled rule of the rulesets linked to the VNet that catches the name (longest domain)."""
    hits = [(rs, r) for rs in inv.rulesets if any(_same(v, vnet_id) for v in rs.vnet_ids)
            for r in rs.rules if r.enabled and covers(r.domain, name)]
    if not hits:
        return None
    rs, r = max(hits, key=lambda h: len(h[1].domain))
    return Rule(rs.id, r.id), fx.RuleFix(ruleset_id=rs.id, rule_id=r.id, domain=r.domain, targets=r.targets)


def _groups(inv: Inventory, target: m.Target) -> list[tuple[str | None, tuple[str, ...]]]:
    return zone_groups(inv, target.private_endpoint_id)


def _writes_to(inv: Inventory, target: m.Target) -> list[str]:
    """The zone ids of the target's zone that the private endpoint's zone groups write into."""
    return [z for _, ids in _groups(inv, target) for z in ids if (z.rstrip("/").rsplit("/", 1)[-1].lower() == target.zone)]


def _zone_hop(inv: Inventory, vnet_id: str, target: m.Target, name: str) -> tuple[Hop, Zone | None]:
    linked = _linked(inv, vnet_id, name)
    zname = target.zone or ""
    if not linked:
        same = [z for z in inv.zones if z.name == zname]
        writes = _writes_to(inv, target)
        zone = next((z for z in same if any(_same(z.id, w) for w in writes)), same[0] if same else None)
        if zone is None:
            group = next((g for g, _ in _groups(inv, target)), None)
            return Hop(kind="zone", ok=False, probe="pdns.zones", subject=ZoneName(zname),
                       remedy=fx.CreateZone(zone=zname, vnet_id=vnet_id, private_endpoint_id=target.private_endpoint_id,
                                           group=group)), None
        return Hop(kind="zone", ok=False, probe="pdns.links", subject=ZoneLink(zone.name, vnet_id),
                   remedy=fx.LinkZone(zone_id=zone.id, zone=zname, vnet_id=vnet_id,
                                     linked_to=tuple(lk.vnet_id for lk in zone.links if lk.state == _LINKED),
                                     pending=tuple(lk.id for lk in zone.links if _same(lk.vnet_id, vnet_id)))), None
    zone, link_id = max(linked, key=lambda z: len(z[0].name))
    writes = _writes_to(inv, target)
    if writes and not any(_same(zone.id, w) for w in writes):
        return Hop(kind="zone", ok=False, probe="pdns.zones", subject=ZoneName(zone.name),
                   remedy=fx.DuplicateZone(zone=zone.name, resolves_from=zone.id, link_id=link_id, writes_to=writes[0],
                                          vnet_id=vnet_id)), None
    return Hop(kind="zone", ok=True, probe="pdns.links", subject=ZoneLink(zone.name, vnet_id)), zone


def _record_hop(inv: Inventory, zone: Zone, target: m.Target) -> Hop:
    rel = target.record or ""
    exact = [r for r in zone.records if r.type == "A" and r.name == rel]
    wild = [r for r in zone.records if r.type == "A" and r.name.startswith("*.") and rel.endswith(r.name[1:])]
    found = exact or sorted(wild, key=lambda r: -len(r.name))
    rec = found[0] if found else None
    if rec is None or not rec.a:
        return Hop(kind="record", ok=False, probe="pdns.records", subject=RecordName(rel, zone.name),
                   remedy=restore_record(inv, target.private_endpoint_id, zone, rel, target.addresses))
    if target.addresses and not set(rec.a) & set(target.addresses):
        return Hop(kind="record", ok=False, probe="pdns.records", subject=RecordName(rec.name, zone.name),
                   remedy=fx.StaleRecord(zone_id=zone.id, record=rec.name, record_ips=rec.a, nic_ips=target.addresses))
    return Hop(kind="record", ok=True, probe="pdns.records", subject=RecordName(rec.name, zone.name))


def azure_hops(inv: Inventory, vnet_id: str, target: m.Target, start: int = 0,
               seen: tuple[str, ...] = ()) -> tuple[Hop, ...]:
    """Azure DNS of one VNet resolving the target's chain from name `start` on: rules, zones, record."""
    chain = [target.fqdn, *([target.private_name] if target.private_name else [])]
    hops: list[Hop] = []
    for i in range(start, len(chain)):
        name = chain[i]
        if found := _rule(inv, vnet_id, name):
            ref, fix = found
            inbound = next((ep for t in fix.targets if (ep := inbound_of(inv, t.rsplit(":", 1)[0]))), None)
            if inbound and inbound.vnet_id.lower() not in (vnet_id.lower(), *seen):
                hops.append(Hop(kind="rule", ok=True, probe="dns.custom", subject=ref, remedy=fix))
                return (*hops, *azure_hops(inv, inbound.vnet_id, target, i, (*seen, vnet_id.lower())))
            # the rule's servers are outside the facts: whether they answer privately shows only in their answers
            return (*hops, Hop(kind="rule", ok=None, probe="dns.custom", subject=ref, remedy=fix))
        linked = _linked(inv, vnet_id, name)
        if i == 0 and linked:   # a private zone named like the public zone answers for the public name
            shadow, _ = max(linked, key=lambda z: len(z[0].name))
            links = tuple(lid for z, lid in linked if z.id == shadow.id)
            return (*hops, Hop(kind="shadow", ok=False, probe="pdns.zones", subject=ZoneName(shadow.name),
                               remedy=fx.ShadowZone(zone_id=shadow.id, zone=shadow.name, link_ids=links,
                                                   vnet_id=vnet_id, right_zone=target.zone)))
        if i == 1:
            hop, zone = _zone_hop(inv, vnet_id, target, name)
            hops.append(hop)
            if zone is None:
                return tuple(hops)
            hops.append(_record_hop(inv, zone, target))
            return tuple(hops)
    hops.append(Hop(kind="public", ok=True, probe="dns.azure", subject=Resolver("azure", m.AZURE_DNS)))
    return tuple(hops)


def azure_vnet(inv: Inventory, resolver: Resolver, where: m.Placed | None) -> str | None:
    """The VNet whose Azure DNS answers behind a resolver: a custom server's (by its address, an inbound
    endpoint's VNet), else the client's."""
    client = where.vnet_id if where else None
    if resolver.role == "custom":   # a server outside every VNet (on premises) forwards to an inbound endpoint
        inbound = next((ep.vnet_id for ep in inv.inbound_endpoints), None)
        return vnet_of_address(inv, m.host_of(resolver.server)) or inbound or client
    if resolver.role == "system" and client:
        servers = _vnet_dns(inv, client)
        return vnet_of_address(inv, servers[0]) or client if servers else client
    return client


def _vnet_dns(inv: Inventory, vnet_id: str | None) -> tuple[str, ...]:
    v = inv.vnet(vnet_id)
    return v.dns_servers if v else ()


def resolving(inv: Inventory, target: m.Target) -> tuple[InboundEndpoint, ...]:
    """The inbound endpoints whose VNet resolves the target right: where to forward it from outside."""
    return tuple(ep for ep in inv.inbound_endpoints
                 if all(h.ok for h in azure_hops(inv, ep.vnet_id, target, seen=(ep.vnet_id.lower(),))))


def server_hops(inv: Inventory, resolver: Resolver, where: m.Placed | None, target: m.Target,
                forwarded: tuple[str, ...]) -> tuple[Hop, ...]:
    """The hops before Azure DNS: where the machine is, and the custom servers between it and Azure DNS."""
    zones = forward_zones(target, forwarded)
    client = where.vnet_id if where else None
    if resolver.role == "system" and not client:
        return (Hop(kind="location", ok=None, probe="ctx.location", subject=WHOLE,
                    remedy=fx.ForwardFromOutside(zones=zones, inbound=resolving(inv, target))),)
    servers = ((m.host_of(resolver.server),) if resolver.role == "custom" else
               _vnet_dns(inv, client) if resolver.role == "system" else ())
    hops = []
    for s in servers:
        if inbound_of(inv, s):
            hops.append(Hop(kind="server", ok=True, probe="dns.custom", subject=Resolver("custom", s)))
            continue
        in_azure = vnet_of_address(inv, s) is not None
        to = (m.AZURE_DNS,) if in_azure else tuple(ip for ep in resolving(inv, target) for ip in ep.ips)
        hops.append(Hop(kind="server", ok=None, probe="dns.custom", subject=Resolver("custom", s),
                        remedy=fx.Forwarders(server=s, zones=zones, to=to or (m.AZURE_DNS,))))
    return tuple(hops)


def peering_sides(inv: Inventory, a: str, b: str) -> tuple[fx.PeeringSide, fx.PeeringSide]:
    """Both sides of the peering between two VNets, as the inventory knows them (`existing` None: missing)."""
    def side(x: str, y: str) -> fx.PeeringSide:
        return fx.PeeringSide(vnet_id=x, remote_vnet_id=y, existing=next(
            (p for p in inv.peerings if _same(p.vnet_id, x) and _same(p.remote_vnet_id, y)), None))
    return side(a, b), side(b, a)


def unsynced(inv: Inventory, a: str, b: str) -> list[Peering]:
    """The sides of the peering between two VNets that are not in sync with their remote's address space
    (changed since the peering was made): they carry traffic only to the old ranges until synced."""
    return [p for p in inv.peerings if {p.vnet_id.lower(), p.remote_vnet_id.lower()} == {a.lower(), b.lower()}
            and p.sync_level not in ("", "FullyInSync")]


def route_hop(inv: Inventory, where: m.Placed | None, target: m.Target) -> Hop | None:
    """From the client's VNet to the private endpoint's: same VNet, or a peering Connected on both sides.
    None when there is nothing to judge (outside Azure, or no private endpoint)."""
    client, remote = (where.vnet_id if where else None), pe_vnet(inv, target)
    if not client or not remote:
        return None
    if _same(client, remote):
        return Hop(kind="route", ok=True, probe="net.peering", subject=Named(name_of(remote)))
    sides = peering_sides(inv, client, remote)
    ok: bool | None = all(s.existing is not None and s.existing.connected for s in sides)
    if not ok and (inv.vnet(client) is None or inv.vnet(remote) is None):
        ok = None   # a side whose VNet was not read (another subscription, no access): its peerings are unknown
    return Hop(kind="route", ok=ok, probe="net.peering", subject=Named(name_of(remote)),
               remedy=None if ok else fx.PeeringFix(client_vnet_id=client, pe_vnet_id=remote, sides=sides))


def expected(inv: Inventory, where: m.Placed | None, resolver: Resolver, target: m.Target,
             forwarded: tuple[str, ...] | None = None) -> Path:
    """The whole expected path of one name through one resolver. `forwarded`: the public zones a forwarder
    may be asked to cover (default: the service registry's for the inventory's cloud)."""
    vnet = azure_vnet(inv, resolver, where)
    zones = services.forwarded_zones(inv.cloud) if forwarded is None else forwarded
    hops = server_hops(inv, resolver, where, target, zones)
    if vnet:
        hops += azure_hops(inv, vnet, target)
    if route := route_hop(inv, where, target):
        hops += (route,)
    return Path(resolver=resolver, target=target, vnet_id=vnet, hops=hops)
