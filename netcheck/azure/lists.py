"""The ARM lists netcheck reads, by their paths. A list that could not be read whole is a ReadError
in `Inventory.errors` under its path: these functions name it for the readers and the probes alike."""

from __future__ import annotations

from netcheck.azure.facts.ids import resource_id

SUBSCRIPTIONS = "/subscriptions"   # every subscription the credential can read


def workspaces(subscription: str, group: str) -> str:
    """A resource group's workspaces (a workspace's id is this and its name)."""
    return resource_id(subscription, group, "Microsoft.MachineLearningServices/workspaces")


def endpoints(workspace_id: str) -> str:
    return f"{workspace_id}/onlineEndpoints"


def deployments(endpoint_id: str) -> str:
    return f"{endpoint_id}/deployments"


def zones(subscription: str) -> str:
    """The private DNS zones of a subscription."""
    return f"/subscriptions/{subscription}/providers/Microsoft.Network/privateDnsZones"


def records(zone_id: str) -> str:
    return f"{zone_id}/ALL"


def links(zone_id: str) -> str:
    return f"{zone_id}/virtualNetworkLinks"


def pe_connections(resource_id: str) -> str:
    return f"{resource_id}/privateEndpointConnections"


def zone_groups(pe_id: str) -> str:
    return f"{pe_id}/privateDnsZoneGroups"


def vnets(subscription: str, group: str) -> str:
    return resource_id(subscription, group, "Microsoft.Network/virtualNetworks")


def policy_assignments(subscription: str) -> str:
    """A subscription's policy assignments: with no filter, those above it, at it, and inside it."""
    return f"/subscriptions/{subscription}/providers/Microsoft.Authorization/policyAssignments"


def rulesets(subscription: str) -> str:
    """The DNS forwarding rulesets of a subscription (a GET: never the VNet's POST listDnsForwardingRulesets)."""
    return f"/subscriptions/{subscription}/providers/Microsoft.Network/dnsForwardingRulesets"


def dns_resolvers(subscription: str) -> str:
    """The DNS Private Resolvers of a subscription (a GET: never the VNet's POST listDnsResolvers)."""
    return f"/subscriptions/{subscription}/providers/Microsoft.Network/dnsResolvers"


def forwarding_rules(ruleset_id: str) -> str:
    return f"{ruleset_id}/forwardingRules"


def ruleset_links(ruleset_id: str) -> str:
    return f"{ruleset_id}/virtualNetworkLinks"


def inbound_endpoints(resolver_id: str) -> str:
    return f"{resolver_id}/inboundEndpoints"
