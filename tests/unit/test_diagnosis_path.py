"""The expected resolution path, from hand-made facts: which server answers, which zone, which record,
which address, which route."""

from __future__ import annotations

import dataclasses

from dnsworld import (
    AZURE,
    CUSTOM,
    FORWARDED,
    HUB_VNET,
    IN_HUB,
    IN_SPOKE,
    PE_ACR_ID,
    REGISTRY,
    SCORING,
    SERVER,
    SPOKE_VNET,
    SYSTEM,
    VAULT,
    peering,
    spoke,
    with_custom_dns,
)
from facts import HUB, SPOKE, inventory, rid

from netcheck.azure.facts import ForwardingRule, InboundEndpoint, Inventory, Ruleset
from netcheck.diagnosis import model as m
from netcheck.diagnosis import remedy as fx
from netcheck.diagnosis.path import Path, expected, forward_zones
from netcheck.subject import RecordName, Resolver, Rule, ZoneLink

DNS_HUB = rid("Microsoft.Network/virtualNetworks", "vnet-dns-hub")
RULESET = rid("Microsoft.Network/dnsForwardingRulesets", "rs-hub")


def kinds(path: Path) -> list[tuple[str, bool | None]]:
    return [(h.kind, h.ok) for h in path.hops]


def test_healthy_name_through_azure_dns_ends_at_the_nic_address_in_the_same_vnet() -> None:
    path = expected(inventory(), IN_HUB, AZURE, SCORING, FORWARDED)
    assert path.vnet_id == HUB
    assert kinds(path) == [("zone", True), ("record", True), ("route", True)]
    record = path.hops[1].subject
    assert isinstance(record, RecordName) and record.name.startswith("*.")   # the wildcard answers scoring hosts


def test_a_resource_without_private_endpoint_expects_its_public_chain() -> None:
    public_only = dataclasses.replace(REGISTRY, private_name=None, addresses=(), private_endpoint_id=None)
    inv = inventory(zones=tuple(z for z in inventory().zones if z.name != "privatelink.azurecr.io"))
    assert kinds(expected(inv, IN_HUB, AZURE, public_only, FORWARDED)) == [("public", True)]


def test_forwarders_are_the_public_zones_of_the_name_and_of_its_privatelink_name() -> None:
    assert forward_zones(SCORING, FORWARDED) == ("inference.ml.azure.com", "api.azureml.ms")
    assert forward_zones(VAULT, FORWARDED) == ("vault.azure.net", "vaultcore.azure.net")
    assert forward_zones(REGISTRY, FORWARDED) == ("azurecr.io",)


def test_the_system_resolver_goes_through_the_vnets_custom_servers_whose_forwarders_arm_does_not_show() -> None:
    path = expected(with_custom_dns(), IN_HUB, SYSTEM, SCORING, FORWARDED)
    server = path.hops[0]
    assert (server.kind, server.ok, server.subject) == ("server", None, Resolver("custom", CUSTOM))
    assert isinstance(server.remedy, fx.Forwarders) and server.remedy.to == ("168.63.129.16",)
    assert path.vnet_id == HUB   # the server sits in the hub: the hub's Azure DNS answers behind it


def test_outside_azure_the_first_hop_is_where_netcheck_runs() -> None:
    path = expected(inventory(), None, SYSTEM, SCORING, FORWARDED)
    assert kinds(path) == [("location", None)]
    assert path.hops[0].probe == "ctx.location"


def _resolver_hub(rule_target: str) -> Inventory:
    """A DNS Private Resolver in its own VNet holds the workspace zone's link; the hub's ruleset sends
    azureml.ms to `rule_target`."""
    inbound = InboundEndpoint(id=f"{rid('Microsoft.Network/dnsResolvers', 'dnspr-hub')}/inboundEndpoints/in-hub",
                              name="in-hub", vnet_id=DNS_HUB, ips=("10.40.0.4",))
    rule = ForwardingRule(id=f"{RULESET}/forwardingRules/azureml", name="azureml", domain="azureml.ms",
                          targets=(f"{rule_target}:53",))
    zones = tuple(dataclasses.replace(z, links=(dataclasses.replace(z.links[0], vnet_id=DNS_HUB),))
                  if z.name == "privatelink.api.azureml.ms" else z for z in inventory().zones)
    return inventory(zones=zones, inbound_endpoints=(inbound,),
                     rulesets=(Ruleset(id=RULESET, name="rs-hub", rules=(rule,), vnet_ids=(HUB,)),),
                     vnets=(HUB_VNET, dataclasses.replace(SPOKE_VNET, id=DNS_HUB, address_prefixes=("10.40.0.0/16",))))


