"""The facts a fix needs, one kind per hop that can be wrong: what to forward where, which zone to
link, unlink or create, which zone group to add a zone to, which record is stale, which peerings to
create or reconnect."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from netcheck.azure.facts import InboundEndpoint, Peering


@dataclass(frozen=True, kw_only=True)
class Forwarders:
    """Forward these public zones on `server` to `to`; `instead_of`: privatelink zones it forwards now."""

    server: str
    zones: tuple[str, ...]
    to: tuple[str, ...]
    instead_of: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UseVnetDns:
    """This machine asks `resolver`, not its VNet's DNS (`vnet_dns`), which answers right."""

    resolver: str
    vnet_dns: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ForwardFromOutside:
    """Outside Azure: forward the public zones to an inbound endpoint (or a DNS forwarder) in the VNet."""

    zones: tuple[str, ...]
    inbound: tuple[InboundEndpoint, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RuleFix:
    """A ruleset rule sends the name out of Azure DNS, to servers that answer publicly."""

    ruleset_id: str
    rule_id: str
    domain: str
    targets: tuple[str, ...]
    inbound: tuple[InboundEndpoint, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LinkZone:
    zone_id: str
    zone: str
    vnet_id: str
    linked_to: tuple[str, ...] = ()      # the VNets it is linked to now
    pending: tuple[str, ...] = ()        # its links to this VNet that are not Completed (ids): wait, don't add one


@dataclass(frozen=True, kw_only=True)
class CreateZone:
    zone: str
    vnet_id: str
    private_endpoint_id: str | None = None
    group: str | None = None             # the endpoint's existing zone group to add it to


@dataclass(frozen=True, kw_only=True)
class DuplicateZone:
    """Two zones of one name: the VNet resolves from one, the private endpoint writes into the other."""

    zone: str
    resolves_from: str       # zone id, linked to the VNet
    link_id: str             # its link to the VNet: unlink it (or delete that zone)
    writes_to: str           # zone id the zone group writes to: link this one
    vnet_id: str


@dataclass(frozen=True, kw_only=True)
class ShadowZone:
    """A misnamed zone linked to the VNet answers for public names (e.g. azurecr.io for privatelink.azurecr.io)."""

    zone_id: str
    zone: str
    link_ids: tuple[str, ...]
    vnet_id: str
    right_zone: str | None   # the zone the name belongs in, to create/link if missing


@dataclass(frozen=True, kw_only=True)
class ZoneGroupFix:
    """The record is missing: `create-group` (the endpoint has none), `add-zone` (to its existing
    `group`, never recreated over the zones it holds) or `add-record` (the group holds the zone)."""

    action: str
    private_endpoint_id: str | None
    zone_id: str
    zone: str
    record: str
    group: str | None = None
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class StaleRecord:
    zone_id: str
    record: str
    record_ips: tuple[str, ...]
    nic_ips: tuple[str, ...]
    stale_answers: Mapping[str, bool | None] = field(default_factory=dict)   # record address -> it connects


@dataclass(frozen=True, kw_only=True)
class PeeringSide:
    vnet_id: str
    remote_vnet_id: str
    existing: Peering | None      # None: create it; not Connected: delete and create it again


@dataclass(frozen=True, kw_only=True)
class PeeringFix:
    client_vnet_id: str
    pe_vnet_id: str
    sides: tuple[PeeringSide, ...]


@dataclass(frozen=True, kw_only=True)
class Flapping:
    server: str
    rounds: Mapping[str, tuple[tuple[str, ...], ...]]   # name -> the addresses of each round


@dataclass(frozen=True, kw_only=True)
class NoAnswer:
    server: str
    error: str


@dataclass(frozen=True, kw_only=True)
class Unexplained:
    """The answer is wrong but every hop the facts describe is right: say so, don't guess."""

    resolver: str
    kind: str


Remedy = (Forwarders | UseVnetDns | ForwardFromOutside | RuleFix | LinkZone | CreateZone | DuplicateZone | ShadowZone
          | ZoneGroupFix | StaleRecord | PeeringFix | Flapping | NoAnswer | Unexplained)
