"""The facts the diagnosis needs beyond today's inventory, parsed from Microsoft's own example responses:
VNet peerings (both sides, every state), DNS forwarding rulesets with their rules and VNet links, DNS
Private Resolver inbound endpoints, private endpoint DNS zone groups by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from facts import inventory

from netcheck.azure import parse
from netcheck.azure.facts import Inventory, Peering

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "arm-examples"


def body(path: str) -> Any:
    return json.loads((EXAMPLES / path).read_text(encoding="utf-8"))["responses"]["200"]["body"]


def test_peerings_keep_every_state_and_their_own_vnet() -> None:
    items = body("network/2025-09-01/VirtualNetworkPeeringList.json")["value"]
    first = parse.peering(items[0])
    assert first.vnet_id.endswith("/virtualNetworks/vnet1") and first.remote_vnet_id.endswith("/virtualNetworks/vnet2")
    assert (first.state, first.sync_level, first.connected) == ("Initiated", "FullyInSync", False)
    one = parse.peering(body("network/2025-09-01/VirtualNetworkPeeringGet.json"))
    assert one.name == "peer" and one.allow_vnet_access


def test_a_vnets_inline_peerings_are_parsed_whatever_their_state() -> None:
    vnet = body("network/2025-09-01/VirtualNetworkGet.json")
    assert parse.peerings(vnet) == ()
    peered = {**vnet, "properties": {**vnet["properties"], "virtualNetworkPeerings": [
        {"id": f"{vnet['id']}/virtualNetworkPeerings/to-hub", "name": "to-hub",
         "properties": {"peeringState": "Disconnected", "remoteVirtualNetwork": {"id": "/x/virtualNetworks/hub"}}}]}}
    (p,) = parse.peerings(peered)
    assert (p.vnet_id, p.remote_vnet_id, p.state, p.connected) == (vnet["id"], "/x/virtualNetworks/hub",
                                                                   "Disconnected", False)


def test_a_ruleset_holds_its_rules_by_domain_and_the_vnets_linked_to_it() -> None:
    rules = body("dnsresolver/2025-05-01/ForwardingRule_List.json")["value"]
    links = body("dnsresolver/2025-05-01/VirtualNetworkLink_List.json")["value"]
    rs = parse.ruleset(body("dnsresolver/2025-05-01/DnsForwardingRuleset_Get.json"), rules, links)
    assert rs.name == "sampleDnsForwardingRuleset"
    first = rs.rules[0]
    assert (first.domain, first.targets, first.enabled) == ("contoso.com", ("10.0.0.1:53", "10.0.0.2:53"), True)
    assert rs.vnet_ids == ("/subscriptions/0403cfa9-9659-4f33-9f30-1f191c51d111/resourceGroups/"
                           "sampleVnetResourceGroupName/providers/Microsoft.Network/virtualNetworks/sampleVirtualNetwork",)
    disabled = parse.forwarding_rule({**rules[0], "properties": {**rules[0]["properties"],
                                                                  "forwardingRuleState": "Disabled"}})
    assert not disabled.enabled


def test_an_inbound_endpoint_answers_in_its_resolvers_vnet() -> None:
    endpoint = body("dnsresolver/2025-05-01/InboundEndpoint_Get.json")
    resolver = body("dnsresolver/2025-05-01/DnsResolver_Get.json")
    ep = parse.inbound_endpoint(endpoint, resolver)
    assert ep.ips == ("255.255.255.255",) and ep.vnet_id == resolver["properties"]["virtualNetwork"]["id"]
    assert parse.inbound_endpoint(endpoint).vnet_id.endswith("/sampleVnetResourceGroupName/providers/"
                                                             "Microsoft.Network/virtualNetworks/sampleVirtualNetwork")


def test_a_zone_group_is_known_by_name_with_the_zones_it_writes_to() -> None:
    group = parse.zone_group(body("network/2025-09-01/PrivateEndpointDnsZoneGroupGet.json"))
    assert group.name == "testPdnsgroup" and group.private_endpoint_id.endswith("/testPe")
    assert [z.rsplit("/", 1)[-1] for z in group.zone_ids] == ["zone1.com", "zone2.com"]


def test_the_new_facts_survive_a_collect_file_round_trip() -> None:
    peer = Peering(id="/v/a/virtualNetworkPeerings/p", name="p", vnet_id="/v/a", remote_vnet_id="/v/b",
                   state="Connected")
    rs = parse.ruleset(body("dnsresolver/2025-05-01/DnsForwardingRuleset_Get.json"),
                       body("dnsresolver/2025-05-01/ForwardingRule_List.json")["value"],
                       body("dnsresolver/2025-05-01/VirtualNetworkLink_List.json")["value"])
    inv = inventory(peerings=(peer,), rulesets=(rs,),
                    inbound_endpoints=(parse.inbound_endpoint(body("dnsresolver/2025-05-01/InboundEndpoint_Get.json")),),
                    zone_groups=(parse.zone_group(body("network/2025-09-01/PrivateEndpointDnsZoneGroupGet.json")),))
    assert Inventory.from_json(json.loads(json.dumps(inv.to_json()))) == inv
