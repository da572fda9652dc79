"""Plain frozen facts read from ARM. Probes judge these and never see an SDK object."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INVENTORY_SCHEMA = "netcheck.inventory/1"


def parent(resource_id: str, levels: int = 2) -> str:
    """`/a/b/c/d` -> `/a/b` for levels=2: the id of the resource a child belongs to."""
    return "/".join(resource_id.split("/")[: -levels]) if resource_id else ""


def name_of(resource_id: str | None) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1] if resource_id else ""


def group_of(resource_id: str) -> str:
    parts = resource_id.split("/")
    lower = [p.lower() for p in parts]
    return parts[lower.index("resourcegroups") + 1] if "resourcegroups" in lower else ""


def vnet_of_subnet(subnet_id: str | None) -> str | None:
    return parent(subnet_id) if subnet_id else None


@dataclass(frozen=True)
class Connection:
    """A private endpoint connection as the target resource (workspace, registry, vault) lists it."""

    id: str
    name: str
    private_endpoint_id: str
    status: str
    description: str = ""


@dataclass(frozen=True)
class OutboundRule:
    """A managed VNet outbound rule (`managedNetwork.outboundRules`): what it lets the managed VNet reach."""

    name: str
    type: str                       # FQDN | ServiceTag | PrivateEndpoint
    destination: str                # the FQDN, the service tag, or the PE's target resource id
    status: str                     # Active | Inactive
    category: str = ""              # Required | Recommended | UserDefined | Dependency
    subresource: str | None = None  # a PrivateEndpoint rule's target group id (blob, vault, amlworkspace...)
    error: str | None = None        # errorInformation, when Azure says why the rule is not active


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    location: str
    guid: str
    v1_legacy_mode: bool
    public_network_access: str
    isolation_mode: str | None
    managed_network_status: str | None
    image_build_compute: str | None
    container_registry: str | None
    key_vault: str | None
    storage_account: str | None
    connections: tuple[Connection, ...] = ()
    notebook_fqdn: str | None = None
    tenant_id: str | None = None     # identity.tenantId: a storage resource instance rule names it
    kind: str = "Default"                  # Default | Hub | Project | FeatureStore (the resource's `kind`)
    hub_id: str | None = None              # a Project's hub (properties.hubResourceId)
    provision_network_now: bool = False    # properties.provisionNetworkNow
    firewall_sku: str | None = None        # managedNetwork.firewallSku (FQDN rules run on an Azure Firewall)
    outbound_rules: tuple[OutboundRule, ...] = ()

    @property
    def is_project(self) -> bool:
        return self.kind.lower() == "project"


@dataclass(frozen=True)
class Deployment:
    id: str
    name: str
    state: str
    compute_type: str
    egress_public_network_access: str
    model: str | None
    is_mlflow: bool


@dataclass(frozen=True)
class Endpoint:
    id: str
    name: str
    state: str
    compute_type: str
    scoring_uri: str | None
    public_network_access: str
    auth_mode: str
    traffic: Mapping[str, int] = field(default_factory=dict)
    mirror_traffic: Mapping[str, int] = field(default_factory=dict)
    deployments: tuple[Deployment, ...] = ()
    compute_id: str | None = None   # a Kubernetes endpoint's workspace compute


@dataclass(frozen=True)
class DnsConfig:
    fqdn: str
    ips: tuple[str, ...]


@dataclass(frozen=True)
class PrivateEndpoint:
    id: str
    name: str
    subnet_id: str | None
    resource_ids: tuple[str, ...]          # what it connects to (privateLinkServiceId)
    group_ids: tuple[str, ...]
    status: str                             # its connection's state, as the PE sees it
    custom_dns: tuple[DnsConfig, ...] = ()  # properties.customDnsConfigs
    nic_dns: tuple[DnsConfig, ...] = ()     # NIC ipConfigurations privateLinkConnectionProperties.fqdns
    zone_ids: tuple[str, ...] = ()          # from its private DNS zone groups

    @property
    def vnet_id(self) -> str | None:
        return vnet_of_subnet(self.subnet_id)

    @property
    def dns(self) -> tuple[DnsConfig, ...]:
        """The ground truth for a name's private IP: the NIC's view, else customDnsConfigs."""
        return self.nic_dns or self.custom_dns


@dataclass(frozen=True)
class RecordSet:
    name: str
    type: str
    a: tuple[str, ...] = ()
    cname: str | None = None


@dataclass(frozen=True)
class VnetLink:
    id: str
    name: str
    vnet_id: str
    state: str
    registration: bool = False
    resolution_policy: str = "Default"


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    records: tuple[RecordSet, ...] = ()
    links: tuple[VnetLink, ...] = ()


@dataclass(frozen=True)
class Vnet:
    id: str
    name: str
    address_prefixes: tuple[str, ...] = ()
    dns_servers: tuple[str, ...] = ()
    peerings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cluster:
    """The Kubernetes cluster behind a workspace compute, and the VNets its nodes resolve names in."""

    compute_id: str
    cluster_id: str | None = None       # AKS (Microsoft.ContainerService) or Arc (Microsoft.Kubernetes)
    vnet_ids: tuple[str, ...] = ()      # the node pools' subnets' VNets, or the AKS-managed VNet
    service_cidrs: tuple[str, ...] = ()   # AKS networkProfile: ClusterIP services take addresses from these
    pod_cidrs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Registry:
    id: str
    name: str
    location: str
    login_server: str
    public_network_access: str
    default_action: str
    data_endpoint_enabled: bool
    data_endpoint_hosts: tuple[str, ...] = ()
    connections: tuple[Connection, ...] = ()
    bypass_options: str = "AzureServices"     # networkRuleBypassOptions: trusted Azure services
    tasks_bypass: bool = False                # networkRuleBypassAllowedForTasks (ACR 2025-11-01)

    @property
    def private(self) -> bool:
        return self.public_network_access == "Disabled" or self.default_action == "Deny"


@dataclass(frozen=True)
class Vault:
    id: str
    name: str
    uri: str
    public_network_access: str
    default_action: str | None
    bypass: str | None
    connections: tuple[Connection, ...] = ()


@dataclass(frozen=True)
class AccessRule:
    """A storage resource instance rule: this resource (in this tenant) passes the firewall."""

    resource_id: str
    tenant_id: str = ""


@dataclass(frozen=True, kw_only=True)
class Storage:
    """The workspace storage account's network side (Microsoft.Storage storageAccounts)."""

    id: str
    name: str
    public_network_access: str = "Enabled"   # absent: the network rules decide
    default_action: str = "Allow"
    bypass: str = "AzureServices"            # a comma-separated set: AzureServices, Logging, Metrics or None
    ip_rules: tuple[str, ...] = ()
    access_rules: tuple[AccessRule, ...] = ()
    connections: tuple[Connection, ...] = ()

    def lets_through(self, resource_id: str) -> bool:
        """A resource instance rule admits it: its exact id, or a wildcard over its type or group."""
        rid = resource_id.lower()
        return any(rid == (r := a.resource_id.lower()) or (r.endswith("/*") and rid.startswith(r[:-1]))
                   for a in self.access_rules)


