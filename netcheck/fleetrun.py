"""`netcheck fleet`: every workspace Resource Graph finds, checked by the same probes as a single run.

Resource Graph gives each workspace's facts (azure/fleet.py); ARM adds what it lacks, within one bound
for the whole fleet (fleetarm.py); each workspace's Inventory then feeds the real probe graph (runner.py)
as `--inventory` does: stages 0-1 for all, stages 2-3 for those whose private endpoints this machine
reaches (its VNet, or one peered with it, Connected on both sides). Where netcheck runs is found once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from netcheck import __version__
from netcheck.azure import facts as f
from netcheck.azure.fleet import Scope, Snapshot
from netcheck.azure.fleet import read as graph_read
from netcheck.azure.resourcegraph import Graph, GraphError
from netcheck.context import Context
from netcheck.fleetarm import DEFAULT_ARM_CONCURRENCY, FleetArm, inventory, subscription_path
from netcheck.fleetmodel import FleetReport, WorkspaceRun
from netcheck.model import Target
from netcheck.probe import Probe
from netcheck.redact import redact_text
from netcheck.runner import run, select
from netcheck.settings import Settings

FACTS = "Resource Graph (netcheck fleet)"
WORKSPACES_AT_ONCE = 16   # probe graphs running together (each bounds its own network operations)
NETWORK_AT_ONCE = 4       # of them, those making network checks: DNS servers and endpoints are shared
# Reads that failed this way kept failing through their retries: the workspace can't be judged fairly.
TRANSIENT = ("throttled", "timeout", "server", "network", "refused")


class FleetInputError(Exception):
    """The fleet's input is wrong (a `--where` Resource Graph refuses): one line, exit 2."""


class FleetFailed(Exception):
    """Nothing could be checked (no credential, Resource Graph unreadable): one line, exit 3."""


@dataclass(frozen=True)
class Options:
    scope: Scope = field(default_factory=Scope)
    arm_concurrency: int = DEFAULT_ARM_CONCURRENCY


Progress = Callable[[int, int], None]


async def _where(settings: Settings, catalog: Sequence[Probe]) -> Context:
    """ctx.credential and ctx.location, once for the fleet: the ARM session and this machine's VNet."""
    ctx = Context(settings)
    probes = [p for p in catalog if p.id in ("ctx.credential", "ctx.location")]
    report = await run(probes, ctx, Target(None, None, None, (), settings.cloud), catalog)
    cred = next((r for r in report.results if r.probe == "ctx.credential"), None)
    if ctx.credential is None:
        raise FleetFailed(cred.summary if cred else "no ARM token")
    return ctx


async def _scope(arm: FleetArm, scope: Scope, notes: list[str]) -> Scope:
    """The subscriptions named that the credential can read; one note for each it can't."""
    readable = []
    for sub in scope.subscriptions:
        if await arm.get(subscription_path(sub)) is None:
            err = arm.reader.errors.get(subscription_path(sub))
            notes.append(f"subscription {sub} could not be read ({err.reason if err else 'unknown'}): not checked")
        else:
            readable.append(sub)
    return dataclasses.replace(scope, subscriptions=tuple(readable))


def _read(graph: Graph, scope: Scope, cloud: str, notes: list[str]) -> tuple[Snapshot, Scope]:
    """Resource Graph's four queries, and the scope they read: a management group it refuses is named and
    left out."""
    try:
        return graph_read(graph, scope, cloud), scope
    except GraphError as exc:
        if exc.reason == "invalid_query":
            raise FleetInputError(f"argument --where: Resource Graph refused the query: {exc.message}") from None
        if exc.reason != "forbidden" or not scope.management_groups:
            raise FleetFailed(f"Resource Graph could not be read: {exc.message}") from None
    readable = []
    for mg in scope.management_groups:   # which one: a query each, the smallest Resource Graph answers
        try:
            graph.query("resources\n| project id\n| limit 1", management_groups=(mg,))
            readable.append(mg)
        except GraphError as exc:
            notes.append(f"management group {mg} could not be read ({exc.reason}): not checked")
    if not readable:
        return Snapshot.build(cloud, {}), dataclasses.replace(scope, management_groups=())
    return _read(graph, dataclasses.replace(scope, management_groups=tuple(readable)), cloud, notes)


def _peerings(snap: Snapshot, inv: f.Inventory) -> tuple[f.Peering, ...]:
    return tuple(p for v in inv.vnets for p in snap.peerings(v.id))


def network_vnet(snap: Snapshot, inv: f.Inventory, where_vnet: str | None) -> str | None:
    """None when this machine reaches the workspace's private endpoints (same VNet, or peered Connected on
    both sides); else the VNet a run must be inside."""
    ws = inv.network_workspace
    vnets = sorted({p.vnet_id for p in inv.pes_for(ws.id if ws else None) if p.vnet_id})
    if not vnets:
        return None   # no private endpoint: reached where the public network is
    sides = {(p.vnet_id.lower(), p.remote_vnet_id.lower()) for p in _peerings(snap, inv) if p.connected}
    for vnet in vnets:
        here, there = (where_vnet or "").lower(), vnet.lower()
        if not here or (here != there and not {(here, there), (there, here)} <= sides):
            return vnet
    return None


def command(ws: f.Workspace, cloud: str) -> str:
    """The single-workspace check that makes the network checks, run inside the workspace's VNet."""
    extra = f" --cloud {cloud}" if cloud != "AzureCloud" else ""
    return f"netcheck -s {ws.id.split('/')[2]} -g {f.group_of(ws.id)} -w {ws.name}{extra}"


