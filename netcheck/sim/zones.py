"""What the DNS zones of the simulated world hold: private zones from ARM, public DNS as Azure's.

A lookup answers one name in one place (a VNet's linked private zones, or the internet) with one
step: a CNAME to follow, the records found, NXDOMAIN or NODATA, and the zone that said so.
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass, field
from typing import Any

from netcheck.azure.facts import parent
from netcheck.sim.answer import WorldView

# Azure Private DNS zones answer with this SOA and NS; public zones with Azure DNS's hosting ones.
PRIVATE_SOA = "azureprivatedns.net. azureprivatedns-host.microsoft.com. 1 3600 300 2419200 10"
PRIVATE_NS = "azureprivatedns.net."
PUBLIC_SOA = "ns1-01.azure-dns.com. azuredns-hostmaster.microsoft.com. 1 3600 300 2419200 300"
PUBLIC_NS = ("ns1-01.azure-dns.com.", "ns2-01.azure-dns.net.")
PUBLIC_TTL = {"CNAME": 300, "A": 60}
_TYPES = {"a": "A", "aaaa": "AAAA", "cname": "CNAME", "mx": "MX", "ptr": "PTR", "srv": "SRV", "txt": "TXT"}


@dataclass
class Step:
    """One name answered in one place."""

    kind: str                      # cname | records | nx
    zone: str                      # the zone that answered (its SOA goes with NXDOMAIN and NODATA)
    private: bool                  # answered from a private zone (authoritative), or from the internet
    target: str = ""               # kind cname
    records: dict[str, list[str]] = field(default_factory=dict)   # kind records: rdtype -> rdata texts
    ttl: int = 300


def public_ip(name: str) -> str:
    """A stable public address for a name (never contacted: the tests map it to loopback)."""
    h = hashlib.sha256(name.lower().encode()).digest()
    return f"20.{h[0]}.{h[1]}.{max(h[2], 1)}"


def front_end(privatelink_name: str) -> str:
    """The public front-end name Azure's public DNS points a privatelink name at."""
    zone = privatelink_name[privatelink_name.index("privatelink.") + len("privatelink."):]
    return f"fe-{hashlib.sha256(privatelink_name.encode()).hexdigest()[:8]}.{zone}"


def _values(rtype: str, props: dict[str, Any]) -> list[str]:
    if rtype == "A":
        return [a["ipv4Address"] for a in props.get("aRecords", [])]
    if rtype == "AAAA":
        return [a["ipv6Address"] for a in props.get("aaaaRecords", [])]
    if rtype == "TXT":
        return [" ".join(f'"{v}"' for v in t.get("value", [])) for t in props.get("txtRecords", [])]
    return []


def private_lookup(world: WorldView, name: str, vnet_id: str) -> Step | None:
    """The VNet's linked private zones' answer (longest zone match), or None when none holds the name
    (or the link's NxDomainRedirect sends a missing name to public resolution)."""
    candidates = [(z, lk) for z, lk in world.linked_zones(vnet_id)
                  if name == z["name"].lower() or name.endswith("." + z["name"].lower())]
    if not candidates:
        return None
    zone, link = max(candidates, key=lambda c: len(c[0]["name"]))
    zname = zone["name"].lower()
    rel = name[: -len(zname) - 1] if name != zname else "@"
    sets: dict[str, list[dict[str, Any]]] = {}
    for rec in world.children(zone["id"], "all"):
        sets.setdefault(rec["name"].lower(), []).append(rec)
    found = sets.get(rel)
    if found is None:
        labels = rel.split(".")
        found = next((sets[w] for i in range(1, len(labels)) if (w := "*." + ".".join(labels[i:])) in sets), None)
    records: dict[str, list[str]] = {"SOA": [PRIVATE_SOA], "NS": [PRIVATE_NS]} if rel == "@" else {}
    if found is None and rel != "@":
        if link.get("properties", {}).get("resolutionPolicy") == "NxDomainRedirect":
            return None
        return Step("nx", zname, True)
    ttl = 10
    for rec in found or []:
        rtype, props = _TYPES.get(rec["id"].split("/")[-2].lower()), rec.get("properties", {})
        ttl = int(props.get("ttl", ttl))
        if rtype == "CNAME":
            target = props.get("cnameRecord", {}).get("cname", "").rstrip(".").lower()
            return Step("cname", zname, True, target=target, ttl=ttl)
        if rtype and (values := _values(rtype, props)):
            records[rtype] = values
    return Step("records", zname, True, records=records, ttl=ttl)


def public_zones(world: WorldView) -> list[str]:
    """The public zones the simulated internet knows: the cloud's suffixes and their privatelink zones."""
    c = world.cloud
    return sorted({*c.forwarded_zones, *c.required_zones}, key=len, reverse=True)


def _public_zone(world: WorldView, name: str) -> str:
    hit = next((z for z in public_zones(world) if name == z or name.endswith("." + z)), None)
    return hit or ".".join(name.split(".")[-2:])


def public_lookup(world: WorldView, name: str) -> Step:
    """What the internet answers for one name, as Azure's public DNS does: a resource's public name
    CNAMEs into its privatelink name only when it has a private endpoint connection, and every
    privatelink name CNAMEs on to a public front end."""
    zone = _public_zone(world, name)
    table = {k.lower().rstrip("."): v for k, v in world.scenario.public_dns.items()}
    entry = table.get(name) or next((v for k, v in table.items() if k.startswith("*.")
                                     and fnmatch.fnmatchcase(name, k)), None)
    if entry is not None:
        if entry.get("nxdomain"):
            return Step("nx", zone, False)
        if "cname" in entry:
            return Step("cname", zone, False, target=str(entry["cname"]).rstrip(".").lower(), ttl=PUBLIC_TTL["CNAME"])
        return Step("records", zone, False, records={"A": list(entry.get("a", []))}, ttl=PUBLIC_TTL["A"])
    if name == zone:
        return Step("records", zone, False, records={"SOA": [PUBLIC_SOA], "NS": list(PUBLIC_NS)}, ttl=3600)
    if plname := world.known_hosts.get(name):
        target = plname if world.has_private_endpoint(name) else front_end(plname)
        return Step("cname", zone, False, target=target, ttl=PUBLIC_TTL["CNAME"])
    fronts = world.front_ends()
    if name in fronts.values():
        return Step("cname", zone, False, target=front_end(name), ttl=PUBLIC_TTL["CNAME"])
    if plname := fronts.get(name):
        return Step("records", zone, False, records={"A": [public_ip(plname)]}, ttl=PUBLIC_TTL["A"])
    return Step("nx", zone, False)


def linked_zones(world: WorldView, vnet_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(zone, link) for each private zone with a Completed link to the VNet."""
    found = []
    for link in world.of_type("Microsoft.Network/privateDnsZones/virtualNetworkLinks"):
        props = link.get("properties", {})
        if str(props.get("virtualNetwork", {}).get("id", "")).lower() != vnet_id.lower():
            continue
        if props.get("virtualNetworkLinkState", "Completed") != "Completed":
            continue
        zone = world.resources.get(parent(link["id"]).lower())
        if zone:
            found.append((zone, link))
    return found
