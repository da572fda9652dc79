"""Every workspace of a fleet and the resources its checks judge, in four Resource Graph queries.

`read()` runs the queries; `Snapshot.inventory()` groups the raw ARM-shaped rows per workspace and builds
its Inventory with the same parsers as a single-workspace run (azure/parse.py). What Resource Graph does not
hold is named per workspace by `Snapshot.arm_reads()`, for the ARM readers (see LACKS).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from netcheck import services
from netcheck.azure import facts as f
from netcheck.azure import parse, resolvers
from netcheck.azure.resourcegraph import Graph, Result
from netcheck.clouds import cloud as cloud_of

WORKSPACE_KINDS = ("Default", "Hub", "Project")
_COLUMNS = "id, name, type, kind, location, subscriptionId, resourceGroup, tags, identity, properties"
_ML = "microsoft.machinelearningservices/workspaces"
WORKSPACE_SIDE = (
    f"{_ML}/onlineendpoints",
    f"{_ML}/onlineendpoints/deployments",
    "microsoft.network/privateendpoints",
    "microsoft.network/networkinterfaces",
    "microsoft.containerregistry/registries",
    "microsoft.keyvault/vaults",
    "microsoft.storage/storageaccounts",
)
NETWORK_SIDE = (
    "microsoft.network/privatednszones",
    "microsoft.network/privatednszones/virtualnetworklinks",
    "microsoft.network/virtualnetworks",
)
RECORD_TYPES = ("microsoft.network/privatednszones/a", "microsoft.network/privatednszones/cname")
# What Resource Graph does not index, read per workspace through ARM (see Snapshot.arm_reads).
LACKS = {
    "privateDnsZoneGroups": "a private endpoint's DNS zone groups (Microsoft.Network/privateEndpoints/privateDnsZoneGroups)",
    "outboundRules": "a managed network's outbound rules (Microsoft.MachineLearningServices/workspaces/outboundRules)",
    "model": "a deployment's model version (MLflow or not)",
    "computes": "a Kubernetes endpoint's compute and its AKS cluster's node VNets",
    "resolvers": "DNS forwarding rulesets' rules and VNet links, and inbound endpoints (read once: FleetArm.resolvers)",
    # Resource Graph's policyresources table holds assignments, but a subscription's scope leaves out those of
    # its management groups, which apply to it all the same (Azure Landing Zones assign their Deny policies there)
    "policies": "a subscription's policy assignments, its management groups' included (read once: FleetArm.policies)",
}


@dataclass(frozen=True)
class Scope:
    """`-s SUB ...`, `--management-group MG`, or neither (every subscription the credential sees)."""

    subscriptions: tuple[str, ...] = ()
    management_groups: tuple[str, ...] = ()
    where: str | None = None  # a KQL condition on the workspaces, passed to Resource Graph as the user wrote it


def _in(types: Sequence[str]) -> str:
    return ", ".join(f"'{t}'" for t in types)


def queries(scope: Scope) -> dict[str, str]:
    """The queries by name; each projects the string `id` and is ordered by it (stable $skipToken pages)."""
    where = f"\n| where {scope.where}" if scope.where else ""
    return {
        "workspaces": f"resources\n| where type =~ '{_ML}'\n| where isempty(kind) or kind in~ ({_in(WORKSPACE_KINDS)})"
        f"{where}\n| project {_COLUMNS}\n| order by id asc",
        # private endpoints' NICs only: a fleet's subscriptions hold many more NICs than netcheck needs
        "workspace_side": f"resources\n| where type in~ ({_in(WORKSPACE_SIDE)})\n| where type !~ "
        "'microsoft.network/networkinterfaces' or isnotnull(properties.privateEndpoint)"
        f"\n| project {_COLUMNS}\n| order by id asc",
        "network": f"resources\n| where type in~ ({_in(NETWORK_SIDE)})\n| where type =~ 'microsoft.network/virtualnetworks'"
        f" or id contains '/privateDnsZones/privatelink.'\n| project {_COLUMNS}\n| order by id asc",
        "records": f"dnsresources\n| where type in~ ({_in(RECORD_TYPES)})"
        "\n| where id contains '/privateDnsZones/privatelink.'"
        "\n| project id, name, type, subscriptionId, resourceGroup, properties\n| order by id asc",
    }


@dataclass
class Snapshot:
    """The rows of one fleet read, indexed; parsed shared facts (zones, VNets) are built once."""

    cloud: str
    workspaces: list[dict[str, Any]]
    rows: dict[str, dict[str, Any]]  # id (lower) -> row, everything but workspaces and records
    children: dict[str, list[dict[str, Any]]]  # parent id (lower) -> rows (endpoints, deployments, links, records)
    queries: int = 0
    requests: int = 0
    subscription_limit_hit: bool = False
    private_resolvers: resolvers.Shared = field(default_factory=resolvers.Shared)   # read through ARM once
    # each workspace subscription's policy assignments, read through ARM once (FleetArm.policies); None: unreadable
    policies: dict[str, tuple[f.PolicyAssignment, ...] | None] = field(default_factory=dict)
    policy_errors: dict[str, f.ReadError] = field(default_factory=dict)
    _zones: dict[str, f.Zone] = field(default_factory=dict)
    _vnets: dict[str, f.Vnet] = field(default_factory=dict)
    _peerings: dict[str, tuple[f.Peering, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, cloud: str, results: Mapping[str, list[dict[str, Any]]]) -> Snapshot:
        rows: dict[str, dict[str, Any]] = {}
        children: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for name in ("workspace_side", "network", "records"):
            for row in results.get(name, []):
                rid = str(row.get("id") or "")
                if name != "records":
                    rows.setdefault(rid.lower(), row)
                children[f.parent(rid).lower()].append(row)
        return cls(cloud, list(results.get("workspaces", [])), rows, dict(children))

    @functools.cached_property
    def zone_rows(self) -> dict[str, dict[str, Any]]:
        """The private DNS zones' rows by id (lower), found once for every workspace."""
        return {rid: r for rid, r in self.rows.items() if str(r.get("type", "")).lower() == NETWORK_SIDE[0]}

    # ---- per workspace ---------------------------------------------------------------------------
    def _kids(self, rid: str, kind: str) -> list[dict[str, Any]]:
        return sorted(
            (r for r in self.children.get(rid.lower(), []) if str(r.get("type", "")).lower().endswith(kind)),
            key=lambda r: str(r["id"]).lower(),
        )

    def zone(self, row: dict[str, Any]) -> f.Zone:
        key = str(row["id"]).lower()
        if key not in self._zones:
            records = [
                {**r, "type": _arm_type(r)}
                for r in self.children.get(key, [])
                if "/privatednszones/" in str(r.get("type", "")).lower()
                and not str(r["type"]).lower().endswith("virtualnetworklinks")
            ]
            records.sort(key=lambda r: str(r["id"]).lower())
            self._zones[key] = f.Zone(row["id"], f.name_of(row["id"]).lower(), tuple(map(parse.record_set, records)),
                                      tuple(map(parse.link, self._kids(row["id"], "/virtualnetworklinks"))))
        return self._zones[key]

    def peerings(self, vnet_id: str) -> tuple[f.Peering, ...]:
        """Every peering of a VNet Resource Graph returned, whatever its state (a VNet's row inlines them)."""
        key = vnet_id.lower()
        if key not in self._peerings:
            self._peerings[key] = parse.peerings(row) if (row := self.rows.get(key)) else ()
        return self._peerings[key]

    def vnet(self, vnet_id: str) -> f.Vnet | None:
        key = vnet_id.lower()
        if key not in self._vnets and (row := self.rows.get(key)):
            self._vnets[key] = parse.vnet(row)
        return self._vnets.get(key)

    @functools.cached_property
    def workspace_rows(self) -> dict[str, dict[str, Any]]:
        return {str(r["id"]).lower(): r for r in self.workspaces}

    def hub_row(self, ws: f.Workspace) -> dict[str, Any] | None:
        """A Foundry project's hub: among the fleet's workspaces, or read through ARM (out of the scope or --where)."""
        if not (ws.is_project and ws.hub_id):
            return None
        return self.workspace_rows.get(ws.hub_id.lower()) or self.rows.get(ws.hub_id.lower())

    def _endpoints(self, ws: f.Workspace, models: Mapping[str, dict[str, Any]]) -> list[f.Endpoint]:
        eps = []
        for ep in self._kids(ws.id, "/onlineendpoints"):
            deps = [
                parse.deployment(d, models.get(str((d.get("properties") or {}).get("model") or "").lower()))
                for d in self._kids(ep["id"], "/deployments")
            ]
            eps.append(parse.endpoint(ep, sorted(deps, key=lambda d: d.name)))
        return eps

    def _dependencies(self, ws: f.Workspace, ws_row: dict[str, Any], hub: f.Workspace | None) -> tuple[
            f.Registry | None, f.Vault | None, f.Storage | None, list[f.Linked], dict[str, dict[str, Any]]]:
        """The registry, vault, storage account and linked services of a workspace, and the rows of every
        private endpoint connected to it, its hub or those (by id, lower case)."""
        registry = vault = storage = None
        if ws.container_registry and (raw := self.rows.get(ws.container_registry.lower())):
            registry = parse.registry(raw, None)   # its connections as the registry's own JSON inlines them
        if ws.key_vault and (raw := self.rows.get(ws.key_vault.lower())):
            vault = parse.vault(raw)
        if ws.storage_account and (raw := self.rows.get(ws.storage_account.lower())):
            storage = parse.storage(raw)   # its network rules and the connections its JSON inlines
        linked = []
        for svc in services.read_generically():
            if (rid := svc.linked_id(ws_row)) and (raw := self.rows.get(rid.lower())):
                linked.append(parse.linked(svc.key, raw))
        conns = [
            *ws.connections,
            *(hub.connections if hub else ()),
            *(registry.connections if registry else ()),
            *(vault.connections if vault else ()),
            *(storage.connections if storage else ()),
            *(c for lk in linked for c in lk.connections),
        ]
        pe_rows: dict[str, dict[str, Any]] = {}
        for c in conns:
            if raw := self.rows.get(c.private_endpoint_id.lower()):
                pe_rows.setdefault(c.private_endpoint_id.lower(), raw)
        return registry, vault, storage, linked, pe_rows

    def inventory(
        self,
        ws_row: dict[str, Any],
        zone_groups: Mapping[str, list[dict[str, Any]]] | None = None,
        models: Mapping[str, dict[str, Any]] | None = None,
        rules: Mapping[str, Sequence[f.OutboundRule]] | None = None,
        location_vnet: str | None = None,
    ) -> f.Inventory:
        """A workspace's Inventory from the rows; `zone_groups` (PE id -> raw groups), `models` (model id -> raw)
        and `rules` (workspace id -> its outbound rules) are what ARM read for it. Without zone groups a private
        endpoint names no zones; without rules a managed network's are the workspace's inline map. `location_vnet`:
        where netcheck runs, whose peerings decide what it reaches."""
        groups, models, rules = zone_groups or {}, models or {}, rules or {}

        def with_rules(w: f.Workspace) -> f.Workspace:
            found = rules.get(w.id.lower())
            return dataclasses.replace(w, outbound_rules=tuple(sorted(found, key=lambda x: x.name))) if found else w

        ws = with_rules(parse.workspace(ws_row))
        hub = with_rules(parse.workspace(hub_raw)) if (hub_raw := self.hub_row(ws)) else None
        eps = self._endpoints(ws, models)
        registry, vault, storage, linked, pe_rows = self._dependencies(ws, ws_row, hub)
        pes = {}
        for key, raw in pe_rows.items():
            nics = [n for ref in (raw.get("properties") or {}).get("networkInterfaces") or []
                    if (n := self.rows.get(str(ref.get("id", "")).lower()))]
            pes[key] = parse.private_endpoint(raw, nics, parse.zone_ids(groups.get(raw["id"].lower(), [])))
        # as a single workspace's read: also zones named like a public zone, which shadow the names under it
        wanted = set(cloud_of(self.cloud).required_zones) | set(cloud_of(self.cloud).forwarded_zones)
        zone_ids = {z.lower() for p in pes.values() for z in p.zone_ids}
        zones = [self.zone(r) for rid, r in self.zone_rows.items()
                 if str(r.get("name", "")).lower() in wanted or rid in zone_ids]
        # as discovery reads them: the VNets traffic leaves or reaches (the client's, the private endpoints') with
        # the other side of each of their peerings, and the VNets the zones are linked to
        ends = {v.lower() for v in (location_vnet, *(p.vnet_id for p in pes.values())) if v}
        route = ends | {p.remote_vnet_id.lower() for rid in ends for p in self.peerings(rid)}
        vnet_ids = route | {lk.vnet_id.lower() for z in zones for lk in z.links}
        vnets = {v.id.lower(): v for rid in vnet_ids if (v := self.vnet(rid))}
        # the resolvers' facts (read once for the fleet) a single run reads for those ends and the VNets read
        near, dns = ends | set(vnets), self.private_resolvers
        sub = ws.id.split("/")[2]
        policies = self.policies.get(sub.lower())
        policy_error = self.policy_errors.get(sub.lower())
        return f.Inventory(
            cloud=self.cloud, subscription=ws.id.split("/")[2], resource_group=f.group_of(ws.id),
            workspace=ws,
            endpoints=tuple(sorted(eps, key=lambda e: e.name)),
            private_endpoints=tuple(sorted(pes.values(), key=lambda p: p.id.lower())),
            zones=tuple(sorted(zones, key=lambda z: (z.name, z.id.lower()))),
            vnets=tuple(sorted(vnets.values(), key=lambda v: v.id.lower())),
            registry=registry, vault=vault,
            storage=storage,
            policies=None if policies is None else tuple(a for a in policies if a.applies_to(ws.id)),
            linked=tuple(linked),
            # where zones were searched: the workspace's subscription, then those Resource Graph found zones in
            zone_subscriptions=tuple(dict.fromkeys([ws.id.split("/")[2], *sorted(
                {str(r["id"]).split("/")[2] for r in self.zone_rows.values()})])),
            hub=hub,
            peerings=tuple(sorted((p for v in vnets for p in self.peerings(v)), key=lambda p: p.id.lower())),
            zone_groups=tuple(sorted((parse.zone_group(g) for p in pes for g in groups.get(p, [])),
                                     key=lambda g: g.id.lower())),
            rulesets=dns.rulesets_for(near), inbound_endpoints=dns.inbound,
            errors=tuple(sorted((*dns.errors_for(near), *([policy_error] if policy_error else [])),
                                key=lambda e: e.resource.lower())),
        )

    def arm_reads(self, ws_row: dict[str, Any]) -> list[str]:
        """The ARM paths a workspace's checks still need (what Resource Graph lacks, or did not return)."""
        ws = parse.workspace(ws_row)
        hub_raw = self.hub_row(ws)
        nets = [ws, *([parse.workspace(hub_raw)] if hub_raw else [])]
        paths = [f"{w.id}/outboundRules" for w in nets if (w.isolation_mode or "Disabled") != "Disabled"]
        if ws.is_project and ws.hub_id and hub_raw is None:
            paths.append(ws.hub_id)   # then its rules and private endpoints, once it is read (FleetArm.side)
        *_, pe_rows = self._dependencies(ws, ws_row, nets[1] if len(nets) > 1 else None)
        paths += [f"{raw['id']}/privateDnsZoneGroups" for _, raw in sorted(pe_rows.items())]
        for ep in self._endpoints(ws, {}):
            paths += [d.model for d in ep.deployments if d.model and d.model.lower().startswith("/subscriptions/")]
            paths += [ep.compute_id] if ep.compute_id else []
        sub = ws.id.split("/")[2].lower()
        for rid in (ws.container_registry, ws.key_vault, *(c.private_endpoint_id for c in ws.connections)):
            if rid and rid.split("/")[2].lower() == sub and rid.lower() not in self.rows:
                paths.append(rid)  # not in Resource Graph's answer (not indexed yet, or not readable there)
        return paths


