"""The simulated Azure state of one scenario, and what ARM and DNS answer from it.

Pure logic, no sockets: the servers in this package put it on the wire.
"""

from __future__ import annotations

import copy
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from netcheck import services
from netcheck.azure.facts import name_of, parent
from netcheck.clouds import Cloud, cloud
from netcheck.sim import mlrules, zones
from netcheck.sim.answer import Answer
from netcheck.sim.scenario import Scenario
from netcheck.sim.zones import public_ip

if TYPE_CHECKING:
    from netcheck.sim.resolvers import Network

__all__ = ["Answer", "World", "public_ip"]

_RECORD_TYPES = {"a", "aaaa", "cname", "mx", "ptr", "soa", "srv", "txt"}
# ARM inlines a private-link resource's private endpoint connections into its properties.
_INLINE = ("privateEndpointConnections",)
# ARM answers a VNet GET with its subnets and peerings inline, however they were created
_VNET_INLINE = ("subnets", "virtualNetworkPeerings")


class World:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.cloud: Cloud = cloud(scenario.target.get("cloud", "AzureCloud"))
        self.resources: dict[str, dict[str, Any]] = {}
        self._by_parent: dict[str, list[tuple[str, dict[str, Any]]]] | None = None
        self._by_type: dict[str, list[dict[str, Any]]] | None = None
        self.memo: dict[str, Any] = {}   # answers found once from the resources, which never change
        for res in scenario.arm:
            res = copy.deepcopy(res)
            res.setdefault("name", name_of(res["id"]))
            self.resources[res["id"].lower()] = res
        self.where_vnet = self._where_vnet()
        self._host_owner: dict[str, str] = {}
        self.known_hosts = self._known_hosts()
        self._front_ends = {zones.front_end(pl): pl for pl in self.known_hosts.values()}
        self._pe_owners: set[str] | None = None
        self._network: Network | None = None
        self._lock = threading.Lock()

    # ---- ARM -------------------------------------------------------------------------------------
    def of_type(self, type_: str) -> list[dict[str, Any]]:
        if (index := self._by_type) is None:   # as children's: ARM and DNS answers ask for a type per request
            index = {}   # built whole, then published: another server thread never sees it half-filled
            for res in self.resources.values():
                index.setdefault(res["type"].lower(), []).append(res)
            self._by_type = index
        return list(index.get(type_.lower(), ()))

    def serve(self, res: dict[str, Any]) -> dict[str, Any]:
        body = copy.deepcopy(res)
        props = body.setdefault("properties", {})
        if res.get("type", "").lower() == "microsoft.network/virtualnetworks":
            for child in _VNET_INLINE:   # however they were created: inline, or as resources of their own
                inline = list(props.get(child) or [])
                known = {str(k.get("id", "")).lower() for k in inline if isinstance(k, dict)}
                kids = [self.serve(r) for r in self.children(res["id"], child) if r["id"].lower() not in known]
                if kids:
                    props[child] = inline + kids
            return body
        for child in _INLINE if services.by_type(res.get("type", "")) else ():
            kids = [self.serve(r) for r in self.children(res["id"], child)]
            if kids and child not in props:
                props[child] = kids
        return body

    def children(self, parent_id: str, segment: str) -> list[dict[str, Any]]:
        pid, seg = parent_id.lower(), segment.lower()
        if (index := self._by_parent) is None:   # a fleet scenario holds thousands of resources
            index = {}   # built whole, then published, as of_type's
            for key, item in self.resources.items():
                index.setdefault(parent(key), []).append((key, item))
            self._by_parent = index
        out = []
        for rid, res in index.get(pid, []):
            kind = rid.split("/")[-2]
            if kind == seg or (seg == "all" and kind in _RECORD_TYPES):
                out.append(res)
        return sorted(out, key=lambda r: r["id"].lower())

    def inline_child(self, path: str) -> dict[str, Any] | None:
        """Children ARM keeps inside the parent (subnets; workspace PE connections)."""
        owner = self.resources.get(parent(path).lower())
        if not owner:
            return None
        if path.split("/")[-2].lower() == mlrules.SEGMENT:
            return mlrules.rule(owner, path)
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
        if owner.lower() in self.resources and parts[-1].lower() == mlrules.SEGMENT:
            return mlrules.rule_resources(self.resources[owner.lower()])
        if owner.lower() in self.resources:
            kids = self.children(owner, parts[-1])
            # children ARM keeps inside the parent (subnets, peerings, a workspace's PE connections) are a
            # collection of their own too
            props = self.resources[owner.lower()].get("properties")
            inline = next((v for k, v in props.items() if k.lower() == parts[-1].lower()), None) \
                if isinstance(props, dict) else None
            known = {str(k["id"]).lower() for k in kids}
            for item in inline if isinstance(inline, list) else []:
                if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"].lower() not in known:
                    kids.append(item)
            return kids
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

    # ---- DNS (the answers themselves: sim/zones.py and sim/resolvers.py) --------------------------
    def linked_zones(self, vnet_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return zones.linked_zones(self, vnet_id)

    def network(self) -> Network:
        """The scenario's DNS servers (one set per world: flapping counts per server and name)."""
        from netcheck.sim.resolvers import Network

        with self._lock:
            if self._network is None:
                self._network = Network(self)
            return self._network

    def resolve(self, name: str, vnet_id: str | None) -> Answer:
        """Answer as Azure DNS would from inside `vnet_id` (None: as public DNS would)."""
        return self.network().azure(vnet_id).resolve(name.rstrip(".").lower())

    def has_private_endpoint(self, host: str) -> bool:
        """Whether the resource behind a public host name has a private endpoint connection."""
        owner = self._host_owner.get(host)
        if owner is None or owner not in self.resources:
            return True   # a resource the scenario doesn't describe: its zone records say it has one
        res = self.resources[owner]
        hub = str(res.get("properties", {}).get("hubResourceId") or "").lower()
        if str(res.get("kind") or "").lower() == "project" and hub:
            owner = hub   # a Foundry project is reached through its hub's private endpoint
        if self._pe_owners is None:
            owners = set()
            for pe in self.of_type("Microsoft.Network/privateEndpoints"):
                props = pe.get("properties", {})
                for conn in [*(props.get("privateLinkServiceConnections") or []),
                             *(props.get("manualPrivateLinkServiceConnections") or [])]:
                    owners.add(str(conn.get("properties", {}).get("privateLinkServiceId", "")).lower())
            for rid, res in self.resources.items():
                if res.get("properties", {}).get("privateEndpointConnections") or \
                        self.children(rid, "privateEndpointConnections"):
                    owners.add(rid)
            self._pe_owners = owners
        return owner in self._pe_owners

    def front_ends(self) -> dict[str, str]:
        """Public front-end name -> the privatelink name public DNS sends to it."""
        return self._front_ends

    def _known_hosts(self) -> dict[str, str]:
        """Public names of the scenario's resources -> the privatelink name public DNS points them at."""
        c, hosts = self.cloud.name, {}

        def add(host: str, owner: str) -> None:
            host = host.lower().rstrip(".")
            if target := services.private_name(host, c):
                hosts[host] = target
                self._host_owner.setdefault(host, owner.lower())

        for pe in self.of_type("Microsoft.Network/privateEndpoints"):
            conns = pe.get("properties", {}).get("privateLinkServiceConnections") or [{}]
            target = str(conns[0].get("properties", {}).get("privateLinkServiceId", pe["id"]))
            for cfg in pe.get("properties", {}).get("customDnsConfigs", []) or []:
                if "*" not in cfg.get("fqdn", ""):
                    add(cfg["fqdn"], target)
        for reg in self.of_type(services.get("registry").arm_type):
            props = reg.get("properties", {})
            add(props.get("loginServer", f"{reg['name']}.{self.cloud.suffix('registry')}"), reg["id"])
            for h in props.get("dataEndpointHostNames", []) or []:
                add(h, reg["id"])
        for kv in self.of_type(services.get("vault").arm_type):
            uri = kv.get("properties", {}).get("vaultUri", "")
            add(urlparse(uri).hostname or f"{kv['name']}.{self.cloud.suffix('vault')}", kv["id"])
        scoring = services.get("scoring")
        for ws in self.of_type(services.get("workspace").arm_type):
            for svc in services.all_services():   # the dependencies it names, by the names the registry forms
                if rid := svc.linked_id(ws):
                    for host in svc.host_names(c, name=name_of(rid).lower()):
                        add(host, rid)
            guid = ws.get("properties", {}).get("workspaceId", "")
            for ep in self.children(ws["id"], "onlineEndpoints"):
                host = (urlparse(ep.get("properties", {}).get("scoringUri") or "").hostname or "").lower()
                if host.endswith("." + scoring.suffix_in(c)):
                    epname, region = host.split(".")[:2]
                    hosts[host] = scoring.private_host(c, endpoint=epname, guid=guid, region=region)
                    self._host_owner[host] = ws["id"].lower()
        return hosts
