"""Azure DNS Private Resolver in the simulator: served over ARM in Microsoft's own example shapes, and
answered from (rulesets linked to a VNet, inbound endpoints)."""

from __future__ import annotations

import copy
import dataclasses
import json
import ssl
import urllib.request
from typing import Any

import pytest
from conftest import ROOT

from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator

EXAMPLES = ROOT / "tests" / "data" / "arm-examples" / "dnsresolver" / "2025-05-01"
API = "api-version=2025-05-01"
RG = "/subscriptions/abdd4249-9f34-4cc6-8e42-c2e32110603e/resourceGroups/sampleResourceGroup/providers/Microsoft.Network"
RESOLVER = f"{RG}/dnsResolvers/sampleDnsResolver"
RULESET = f"{RG}/dnsForwardingRulesets/sampleDnsForwardingRuleset"


def example(name: str, item: int | None = None) -> dict[str, Any]:
    body = json.loads((EXAMPLES / name).read_text())["responses"]["200"]["body"]
    return copy.deepcopy(body["value"][item] if item is not None else body)


def resources() -> dict[str, dict[str, Any]]:
    """The examples as resources of one resolver; where an example's id leaves out its parent (SOURCES.md
    says which), the id is the one its GET URL names."""
    out = {
        RESOLVER: example("DnsResolver_Get.json"),
        f"{RESOLVER}/inboundEndpoints/sampleInboundEndpoint": example("InboundEndpoint_Get.json"),
        f"{RESOLVER}/outboundEndpoints/sampleOutboundEndpoint": example("OutboundEndpoint_Get.json"),
        RULESET: example("DnsForwardingRuleset_Get.json"),
        f"{RULESET}/forwardingRules/sampleForwardingRule": example("ForwardingRule_List.json", 0),
        f"{RULESET}/virtualNetworkLinks/sampleVirtualNetworkLink": example("VirtualNetworkLink_List.json", 0),
    }
    for rid, res in out.items():
        res["id"] = rid
    return out


def vnet(rid: str) -> dict[str, Any]:
    return {"id": rid, "name": rid.rsplit("/", 1)[1], "type": "Microsoft.Network/virtualNetworks", "location": "westus2",
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}


LINKED_VNET = example("VirtualNetworkLink_List.json", 0)["properties"]["virtualNetwork"]["id"]
RESOLVER_VNET = example("DnsResolver_Get.json")["properties"]["virtualNetwork"]["id"]


@pytest.fixture
def sim() -> Any:
    base = load("healthy")
    arm = base.arm + tuple(resources().values()) + (vnet(LINKED_VNET), vnet(RESOLVER_VNET))
    scenario = dataclasses.replace(base, arm=arm, dns_servers={
        "10.0.0.1": {"down": True}, "10.0.0.2": {"default": "public"}})
    with Simulator(scenario) as s:
        yield s


def get(sim: Simulator, path: str, method: str = "GET") -> Any:
    ctx = ssl.create_default_context(cafile=str(sim.ca_bundle))
    req = urllib.request.Request(f"{sim.arm.base_url}{path}?{API}", method=method,
                                 headers={"Authorization": f"Bearer {sim.token}"})
    with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
        return json.loads(resp.read())


def test_each_resolver_resource_is_served_as_microsoft_shows_it(sim: Simulator) -> None:
    for rid, res in resources().items():
        assert get(sim, rid) == res, rid


@pytest.mark.parametrize(("collection", "ids"), [
    (f"{RESOLVER}/inboundEndpoints", [f"{RESOLVER}/inboundEndpoints/sampleInboundEndpoint"]),
    (f"{RESOLVER}/outboundEndpoints", [f"{RESOLVER}/outboundEndpoints/sampleOutboundEndpoint"]),
    (f"{RULESET}/forwardingRules", [f"{RULESET}/forwardingRules/sampleForwardingRule"]),
    (f"{RULESET}/virtualNetworkLinks", [f"{RULESET}/virtualNetworkLinks/sampleVirtualNetworkLink"]),
    (f"{RG}/dnsResolvers", [RESOLVER]),
    (f"{RG}/dnsForwardingRulesets", [RULESET]),
])
def test_resolver_collections_are_listed(sim: Simulator, collection: str, ids: list[str]) -> None:
    page = get(sim, collection)
    assert [item["id"] for item in page["value"]] == ids
    assert page["value"][0] == resources()[ids[0]]


def test_a_vnets_resolvers_and_rulesets_are_listed_by_post_as_microsoft_shows(sim: Simulator) -> None:
    rulesets = get(sim, f"{LINKED_VNET}/listDnsForwardingRulesets", "POST")["value"]
    want = example("DnsForwardingRuleset_ListByVirtualNetwork.json", 0)
    assert rulesets[0].keys() == want.keys() and rulesets[0]["properties"].keys() == want["properties"].keys()
    assert rulesets == [{"id": RULESET, "properties": {"virtualNetworkLink": {
        "id": f"{RULESET}/virtualNetworkLinks/sampleVirtualNetworkLink"}}}]
    resolvers = get(sim, f"{RESOLVER_VNET}/listDnsResolvers", "POST")["value"]
    assert resolvers == [{"id": RESOLVER}] and example("DnsResolver_ListByVirtualNetwork.json", 0).keys() == {"id"}
    assert get(sim, f"{RESOLVER_VNET}/listDnsForwardingRulesets", "POST")["value"] == []
    assert sim.mutating_requests == []   # list actions only read


def test_a_linked_vnet_sends_the_rule_domain_to_the_first_target_that_answers(sim: Simulator) -> None:
    vnet = LINKED_VNET
    world = sim.world
    # contoso.com goes to 10.0.0.1 (down), then 10.0.0.2, which asks the internet: no such name there
    assert world.resolve("www.contoso.com", vnet).rcode == "NXDOMAIN"
    # other names and other VNets are untouched by the rule
    assert world.resolve("crcontosoml.azurecr.io", vnet).rcode == "NOERROR"


def test_a_rule_whose_targets_are_all_down_is_servfail() -> None:
    base = load("healthy")
    scenario = dataclasses.replace(base, arm=base.arm + tuple(resources().values()), dns_servers={
        "10.0.0.1": {"down": True}, "10.0.0.2": {"down": True}})
    vnet = example("VirtualNetworkLink_List.json", 0)["properties"]["virtualNetwork"]["id"]
    with Simulator(scenario) as s:
        assert s.world.resolve("www.contoso.com", vnet).rcode == "SERVFAIL"
        assert s.world.resolve("www.contoso.com", None).rcode == "NXDOMAIN"   # public DNS, no rule


def test_the_inbound_endpoint_is_a_dns_server_answering_as_azure_dns_of_its_vnet() -> None:
    sim = Simulator(load("resolver-ruleset-public"))
    with sim:
        assert "dns:10.30.0.4" in sim.ports
        assert ((("10.30.0.4", 53), ("127.0.0.1", sim.ports["dns:10.30.0.4"]))) in sim.connect_to()
        hub = sim.world.network().server("10.30.0.4")
        assert hub is sim.world.network().azure(
            "/subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b/resourcegroups/rg-mlops-prod/providers/"
            "microsoft.network/virtualnetworks/vnet-dns-hub")
