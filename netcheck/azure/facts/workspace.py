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
