"""What Resource Graph lacks, read through ARM for a whole fleet: one bound on the requests in flight for
every workspace together (`--arm-concurrency`), and each subscription's reads paced under ARM's limits.

ARM throttles reads per subscription and principal with a token bucket (250 requests, refilled at 25 a
second: learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling);
pacing each subscription's reads the same way keeps a fleet of hundreds from spending its 429s.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from netcheck import services
from netcheck.azure import facts as f
from netcheck.azure import lists, parse, resolvers
from netcheck.azure.discover import Discovery
from netcheck.azure.fleet import NETWORK_SIDE, WORKSPACE_SIDE, Snapshot
from netcheck.azure.reader import Reader
from netcheck.azure.session import Session
from netcheck.settings import Settings

DEFAULT_ARM_CONCURRENCY = 16
T = TypeVar("T")
BUCKET, REFILL_PER_S = 250, 25.0   # ARM's read bucket per subscription and principal


class Pacer:
    """A token bucket per subscription: a read waits for a token of its subscription's bucket."""

    def __init__(self, size: int = BUCKET, rate: float = REFILL_PER_S, clock: Callable[[], float] = time.monotonic):
        self.size, self.rate, self.clock = size, rate, clock
        self._buckets: dict[str, tuple[float, float]] = {}   # subscription -> (tokens, when counted)
        self.waited_s = 0.0

    async def take(self, subscription: str) -> None:
        """Take a token, waiting until it is there: a token taken ahead is a debt the next reads wait out too."""
        key, now = subscription.lower(), self.clock()
        tokens, then = self._buckets.get(key, (float(self.size), now))
        tokens = min(float(self.size), tokens + (now - then) * self.rate) - 1
        self._buckets[key] = (tokens, now)
        if tokens < 0:
            self.waited_s += -tokens / self.rate
            await asyncio.sleep(-tokens / self.rate)


@dataclass
class Side:
    """What ARM gave one workspace: its private endpoints' zone groups, its models, its outbound rules."""

    zone_groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)   # PE id (lower) -> raw groups
    models: dict[str, dict[str, Any]] = field(default_factory=dict)              # model id (lower) -> raw
    rules: dict[str, list[f.OutboundRule]] = field(default_factory=dict)    # workspace id (lower) -> rules
    clusters: list[f.Cluster] = field(default_factory=list)   # behind Kubernetes endpoints' computes
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)   # resources Resource Graph did not return
    errors: list[f.ReadError] = field(default_factory=list)


def _raw(d: dict[str, Any]) -> dict[str, Any]:
    return d


def _type(row: dict[str, Any]) -> str:
    return str(row.get("type", "")).lower()


class PacedReader(Reader):
    """The fleet's one Reader: every read, whoever makes it, within the fleet's bound, paced per subscription
    and counted in `requests` (a list's pages and retries are the SDK's)."""

    def __init__(self, session: Session, concurrency: int, pacer: Pacer):
        super().__init__(session, asyncio.Semaphore(concurrency), concurrency)
        self.pacer, self.requests = pacer, 0

    async def call(self, resource: str, fn: Callable[[], T]) -> T | None:
        await self.pacer.take(resource.split("/")[2] if resource.count("/") > 1 else "")   # its subscription
        self.requests += 1
        return await super().call(resource, fn)


