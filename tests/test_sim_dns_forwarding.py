"""How simulated DNS servers resolve, without sockets: forwarders, CNAME handling, flapping, public DNS."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from netcheck.sim.scenario import load
from netcheck.sim.world import World

SCORING = "ep-fraud.eastus.inference.ml.azure.com"
PRIVATELINK = "ep-fraud.3f8e2a71-5b9c-4d0e-a1f2-7c6b5e4d3a29.inference.eastus.privatelink.api.azureml.ms"


def world(name: str, server: dict[str, Any] | None = None) -> World:
    scenario = load(name)
    if server is not None:
        scenario = dataclasses.replace(scenario, dns_servers={"10.20.0.4": server})
    return World(scenario)


def ask(w: World, name: str, addr: str = "10.20.0.4") -> tuple[list[str], list[str], str]:
    server = w.network().server(addr)
    assert server is not None
    ans = server.resolve(name)
    return [t for _, t in ans.chain], ans.ips, ans.rcode


@pytest.mark.parametrize(("cname", "ip"), [("whole-answer", None), ("chase", "10.20.1.5")])
def test_a_forwarded_cname_is_taken_whole_or_chased(cname: str, ip: str | None) -> None:
    w = world("healthy", {"forward": ["api.azureml.ms"], "to": "azure", "cname": cname})
    chain, ips, _ = ask(w, SCORING)
    assert chain[0] == PRIVATELINK
    assert (ips == [ip]) if ip else not ips[0].startswith("10.")


def test_the_longest_zone_picks_the_forwarder() -> None:
    w = world("healthy", {"forward": {"azurecr.io": "azure", "eastus.data.azurecr.io": "public"}})
    assert ask(w, "crcontosoml.azurecr.io")[1] == ["10.20.1.10"]
    assert not ask(w, "crcontosoml.eastus.data.azurecr.io")[1][0].startswith("10.")
    assert not ask(w, "kv-contoso-ml.vault.azure.net")[1][0].startswith("10.")   # the default: public


def test_a_dead_forwarder_is_servfail_and_a_forwarding_loop_too() -> None:
    scenario = dataclasses.replace(load("healthy"), dns_servers={
        "10.20.0.4": {"forward": {"azurecr.io": "10.20.0.5", "vault.azure.net": "10.20.0.6"}},
        "10.20.0.5": {"down": True}, "10.20.0.6": {"default": "10.20.0.4"}})
    w = World(scenario)
    assert ask(w, "crcontosoml.azurecr.io")[2] == "SERVFAIL"
    assert ask(w, "kv-contoso-ml.vault.azure.net")[2] == "SERVFAIL"


@pytest.mark.parametrize(("flapping", "want"), [
    ({"pattern": "alternate"}, [True, False, True, False, True, False]),
    ({"pattern": "every-nth", "n": 3}, [True, True, False, True, True, False]),
])
def test_flapping_patterns_count_per_name(flapping: dict[str, Any], want: list[bool]) -> None:
    w = world("healthy", {"forward": ["azurecr.io", "vault.azure.net"], "to": "azure",
                          "flapping": {**flapping, "names": ["azurecr.io"], "other": "root-hints"}})
    assert [ask(w, "crcontosoml.azurecr.io")[1][0].startswith("10.") for _ in want] == want
    assert all(ask(w, "kv-contoso-ml.vault.azure.net")[1][0].startswith("10.") for _ in want)   # not listed


def test_public_dns_cnames_into_privatelink_only_for_resources_with_a_private_endpoint() -> None:
    healthy, bare = world("healthy"), world("acr-no-private-endpoint")
    assert healthy.resolve("crcontosoml.azurecr.io", None).chain[0][1] == "crcontosoml.privatelink.azurecr.io"
    chain = bare.resolve("crcontosoml.azurecr.io", None).chain
    assert len(chain) == 1 and ".privatelink." not in chain[0][1]
    assert bare.resolve("crcontosoml.privatelink.azurecr.io", None).rcode == "NOERROR"   # still a name on the internet
    assert healthy.resolve("nothing.privatelink.azurecr.io", None).rcode == "NXDOMAIN"


def test_an_on_premises_server_forwarding_to_an_inbound_endpoint_gets_the_resolver_vnets_answer() -> None:
    scenario = load("resolver-ruleset-public")
    zone = next(r["id"] for r in scenario.arm if r["id"].endswith("/privateDnsZones/privatelink.azurecr.io"))
    hub = next(r["id"] for r in scenario.arm if r["id"].endswith("/virtualNetworks/vnet-dns-hub"))
    link = {"id": f"{zone}/virtualNetworkLinks/link-vnet-dns-hub", "type": "Microsoft.Network/privateDnsZones/"
            "virtualNetworkLinks", "properties": {"virtualNetwork": {"id": hub}, "virtualNetworkLinkState": "Completed"}}
    w = World(dataclasses.replace(scenario, arm=(*scenario.arm, link), dns_servers={
        "192.168.10.4": {"forward": {"azurecr.io": "10.30.0.4", "vault.azure.net": "10.30.0.4"}, "default": "public"}}))
    assert ask(w, "crcontosoml.azurecr.io", "192.168.10.4")[1] == ["10.20.1.10"]   # linked to the resolver's VNet
    assert not ask(w, "kv-contoso-ml.vault.azure.net", "192.168.10.4")[1][0].startswith("10.")   # not linked there
