"""Everything read about one workspace, what could not be read and why, and its JSON round trip
(`netcheck collect` writes it, `--inventory` reads it back: docs/inventory.md)."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Inventory's field types must be importable here, not only for type checking: from_json resolves them
# with typing.get_type_hints in this module's namespace.
from netcheck.azure.facts.network import InboundEndpoint, Peering, PrivateEndpoint, Ruleset, Vnet, Zone, ZoneGroup
from netcheck.azure.facts.workspace import (
    Cluster,
    Endpoint,
    Linked,
    PolicyAssignment,
    Registry,
    Storage,
    Vault,
    Workspace,
)

INVENTORY_SCHEMA = "netcheck.inventory/1"


@dataclass(frozen=True)
class ReadError:
    """A resource netcheck could not read, classified at the boundary."""

    resource: str
    reason: str            # see azure/errors.py classify(): forbidden, not_found, throttled, malformed, paging...
    message: str
    status: int | None = None
    action: str | None = None
    scope: str | None = None
    principal: str | None = None   # the object id ARM named in AuthorizationFailed


@dataclass(frozen=True, kw_only=True)
class Inventory:
    cloud: str
    subscription: str
    resource_group: str
    workspace: Workspace | None
    endpoints: tuple[Endpoint, ...] = ()
    private_endpoints: tuple[PrivateEndpoint, ...] = ()
    zones: tuple[Zone, ...] = ()
    vnets: tuple[Vnet, ...] = ()
    registry: Registry | None = None
    vault: Vault | None = None
    errors: tuple[ReadError, ...] = ()
    missing_endpoints: tuple[str, ...] = ()
    known_endpoints: tuple[str, ...] = ()    # listed only to suggest a close name for a missing one
    clusters: tuple[Cluster, ...] = ()       # behind the Kubernetes endpoints
    linked: tuple[Linked, ...] = ()          # dependencies read through the service registry
    zone_subscriptions: tuple[str, ...] = ()  # where private DNS zones were searched (errors: where that failed)
    storage: Storage | None = None           # the workspace storage account
    policies: tuple[PolicyAssignment, ...] | None = None   # those that apply to the workspace; None: not read
    peerings: tuple[Peering, ...] = ()       # both sides of the peerings of the VNets read
    rulesets: tuple[Ruleset, ...] = ()       # DNS forwarding rulesets linked to the VNets read
    inbound_endpoints: tuple[InboundEndpoint, ...] = ()   # DNS Private Resolver inbound endpoints
    zone_groups: tuple[ZoneGroup, ...] = ()  # the private endpoints' DNS zone groups, by name
    hub: Workspace | None = None             # a Foundry project's hub, whose network the project uses

    @property
    def network_workspace(self) -> Workspace | None:
        """The workspace whose private endpoint, zones and managed VNet serve the target: a project's hub."""
        ws = self.workspace
        return self.hub if ws and ws.is_project and self.hub else ws

    def error_for(self, resource_id: str | None) -> ReadError | None:
        rid = (resource_id or "").lower()
        return next((e for e in self.errors if e.resource.lower() == rid), None)

    def zone(self, name: str) -> Zone | None:
        return next((z for z in self.zones if z.name.lower() == name.lower()), None)

    def vnet(self, vnet_id: str | None) -> Vnet | None:
        return next((v for v in self.vnets if vnet_id and v.id.lower() == vnet_id.lower()), None)

    def pes_for(self, resource_id: str | None) -> tuple[PrivateEndpoint, ...]:
        rid = (resource_id or "").lower()
        return tuple(p for p in self.private_endpoints if rid in (r.lower() for r in p.resource_ids))

    def to_json(self) -> dict[str, Any]:
        return {"schema": INVENTORY_SCHEMA, **dataclasses.asdict(self)}

    @classmethod
    def from_json(cls, data: Any) -> Inventory:
        """Raises ValueError saying what is wrong: a file a person gave us, not our own data."""
        if not isinstance(data, Mapping) or data.get("schema") != INVENTORY_SCHEMA:
            schema = data.get("schema") if isinstance(data, Mapping) else None
            raise ValueError(f"not a {INVENTORY_SCHEMA} file (schema is {schema!r})")
        body = {k: v for k, v in data.items() if k != "schema"}
        try:
            return typing.cast(Inventory, _build(cls, body))
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValueError(f"not a valid {INVENTORY_SCHEMA} file: {exc}") from None


def load_inventory(path: Path) -> Inventory:
    """A `netcheck collect` file, or ValueError saying what is wrong with it."""
    try:
        return Inventory.from_json(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ValueError(f"cannot read it: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None


def _build(tp: Any, value: Any) -> Any:
    """Rebuild a dataclass tree from `dataclasses.asdict` output, guided by the type hints."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, Mapping):
            raise TypeError(f"{tp.__name__} must be an object, not {value!r:.40}")
        required = [f.name for f in dataclasses.fields(tp)
                    if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
        if missing := [n for n in required if n not in value]:
            raise TypeError(f"{tp.__name__} lacks {', '.join(missing)}")
        hints = typing.get_type_hints(tp)
        return tp(**{f.name: _build(hints[f.name], value[f.name]) for f in dataclasses.fields(tp)
                     if f.name in value})
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return _build(inner[0], value)
    if origin is tuple:
        (item, _) = typing.get_args(tp)
        return tuple(_build(item, v) for v in value)
    if origin in (Mapping, dict) or tp is Mapping:
        return dict(value)
    return value
