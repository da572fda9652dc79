"""Diagnosis by first divergence, from hand-made facts and answers: each case of issue 14 comes out
with the right root cause (probe and subject as data) and the facts its fix needs."""

from __future__ import annotations

import dataclasses

from dnsworld import (
    AZURE,
    CUSTOM,
    IN_SPOKE,
    PE_ACR_ID,
    REGISTRY,
    SCORING,
    SERVER,
    SYSTEM,
    TARGETS,
    VAULT,
    WS_API,
    everywhere,
    nx,
    peering,
    private,
    public,
    refs,
    run,
    seen,
    spoke,
    with_custom_dns,
    wrong_for,
)
from facts import HUB, PE_WS_ID, RG, SPOKE, inventory, rid

from netcheck.azure.facts import ForwardingRule, InboundEndpoint, Inventory, RecordSet, Ruleset, Zone, ZoneGroup
from netcheck.diagnosis import model as m
from netcheck.diagnosis import remedy as fx
from netcheck.diagnosis.divergence import Diagnosis
from netcheck.subject import Resolver, Rule, ZoneLink, ZoneName

RULESET = rid("Microsoft.Network/dnsForwardingRulesets", "rs-hub")
ZONE_ID = rid("Microsoft.Network/privateDnsZones", "privatelink.api.azureml.ms")


def _ref(d: m.Divergence | None) -> str | None:
    return d.ref.text if d else None


def only_root(d: Diagnosis) -> m.Divergence:
    assert len(d.roots) == 1, [r.ref.text for r in d.roots]
    return d.roots[0]


def test_healthy_answers_have_no_divergence() -> None:
    d = run(with_custom_dns(), [*everywhere(SYSTEM), *everywhere(AZURE), *everywhere(SERVER)])
    assert d.roots == () and all(j.divergence is None for j in d.answers)


# ---- custom DNS servers ---------------------------------------------------------------------------


def _no_inference_forwarder() -> list[m.Seen]:
    """A whole-answer server forwarding every zone but inference.ml.azure.com: the scoring host is public."""
    answer = wrong_for(SCORING)
    # asked for the privatelink names too: they resolve privately (api.azureml.ms is forwarded)
    return [*everywhere(SYSTEM, answer), *everywhere(SERVER, answer), *everywhere(AZURE),
            *(seen(SERVER, t, private(t), name=t.private_name) for t in TARGETS)]


def test_a_server_missing_one_public_zone_is_named_with_exactly_that_forwarder() -> None:
    d = run(with_custom_dns(), _no_inference_forwarder())
    root = only_root(d)
    assert root.ref.text == f"dns.custom@{CUSTOM}"
    assert isinstance(root.remedy, fx.Forwarders)
    assert root.remedy.zones == ("inference.ml.azure.com",)   # api.azureml.ms is proven forwarded
    assert root.remedy.to == ("168.63.129.16",)
    assert root.remedy.instead_of == ()   # its privatelink name answers privately through api.azureml.ms
    assert _ref(d.cause_of(SYSTEM, SCORING.fqdn)) == _ref(d.cause_of(SERVER, SCORING.fqdn))   # the system answer, same root
    assert d.cause_of(SYSTEM, WS_API.fqdn) is None


def test_a_server_forwarding_the_privatelink_zones_instead_is_named_as_such() -> None:
    answers = [*everywhere(SYSTEM, public), *everywhere(SERVER, public), *everywhere(AZURE),
               *(seen(SERVER, t, private(t), name=t.private_name) for t in TARGETS)]   # asked for the privatelink names
    root = only_root(run(with_custom_dns(), answers))
    assert isinstance(root.remedy, fx.Forwarders)
    assert set(root.remedy.zones) == {"inference.ml.azure.com", "api.azureml.ms", "azurecr.io", "vault.azure.net",
                                      "vaultcore.azure.net"}
    assert set(root.remedy.instead_of) == {"privatelink.api.azureml.ms", "privatelink.azurecr.io",
                                           "privatelink.vaultcore.azure.net"}


def test_a_server_agreeing_with_a_wrong_azure_dns_is_not_blamed() -> None:
    zones = tuple(dataclasses.replace(z, links=()) if z.name == "privatelink.azurecr.io" else z
                  for z in inventory().zones)
    wrong = wrong_for(REGISTRY)
    d = run(with_custom_dns(inventory(zones=zones)), [*everywhere(SYSTEM, wrong), *everywhere(SERVER, wrong),
                                                      *everywhere(AZURE, wrong)])
    root = only_root(d)
    assert root.probe == "pdns.links"
    assert root.subject == ZoneLink("privatelink.azurecr.io", HUB)


