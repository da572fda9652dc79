"""The simulator's network at the wire, seen by real clients (openssl s_client, curl): routing between VNets,
the public side, the TLS chain Azure sends, wildcard names, HTTP details; and no crash goes unseen."""

from __future__ import annotations

import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import dns.message
import dns.query
import pytest

from netcheck.sim.crashes import SimulatorCrash
from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator

SCORING = "ep-fraud.eastus.inference.ml.azure.com"
REGISTRY = "crcontosoml.azurecr.io"
RG = "/subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b/resourceGroups/rg-mlops-prod/providers"
HUB = f"{RG}/Microsoft.Network/virtualNetworks/vnet-ml-hub"
SPOKE = f"{RG}/Microsoft.Network/virtualNetworks/vnet-ml-spoke"
SCORING_PE = "10.20.1.5"   # the workspace private endpoint's inference address
REGISTRY_PE = "10.20.1.10"

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def port_for(sim: Simulator, addr: str, port: int = 443) -> int:
    """The loopback port a connection to addr:port really reaches (the route netcheck is given)."""
    return int(sim.settings().route(addr, port)[1])


def public_address(sim: Simulator, host: str) -> str:
    """What public DNS answers for a host: the address the internet reaches it at."""
    ips = sim.world.resolve(host, None).ips
    assert ips and not ips[0].startswith("10."), ips
    return str(ips[0])


def curl(sim: Simulator, host: str, addr: str, path: str = "/", *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["curl", "-sS", "--max-time", "20", "--connect-timeout", "2", "--cacert", str(sim.ca_bundle),
                           "--connect-to", f"{host}:443:127.0.0.1:{port_for(sim, addr)}", *extra,
                           f"https://{host}{path}"], capture_output=True, text=True, timeout=60)


def s_client(sim: Simulator, host: str, addr: str) -> str:
    r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port_for(sim, addr)}", "-servername", host,
                        "-CAfile", str(sim.ca_bundle), "-verify_hostname", host, "-showcerts"],
                       input="", capture_output=True, text=True, timeout=60)
    return r.stdout


def scenario_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text("scenario: 1\nname: t\nsummary: t\n" + text)
    return str(path)


def spoke_peerings(spoke_state: str | None, hub_state: str | None) -> str:
    """A scenario on client-vnet-not-peered with the given peering state on each side (None: no peering)."""
    def peering(owner: str, remote: str, state: str | None) -> str:
        if state is None:
            return ""
        return (f'  - id: "*/virtualNetworks/{owner.rsplit("/", 1)[1]}"\n    set:\n'
                f"      properties.virtualNetworkPeerings:\n        - name: p\n"
                f"          id: {owner}/virtualNetworkPeerings/p\n"
                f"          properties: {{peeringState: {state}, remoteVirtualNetwork: {{id: {remote}}}}}\n")
    return "base: client-vnet-not-peered\npatch:\n" + peering(SPOKE, HUB, spoke_state) + peering(HUB, SPOKE, hub_state)


# ---- routing ---------------------------------------------------------------------------------------------
def test_private_address_answers_in_its_own_vnet_and_times_out_from_an_unpeered_one(sim_factory: Any) -> None:
    healthy = sim_factory("healthy")
    assert port_for(healthy, SCORING_PE) == healthy.ports["tls"]
    apart = sim_factory("client-vnet-not-peered")
    assert port_for(apart, SCORING_PE) == apart.ports["blackhole"]
    assert port_for(apart, SCORING_PE, 80) == apart.ports["blackhole"]


@pytest.mark.parametrize(("spoke", "hub", "reachable"), [
    ("Connected", "Connected", True),
    ("Connected", None, False),            # one side only: the peering carries nothing
    ("Disconnected", "Connected", False),
    ("Initiated", None, False),
])
def test_a_peering_carries_traffic_only_when_connected_on_both_sides(
        tmp_path: Path, spoke: str, hub: str | None, reachable: bool) -> None:
    with Simulator(load(scenario_file(tmp_path, spoke_peerings(spoke, hub)))) as sim:
        assert (port_for(sim, SCORING_PE) == sim.ports["tls"]) is reachable
        assert (port_for(sim, SCORING_PE) == sim.ports["blackhole"]) is not reachable


