"""The workspace side: the workspace, its endpoints and deployments, its registry, vault and other
dependencies, and the private endpoint connections they list."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


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
class Cluster:
    """The Kubernetes cluster behind a workspace compute, and the VNets its nodes resolve names in."""

    compute_id: str
    cluster_id: str | None = None       # AKS (Microsoft.ContainerService) or Arc (Microsoft.Kubernetes)
    vnet_ids: tuple[str, ...] = ()      # the node pools' subnets' VNets, or the AKS-managed VNet


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
class Linked:
    """A workspace dependency read through the service registry (netcheck.services), not a reader of its own."""

    service: str                          # its services.SERVICES key
    id: str
    name: str
    connections: tuple[Connection, ...] = ()