def test_a_server_that_does_not_answer_is_its_own_root() -> None:
    dead = m.Answer(error="timeout")
    d = run(with_custom_dns(), [seen(SERVER, SCORING, dead), *everywhere(AZURE)])
    root = only_root(d)
    assert (root.ref.text, root.hop) == (f"dns.custom@{CUSTOM}", "no-answer")


def test_azure_dns_right_and_the_machines_resolver_wrong_blames_the_machines_resolver() -> None:
    d = run(inventory(), [*everywhere(SYSTEM, public), *everywhere(AZURE)])
    root = only_root(d)
    assert (root.probe, root.subject) == ("dns.system", SYSTEM)
    assert root.remedy == fx.UseVnetDns(resolver=SYSTEM.server, vnet_dns=("168.63.129.16",))


def test_custom_servers_right_and_the_machines_resolver_wrong_blames_the_machines_resolver() -> None:
    d = run(with_custom_dns(), [*everywhere(SYSTEM, public), *everywhere(SERVER), *everywhere(AZURE)])
    assert only_root(d).remedy == fx.UseVnetDns(resolver=SYSTEM.server, vnet_dns=(CUSTOM,))


# ---- where netcheck runs ----------------------------------------------------------------------------


def test_outside_azure_a_public_answer_is_rooted_where_netcheck_runs_with_the_zones_to_forward() -> None:
    inbound = InboundEndpoint(id=rid("Microsoft.Network/dnsResolvers", "dnspr-hub") + "/inboundEndpoints/in-hub",
                              name="in-hub", vnet_id=HUB, ips=("10.20.5.4",))
    d = run(inventory(inbound_endpoints=(inbound,)), everywhere(SYSTEM, public), where=None)
    root = only_root(d)
    assert root.ref.text == "ctx.location" and root.hop == "location"
    assert isinstance(root.remedy, fx.ForwardFromOutside)
    assert set(root.remedy.zones) == {"inference.ml.azure.com", "api.azureml.ms", "azurecr.io", "vault.azure.net",
                                      "vaultcore.azure.net"}
    assert root.remedy.inbound == (inbound,)
    assert set(root.names) == {t.fqdn for t in TARGETS}


def test_on_premises_forwarding_right_has_no_divergence() -> None:
    assert run(inventory(), everywhere(SYSTEM), where=None).roots == ()


# ---- DNS Private Resolver rulesets ------------------------------------------------------------------


def test_a_ruleset_rule_to_a_server_answering_publicly_is_the_root() -> None:
    rule = ForwardingRule(id=f"{RULESET}/forwardingRules/azureml", name="azureml", domain="azureml.ms",
                          targets=("192.168.10.4:53",))
    inv = inventory(rulesets=(Ruleset(id=RULESET, name="rs-hub", rules=(rule,), vnet_ids=(HUB,)),))
    in_azureml = wrong_for(SCORING, WS_API)
    d = run(inv, [*everywhere(SYSTEM, in_azureml), *everywhere(AZURE, in_azureml)])
    root = only_root(d)
    assert root.ref.text == "dns.custom@rs-hub/azureml"
    assert root.subject == Rule(RULESET, rule.id)
    assert isinstance(root.remedy, fx.RuleFix) and root.remedy.targets == ("192.168.10.4:53",)
    assert set(root.names) == {SCORING.fqdn, WS_API.fqdn}


# ---- flapping ---------------------------------------------------------------------------------------


def test_answers_that_flip_are_only_dns_stabilitys() -> None:
    flip = [seen(SERVER, SCORING, private(SCORING), private(SCORING), public(SCORING))]
    d = run(with_custom_dns(), [*flip, *everywhere(SERVER, targets=(WS_API, REGISTRY, VAULT)), *everywhere(AZURE)])
    root = only_root(d)
    assert root.ref.text == f"dns.stability@{CUSTOM}"
    assert isinstance(root.remedy, fx.Flapping) and len(root.remedy.rounds[SCORING.fqdn]) == 3


