"""From a workspace name to every fact netcheck judges, each read started as soon as its id is known.

Independent reads run concurrently under the run's bound; nothing is read twice; one unreadable
resource is recorded as a ReadError and never stops the others.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any, TypeVar

from netcheck import services
from netcheck.azure import facts as f
from netcheck.azure import parse
from netcheck.azure.errors import classify
from netcheck.azure.session import (
    AKS_API_VERSION,
    ML_API_VERSION,
    POLICY_API_VERSION,
    STORAGE_API_VERSION,
    Session,
)
from netcheck.clouds import cloud
from netcheck.settings import Settings

T = TypeVar("T")


def split(resource_id: str) -> tuple[str, str, str]:
    """(subscription, resource group, name) of a resource id."""
    parts = resource_id.split("/")
    return parts[2], f.group_of(resource_id), parts[-1]


class Reader:
    """Bounded, memoized, failure-recording calls into the (synchronous) SDKs."""

    def __init__(self, session: Session, limit: asyncio.Semaphore, workers: int) -> None:
        self.session = session
        self.limit = limit
        self.errors: dict[str, f.ReadError] = {}
        self.tasks: dict[str, asyncio.Task[Any]] = {}
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="arm")

    async def call(self, resource: str, fn: Callable[[], T]) -> T | None:
        async with self.limit:
            budget = self.session.budget
            try:  # the SDK's own timeouts end the thread soon after; this ends the wait on time
                return await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(self._pool, fn), budget)
            except TimeoutError:
                self.errors.setdefault(resource, classify(resource, TimeoutError(), budget))
                return None
            except Exception as exc:  # every failure becomes a ReadError with its reason
                self.errors.setdefault(resource, classify(resource, exc, budget))
                return None

    def once(self, key: str, make: Callable[[], Coroutine[Any, Any, T]]) -> asyncio.Task[T]:
        if key not in self.tasks:
            self.tasks[key] = asyncio.ensure_future(make())
        return self.tasks[key]

    async def settle(self) -> None:
        """Wait until every read, including those started by other reads, is done."""
        while pending := [t for t in self.tasks.values() if not t.done()]:
            await asyncio.gather(*pending)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _as_dicts(items: Any) -> list[dict[str, Any]]:
    return [i.as_dict() for i in items]


def _nic(net: Any, nic_id: str) -> dict[str, Any]:
    _, rg, name = split(nic_id)
    data: dict[str, Any] = net.network_interfaces.get(rg, name).as_dict()
    return data


class Discovery:
    def __init__(self, settings: Settings, session: Session, reader: Reader) -> None:
        self.settings, self.session, self.r = settings, session, reader
        self.cloud = cloud(settings.cloud)
        self.pes: dict[str, f.PrivateEndpoint] = {}
        self.zones: dict[str, f.Zone] = {}
        self.vnets: dict[str, f.Vnet] = {}
        self.clusters: dict[str, f.Cluster] = {}

    @property
    def workspace_id(self) -> str:
        s = self.settings
        return (f"/subscriptions/{s.subscription}/resourceGroups/{s.resource_group}"
                f"/providers/Microsoft.MachineLearningServices/workspaces/{s.workspace}")

    async def run(self, location_vnet: str | None = None) -> f.Inventory:
        s, r = self.settings, self.r
        if location_vnet:
            self.vnet(location_vnet)
        r.once("zones:subscription", self.subscription_zones)
        raw = await r.call(self.workspace_id, lambda: self.session.arm().get(self.workspace_id, ML_API_VERSION))
        ws = parse.workspace(raw) if raw else None
        endpoints: asyncio.Task[tuple[tuple[f.Endpoint, ...], tuple[str, ...], tuple[str, ...]]] | None = None
        registry = vault = storage = policies = None
        if ws:
            endpoints = r.once("endpoints", lambda: self.endpoints(ws))
            for c in ws.connections:
                self.pe(c.private_endpoint_id)
            if ws.container_registry:
                registry = r.once("registry", lambda: self.registry(ws.container_registry or ""))
            if ws.key_vault:
                vault = r.once("vault", lambda: self.vault(ws.key_vault or ""))
            if ws.storage_account:
                storage = r.once("storage", lambda: self.storage(ws.storage_account or ""))
            policies = r.once("policies", lambda: self.policies(ws.id))
        linked = [r.once(f"linked:{rid.lower()}", partial(self.linked, svc, rid))
                  for svc in services.read_generically() if ws and raw and (rid := svc.linked_id(raw))]
        await r.settle()
        eps, missing, known = endpoints.result() if endpoints else ((), (), ())
        return f.Inventory(
            cloud=s.cloud, subscription=s.subscription or "", resource_group=s.resource_group or "", workspace=ws,
            endpoints=eps, private_endpoints=tuple(sorted(self.pes.values(), key=lambda p: p.id.lower())),
            zones=tuple(sorted(self.zones.values(), key=lambda z: (z.name, z.id.lower()))),
            vnets=tuple(sorted(self.vnets.values(), key=lambda v: v.id.lower())),
            registry=registry.result() if registry else None, vault=vault.result() if vault else None,
            errors=tuple(sorted(r.errors.values(), key=lambda e: e.resource.lower())), missing_endpoints=missing,
            known_endpoints=known, clusters=tuple(sorted(self.clusters.values(), key=lambda c: c.compute_id.lower())),
            linked=tuple(x for t in linked if (x := t.result())), storage=storage.result() if storage else None,
            policies=policies.result() if policies else ())

    # ---- ML ----------------------------------------------------------------------------------------
    async def endpoints(self, ws: f.Workspace) -> tuple[tuple[f.Endpoint, ...], tuple[str, ...], tuple[str, ...]]:
        """The endpoints to check (named, else all), names not found, and (then) the names there are."""
        arm, r = self.session.arm(), self.r
        base = f"{ws.id}/onlineEndpoints"
        if self.settings.endpoints:
            paths = [f"{base}/{n}" for n in self.settings.endpoints]
            raws = await asyncio.gather(*(r.call(p, partial(arm.get, p, ML_API_VERSION)) for p in paths))
            found = [x for x in raws if x]
            missing = tuple(n for n, x in zip(self.settings.endpoints, raws, strict=True) if not x
                            and (e := r.errors.get(f"{base}/{n}")) and e.reason == "not_found")
        else:
            found = await r.call(base, lambda: arm.list(base, ML_API_VERSION)) or []
            missing = ()
        known: tuple[str, ...] = ()
        if missing:
            known = tuple(e.get("name", "") for e in await r.call(base, lambda: arm.list(base, ML_API_VERSION)) or [])
        eps = await asyncio.gather(*(self.endpoint(e) for e in found))
        return tuple(sorted(eps, key=lambda e: e.name)), missing, known

    async def endpoint(self, raw: dict[str, Any]) -> f.Endpoint:
        arm, path = self.session.arm(), f"{raw['id']}/deployments"
        deps = await self.r.call(path, lambda: arm.list(path, ML_API_VERSION)) or []
        models = await asyncio.gather(*(self.model(d) for d in deps))
        ep = parse.endpoint(raw, sorted((parse.deployment(d, m) for d, m in zip(deps, models, strict=True)),
                                        key=lambda d: d.name))
        if ep.compute_id:
            self.cluster(ep.compute_id)
        return ep

    async def model(self, deployment: dict[str, Any]) -> dict[str, Any] | None:
        model = (deployment.get("properties") or {}).get("model") or ""
        model = model.removeprefix("azureml:")
        if not model.lower().startswith("/subscriptions/"):
            return None   # a registry or inline model: its format is not readable through ARM here
        arm = self.session.arm()
        return await self.r.once(f"model:{model.lower()}",
                                 lambda: self.r.call(model, lambda: arm.get(model, ML_API_VERSION)))

    # ---- Kubernetes ----------------------------------------------------------------------------------
    def cluster(self, compute_id: str) -> None:
        self.r.once(f"compute:{compute_id.lower()}", lambda: self._cluster(compute_id))

    async def _cluster(self, compute_id: str) -> None:
        """The compute's cluster and its nodes' VNets: Azure DNS there must see the zones too."""
        arm = self.session.arm()
        compute = await self.r.call(compute_id, lambda: arm.get(compute_id, ML_API_VERSION))
        if compute is None:
            return
        cid = parse.cluster_id(compute)
        vnets: tuple[str, ...] = ()
        cidrs: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        if cid and "/microsoft.containerservice/managedclusters/" in cid.lower():   # Arc clusters name no VNet
            aks = await self.r.call(cid, lambda: arm.get(cid, AKS_API_VERSION))
            if aks:
                vnets = parse.node_vnets(aks) or await self._aks_managed_vnets(cid, aks)
                cidrs = parse.network_profile(aks)
        self.clusters[compute_id.lower()] = f.Cluster(compute_id, cid, vnets, *cidrs)

    async def _aks_managed_vnets(self, cluster_id: str, aks: dict[str, Any]) -> tuple[str, ...]:
        """Without a subnet of its own, AKS puts its VNet in the node resource group."""
        node_rg = (aks.get("properties") or {}).get("nodeResourceGroup")
        if not node_rg:
            return ()
        net = self.session.sdk("network", split(cluster_id)[0])
        # a failure here is the cluster's: its VNet stays unknown
        items = await self.r.call(cluster_id, lambda: _as_dicts(net.virtual_networks.list(node_rg))) or []
        return tuple(sorted((v["id"] for v in items if v.get("id")), key=str.lower))

    # ---- dependencies ------------------------------------------------------------------------------
    async def registry(self, rid: str) -> f.Registry | None:
        sub, rg, name = split(rid)
        acr = self.session.sdk("acr", sub)
        raw, conns = await asyncio.gather(
            self.r.call(rid, lambda: acr.registries.get(rg, name).as_dict()),
            self.r.call(f"{rid}/privateEndpointConnections",
                        lambda: _as_dicts(acr.private_endpoint_connections.list(rg, name))))
        if raw is None:
            return None
        reg = parse.registry(raw, conns if conns is not None else raw.get("properties", {}).get(
            "privateEndpointConnections") or [])
        for c in reg.connections:
            self.pe(c.private_endpoint_id)
        return reg

    async def vault(self, rid: str) -> f.Vault | None:
        sub, rg, name = split(rid)
        kv = self.session.sdk("keyvault", sub)
        raw = await self.r.call(rid, lambda: kv.vaults.get(rg, name).as_dict())
        if raw is None:
            return None
        v = parse.vault(raw)
        for c in v.connections:
            self.pe(c.private_endpoint_id)
        return v

    async def storage(self, rid: str) -> f.Storage | None:
        """The workspace storage account: its network rules and private endpoint connections (in its GET)."""
        arm = self.session.arm()
        raw = await self.r.call(rid, lambda: arm.get(rid, STORAGE_API_VERSION))
        if raw is None:
            return None
        st = parse.storage(raw)
        for c in st.connections:
            self.pe(c.private_endpoint_id)
        return st

    async def policies(self, workspace_id: str) -> tuple[f.PolicyAssignment, ...]:
        """The assignments that apply to the workspace: the subscription's list (which holds those at its
        management groups, itself, and every scope inside it), kept where the workspace is in scope."""
        arm = self.session.arm()
        path = f"/subscriptions/{split(workspace_id)[0]}/providers/Microsoft.Authorization/policyAssignments"
        items = await self.r.call(path, lambda: arm.list(path, POLICY_API_VERSION)) or []
        return tuple(a for a in map(parse.policy_assignment, items) if a.applies_to(workspace_id))

    async def linked(self, svc: services.Service, rid: str) -> f.Linked | None:
        """A dependency the service registry names, read as raw ARM JSON for its private endpoint connections."""
        arm = self.session.arm()
        raw = await self.r.call(rid, lambda: arm.get(rid, svc.api_version or ""))
        if raw is None:
            return None
        conns = tuple(parse.connection(c) for c in (raw.get("properties") or {}).get("privateEndpointConnections") or [])
        for c in conns:
            self.pe(c.private_endpoint_id)
        return f.Linked(service=svc.key, id=raw.get("id") or rid, name=raw.get("name") or f.name_of(rid), connections=conns)

    # ---- network -----------------------------------------------------------------------------------
    def pe(self, pe_id: str) -> None:
        """Read a private endpoint in a subscription we target (AML's egress PEs live in Microsoft's)."""
        if pe_id and split(pe_id)[0].lower() == (self.settings.subscription or "").lower():
            self.r.once(f"pe:{pe_id.lower()}", lambda: self._pe(pe_id))

    async def _pe(self, pe_id: str) -> None:
        sub, rg, name = split(pe_id)
        net = self.session.sdk("network", sub)
        raw, groups = await asyncio.gather(
            self.r.call(pe_id, lambda: net.private_endpoints.get(rg, name).as_dict()),
            self.r.call(f"{pe_id}/privateDnsZoneGroups",
                        lambda: _as_dicts(net.private_dns_zone_groups.list(name, rg))))
        if raw is None:
            return
        nic_ids = [n["id"] for n in raw.get("properties", {}).get("networkInterfaces") or [] if n.get("id")]
        nics = await asyncio.gather(*(self.r.call(n, partial(_nic, net, n)) for n in nic_ids))
        pe = parse.private_endpoint(raw, [n for n in nics if n], groups or [])
        self.pes[pe.id.lower()] = pe
        if pe.vnet_id:
            self.vnet(pe.vnet_id)
        for z in pe.zone_ids:
            self.zone(z)

    async def subscription_zones(self) -> None:
        sub = self.settings.subscription or ""
        pdns = self.session.sdk("privatedns", sub)
        zones = await self.r.call(f"/subscriptions/{sub}/providers/Microsoft.Network/privateDnsZones",
                                  lambda: _as_dicts(pdns.private_zones.list())) or []
        wanted = set(self.cloud.required_zones)
        for z in zones:
            if z.get("name", "").lower() in wanted:
                self.zone(z["id"])

    def zone(self, zone_id: str) -> None:
        self.r.once(f"zone:{zone_id.lower()}", lambda: self._zone(zone_id))

    async def _zone(self, zone_id: str) -> None:
        sub, rg, name = split(zone_id)
        pdns = self.session.sdk("privatedns", sub)
        records, links = await asyncio.gather(
            self.r.call(f"{zone_id}/ALL", lambda: _as_dicts(pdns.record_sets.list(rg, name))),
            self.r.call(f"{zone_id}/virtualNetworkLinks", lambda: _as_dicts(pdns.virtual_network_links.list(rg, name))))
        if records is None and links is None:
            return
        z = parse.zone(zone_id, records or [], links or [])
        self.zones[zone_id.lower()] = z
        for lk in z.links:
            self.vnet(lk.vnet_id)

    def vnet(self, vnet_id: str) -> None:
        if vnet_id and split(vnet_id)[0].lower() == (self.settings.subscription or "").lower():
            self.r.once(f"vnet:{vnet_id.lower()}", lambda: self._vnet(vnet_id))

    async def _vnet(self, vnet_id: str) -> None:
        sub, rg, name = split(vnet_id)
        net = self.session.sdk("network", sub)
        raw = await self.r.call(vnet_id, lambda: net.virtual_networks.get(rg, name).as_dict())
        if raw:
            self.vnets[vnet_id.lower()] = parse.vnet(raw)


async def discover(settings: Settings, session: Session, limit: asyncio.Semaphore,
                   location_vnet: str | None = None) -> f.Inventory:
    reader = Reader(session, limit, settings.concurrency)
    try:
        return await Discovery(settings, session, reader).run(location_vnet)
    finally:
        reader.close()


async def workspace_names(settings: Settings, session: Session) -> list[str]:
    """Workspaces in the resource group, to suggest a close name for a mistyped one."""
    path = (f"/subscriptions/{settings.subscription}/resourceGroups/{settings.resource_group}"
            "/providers/Microsoft.MachineLearningServices/workspaces")
    try:
        items = await asyncio.to_thread(session.arm().list, path, ML_API_VERSION)
    except Exception:  # only a hint: without it the 404 still says what was not found
        return []
    return [i.get("name", "") for i in items]
