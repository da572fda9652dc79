"""The simulated Azure state of one scenario, and what ARM and DNS answer from it.

Pure logic, no sockets: the servers in this package put it on the wire.
"""

from __future__ import annotations

import copy
import fnmatch
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from netcheck import services
from netcheck.azure.facts import name_of, parent
from netcheck.clouds import Cloud, cloud
from netcheck.sim.scenario import Scenario

_RECORD_TYPES = {"a", "aaaa", "cname", "mx", "ptr", "soa", "srv", "txt"}
# ARM inlines a private-link resource's private endpoint connections into its properties.
_INLINE = ("privateEndpointConnections",)


@dataclass
class Answer:
    """A resolution: the CNAME chain followed, the final addresses, the rcode."""

    chain: list[tuple[str, str]] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    rcode: str = "NOERROR"     # NOERROR | NXDOMAIN


def public_ip(name: str) -> str:
    """A stable public address for a name (never contacted: the tests map it to loopback)."""
    h = hashlib.sha256(name.lower().encode()).digest()
    return f"20.{h[0]}.{h[1]}.{max(h[2], 1)}"


class World:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.cloud: Cloud = cloud(scenario.target.get("cloud", "AzureCloud"))
        self.resources: dict[str, dict[str, Any]] = {}
        self._by_parent: dict[str, list[tuple[str, dict[str, Any]]]] | None = None
        for res in scenario.arm:
            res = copy.deepcopy(res)
            res.setdefault("name", name_of(res["id"]))
            self.resources[res["id"].lower()] = res
        self.where_vnet = self._where_vnet()
        self.known_hosts = self._known_hosts()

    # ---- ARM -------------------------------------------------------------------------------------
    def of_type(self, type_: str) -> list[dict[str, Any]]:
        return [r for r in self.resources.values() if r["type"].lower() == type_.lower()]

    def serve(self, res: dict[str, Any]) -> dict[str, Any]:
        body = copy.deepcopy(res)
        props = body.setdefault("properties", {})
        for child in _INLINE if services.by_type(res.get("type", "")) else ():
            kids = [self.serve(r) for r in self.children(res["id"], child)]
            if kids and child not in props:
                props[child] = kids
        return body

    def children(self, parent_id: str, segment: str) -> list[dict[str, Any]]:
        pid, seg = parent_id.lower(), segment.lower()
        if self._by_parent is None:   # an index: a fleet scenario holds thousands of resources
            self._by_parent = {}
            for key, item in self.resources.items():
                self._by_parent.setdefault(parent(key), []).append((key, item))
        out = []
        for rid, res in self._by_parent.get(pid, []):
            kind = rid.split("/")[-2]
            if kind == seg or (seg == "all" and kind in _RECORD_TYPES):
                out.append(res)
        return sorted(out, key=lambda r: r["id"].lower())

    def inline_child(self, path: str) -> dict[str, Any] | None:
        """Children ARM keeps inside the parent (subnets; workspace PE connections)."""
        owner = self.resources.get(parent(path).lower())
        if not owner:
            return None
        for item in owner.get("properties", {}).get(path.split("/")[-2], []) or []:
            if isinstance(item, dict) and str(item.get("id", "")).lower() == path.lower():
                return item
        return None

    def collection(self, path: str) -> list[dict[str, Any]] | None:
        """Items of a list URL, or None when the URL names no collection."""
        parts = path.rstrip("/").split("/")
        if len(parts) >= 3 and parts[-3].lower() == "providers":
            # /subscriptions/S[/resourceGroups/G]/providers/NS/TYPE
            scope = "/".join(parts[:-3]).lower() + "/"
            return sorted((r for r in self.of_type(f"{parts[-2]}/{parts[-1]}") if r["id"].lower().startswith(scope)),
                          key=lambda r: r["id"].lower())
        owner = parent(path, 1)
        if owner.lower() in self.resources:
            return self.children(owner, parts[-1])
        return None

    def group_exists(self, path: str) -> bool:
        low = path.lower().split("/")
        if "resourcegroups" not in low:
            return True
        scope = "/".join(low[: low.index("resourcegroups") + 2]) + "/"
        return any(rid.startswith(scope) for rid in self.resources)

    # ---- where netcheck runs ---------------------------------------------------------------------
    def _where_vnet(self) -> str | None:
        vm = self.resources.get((self.scenario.where_vm or "").lower())
        if not vm:
            return None
        for nic_ref in vm.get("properties", {}).get("networkProfile", {}).get("networkInterfaces", []):
            nic = self.resources.get(nic_ref["id"].lower())
            for cfg in (nic or {}).get("properties", {}).get("ipConfigurations", []):
                subnet = cfg.get("properties", {}).get("subnet", {}).get("id")
                if subnet:
                    return parent(subnet).lower()
        return None

    def where_ip(self) -> str | None:
        vm = self.resources.get((self.scenario.where_vm or "").lower())
        for nic_ref in (vm or {}).get("properties", {}).get("networkProfile", {}).get("networkInterfaces", []):
            nic = self.resources.get(nic_ref["id"].lower())
            for cfg in (nic or {}).get("properties", {}).get("ipConfigurations", []):
                if ip := cfg.get("properties", {}).get("privateIPAddress"):
                    return str(ip)
        return None

    def vnet_dns_servers(self, vnet_id: str | None) -> list[str]:
        vnet = self.resources.get((vnet_id or "").lower(), {})
        return list(vnet.get("properties", {}).get("dhcpOptions", {}).get("dnsServers", []) or [])

    def vnet_of_dns_server(self, addr: str) -> str | None:
        for vnet in self.of_type("Microsoft.Network/virtualNetworks"):
            if addr in (vnet.get("properties", {}).get("dhcpOptions", {}).get("dnsServers") or []):
                return str(vnet["id"]).lower()
        return self.where_vnet

    # ---- DNS -------------------------------------------------------------------------------------
    def _linked_zones(self, vnet_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(zone, link) for each private zone with a Completed link to the VNet."""
        found = []
        for link in self.of_type("Microsoft.Network/privateDnsZones/virtualNetworkLinks"):
            props = link.get("properties", {})
            if str(props.get("virtualNetwork", {}).get("id", "")).lower() != vnet_id.lower():
                continue
            if props.get("virtualNetworkLinkState", "Completed") != "Completed":
                continue
            zone = self.resources.get(parent(link["id"]).lower())
            if zone:
                found.append((zone, link))
        return found

    def _private_lookup(self, name: str, vnet_id: str) -> tuple[str, Any] | None:
        candidates = [(z, lk) for z, lk in self._linked_zones(vnet_id)
                      if name == z["name"].lower() or name.endswith("." + z["name"].lower())]
        if not candidates:
            return None
        zone, link = max(candidates, key=lambda c: len(c[0]["name"]))
        rel = name[: -len(zone["name"]) - 1] if name != zone["name"].lower() else "@"
        records = {r["name"].lower(): r for r in self.children(zone["id"], "all")}
        rec = records.get(rel)
        if rec is None:
            labels = rel.split(".")
            rec = next((records[w] for i in range(1, len(labels))
                        if (w := "*." + ".".join(labels[i:])) in records), None)
        if rec is None:
            if link.get("properties", {}).get("resolutionPolicy") == "NxDomainRedirect":
                return None
            return ("nx", None)
        props = rec.get("properties", {})
        if rec["id"].split("/")[-2].lower() == "cname":
            return ("cname", props.get("cnameRecord", {}).get("cname", "").rstrip(".").lower())
        if rec["id"].split("/")[-2].lower() == "a":
            return ("a", [a["ipv4Address"] for a in props.get("aRecords", [])])
        return ("nodata", None)

    def _public_lookup(self, name: str) -> tuple[str, Any]:
        table = {k.lower().rstrip("."): v for k, v in self.scenario.public_dns.items()}
        entry = table.get(name) or next((v for k, v in table.items() if k.startswith("*.")
                                         and fnmatch.fnmatchcase(name, k)), None)
        if entry is not None:
            if entry.get("nxdomain"):
                return ("nx", None)
            if "cname" in entry:
                return ("cname", str(entry["cname"]).rstrip(".").lower())
            return ("a", list(entry.get("a", [])))
        if ".privatelink." in f".{name}":
            return ("a", [public_ip(name)])
        if name in self.known_hosts:
            return ("cname", self.known_hosts[name])
        return ("nx", None)

    def resolve(self, name: str, vnet_id: str | None,
                private: Callable[[str], bool] = lambda name: True) -> Answer:
        """Answer as Azure DNS would from inside `vnet_id` (None: as public DNS would).

        `private(name)` says whether a step may consult the VNet's private zones: a custom DNS server
        asks Azure DNS only for the zones it forwards, and chases CNAMEs itself.
        """
        name, ans, seen = name.rstrip(".").lower(), Answer(), set[str]()
        while name not in seen and len(seen) < 10:
            seen.add(name)
            step = self._private_lookup(name, vnet_id) if vnet_id and private(name) else None
            kind, data = step or self._public_lookup(name)
            if kind == "cname":
                ans.chain.append((name, data))
                name = data
                continue
            if kind == "nx":
                ans.rcode = "NXDOMAIN"
            elif kind == "a":
                ans.ips = list(data)
            return ans
        return ans

    def _known_hosts(self) -> dict[str, str]:
        """Public names of the scenario's resources -> the privatelink name public DNS points them at."""
        c, hosts = self.cloud.name, {}

        def add(host: str) -> None:
            host = host.lower().rstrip(".")
            if target := services.private_name(host, c):
                hosts[host] = target

        for pe in self.of_type("Microsoft.Network/privateEndpoints"):
            for cfg in pe.get("properties", {}).get("customDnsConfigs", []) or []:
                if "*" not in cfg.get("fqdn", ""):
                    add(cfg["fqdn"])
        for reg in self.of_type(services.get("registry").arm_type):
            props = reg.get("properties", {})
            add(props.get("loginServer", f"{reg['name']}.{self.cloud.suffix('registry')}"))
            for h in props.get("dataEndpointHostNames", []) or []:
                add(h)
        for kv in self.of_type(services.get("vault").arm_type):
            uri = kv.get("properties", {}).get("vaultUri", "")
            add(urlparse(uri).hostname or f"{kv['name']}.{self.cloud.suffix('vault')}")
        scoring = services.get("scoring")
        for ws in self.of_type(services.get("workspace").arm_type):
            for svc in services.all_services():   # the dependencies it names, by the names the registry forms
                if rid := svc.linked_id(ws):
                    for host in svc.host_names(c, name=name_of(rid).lower()):
                        add(host)
            guid = ws.get("properties", {}).get("workspaceId", "")
            for ep in self.children(ws["id"], "onlineEndpoints"):
                host = (urlparse(ep.get("properties", {}).get("scoringUri") or "").hostname or "").lower()
                if host.endswith("." + scoring.suffix_in(c)):
                    epname, region = host.split(".")[:2]
                    hosts[host] = scoring.private_host(c, endpoint=epname, guid=guid, region=region)
        return hosts
