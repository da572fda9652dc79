"""Resolvers read once for a fleet: each workspace takes the rulesets linked to its VNets (or to an inbound
endpoint's), and a ruleset's unreadable rules only where a read of its own would have met them."""

from __future__ import annotations

from netcheck.azure import facts as f
from netcheck.azure import lists
from netcheck.azure.resolvers import Shared

NET = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network"
HUB, SPOKE, OTHER, DNS = (f"{NET}/virtualNetworks/{n}" for n in ("vnet-hub", "vnet-spoke", "vnet-other", "vnet-dns"))
RS_SPOKE, RS_OTHER, RS_DNS = (f"{NET}/dnsForwardingRulesets/{n}" for n in ("rs-spoke", "rs-other", "rs-dns"))
SHARED = Shared(
    inbound=(f.InboundEndpoint(id=f"{NET}/dnsResolvers/pr/inboundEndpoints/in", name="in", vnet_id=DNS,
                               ips=("10.30.0.4",)),),
    rulesets=(f.Ruleset(id=RS_SPOKE, name="rs-spoke", vnet_ids=(SPOKE,)),
              f.Ruleset(id=RS_DNS, name="rs-dns", vnet_ids=(DNS,))),
    linked_to={RS_SPOKE.lower(): {SPOKE.lower()}, RS_OTHER.lower(): {OTHER.lower()}, RS_DNS.lower(): {DNS.lower()}},
    errors=(f.ReadError(lists.forwarding_rules(RS_OTHER), "forbidden", "denied"),
            f.ReadError(lists.dns_resolvers("s2"), "throttled", "429")),
)


def test_a_workspace_takes_the_rulesets_linked_to_its_vnets_and_the_inbound_endpoints_vnet() -> None:
    assert [r.name for r in SHARED.rulesets_for({SPOKE.lower(), HUB.lower()})] == ["rs-spoke", "rs-dns"]
    assert [r.name for r in SHARED.rulesets_for({HUB.lower()})] == ["rs-dns"]


def test_unreadable_rules_reach_only_the_workspaces_linked_to_their_ruleset() -> None:
    assert [e.resource for e in SHARED.errors_for({HUB.lower()})] == [lists.dns_resolvers("s2")]
    assert len(SHARED.errors_for({OTHER.lower()})) == 2