def _arm_type(row: dict[str, Any]) -> str:
    """`microsoft.network/privatednszones/a` -> `Microsoft.Network/privateDnsZones/A`, as ARM spells a record set."""
    return "Microsoft.Network/privateDnsZones/" + str(row.get("type", "")).rsplit("/", 1)[-1].upper()


def read(graph: Graph, scope: Scope, cloud: str) -> Snapshot:
    """The four queries, side by side (each pages on its own; the quota is the Graph client's): workspaces and
    their side in the scope; zones, links, VNets and records in the management groups given, else tenant-wide
    (hub VNets and shared zones often live in other subscriptions). The first failure is raised."""
    texts = queries(scope)

    def one(name: str) -> Result:
        shared = name in ("network", "records")
        return graph.query(texts[name], subscriptions=() if shared else scope.subscriptions,
                           management_groups=scope.management_groups)

    with concurrent.futures.ThreadPoolExecutor(len(texts), thread_name_prefix="graph") as pool:
        done = dict(zip(texts, pool.map(one, texts), strict=True))
    snap = Snapshot.build(cloud, {name: res.rows for name, res in done.items()})
    snap.queries, snap.requests = len(texts), sum(res.requests for res in done.values())
    snap.subscription_limit_hit = any(res.subscription_limit_hit for res in done.values())
    return snap