def test_one_public_sample_behind_a_flipping_server_is_the_flipping_servers() -> None:
    flip = seen(SERVER, SCORING, public(SCORING), private(SCORING))
    d = run(with_custom_dns(), [seen(SYSTEM, SCORING, public(SCORING)), flip, *everywhere(AZURE)])
    assert refs(d) == [f"dns.stability@{CUSTOM}"]
    assert _ref(d.cause_of(SYSTEM, SCORING.fqdn)) == _ref(d.cause_of(SERVER, SCORING.fqdn))


# ---- private zones ----------------------------------------------------------------------------------


def test_a_zone_linked_elsewhere_but_not_to_the_clients_vnet() -> None:
    inv = spoke(None, peering(SPOKE, HUB), peering(HUB, SPOKE))
    zones = tuple(dataclasses.replace(z, links=z.links[:1]) if z.name == "privatelink.api.azureml.ms" else z
                  for z in inv.zones)
    wrong = wrong_for(SCORING, WS_API)
    d = run(dataclasses.replace(inv, zones=zones), [*everywhere(AZURE, wrong)], where=IN_SPOKE)
    root = only_root(d)
    assert root.ref.text.startswith("pdns.links@") and root.subject == ZoneLink("privatelink.api.azureml.ms", SPOKE)
    assert root.remedy == fx.LinkZone(zone_id=ZONE_ID, zone="privatelink.api.azureml.ms", vnet_id=SPOKE,
                                      linked_to=(HUB,))


def test_two_zones_of_one_name_the_vnet_resolves_from_the_empty_one() -> None:
    other = rid("Microsoft.Network/privateDnsZones", "privatelink.api.azureml.ms", group="rg-network")
    healthy = next(z for z in inventory().zones if z.name == "privatelink.api.azureml.ms")
    empty = Zone(id=other, name=healthy.name, links=(dataclasses.replace(healthy.links[0], id=f"{other}/vnl/hub"),))
    zones = (empty, *(dataclasses.replace(z, links=()) if z is healthy else z for z in inventory().zones))
    group = ZoneGroup(id=f"{PE_WS_ID}/privateDnsZoneGroups/default", name="default", private_endpoint_id=PE_WS_ID,
                      zone_ids=(ZONE_ID,))
    wrong = wrong_for(SCORING, WS_API, answer=nx)
    root = only_root(run(inventory(zones=zones, zone_groups=(group,)), everywhere(AZURE, wrong)))
    assert root.ref.text == "pdns.zones@privatelink.api.azureml.ms"
    assert root.remedy == fx.DuplicateZone(zone="privatelink.api.azureml.ms", resolves_from=other,
                                           link_id=f"{other}/vnl/hub", writes_to=ZONE_ID, vnet_id=HUB)


def test_a_misnamed_zone_shadows_the_public_zone_and_its_fix_names_it() -> None:
    bad = rid("Microsoft.Network/privateDnsZones", "azurecr.io")
    right = next(z for z in inventory().zones if z.name == "privatelink.azurecr.io")
    misnamed = Zone(id=bad, name="azurecr.io", links=(dataclasses.replace(right.links[0], id=f"{bad}/vnl/hub"),))
    shadowed = wrong_for(REGISTRY, answer=lambda t: m.Answer(rcode="NXDOMAIN"))   # no CNAME: azurecr.io answers
    root = only_root(run(inventory(zones=(*inventory().zones, misnamed)), everywhere(AZURE, shadowed)))
    assert (root.probe, root.subject, root.hop) == ("pdns.zones", ZoneName("azurecr.io"), "shadow")
    assert root.remedy == fx.ShadowZone(zone_id=bad, zone="azurecr.io", link_ids=(f"{bad}/vnl/hub",), vnet_id=HUB,
                                        right_zone="privatelink.azurecr.io")


# ---- records and zone groups ------------------------------------------------------------------------

ACR_ZONE = rid("Microsoft.Network/privateDnsZones", "privatelink.azurecr.io")


def _without_acr_record() -> Inventory:
    zones = tuple(dataclasses.replace(z, records=z.records[1:]) if z.name == "privatelink.azurecr.io" else z
                  for z in inventory().zones)
    return inventory(zones=zones)


def test_a_private_endpoint_without_zone_group_gets_one_created() -> None:
    root = only_root(run(_without_acr_record(), everywhere(AZURE, wrong_for(REGISTRY, answer=nx))))
    assert root.ref.text == "pdns.records@crcontosoml.privatelink.azurecr.io"
    assert root.remedy == fx.ZoneGroupFix(action="create-group", private_endpoint_id=PE_ACR_ID, zone_id=ACR_ZONE,
                                          zone="privatelink.azurecr.io", record="crcontosoml",
                                          addresses=REGISTRY.addresses)