def test_blackhole_drops_one_flow_from_one_source_vnet(tmp_path: Path) -> None:
    text = (f"base: healthy\nblackhole:\n  - {{from: {HUB}, to: {REGISTRY_PE}/32, port: 443}}\n"
            f"  - {{from: {SPOKE}, to: 10.20.1.0/24}}\n")   # another source: no effect here
    with Simulator(load(scenario_file(tmp_path, text))) as sim:
        assert port_for(sim, REGISTRY_PE) == sim.ports["blackhole"]
        assert port_for(sim, REGISTRY_PE, 80) == sim.ports["http"]
        assert port_for(sim, SCORING_PE) == sim.ports["tls"]


def test_outside_azure_every_private_address_times_out_and_public_ones_reach_the_public_side(
        sim_factory: Any) -> None:
    sim = sim_factory("outside-azure")
    assert port_for(sim, SCORING_PE) == sim.ports["blackhole"]
    assert port_for(sim, public_address(sim, SCORING)) == sim.ports["tls-public"]


@needs_curl
def test_curl_times_out_on_an_unpeered_private_endpoint(sim_factory: Any) -> None:
    sim = sim_factory("client-vnet-not-peered")
    r = curl(sim, SCORING, SCORING_PE, "/swagger.json")
    assert r.returncode == 28, r.stderr   # curl: operation timed out (the SYN is never answered)


@needs_curl
def test_the_public_side_of_a_private_registry_and_endpoint_answers_403(sim_factory: Any) -> None:
    sim = sim_factory("healthy")
    r = curl(sim, REGISTRY, public_address(sim, REGISTRY), "/v2/", "-w", "\n%{http_code}")
    assert r.stdout.endswith("\n403") and "client with IP" in r.stdout and "is not allowed access" in r.stdout
    r = curl(sim, SCORING, public_address(sim, SCORING), "/swagger.json", "-w", "\n%{http_code}")
    assert r.stdout.endswith("\n403") and "denied based on workspace private link configuration" in r.stdout
    # the same hosts through their private endpoints answer as usual
    assert curl(sim, REGISTRY, REGISTRY_PE, "/v2/", "-o", "/dev/null", "-w", "%{http_code}").stdout == "401"
    assert curl(sim, SCORING, SCORING_PE, "/swagger.json", "-o", "/dev/null", "-w", "%{http_code}").stdout == "404"


# ---- TLS as Azure sends it -------------------------------------------------------------------------------
@needs_openssl
def test_the_server_sends_leaf_and_intermediate_under_a_wildcard(sim_factory: Any) -> None:
    sim = sim_factory("healthy")
    out = s_client(sim, SCORING, SCORING_PE)
    assert out.count("-----BEGIN CERTIFICATE-----") == 2, out   # leaf + issuing CA, never the root
    assert "Verify return code: 0 (ok)" in out
    assert "CN=*.eastus.inference.ml.azure.com" in out.replace(" = ", "=")
    out = s_client(sim, REGISTRY, REGISTRY_PE)
    assert "Verify return code: 0 (ok)" in out and "CN=*.azurecr.io" in out.replace(" = ", "=")


@needs_openssl
def test_a_server_that_omits_the_intermediate_fails_verification(sim_factory: Any) -> None:
    sim = sim_factory("cert-missing-intermediate")
    out = s_client(sim, SCORING, SCORING_PE)
    assert out.count("-----BEGIN CERTIFICATE-----") == 1, out
    assert "Verify return code: 21 (unable to verify the first certificate)" in out   # the classic sign
    assert "Verify return code: 0 (ok)" in s_client(sim, REGISTRY, REGISTRY_PE)   # other hosts send theirs


