"""The network side of discovery: private endpoints and their zone groups, private DNS zones (with their
records and links), VNets and both sides of their peerings. Discovery (netcheck.azure.discover) reads the
ML side and calls these as it learns each id."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from netcheck.azure import facts as f
from netcheck.azure import lists, parse
from netcheck.azure.reader import Reader
from netcheck.clouds import Cloud
from netcheck.settings import Settings


def split(resource_id: str) -> tuple[str, str, str]:
    """(subscription, resource group, name) of a resource id."""
    parts = resource_id.split("/")
    return parts[2], f.group_of(resource_id), parts[-1]


def as_json(d: dict[str, Any]) -> dict[str, Any]:
    """A read's answer kept as ARM's JSON, to be parsed once its parts are all read."""
    return d


def checked(validate: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Parse as raw JSON, after checking its shape in the read's thread."""
    def check(d: dict[str, Any]) -> dict[str, Any]:
        validate(d)
        return d
    return check


class NetworkReads:
    """Reads each network resource once, into the maps the Inventory is built from."""
    settings: Settings
    r: Reader
    cloud: Cloud
    pes: dict[str, f.PrivateEndpoint]
    zones: dict[str, f.Zone]
    vnets: dict[str, f.Vnet]
    zone_subscriptions: list[str]
    peerings: dict[str, tuple[f.Peering, ...]]
    zone_groups: dict[str, f.ZoneGroup]

    def pe(self, pe_id: str) -> None:
        """Read a private endpoint in a subscription we target (AML's egress PEs live in Microsoft's)."""
        if pe_id and split(pe_id)[0].lower() == (self.settings.subscription or "").lower():
            self.r.once(pe_id, lambda: self._pe(pe_id))

    async def _pe(self, pe_id: str) -> None:
        raw, zones = await asyncio.gather(self.r.get(pe_id, checked(parse.nic_ids)),
                                          self.r.list(lists.zone_groups(pe_id), as_json))
        if raw is None:
            return
        nics = await asyncio.gather(*(self.r.get(n, as_json) for n in parse.nic_ids(raw)))
        zone_ids = self.r.parse(lists.zone_groups(pe_id), lambda: parse.zone_ids(zones or []))
        groups = self.r.parse(lists.zone_groups(pe_id), lambda: [parse.zone_group(g) for g in zones or []])
        self.zone_groups.update((g.id.lower(), g) for g in groups or ())
        pe = self.r.parse(pe_id, lambda: parse.private_endpoint(raw, [n for n in nics if n], zone_ids or ()))
        if pe is None:
            return
        self.pes[pe.id.lower()] = pe
        if pe.vnet_id:
            self.route_vnet(pe.vnet_id)
        for z in pe.zone_ids:
            self.zone(z)

    async def subscription_zones(self) -> None:
        """The zones the cloud's services need, searched in every subscription the credential can read
        (hub-and-spoke keeps them in a connectivity subscription), the target's first."""
        target = self.settings.subscription or ""
        subs = await self.r.list(lists.SUBSCRIPTIONS, parse.subscription_id) or []
        self.zone_subscriptions = [target, *(s for s in subs if s.lower() != target.lower())]
        found = await asyncio.gather(*(self.r.list(lists.zones(s), as_json) for s in self.zone_subscriptions))
        # and any zone named like a public zone: linked to a VNet, it shadows every name under it there
        wanted = set(self.cloud.required_zones) | set(self.cloud.forwarded_zones)
        for sub, zones in zip(self.zone_subscriptions, found, strict=True):
            pairs = self.r.parse(lists.zones(sub), partial(parse.zone_list, zones or []))
            for name, zone_id in pairs or ():
                if name in wanted:
                    self.zone(zone_id)

    def zone(self, zone_id: str) -> None:
        self.r.once(zone_id, lambda: self._zone(zone_id))

    async def _zone(self, zone_id: str) -> None:
        """A zone known to exist (a list or a zone group named it), with its records and links; a list
        of them that could not be read is an error under its path, never an empty list."""
        records, links = await asyncio.gather(self.r.list(lists.records(zone_id), parse.record_set),
                                              self.r.list(lists.links(zone_id), parse.link))
        gone = self.r.errors.get(lists.records(zone_id))
        if records is None and gone and gone.reason == "not_found":
            return   # a zone group names a zone that no longer exists
        self.zones[zone_id.lower()] = f.Zone(zone_id, f.name_of(zone_id).lower(), tuple(records or ()),
                                             tuple(links or ()))
        for lk in links or ():
            self.vnet(lk.vnet_id)

    def vnet(self, vnet_id: str, any_subscription: bool = False) -> asyncio.Task[None] | None:
        if vnet_id and (any_subscription or split(vnet_id)[0].lower() == (self.settings.subscription or "").lower()):
            return self.r.once(vnet_id, lambda: self._vnet(vnet_id))
        return None

    async def _vnet(self, vnet_id: str) -> None:
        """A VNet with its peerings (inline in ARM's answer: a VNet read is one whose peerings are known)."""
        raw = await self.r.get(vnet_id, checked(lambda d: (parse.vnet(d), parse.peerings(d))))
        if raw:
            self.vnets[vnet_id.lower()] = parse.vnet(raw)
            self.peerings[vnet_id.lower()] = parse.peerings(raw)

    def route_vnet(self, vnet_id: str) -> None:
        """A VNet traffic leaves or reaches (the client's, a private endpoint's), in any subscription (hubs often
        live in a connectivity one), and the other side of each of its peerings: both must be Connected."""
        self.r.once(f"{vnet_id}#peering-sides", partial(self._remote_sides, vnet_id))

    async def _remote_sides(self, vnet_id: str) -> None:
        if task := self.vnet(vnet_id, any_subscription=True):
            await task
        for p in self.peerings.get(vnet_id.lower(), ()):
            self.vnet(p.remote_vnet_id, any_subscription=True)
