"""DNS Private Resolver facts: the forwarding rulesets linked to the VNets that matter (their rules and
VNet links) and every resolver's inbound endpoints, read with GETs in each subscription the credential
reads (as zones are searched). The VNets' POST list actions are never sent: Resource Graph's query is
the only POST netcheck makes."""

from __future__ import annotations

import asyncio
from typing import Any

from netcheck.azure import facts as f
from netcheck.azure import lists, parse
from netcheck.azure.reader import Reader


def _raw(d: dict[str, Any]) -> dict[str, Any]:
    return d


async def _ruleset(r: Reader, raw: dict[str, Any], vnets: set[str]) -> f.Ruleset | None:
    """One ruleset, with its rules when it is linked to a VNet that matters (else its links only)."""
    rid = str(raw.get("id", ""))
    links = await r.list(lists.ruleset_links(rid), _raw)
    if links is None:
        return None
    linked = {str(lk.get("properties", {}).get("virtualNetwork", {}).get("id", "")).lower() for lk in links}
    if not linked & vnets:
        return None
    rules = await r.list(lists.forwarding_rules(rid), _raw)
    if rules is None:
        return None
    return r.parse(lists.forwarding_rules(rid), lambda: parse.ruleset(raw, rules, links))


async def rulesets(r: Reader, subscriptions: list[str], vnets: set[str]) -> tuple[f.Ruleset, ...]:
    """The rulesets linked to any of `vnets` (lower-case ids). An unreadable list is its path's error."""
    found = await asyncio.gather(*(r.list(lists.rulesets(s), _raw) for s in subscriptions))
    raws = [x for items in found for x in items or ()]
    read = await asyncio.gather(*(_ruleset(r, x, vnets) for x in raws))
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
