"""Plain frozen facts read from ARM. Probes judge these and never see an SDK object.

ids: taking resource ids apart; workspace: the workspace and its dependencies; network: private endpoints,
zones, VNets and DNS resolvers; inventory: all of it for one run, and its JSON round trip. Import from here.
"""

from netcheck.azure.facts.ids import group_id, group_of, name_of, parent, resource_id, vnet_of_subnet
from netcheck.azure.facts.inventory import INVENTORY_SCHEMA, Inventory, ReadError, load_inventory
from netcheck.azure.facts.network import (
    DnsConfig,
    ForwardingRule,
    InboundEndpoint,
    Location,
    Peering,
    PrivateEndpoint,
    RecordSet,
    Ruleset,
    Vnet,
    VnetLink,
    Zone,
    ZoneGroup,
)
from netcheck.azure.facts.workspace import (
    AccessRule,
    Cluster,
    Connection,
    Deployment,
    Endpoint,
    Linked,
    OutboundRule,
    PolicyAssignment,
    Registry,
    Storage,
    Vault,
    Workspace,
)

__all__ = [
    "INVENTORY_SCHEMA", "AccessRule", "Cluster", "Connection", "Deployment", "DnsConfig", "Endpoint", "ForwardingRule",
    "InboundEndpoint", "Inventory", "Linked", "Location", "OutboundRule", "Peering", "PolicyAssignment",
    "PrivateEndpoint", "ReadError", "RecordSet", "Registry", "Ruleset", "Storage", "Vault", "Vnet", "VnetLink",
    "Workspace", "Zone", "ZoneGroup",
    "group_id", "group_of", "load_inventory", "name_of", "parent", "resource_id", "vnet_of_subnet",
]
