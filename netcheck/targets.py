"""What matters for a target: the private DNS records it needs and the names clients resolve.

Derived once from the facts and the service registry (netcheck.services); the pdns and network probes share it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlparse

from netcheck import services
from netcheck.azure.facts import Inventory, name_of
from netcheck.clouds import cloud
from netcheck.services import Service
from netcheck.settings import Settings


@dataclass(frozen=True)
class Record:
    """A record a private zone must hold, and the private endpoint IPs it must point at."""

    fqdn: str
    zone: str
    name: str
    ips: tuple[str, ...]
    owner: str
    private_endpoint: str | None


@dataclass(frozen=True)
class Name:
    """A name clients resolve, with what it should resolve to."""

    fqdn: str
    role: str                        # scoring | workspace | notebooks | registry | vault | storage | host
    expected: tuple[str, ...] = ()   # private endpoint IPs: the ground truth
    endpoint: str | None = None      # for scoring hosts
    kubernetes: bool = False


@dataclass(frozen=True)
class Names:
    names: tuple[Name, ...]
    ranges: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    def classify(self, name: Name, ips: list[str]) -> str:
        """expected | stale | private | public: how an answer compares with the ground truth."""
        addrs = [ipaddress.ip_address(i) for i in ips]
        if name.expected:
            if set(ips) & set(name.expected):
                return "expected"
            return "stale" if any(a.is_private for a in addrs) else "public"
        if any(any(a in r for r in self.ranges) for a in addrs):
            return "expected"
        return "private" if addrs and all(a.is_private for a in addrs) else "public"


def _linked(inv: Inventory) -> list[tuple[Service, str, str]]:
    """(service, resource id, name) of each workspace dependency the registry knows and the inventory names."""
    ws = inv.workspace
    found = {x.service: (x.id, x.name) for x in inv.linked}
    if inv.registry:
        found["registry"] = (inv.registry.id, inv.registry.name)
    if inv.vault:
        found["vault"] = (inv.vault.id, inv.vault.name)
    if ws and ws.storage_account:
        found["blob"] = found["file"] = (ws.storage_account, name_of(ws.storage_account))
    return [(s, *found[s.key]) for s in services.all_services() if s.workspace_property and s.key in found]


def records(inv: Inventory) -> list[Record]:
    """The records the private zones need, from the private endpoints' DNS configs (ground truth)."""
    owners = [r for r in (inv.workspace and inv.workspace.id, inv.hub and inv.hub.id, inv.registry and inv.registry.id,
                          inv.vault and inv.vault.id, *(x.id for x in inv.linked)) if r]   # a project's PE is its hub's
    out: dict[tuple[str, str], Record] = {}
    for owner in owners:
        for pe in inv.pes_for(owner):
            for cfg in pe.dns:
                if split := services.split(cfg.fqdn, inv.cloud):
                    key = split
                    prev = out.get(key)
                    ips = tuple(sorted({*(prev.ips if prev else ()), *cfg.ips}))
                    out[key] = Record(cfg.fqdn, split[0], split[1], ips, owner, pe.id)
    ws = inv.network_workspace
    if ws and ws.public_network_access == "Disabled":
        for svc, rid, name in _linked(inv):
            if svc.record_when_private:
                for host in svc.host_names(inv.cloud, name=name.lower()):
                    if split := services.split(host, inv.cloud):
                        out.setdefault(split, Record(host, *split, (), rid, None))
    return sorted(out.values(), key=lambda r: (r.zone, r.name))


def required_zones(inv: Inventory) -> list[str]:
    """Zones the target needs: those its records live in, plus the workspace's own two when private."""
    c = cloud(inv.cloud)
    zones = {r.zone for r in records(inv)}
    net = inv.network_workspace
    if net and (net.connections or net.public_network_access == "Disabled"):
        zones.update(z for key in ("workspace", "notebooks") if (z := c.zone(key)))
    return [z for z in c.required_zones if z in zones]


def from_inventory(inv: Inventory, settings: Settings) -> Names:
    c = inv.cloud
    truth: dict[str, tuple[str, ...]] = {}
    for pe in inv.private_endpoints:
        for cfg in pe.dns:
            truth[cfg.fqdn] = tuple(sorted({*truth.get(cfg.fqdn, ()), *cfg.ips}))
    names: list[Name] = []
    ws = inv.workspace
    if ws:
        at = {"guid": ws.guid, "region": ws.location}
        # the private endpoint serves every scoring host under one wildcard in the workspace's names
        inference_wildcard = f"*.{ws.guid}.inference.{ws.location}.{services.get('workspace').suffix_in(c)}"
        for ep in inv.endpoints:
            host = (urlparse(ep.scoring_uri or "").hostname or "").lower()
            if host:
                k8s = ep.compute_type == "Kubernetes"
                names.append(Name(host, "scoring", () if k8s else truth.get(inference_wildcard, ()), ep.name, k8s))
        if ws.guid:
            for key in ("workspace", "workspace_cert"):
                svc = services.get(key)
                names.extend(Name(h, svc.role, truth.get(h, ())) for h in svc.host_names(c, **at))
        if ws.notebook_fqdn:
            names.append(Name(ws.notebook_fqdn.lower(), "notebooks", truth.get(ws.notebook_fqdn.lower(), ())))
    for svc, _rid, name in _linked(inv):
        for host in _hosts(inv, svc, name):
            names.append(Name(host, svc.role, truth.get(host, ())))
    ranges = tuple(ipaddress.ip_network(p, strict=False) for v in inv.vnets for p in v.address_prefixes)
    return Names(tuple(dict.fromkeys(names)), ranges + tuple(settings.vnet_cidrs))


def _hosts(inv: Inventory, svc: Service, name: str) -> tuple[str, ...]:
    """A dependency's public hosts: as ARM names them where it does, else as the registry forms them."""
    if svc.key == "registry" and inv.registry:
        return (inv.registry.login_server or svc.host_names(inv.cloud, name=name)[0], *inv.registry.data_endpoint_hosts)
    if svc.key == "vault" and inv.vault and (host := urlparse(inv.vault.uri).hostname):
        return (host.lower(),)
    return svc.host_names(inv.cloud, name=name.lower())


def from_settings(settings: Settings) -> Names:
    """--no-azure: the --host names, judged against --vnet-cidr (else: is it a private address?)."""
    return Names(tuple(Name(h, "host") for h in settings.hosts), tuple(settings.vnet_cidrs))