@dataclass(frozen=True, kw_only=True)
class PolicyAssignment:
    """A policy assignment that applies to the workspace (at its subscription, group, itself, or above)."""

    id: str
    name: str
    display_name: str = ""
    scope: str = ""
    definition_id: str = ""
    effect: str | None = None            # parameters.effect.value; None: the definition's default
    enforcement: str = "Default"         # DoNotEnforce: evaluated, never denies
    not_scopes: tuple[str, ...] = ()

    def applies_to(self, resource_id: str) -> bool:
        rid = resource_id.lower().rstrip("/") + "/"
        inside = self.scope.lower().startswith("/providers/microsoft.management/") or rid.startswith(
            self.scope.lower().rstrip("/") + "/")
        return inside and not any(rid.startswith(n.lower().rstrip("/") + "/") for n in self.not_scopes)


@dataclass(frozen=True)
class Linked:
    """A workspace dependency read through the service registry (netcheck.services), not a reader of its own."""

    service: str                          # its services.SERVICES key
    id: str
    name: str
    connections: tuple[Connection, ...] = ()


@dataclass(frozen=True)
class Location:
    """Where netcheck runs, from IMDS and the VM's NIC."""

    vm_id: str
    private_ip: str
    nic_id: str | None = None
    subnet_id: str | None = None

    @property
    def vnet_id(self) -> str | None:
        return vnet_of_subnet(self.subnet_id)


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
class Peering:
    """One side of a VNet peering (a child of `vnet_id`). Traffic flows only when both sides are Connected."""

    id: str
    name: str
    vnet_id: str
    remote_vnet_id: str
    state: str                   # peeringState: Initiated | Connected | Disconnected
    sync_level: str = ""         # peeringSyncLevel: FullyInSync | LocalNotInSync | RemoteNotInSync | ...
    allow_vnet_access: bool = True

    @property
    def connected(self) -> bool:
        return self.state == "Connected" and self.allow_vnet_access


@dataclass(frozen=True, kw_only=True)
class ForwardingRule:
    """A DNS Private Resolver forwarding rule: names under `domain` go to `targets` (address:port)."""

    id: str
    name: str
    domain: str                   # lower case, without the trailing dot
    targets: tuple[str, ...] = ()  # "10.0.0.4:53"
    state: str = "Enabled"        # forwardingRuleState

    @property
    def enabled(self) -> bool:
        return self.state == "Enabled"


@dataclass(frozen=True, kw_only=True)
class Ruleset:
    """A DNS forwarding ruleset, its rules and the VNets linked to it (whose Azure DNS applies the rules)."""

    id: str
    name: str
    rules: tuple[ForwardingRule, ...] = ()
    vnet_ids: tuple[str, ...] = ()
    link_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class InboundEndpoint:
    """A DNS Private Resolver inbound endpoint: its addresses answer as Azure DNS of the resolver's VNet."""

    id: str
    name: str
    vnet_id: str
    ips: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ZoneGroup:
    """A private endpoint's private DNS zone group: the zones it writes the endpoint's records into."""

    id: str
    name: str
    private_endpoint_id: str
    zone_ids: tuple[str, ...] = ()


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
    policies: tuple[PolicyAssignment, ...] = ()   # policy assignments that apply to the workspace
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
