"""What matters for a target: the private DNS records it needs and the names clients resolve.

Derived once from the facts and the cloud's suffixes; the pdns and network probes share it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlparse

from netcheck.azure.facts import Inventory, name_of
from netcheck.clouds import Cloud, cloud
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


def _split(fqdn: str, c: Cloud) -> tuple[str, str] | None:
    """(zone, record name) for a public name under one of the cloud's private-link suffixes."""
    suffixes = [c.ml_api, c.notebooks, c.acr, c.vault, c.blob, c.file]
    for s in sorted(suffixes, key=len, reverse=True):
        if fqdn.endswith("." + s):
            return c.privatelink(s), fqdn[: -len(s) - 1]
    return None


def records(inv: Inventory) -> list[Record]:
    """The records the private zones need, from the private endpoints' DNS configs (ground truth)."""
    c = cloud(inv.cloud)
    owners = [r for r in (inv.workspace and inv.workspace.id, inv.registry and inv.registry.id,
                          inv.vault and inv.vault.id) if r]
    out: dict[tuple[str, str], Record] = {}
    for owner in owners:
        for pe in inv.pes_for(owner):
            for cfg in pe.dns:
                if split := _split(cfg.fqdn, c):
                    key = split
                    prev = out.get(key)
                    ips = tuple(sorted({*(prev.ips if prev else ()), *cfg.ips}))
                    out[key] = Record(cfg.fqdn, split[0], split[1], ips, owner, pe.id)
    ws = inv.workspace
    if ws and ws.storage_account and ws.public_network_access == "Disabled":
        account = name_of(ws.storage_account).lower()
        for suffix in (c.blob, c.file):
            zone = c.privatelink(suffix)
            out.setdefault((zone, account), Record(f"{account}.{suffix}", zone, account, (), ws.storage_account, None))
    return sorted(out.values(), key=lambda r: (r.zone, r.name))


def required_zones(inv: Inventory) -> list[str]:
    """Zones the target needs: those its records live in, plus the workspace's own two when private."""
    c = cloud(inv.cloud)
    zones = {r.zone for r in records(inv)}
    if inv.workspace and (inv.workspace.connections or inv.workspace.public_network_access == "Disabled"):
        zones.update({c.privatelink(c.ml_api), c.privatelink(c.notebooks)})
    return [z for z in c.required_zones if z in zones]


def from_inventory(inv: Inventory, settings: Settings) -> Names:
    c = cloud(inv.cloud)
    truth: dict[str, tuple[str, ...]] = {}
    for pe in inv.private_endpoints:
        for cfg in pe.dns:
            truth[cfg.fqdn] = tuple(sorted({*truth.get(cfg.fqdn, ()), *cfg.ips}))
    names: list[Name] = []
    ws = inv.workspace
    if ws:
        api = f"{ws.guid}.workspace.{ws.location}.{c.ml_api}"
        inference_wildcard = f"*.{ws.guid}.inference.{ws.location}.{c.ml_api}"
        for ep in inv.endpoints:
            host = (urlparse(ep.scoring_uri or "").hostname or "").lower()
            if host:
                k8s = ep.compute_type == "Kubernetes"
                names.append(Name(host, "scoring", () if k8s else truth.get(inference_wildcard, ()), ep.name, k8s))
        if ws.guid:
            names.append(Name(api, "workspace", truth.get(api, ())))
            cert = f"{ws.guid}.workspace.{ws.location}.cert.{c.ml_api}"
            names.append(Name(cert, "workspace", truth.get(cert, ())))
        if ws.notebook_fqdn:
            names.append(Name(ws.notebook_fqdn.lower(), "notebooks", truth.get(ws.notebook_fqdn.lower(), ())))
    if inv.registry:
        reg = inv.registry
        login = reg.login_server or f"{reg.name}.{c.acr}"
        for host in (login, *reg.data_endpoint_hosts):
            names.append(Name(host, "registry", truth.get(host, ())))
    if inv.vault:
        host = (urlparse(inv.vault.uri).hostname or f"{inv.vault.name}.{c.vault}").lower()
        names.append(Name(host, "vault", truth.get(host, ())))
    if ws and ws.storage_account:
        account = name_of(ws.storage_account).lower()
        for suffix in (c.blob, c.file):
            host = f"{account}.{suffix}"
            names.append(Name(host, "storage", truth.get(host, ())))
    ranges = tuple(ipaddress.ip_network(p, strict=False) for v in inv.vnets for p in v.address_prefixes)
    return Names(tuple(dict.fromkeys(names)), ranges + tuple(settings.vnet_cidrs))


def from_settings(settings: Settings) -> Names:
    """--no-azure: the --host names, judged against --vnet-cidr (else: is it a private address?)."""
    return Names(tuple(Name(h, "host") for h in settings.hosts), tuple(settings.vnet_cidrs))