# ---- HTTP details ----------------------------------------------------------------------------------------
@needs_curl
def test_head_is_answered_and_no_server_says_basehttp(sim_factory: Any) -> None:
    sim = sim_factory("healthy")
    r = curl(sim, SCORING, SCORING_PE, "/swagger.json", "-I")
    assert r.stdout.startswith("HTTP/1.1 404"), r.stdout + r.stderr
    head = r.stdout.lower()
    assert "x-request-id:" in head and "basehttp" not in head and "python" not in head
    r = subprocess.run(["curl", "-sS", "-I", "--cacert", str(sim.ca_bundle), "-H", f"Authorization: Bearer {sim.token}",
                        "-H", "x-ms-correlation-request-id: 0a0b0c0d-1111-2222-3333-444455556666",
                        f"{sim.arm.base_url}{RG}/Microsoft.ContainerRegistry/registries/crcontosoml"
                        "?api-version=2025-11-01"], capture_output=True, text=True, timeout=60)
    head = r.stdout.lower()
    assert head.startswith("http/1.1 200"), r.stdout + r.stderr
    assert "x-ms-request-id:" in head and "x-ms-correlation-request-id: 0a0b0c0d-1111-2222-3333-444455556666" in head
    assert "basehttp" not in head and "python" not in head


# ---- no hidden crashes -----------------------------------------------------------------------------------
def _boom(*_: Any, **__: Any) -> Any:
    raise ZeroDivisionError("a bug in the simulator")


def test_a_dns_server_bug_fails_the_test_with_its_traceback() -> None:
    sim = Simulator(load("healthy")).start()
    try:
        sim.dns["azure"].server.resolve = _boom   # type: ignore[method-assign]
        query = dns.message.make_query(SCORING, "A")
        with pytest.raises(dns.exception.Timeout):
            dns.query.udp(query, "127.0.0.1", port=sim.ports["dns:azure"], timeout=0.5)
    finally:
        with pytest.raises(SimulatorCrash, match="ZeroDivisionError: a bug in the simulator") as caught:
            sim.stop()
    assert "Traceback" in str(caught.value) and "DNS server" in str(caught.value)


def test_an_arm_bug_fails_the_test_and_is_echoed_as_it_happens() -> None:
    import ssl

    echoed: list[str] = []
    sim = Simulator(load("healthy"), on_crash=echoed.append).start()
    try:
        sim.arm._read = _boom   # type: ignore[method-assign]
        ctx = ssl.create_default_context(cafile=str(sim.ca_bundle))
        req = urllib.request.Request(f"{sim.arm.base_url}{HUB}?api-version=2025-09-01",
                                     headers={"Authorization": f"Bearer {sim.token}"})
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            urllib.request.urlopen(req, context=ctx, timeout=10)
    finally:
        with pytest.raises(SimulatorCrash, match="ZeroDivisionError"):
            sim.stop()
    assert len(echoed) == 1 and "ZeroDivisionError" in echoed[0]


def test_a_stale_records_address_holds_nothing(sim_factory: Any) -> None:
    sim = sim_factory("record-stale")
    assert port_for(sim, "10.20.1.99") == sim.ports["blackhole"]   # the old private endpoint's address
    assert port_for(sim, REGISTRY_PE) == sim.ports["tls"]          # the private endpoint's own still answers


def test_a_certificate_bug_in_the_tls_front_end_is_recorded() -> None:
    import socket
    import ssl

    sim = Simulator(load("healthy")).start()
    try:
        sim.host_context = _boom   # type: ignore[method-assign]
        ctx = ssl.create_default_context(cafile=str(sim.ca_bundle))
        with pytest.raises(ssl.SSLError), socket.create_connection(("127.0.0.1", sim.ports["tls"]), timeout=5) as raw:
            ctx.wrap_socket(raw, server_hostname=SCORING)
    finally:
        with pytest.raises(SimulatorCrash, match="the certificate for 'ep-fraud"):
            sim.stop()
