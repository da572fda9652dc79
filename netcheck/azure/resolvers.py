"""DNS Private Resolver facts: the forwarding rulesets linked to the VNets that matter (their rules and
VNet links) and every resolver's inbound endpoints, read with GETs in each subscription the credential
reads (as zones are searched). The VNets' POST list actions are never sent: Resource Graph's query is
the only POST netcheck makes."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netcheck.azure import facts as f
from netcheck.azure import lists, parse
from netcheck.azure.reader import Reader


def _raw(d: dict[str, Any]) -> dict[str, Any]:
    return d


async def _ruleset(r: Reader, raw: dict[str, Any], vnets: set[str],
                   linked_to: dict[str, set[str]]) -> f.Ruleset | None:
    """One ruleset, with its rules when it is linked to a VNet that matters (else its links only)."""
    rid = str(raw.get("id", ""))
    links = await r.list(lists.ruleset_links(rid), _raw)
    if links is None:
        return None
    linked = {str(lk.get("properties", {}).get("virtualNetwork", {}).get("id", "")).lower() for lk in links}
    linked_to[rid.lower()] = linked
    if not linked & vnets:
        return None
    rules = await r.list(lists.forwarding_rules(rid), _raw)
    if rules is None:
        return None
    return r.parse(lists.forwarding_rules(rid), lambda: parse.ruleset(raw, rules, links))


async def rulesets(r: Reader, subscriptions: list[str], vnets: set[str],
                   linked_to: dict[str, set[str]] | None = None) -> tuple[f.Ruleset, ...]:
    """The rulesets linked to any of `vnets` (lower-case ids). An unreadable list is its path's error.
    `linked_to` gains each ruleset's linked VNets (id -> ids, lower case), its rules read or not."""
    found = await asyncio.gather(*(r.list(lists.rulesets(s), _raw) for s in subscriptions))
    raws = [x for items in found for x in items or ()]
    seen = {} if linked_to is None else linked_to
    read = await asyncio.gather(*(_ruleset(r, x, vnets, seen) for x in raws))
    return tuple(sorted((x for x in read if x), key=lambda x: x.id.lower()))


async def _endpoints(r: Reader, resolver: dict[str, Any]) -> list[f.InboundEndpoint]:
    rid = str(resolver.get("id", ""))
    eps = await r.list(lists.inbound_endpoints(rid), _raw)
    out = r.parse(lists.inbound_endpoints(rid), lambda: [parse.inbound_endpoint(e, resolver) for e in eps or ()])
    return out or []


async def inbound_endpoints(r: Reader, subscriptions: list[str]) -> tuple[f.InboundEndpoint, ...]:
    """Every DNS Private Resolver's inbound endpoints: where a server outside a VNet can forward to."""
    found = await asyncio.gather(*(r.list(lists.dns_resolvers(s), _raw) for s in subscriptions))
    eps = await asyncio.gather(*(_endpoints(r, x) for items in found for x in items or ()))
    return tuple(sorted((e for group in eps for e in group), key=lambda e: e.id.lower()))


async def read(r: Reader, subscriptions: list[str], vnets: set[str]) -> tuple[tuple[f.InboundEndpoint, ...],
                                                                          tuple[f.Ruleset, ...]]:
    """The inbound endpoints, and the rulesets linked to the VNets that matter: `vnets` (the client's, the
    private endpoints'...) and the inbound endpoints' own."""
    inbound = await inbound_endpoints(r, subscriptions)
    wanted = {v.lower() for v in (*vnets, *(e.vnet_id for e in inbound)) if v}
    return inbound, await rulesets(r, subscriptions, wanted)


@dataclass(frozen=True)
class Shared:
    """Resolvers read once for many workspaces (a fleet), each workspace taking what a read of its own would
    have: every inbound endpoint, the rulesets linked to its VNets, and the errors of the reads it makes."""

    inbound: tuple[f.InboundEndpoint, ...] = ()
    rulesets: tuple[f.Ruleset, ...] = ()
    linked_to: Mapping[str, set[str]] = field(default_factory=dict)   # ruleset id -> its linked VNets (lower)
    errors: tuple[f.ReadError, ...] = ()

    def linked(self, ruleset_id: str, vnets: set[str]) -> bool:
        return bool(self.linked_to.get(ruleset_id.lower(), set()) & vnets)

    def rulesets_for(self, vnets: set[str]) -> tuple[f.Ruleset, ...]:
        """The rulesets linked to `vnets` (lower-case ids) or to an inbound endpoint's VNet, as `read` finds."""
        wanted = vnets | {e.vnet_id.lower() for e in self.inbound}
        return tuple(r for r in self.rulesets if self.linked(r.id, wanted))

    def errors_for(self, vnets: set[str]) -> tuple[f.ReadError, ...]:
        """Every list's error but a ruleset's rules', which a workspace reads only when it is linked to `vnets`."""
        wanted = vnets | {e.vnet_id.lower() for e in self.inbound}
        rules = lists.forwarding_rules("").lower()
        return tuple(e for e in self.errors if not e.resource.lower().endswith(rules)
                     or self.linked(e.resource[:-len(rules)], wanted))


async def shared(r: Reader, subscriptions: list[str], vnets: set[str]) -> Shared:
    """`read` once for many workspaces: the rules of every ruleset linked to any of `vnets`."""
    inbound = await inbound_endpoints(r, subscriptions)
    wanted = {v.lower() for v in (*vnets, *(e.vnet_id for e in inbound)) if v}
    linked_to: dict[str, set[str]] = {}
    found = await rulesets(r, subscriptions, wanted, linked_to)
    # each path read here is a subscription's list of rulesets or resolvers, or under one of those
    kinds = tuple("/providers/" + p("").lower().split("/providers/")[1] for p in (lists.rulesets, lists.dns_resolvers))
    errors = sorted((e for e in r.errors.values() if any(k in e.resource.lower() for k in kinds)),
                    key=lambda e: e.resource.lower())
    return Shared(inbound, found, linked_to, tuple(errors))