def test_a_zone_group_missing_the_zone_gets_it_added_never_recreated() -> None:
    vault_zone = rid("Microsoft.Network/privateDnsZones", "privatelink.vaultcore.azure.net")
    group = ZoneGroup(id=f"{PE_ACR_ID}/privateDnsZoneGroups/acr-zones", name="acr-zones", private_endpoint_id=PE_ACR_ID,
                      zone_ids=(vault_zone,))
    inv = dataclasses.replace(_without_acr_record(), zone_groups=(group,))
    root = only_root(run(inv, everywhere(AZURE, wrong_for(REGISTRY, answer=nx))))
    assert isinstance(root.remedy, fx.ZoneGroupFix)
    assert (root.remedy.action, root.remedy.group) == ("add-zone", "acr-zones")


def test_a_stale_record_says_its_address_the_nics_and_whether_it_answers() -> None:
    zones = tuple(dataclasses.replace(z, records=(RecordSet(name="crcontosoml", type="A", a=("10.20.1.99",)),
                                                  *z.records[1:]))
                  if z.name == "privatelink.azurecr.io" else z for z in inventory().zones)
    stale = wrong_for(REGISTRY, answer=lambda t: private(t, ("10.20.1.99",)))
    d = run(inventory(zones=zones), everywhere(AZURE, stale), connects={"10.20.1.99": False})
    root = only_root(d)
    assert (root.ref.text, root.hop) == ("pdns.records@crcontosoml.privatelink.azurecr.io", "record")
    assert root.remedy == fx.StaleRecord(zone_id=ACR_ZONE, record="crcontosoml", record_ips=("10.20.1.99",),
                                         nic_ips=REGISTRY.addresses, stale_answers={"10.20.1.99": False})


# ---- routes -----------------------------------------------------------------------------------------


def test_no_peering_creates_both_directions_with_the_real_vnet_ids() -> None:
    d = run(spoke(), everywhere(AZURE), where=IN_SPOKE, connects={a: False for t in TARGETS for a in t.addresses})
    root = only_root(d)
    assert root.ref.text == "net.peering@vnet-ml-hub"
    assert isinstance(root.remedy, fx.PeeringFix)
    assert [(s.vnet_id, s.remote_vnet_id, s.existing) for s in root.remedy.sides] == [(SPOKE, HUB, None),
                                                                                     (HUB, SPOKE, None)]
    assert set(root.names) == {t.fqdn for t in TARGETS}


def test_a_peering_not_connected_is_reconnected() -> None:
    d = run(spoke(None, peering(SPOKE, HUB, "Disconnected")), everywhere(AZURE), where=IN_SPOKE)
    root = only_root(d)
    assert isinstance(root.remedy, fx.PeeringFix)
    spoke_side, hub_side = root.remedy.sides
    assert spoke_side.existing is not None and spoke_side.existing.state == "Disconnected"
    assert hub_side.existing is None


def test_an_address_that_connects_anyway_is_not_blamed_on_peering() -> None:
    d = run(spoke(), everywhere(AZURE), where=IN_SPOKE, connects={SCORING.addresses[0]: True})
    assert SCORING.fqdn not in {n for r in d.roots for n in r.names}


def test_roots_merge_the_names_and_resolvers_they_explain() -> None:
    d = run(with_custom_dns(), _no_inference_forwarder())
    (root,) = d.roots
    assert set(root.seen_at) == {SYSTEM, SERVER} and root.names == (SCORING.fqdn,)
    assert RG in PE_WS_ID   # the facts are the healthy workspace's


def test_a_bad_rules_fix_offers_the_inbound_endpoints_that_resolve_privately() -> None:
    rule = ForwardingRule(id=f"{RULESET}/forwardingRules/azureml", name="azureml", domain="azureml.ms",
                          targets=("192.168.10.4:53",))
    # the hub's own inbound endpoint applies the hub's rules too; the spoke's links every zone, no ruleset
    hub = InboundEndpoint(id="/r/dnspr-hub/inboundEndpoints/in-hub", name="in-hub", vnet_id=HUB, ips=("10.20.5.4",))
    good = InboundEndpoint(id="/r/dnspr-x/inboundEndpoints/in-x", name="in-x", vnet_id=SPOKE, ips=("10.30.5.4",))
    inv = spoke(inventory(rulesets=(Ruleset(id=RULESET, name="rs-hub", rules=(rule,), vnet_ids=(HUB,)),),
                          inbound_endpoints=(hub, good)), peering(SPOKE, HUB), peering(HUB, SPOKE))
    root = only_root(run(inv, everywhere(AZURE, wrong_for(SCORING, WS_API))))
    assert isinstance(root.remedy, fx.RuleFix) and root.remedy.inbound == (good,)