def test_a_rule_to_an_inbound_endpoint_continues_in_that_vnets_zones() -> None:
    path = expected(_resolver_hub("10.40.0.4"), IN_HUB, AZURE, SCORING, FORWARDED)
    assert kinds(path) == [("rule", True), ("zone", True), ("record", True), ("route", True)]
    zone_link = path.hops[1].subject
    assert isinstance(zone_link, ZoneLink) and zone_link.vnet_id == DNS_HUB


def test_a_rule_to_a_server_outside_the_facts_is_a_hop_the_facts_cannot_judge() -> None:
    path = expected(_resolver_hub("192.168.10.4"), IN_HUB, AZURE, SCORING, FORWARDED)
    assert kinds(path) == [("rule", None), ("route", True)]
    assert path.hops[0].subject == Rule(RULESET, f"{RULESET}/forwardingRules/azureml")
    # the registry's names are not caught by the rule: they resolve from the hub's zones
    registry = expected(_resolver_hub("192.168.10.4"), IN_HUB, AZURE, REGISTRY, FORWARDED)
    assert [k for k, _ in kinds(registry)] == ["zone", "record", "route"]


def test_a_custom_server_elsewhere_resolves_through_its_own_vnets_azure_dns() -> None:
    inv = spoke(with_custom_dns(None, "10.30.0.4"), peering(SPOKE, HUB), peering(HUB, SPOKE))
    path = expected(inv, IN_HUB, Resolver("custom", "10.30.0.4:53"), SCORING, FORWARDED)
    assert path.vnet_id == SPOKE


def test_a_route_needs_a_peering_connected_on_both_sides() -> None:
    both = expected(spoke(None, peering(SPOKE, HUB), peering(HUB, SPOKE)), IN_SPOKE, AZURE, SCORING, FORWARDED)
    assert both.hops[-1].ok is True
    one = expected(spoke(None, peering(SPOKE, HUB), peering(HUB, SPOKE, "Disconnected")), IN_SPOKE, SERVER,
                   SCORING, FORWARDED)
    route = one.hops[-1]
    assert route.ok is False and isinstance(route.remedy, fx.PeeringFix)
    states = [(s.vnet_id, s.existing.state if s.existing else None) for s in route.remedy.sides]
    assert states == [(SPOKE, "Connected"), (HUB, "Disconnected")]


def test_the_names_that_matter_come_from_the_inventory_and_the_service_registry() -> None:
    from facts import ACR_ID, SUB, WS

    from netcheck.diagnosis.names import targets
    from netcheck.settings import Settings
    from netcheck.targets import from_inventory

    inv = inventory()
    found = {t.fqdn: t for t in targets(inv, from_inventory(inv, Settings(subscription=SUB, workspace=WS)))}
    assert found[SCORING.fqdn] == SCORING and found[REGISTRY.fqdn] == REGISTRY and found[VAULT.fqdn] == VAULT
    # a registry without a private endpoint: public DNS answers its public chain, no privatelink name
    public_acr = dataclasses.replace(inv, private_endpoints=tuple(p for p in inv.private_endpoints
                                                                  if p.id != PE_ACR_ID),
                                     zones=tuple(dataclasses.replace(z, records=()) if z.name == "privatelink.azurecr.io"
                                                 else z for z in inv.zones))
    no_pe = targets(public_acr, from_inventory(public_acr, Settings(subscription=SUB, workspace=WS)))
    assert next(t for t in no_pe if t.fqdn == REGISTRY.fqdn).private_name is None
    assert not public_acr.pes_for(ACR_ID)
    # a private endpoint netcheck does not read (the storage account's) shows by the record it registered
    storage = next(t for t in found.values() if t.fqdn.endswith(".blob.core.windows.net"))
    assert storage.private_name == "stcontosoml.privatelink.blob.core.windows.net" and storage.addresses == ()


def test_a_sovereign_clouds_forwarders_come_from_the_registry_for_that_cloud() -> None:
    china = m.Target(fqdn="crcontosoml.azurecr.cn", private_name="crcontosoml.privatelink.azurecr.cn",
                     addresses=("10.20.1.6",))
    inv = with_custom_dns(inventory(cloud="AzureChinaCloud"))
    server = expected(inv, IN_HUB, SERVER, china).hops[0]      # no zones given: the inventory's cloud's
    assert isinstance(server.remedy, fx.Forwarders) and server.remedy.zones == ("azurecr.cn",)