async def _workspace(base: Ctx, row: dict[str, Any]) -> WorkspaceRun:
    rid = str(row["id"])
    ident = WorkspaceRun(id=rid, name=str(row.get("name") or f.name_of(rid)), subscription=rid.split("/")[2],
                         resource_group=f.group_of(rid), kind=str(row.get("kind") or "Default"))
    try:
        async with base.reading:   # a few workspaces' reads at a time: each is done early, its checks start
            side = await base.arm.side(base.snap, row)
        if bad := [e for e in side.errors if e.reason in TRANSIENT]:
            return dataclasses.replace(ident, error="its reads kept failing: " + "; ".join(
                f"{'/'.join(e.resource.split('/')[-2:])}: {e.reason}" for e in bad))
        await asyncio.shield(base.resolving)   # shielded: one workspace's cancellation doesn't end the shared read
        inv = inventory(base.snap, row, side, base.where.where.vnet_id)
        assert inv.workspace is not None
        settings = dataclasses.replace(base.settings, subscription=ident.subscription,
                                       resource_group=ident.resource_group, workspace=ident.name, endpoints=())
        vnet = network_vnet(base.snap, inv, base.where.where.vnet_id)
        # network checks (stages 2-3) of a few workspaces at a time: the resolvers and the endpoints are shared
        async with (base.networking if vnet is None else contextlib.nullcontext()), base.at_once:
            # a workspace this machine can't reach is judged from its private endpoints' VNets, as from outside
            where = base.where.where if vnet is None else dataclasses.replace(base.where.where, vnet_id=None,
                                                                                subnet_id=None, private_ip=None)
            ctx = Context(settings, where=where, location=base.where.location if vnet is None else None,
                          inventory=inv, facts_from=FACTS)
            probes = [p for p in base.probes if vnet is None or p.stage <= 1]
            report = await run(probes, ctx, Target(settings.subscription, settings.resource_group, settings.workspace,
                                                   (), settings.cloud), base.catalog)
    except Exception as exc:   # a bug or an unmapped failure is this workspace's error, never the fleet's
        return dataclasses.replace(ident, error=redact_text(f"{type(exc).__name__}: {exc}"))
    if vnet is None:
        return dataclasses.replace(ident, report=report)
    return dataclasses.replace(ident, report=report, network=f"network checks need a run inside VNet {f.name_of(vnet)}",
                        command=command(inv.workspace, settings.cloud))


@dataclass
class Ctx:
    """What every workspace's run shares."""

    settings: Settings
    catalog: Sequence[Probe]
    probes: list[Probe]
    where: Context
    snap: Snapshot
    arm: FleetArm
    at_once: asyncio.Semaphore
    reading: asyncio.Semaphore
    networking: asyncio.Semaphore
    resolving: asyncio.Future[None]   # the fleet's shared reads: DNS Private Resolvers, policies (FleetArm.shared)


async def run_fleet(settings: Settings, options: Options, catalog: Sequence[Probe],
                    progress: Progress | None = None) -> FleetReport:
    started, t0 = dt.datetime.now(dt.UTC), time.monotonic()
    # the ARM session's connection pool holds as many connections as the fleet's bound lets fly
    where = await _where(dataclasses.replace(settings, concurrency=max(settings.concurrency, options.arm_concurrency)),
                         catalog)
    session, notes = where.credential, list[str]()
    arm = FleetArm(session, options.arm_concurrency)
    graph = Graph(session)
    try:
        scope = await _scope(arm, options.scope, notes)
        if options.scope.subscriptions and not scope.subscriptions:
            snap = Snapshot.build(settings.cloud, {})
        else:
            snap, scope = await asyncio.to_thread(_read, graph, scope, settings.cloud, notes)
        # shared by the workspaces: read once, beside their own reads (each workspace's facts wait for them)
        resolving = asyncio.ensure_future(arm.shared(snap, where.where.vnet_id))
        if snap.subscription_limit_hit:
            notes.append("Resource Graph cut the scope at its subscription limit (x-ms-tenant-subscription-limit-hit; "
                         "name subscriptions with -s or a management group to check the rest): the subscriptions "
                         "past the limit: not checked")
        probes = [p for p in select(catalog, settings.only, settings.skip) if p.id != "ctx.location"]
        base = Ctx(settings, catalog, probes, where, snap, arm, asyncio.Semaphore(WORKSPACES_AT_ONCE),
                   asyncio.Semaphore(options.arm_concurrency), asyncio.Semaphore(NETWORK_AT_ONCE), resolving)
        done, total = 0, len(snap.workspaces)

        async def one(row: dict[str, Any]) -> WorkspaceRun:
            nonlocal done
            result = await _workspace(base, row)
            done += 1
            if progress:
                progress(done, total)
            return result

        runs = await asyncio.gather(*(one(row) for row in snap.workspaces))
        await resolving
    finally:
        arm.close()
        graph.close()
        session.close()
    if where.where.in_azure and where.where.vnet_id:
        notes.insert(0, f"netcheck ran inside VNet {f.name_of(where.where.vnet_id)}")
    figures = {"workspaces": len(runs), "resource_graph_queries": snap.queries,
               "resource_graph_requests": snap.requests, "arm_requests": arm.requests,
               "arm_concurrency": options.arm_concurrency, "arm_paced_s": round(arm.pacer.waited_s, 3),
               "network_checked": sum(1 for r in runs if r.report is not None and r.network is None)}
    return FleetReport(__version__, started.isoformat(timespec="seconds").replace("+00:00", "Z"),
                       round((time.monotonic() - t0) * 1000), settings.cloud,
                       {"subscriptions": list(scope.subscriptions), "management_groups": list(scope.management_groups),
                        "where": scope.where}, tuple(runs), tuple(notes), figures)


def unchecked(report: FleetReport) -> bool:
    """Whether part of the scope could not be read (then the run can't say everything passed)."""
    return any(n.endswith(": not checked") for n in report.notes)