def test_outside_azure_an_inbound_endpoint_whose_vnet_links_no_zone_is_not_offered() -> None:
    bare = InboundEndpoint(id="/r/dnspr-x/inboundEndpoints/in-x", name="in-x", vnet_id=SPOKE, ips=("10.30.5.4",))
    root = only_root(run(inventory(inbound_endpoints=(bare,)), everywhere(SYSTEM, public), where=None))
    assert isinstance(root.remedy, fx.ForwardFromOutside) and root.remedy.inbound == ()


def test_a_private_address_flipping_with_another_private_address_is_unstable_too() -> None:
    flip = seen(SERVER, SCORING, private(SCORING), private(SCORING, ("10.20.1.99",)))
    d = run(with_custom_dns(), [flip, *everywhere(AZURE)])
    assert refs(d) == [f"dns.stability@{CUSTOM}"]


def test_without_peering_and_zones_unlinked_the_missing_peering_comes_first() -> None:
    inv = spoke()
    zones = tuple(dataclasses.replace(z, links=z.links[:1]) for z in inv.zones)   # linked to the hub only
    d = run(dataclasses.replace(inv, zones=zones), everywhere(AZURE, public), where=IN_SPOKE)
    assert refs(d)[0] == "net.peering@vnet-ml-hub"
    assert {r.probe for r in d.roots[1:]} == {"pdns.links"}


def test_a_peering_is_not_blamed_when_the_private_endpoints_vnet_could_not_be_read() -> None:
    unread = dataclasses.replace(spoke(), vnets=tuple(v for v in spoke().vnets if v.id != HUB))
    d = run(unread, everywhere(AZURE), where=IN_SPOKE, connects={a: False for t in TARGETS for a in t.addresses})
    assert d.roots == ()


def test_a_wrong_answer_the_facts_cannot_explain_says_so_instead_of_guessing() -> None:
    d = run(inventory(), everywhere(AZURE, wrong_for(VAULT)))   # every hop the facts show is right
    root = only_root(d)
    assert (root.probe, root.hop) == ("dns.azure", "unexplained")
    assert root.remedy == fx.Unexplained(resolver=AZURE.server, kind="public")


def test_an_inbound_endpoint_asked_directly_is_azure_dns_of_its_vnet() -> None:
    inbound = InboundEndpoint(id="/r/dnspr-hub/inboundEndpoints/in-hub", name="in-hub", vnet_id=HUB, ips=("10.20.5.4",))
    zones = tuple(dataclasses.replace(z, links=()) if z.name == "privatelink.azurecr.io" else z
                  for z in inventory().zones)
    at_inbound = Resolver("custom", "10.20.5.4:53")
    d = run(inventory(zones=zones, inbound_endpoints=(inbound,)), everywhere(at_inbound, wrong_for(REGISTRY)),
            where=None)
    assert refs(d) == ["pdns.links@privatelink.azurecr.io → vnet-ml-hub"]   # not its forwarders: it has none


def test_a_silent_machine_resolver_in_front_of_a_dead_vnet_server_is_the_servers_fault() -> None:
    dead = m.Answer(error="timeout")
    d = run(with_custom_dns(), [seen(SYSTEM, SCORING, dead), seen(SERVER, SCORING, dead), *everywhere(AZURE)])
    assert refs(d) == [f"dns.custom@{CUSTOM}"]
    assert set(d.roots[0].seen_at) == {SYSTEM, SERVER}


def test_a_link_still_in_progress_is_named_as_pending_not_missing() -> None:
    zones = tuple(dataclasses.replace(z, links=(dataclasses.replace(z.links[0], state="InProgress"),))
                  if z.name == "privatelink.azurecr.io" else z for z in inventory().zones)
    root = only_root(run(inventory(zones=zones), everywhere(AZURE, wrong_for(REGISTRY))))
    assert isinstance(root.remedy, fx.LinkZone)
    assert root.remedy.linked_to == () and root.remedy.pending == (zones[2].links[0].id,)