class Early:
    """The private endpoints' zone group reads (most of a fleet's ARM reads), started while Resource Graph still
    pages: an endpoint's once its row has come and a connection names it in a workspace's row or in the row of
    that workspace's registry, vault, storage account or linked service, the same endpoints Snapshot.arm_reads
    names. `rows()` takes each page of a query as it comes, on the event loop."""

    def __init__(self, start: Callable[[str], object]) -> None:
        self.start = start                        # starts the read of a zone groups path
        self.owners: set[str] = set()             # ids (lower) of the workspaces and their dependencies
        self.others: dict[str, dict[str, Any]] = {}   # rows that may be an owner's, by id (lower)
        self.named: set[str] = set()              # private endpoint ids (lower) an owner's connections name
        self.pes: dict[str, str] = {}             # private endpoint id (lower) -> its id as its row spells it
        self.started: set[str] = set()

    def rows(self, query: str, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            try:
                self._take(query, row)
            except Exception:   # a row that doesn't parse: its workspace's own reads find it and say so
                continue
        for rid in [r for r in self.others if r in self.owners]:
            with contextlib.suppress(Exception):
                self.named |= {c.private_endpoint_id.lower() for c in parse.linked("", self.others.pop(rid)).connections}
        for pe in sorted((self.named & self.pes.keys()) - self.started):
            self.started.add(pe)
            self.start(f"{self.pes[pe]}/privateDnsZoneGroups")

    def _take(self, query: str, row: dict[str, Any]) -> None:
        rid = str(row.get("id") or "").lower()
        if query == "workspaces":
            ws = parse.workspace(row)
            self.owners |= {rid, *(d.lower() for d in (ws.container_registry, ws.key_vault, ws.storage_account) if d)}
            self.owners |= {d.lower() for svc in services.read_generically() if (d := svc.linked_id(row))}
            self.named |= {c.private_endpoint_id.lower() for c in ws.connections}
        elif query == "workspace_side" and _type(row) == "microsoft.network/privateendpoints":
            self.pes[rid] = str(row["id"])
        elif query == "workspace_side":
            self.others[rid] = row


class FleetArm:
    """The fleet's ARM reads, all through one PacedReader."""

    def __init__(self, session: Session, concurrency: int = DEFAULT_ARM_CONCURRENCY, pacer: Pacer | None = None):
        self.reader = PacedReader(session, concurrency, pacer or Pacer())
        self.pacer = self.reader.pacer
        self.early, self.concurrency = Early(self._queue), concurrency
        self._waiting: collections.deque[str] = collections.deque()
        self._early_reads, self._closed = 0, False

    def zone_groups(self, path: str) -> asyncio.Task[list[dict[str, Any]] | None]:
        """A private endpoint's zone groups, read once for the fleet."""
        return self.reader.once(path, lambda: self.items(path))

    def _queue(self, path: str) -> None:
        """An early read, started when fewer than the bound are under way: the reads workspaces wait for (the
        resolvers', the rest of their own) queue behind no more than that many."""
        if not self._closed:
            self._waiting.append(path)
            self._next()

    def _next(self) -> None:
        while self._waiting and self._early_reads < self.concurrency and not self._closed:
            path = self._waiting.popleft()
            if path.lower() not in self.reader.tasks:   # else a workspace's own reads started it
                self._early_reads += 1
                self.zone_groups(path).add_done_callback(self._done)

    def _done(self, _: object) -> None:
        self._early_reads -= 1
        self._next()

    @property
    def requests(self) -> int:
        return self.reader.requests

    async def get(self, path: str) -> dict[str, Any] | None:
        return await self.reader.get(path, _raw)

    async def items(self, path: str) -> list[dict[str, Any]] | None:
        return await self.reader.list(path, _raw)

    async def shared(self, snap: Snapshot, location_vnet: str | None = None) -> None:
        """What every workspace's Inventory takes its part of, read once for the fleet."""
        await asyncio.gather(self.resolvers(snap, location_vnet), self.policies(snap))

    async def policies(self, snap: Snapshot) -> None:
        """The policy assignments of each subscription holding a workspace, as a single run lists them (with
        those of its management groups); Snapshot.inventory keeps those that apply to the workspace."""
        subs = sorted({str(r["id"]).split("/")[2].lower() for r in snap.workspaces})
        paths = [lists.policy_assignments(s) for s in subs]
        found = await asyncio.gather(*(self.reader.list(p, parse.policy_assignment) for p in paths))
        snap.policies = {s: None if items is None else tuple(items) for s, items in zip(subs, found, strict=True)}
        snap.policy_errors = {s: e for s, p in zip(subs, paths, strict=True) if (e := self.reader.errors.get(p))}

    async def resolvers(self, snap: Snapshot, location_vnet: str | None = None) -> None:
        """The DNS Private Resolvers' facts every workspace's Inventory takes its part of (Snapshot.inventory),
        read once in each subscription Resource Graph returned a resource in: the rules of every ruleset linked
        to a VNet it returned, a private endpoint's, or this machine's."""
        if not snap.workspaces:
            return
        rows = [*snap.workspaces, *snap.rows.values()]
        subs = sorted({str(r["id"]).split("/")[2].lower() for r in rows if str(r.get("id", "")).count("/") > 2})
        vnets = {location_vnet or "", *(rid for rid, r in snap.rows.items() if _type(r) == NETWORK_SIDE[2])}
        vnets |= {f.vnet_of_subnet(str(((r.get("properties") or {}).get("subnet") or {}).get("id") or "")) or ""
                  for r in snap.rows.values() if _type(r) == WORKSPACE_SIDE[2]}
        snap.private_resolvers = await resolvers.shared(self.reader, subs, {v.lower() for v in vnets if v})

    async def side(self, snap: Snapshot, ws_row: dict[str, Any]) -> Side:
        """Every read `snap.arm_reads` names for a workspace, at once within the fleet's bound; then what those
        reads name in turn (a project's hub read through ARM: its rules and private endpoints)."""
        side, paths, done = Side(), list[str](), set[str]()
        for _ in range(3):
            for rid, raw in side.extra.items():
                snap.rows.setdefault(rid, raw)
            more = [p for p in dict.fromkeys(snap.arm_reads(ws_row)) if p.lower() not in done]   # each path once
            if not more:
                break
            done.update(p.lower() for p in more)
            paths += more
            await self._round(side, snap, more)
            if not side.extra:
                break   # nothing read that Resource Graph had not: nothing new to follow
        read = [*paths, *(c.cluster_id for c in side.clusters if c.cluster_id)]
        side.errors = [e for p in read if (e := self.reader.errors.get(p))]
        return side

    async def _round(self, side: Side, snap: Snapshot, paths: list[str]) -> None:
        async def one(path: str) -> None:
            low = path.lower()
            if low.endswith("/privatednszonegroups"):
                if (items := await self.zone_groups(path)) is not None:
                    side.zone_groups[low.rsplit("/", 1)[0]] = items
            elif low.endswith("/outboundrules"):
                items = await self.items(path)
                self.reader.errors.pop(path, None)   # the workspace's inline map stands in, as in a single run
                if items:
                    side.rules[low.rsplit("/", 1)[0]] = list(parse.outbound_rules(items))
            elif "/models/" in low:
                if (item := await self.get(path)) is not None:
                    side.models[low] = item
            elif "/computes/" in low:   # a Kubernetes endpoint's cluster and its nodes' VNets, as discovery reads them
                disc = Discovery(Settings(cloud=snap.cloud), self.reader.session, self.reader)
                disc.cluster(path)
                await self.reader.tasks[low]
                side.clusters += disc.clusters.values()
            elif (item := await self.get(path)) is not None:
                side.extra[low] = item

        await asyncio.gather(*(one(p) for p in paths))

    def close(self) -> None:
        self._closed = True   # a run that ends early (a failure, an interrupt) starts no more early reads
        self._waiting.clear()
        self.reader.close()


def inventory(snap: Snapshot, ws_row: dict[str, Any], side: Side, location_vnet: str | None = None) -> f.Inventory:
    """The workspace's Inventory from Resource Graph's rows and what ARM added, errors included; `location_vnet`:
    where netcheck runs."""
    for rid, raw in side.extra.items():
        snap.rows.setdefault(rid, raw)
    inv = snap.inventory(ws_row, side.zone_groups, side.models, side.rules, location_vnet)
    if side.clusters:
        inv = dataclasses.replace(inv, clusters=tuple(sorted(side.clusters, key=lambda c: c.compute_id.lower())))
    if side.errors:
        inv = dataclasses.replace(inv, errors=tuple(sorted({e.resource.lower(): e for e in [*inv.errors, *side.errors]}
                                                          .values(), key=lambda e: e.resource.lower())))
    return inv


def subscription_path(subscription: str) -> str:
    return f"{lists.SUBSCRIPTIONS}/{subscription}"
