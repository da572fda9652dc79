"""From a workspace name to every fact netcheck judges, each read started as soon as its id is known:
the ML side here (workspace, hub, endpoints, clusters, dependencies), the network side in
netcheck.azure.network_reads.

Independent reads run concurrently under the run's bound; nothing is read twice; one unreadable
resource is recorded as a ReadError and never stops the others.
"""

from __future__ import annotations

import asyncio
import dataclasses
from functools import partial
from typing import Any

from netcheck import services
from netcheck.azure import facts as f
from netcheck.azure import lists, parse, resolvers
from netcheck.azure.network_reads import NetworkReads, as_json, checked, split
from netcheck.azure.reader import Reader
from netcheck.azure.session import Session
from netcheck.azure.shape import ShapeError
from netcheck.clouds import cloud
from netcheck.settings import Settings


class Discovery(NetworkReads):
    def __init__(self, settings: Settings, session: Session, reader: Reader) -> None:
        self.settings, self.session, self.r = settings, session, reader
        self.cloud = cloud(settings.cloud)
        self.pes: dict[str, f.PrivateEndpoint] = {}
        self.zones: dict[str, f.Zone] = {}
        self.vnets: dict[str, f.Vnet] = {}
        self.clusters: dict[str, f.Cluster] = {}
        self.zone_subscriptions: list[str] = []
        self.peerings: dict[str, tuple[f.Peering, ...]] = {}
        self.zone_groups: dict[str, f.ZoneGroup] = {}

    @property
    def workspace_id(self) -> str:
        s = self.settings
        return f"{lists.workspaces(s.subscription or '', s.resource_group or '')}/{s.workspace}"

    async def run(self, location_vnet: str | None = None) -> f.Inventory:
        s, r = self.settings, self.r
        if location_vnet:
            self.route_vnet(location_vnet)
        r.once(lists.SUBSCRIPTIONS, self.subscription_zones)
        raw = await r.get(self.workspace_id, checked(parse.workspace))
        ws = await self.with_rules(parse.workspace(raw)) if raw else None
        hub_id = ws.hub_id if ws and ws.is_project else None
        hub = r.once(hub_id, partial(self.hub, hub_id)) if hub_id else None
        endpoints: asyncio.Task[tuple[tuple[f.Endpoint, ...], tuple[str, ...], tuple[str, ...]] | None] | None = None
        registry = vault = storage = policies = None
        if ws:
            endpoints = r.once(lists.endpoints(ws.id), lambda: self.endpoints(ws))
            for c in ws.connections:
                self.pe(c.private_endpoint_id)
            if ws.container_registry:
                registry = r.once(ws.container_registry, lambda: self.registry(ws.container_registry or ""))
            if ws.key_vault:
                vault = r.once(ws.key_vault, lambda: self.vault(ws.key_vault or ""))
            if ws.storage_account:
                storage = r.once(ws.storage_account, lambda: self.storage(ws.storage_account or ""))
            policies = r.once(lists.policy_assignments(split(ws.id)[0]), lambda: self.policies(ws.id))
        linked = [r.once(rid, partial(self.linked, svc, rid))
                  for svc in services.read_generically() if ws and raw and (rid := svc.linked_id(raw))]
        await r.settle()
        inbound, rulesets = await resolvers.read(
            r, self.zone_subscriptions or [s.subscription or ""],
            {location_vnet or "", *self.vnets, *(p.vnet_id or "" for p in self.pes.values())})
        eps, missing, known = (endpoints.result() if endpoints else None) or ((), (), ())
        return f.Inventory(
            cloud=s.cloud, subscription=s.subscription or "", resource_group=s.resource_group or "", workspace=ws,
            endpoints=eps, private_endpoints=tuple(sorted(self.pes.values(), key=lambda p: p.id.lower())),
            zones=tuple(sorted(self.zones.values(), key=lambda z: (z.name, z.id.lower()))),
            vnets=tuple(sorted(self.vnets.values(), key=lambda v: v.id.lower())),
            registry=registry.result() if registry else None, vault=vault.result() if vault else None,
            errors=tuple(sorted(r.errors.values(), key=lambda e: e.resource.lower())),
            missing_endpoints=missing, known_endpoints=known,
            clusters=tuple(sorted(self.clusters.values(), key=lambda c: c.compute_id.lower())),
            linked=tuple(x for t in linked if (x := t.result())), zone_subscriptions=tuple(self.zone_subscriptions),
            hub=hub.result() if hub else None,
            storage=storage.result() if storage else None, policies=policies.result() if policies else None,
            rulesets=rulesets, inbound_endpoints=inbound,
            zone_groups=tuple(sorted(self.zone_groups.values(), key=lambda g: g.id.lower())),
            peerings=tuple(sorted((p for ps in self.peerings.values() for p in ps), key=lambda p: p.id.lower())))

    async def with_rules(self, ws: f.Workspace) -> f.Workspace:
        """The managed VNet's outbound rules from their own collection, which says why a rule is not
        active (errorInformation); the workspace's inline map when that can't be read."""
        if (ws.isolation_mode or "Disabled") == "Disabled":
            return ws
        path = f"{ws.id}/outboundRules"
        rules = await self.r.list(path, lambda d: parse.outbound_rules([d])[0])
        self.r.errors.pop(path, None)   # the inline map stands in: not an unreadable list
        return dataclasses.replace(ws, outbound_rules=tuple(sorted(rules, key=lambda x: x.name))) if rules else ws

    async def hub(self, hub_id: str) -> f.Workspace | None:
        """A Foundry project's hub: its private endpoint, zones and managed VNet serve the project."""
        raw = await self.r.get(hub_id, checked(parse.workspace))
        if raw is None:
            return None
        hub = await self.with_rules(parse.workspace(raw))
        for c in hub.connections:
            self.pe(c.private_endpoint_id)
        return hub

    # ---- ML ----------------------------------------------------------------------------------------
    async def endpoints(self, ws: f.Workspace) -> tuple[tuple[f.Endpoint, ...], tuple[str, ...], tuple[str, ...]]:
        """The endpoints to check (named, else all), names not found, and (then) the names there are."""
        r = self.r
        base = lists.endpoints(ws.id)
        if self.settings.endpoints:
            paths = [f"{base}/{n}" for n in self.settings.endpoints]
            raws = await asyncio.gather(*(r.get(p, as_json) for p in paths))
            found = [x for x in raws if x]
            missing = tuple(n for n, x in zip(self.settings.endpoints, raws, strict=True) if not x
                            and (e := r.errors.get(f"{base}/{n}")) and e.reason == "not_found")
        else:
            found = await r.list(base, as_json) or []
            missing = ()
        known: tuple[str, ...] = ()
        if missing:
            known = tuple(e.name for e in await r.list(base, lambda d: parse.endpoint(d, ())) or [])
        eps = await asyncio.gather(*(self.endpoint(e) for e in found))
        return tuple(sorted((e for e in eps if e), key=lambda e: e.name)), missing, known

    async def endpoint(self, raw: dict[str, Any]) -> f.Endpoint | None:
        """An endpoint with its deployments; a malformed one is an error under its id."""
        try:
            ep = parse.endpoint(raw, ())
        except ShapeError as exc:
            rid = raw.get("id")
            self.r.fail(rid if isinstance(rid, str) and rid.startswith("/") else lists.endpoints(self.workspace_id), exc)
            return None
        deps = await self.r.list(lists.deployments(ep.id), checked(parse.model_id)) or []
        models = await asyncio.gather(*(self.model(d) for d in deps))
        try:
            ep = parse.endpoint(raw, sorted((parse.deployment(d, m) for d, m in zip(deps, models, strict=True)),
                                            key=lambda d: d.name))
        except ShapeError as exc:
            self.r.fail(lists.deployments(ep.id), exc)
        if ep.compute_id:
            self.cluster(ep.compute_id)
        return ep

    async def model(self, deployment: dict[str, Any]) -> dict[str, Any] | None:
        model = parse.model_id(deployment)
        if model is None:
            return None   # a registry or inline model: its format is not readable through ARM here
        return await self.r.once(model, lambda: self.r.get(model, checked(parse.is_mlflow)))

    # ---- Kubernetes ----------------------------------------------------------------------------------
    def cluster(self, compute_id: str) -> None:
        self.r.once(compute_id, lambda: self._cluster(compute_id))

    async def _cluster(self, compute_id: str) -> None:
        """The compute's cluster and its nodes' VNets: Azure DNS there must see the zones too."""
        cid = await self.r.get(compute_id, lambda d: parse.cluster_id(d) or "")
        if cid is None:
            return
        vnets: tuple[str, ...] = ()
        cidrs: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        if cid and "/microsoft.containerservice/managedclusters/" in cid.lower():   # Arc clusters name no VNet
            aks = await self.r.get(cid, checked(lambda d: (parse.node_vnets(d), parse.network_profile(d))))
            if aks:
                vnets = parse.node_vnets(aks) or await self._aks_managed_vnets(cid, aks)
                cidrs = parse.network_profile(aks)
        self.clusters[compute_id.lower()] = f.Cluster(compute_id, cid or None, vnets, *cidrs)

    async def _aks_managed_vnets(self, cluster_id: str, aks: dict[str, Any]) -> tuple[str, ...]:
        """Without a subnet of its own, AKS puts its VNet in the node resource group."""
        node_rg = parse.node_resource_group(aks)
        if not node_rg:
            return ()
        ids = await self.r.list(lists.vnets(split(cluster_id)[0], node_rg), lambda d: parse.resource_ids([d])[0])
        if ids is None:   # the cluster's VNet stays unknown: an error of the cluster's
            self.r.errors.setdefault(cluster_id, self.r.errors[lists.vnets(split(cluster_id)[0], node_rg)])
        return tuple(sorted(ids or (), key=str.lower))

    # ---- dependencies ------------------------------------------------------------------------------
    async def registry(self, rid: str) -> f.Registry | None:
        raw, conns = await asyncio.gather(self.r.get(rid, checked(lambda d: parse.registry(d, ()))),
                                          self.r.list(lists.pe_connections(rid), parse.connection))
        reg = self.r.parse(rid, lambda: parse.registry(raw, conns)) if raw else None
        for c in reg.connections if reg else ():
            self.pe(c.private_endpoint_id)
        return reg

    async def vault(self, rid: str) -> f.Vault | None:
        v = await self.r.get(rid, parse.vault)
        for c in v.connections if v else ():
            self.pe(c.private_endpoint_id)
        return v

    async def storage(self, rid: str) -> f.Storage | None:
        """The workspace storage account: its network rules and the private endpoint connections its GET inlines."""
        st = await self.r.get(rid, parse.storage)
        for c in st.connections if st else ():
            self.pe(c.private_endpoint_id)
        return st

    async def policies(self, workspace_id: str) -> tuple[f.PolicyAssignment, ...] | None:
        """The assignments that apply to the workspace: the subscription's list (which holds those at its
        management groups, itself, and every scope inside it), kept where the workspace is in scope."""
        items = await self.r.list(lists.policy_assignments(split(workspace_id)[0]), parse.policy_assignment)
        return None if items is None else tuple(a for a in items if a.applies_to(workspace_id))

    async def linked(self, svc: services.Service, rid: str) -> f.Linked | None:
        """A dependency the service registry names, read as raw ARM JSON for its private endpoint connections."""
        item = await self.r.get(rid, partial(parse.linked, svc.key))
        for c in item.connections if item else ():
            self.pe(c.private_endpoint_id)
        return item


async def discover(settings: Settings, session: Session, limit: asyncio.Semaphore,
                   location_vnet: str | None = None) -> f.Inventory:
    reader = Reader(session, limit, settings.concurrency)
    try:
        return await Discovery(settings, session, reader).run(location_vnet)
    finally:
        reader.close()

