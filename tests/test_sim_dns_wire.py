"""The simulator's DNS as a real client sees it: `dig` against each server of a scenario."""

from __future__ import annotations

import dataclasses
import re
import shutil
import socket
import subprocess
import time
from typing import Any

import pytest

from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator

pytestmark = pytest.mark.skipif(shutil.which("dig") is None, reason="dig is missing (Debian: bind9-dnsutils)")

GUID = "3f8e2a71-5b9c-4d0e-a1f2-7c6b5e4d3a29"
SCORING = "ep-fraud.eastus.inference.ml.azure.com"
WORKSPACE = f"{GUID}.workspace.eastus.api.azureml.ms"


@dataclasses.dataclass
class Dig:
    status: str
    flags: set[str]
    answer: list[tuple[str, int, str, str]]      # owner, ttl, type, data
    authority: list[tuple[str, int, str, str]]

    @property
    def addresses(self) -> list[str]:
        return [data for _, _, rtype, data in self.answer if rtype == "A"]

    @property
    def private(self) -> bool:
        return bool(self.addresses) and all(a.startswith("10.") for a in self.addresses)


def dig(sim: Simulator, server: str, *args: str) -> Dig:
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(sim.ports[f"dns:{server}"]), "+time=3", "+tries=1",
                          *args], capture_output=True, text=True, timeout=20, check=False).stdout
    status = re.search(r"status: (\w+)", out)
    flags = re.search(r";; flags: ([a-z ]*);", out)
    assert status and flags, out
    sections: dict[str, list[tuple[str, int, str, str]]] = {"ANSWER": [], "AUTHORITY": []}
    current = None
    for line in out.splitlines():
        if m := re.match(r";; (\w+) SECTION:", line):
            current = m.group(1)
        elif not line.strip() or line.startswith(";"):
            current = None if not line.strip() else current
        elif current in sections:
            owner, ttl, _, rtype, data = line.split(None, 4)
            sections[current].append((owner.rstrip(".").lower(), int(ttl), rtype, data))
    return Dig(status.group(1), set(flags.group(1).split()), sections["ANSWER"], sections["AUTHORITY"])


@pytest.fixture
def started() -> Any:
    sims: list[Simulator] = []

    def start(name: str, **dns_servers: dict[str, Any]) -> Simulator:
        scenario = load(name)
        if dns_servers:
            servers = {addr: {**scenario.dns_servers[addr], **cfg} for addr, cfg in dns_servers.items()}
            scenario = dataclasses.replace(scenario, dns_servers={**scenario.dns_servers, **servers})
        sims.append(Simulator(scenario).start())
        return sims[-1]

    yield start
    for sim in sims:
        sim.stop()


# ---- forwarding: conditional forwarders by zone, and what a server does with a forwarded CNAME -------------

@pytest.mark.parametrize(("cname", "private"), [("whole-answer", False), ("chase", True)])
def test_a_server_without_the_inference_forwarder(started: Any, cname: str, private: bool) -> None:
    """Windows DNS takes the internet's answer for the scoring host as it is; BIND asks again for its
    privatelink CNAME, which falls under the api.azureml.ms forwarder and so comes back private."""
    sim = started("custom-dns-no-inference-forwarder", **{"10.20.0.4": {"cname": cname}})
    got = dig(sim, "10.20.0.4", SCORING)
    assert got.status == "NOERROR" and got.private is private
    assert got.answer[0][:3] == (SCORING, 300, "CNAME")
    assert dig(sim, "10.20.0.4", WORKSPACE).private   # a forwarded zone: Azure DNS's private answer
    assert "aa" not in got.flags and "ra" in got.flags


@pytest.mark.parametrize(("cname", "private"), [("whole-answer", False), ("chase", True)])
def test_a_server_forwarding_the_privatelink_zone_instead(started: Any, cname: str, private: bool) -> None:
    sim = started("custom-dns-privatelink-forwarder", **{"10.20.0.4": {"cname": cname}})
    for name in (SCORING, "crcontosoml.azurecr.io", "kv-contoso-ml.vault.azure.net"):
        assert dig(sim, "10.20.0.4", name).private is private, name
    # asked for the privatelink name itself, the forwarder applies under either mode
    assert dig(sim, "10.20.0.4", "crcontosoml.privatelink.azurecr.io").private


def test_the_longest_forwarder_wins(started: Any) -> None:
    sim = started("custom-dns-no-inference-forwarder",
                  **{"10.20.0.4": {"forward": {"azurecr.io": "azure", "eastus.data.azurecr.io": "public"}}})
    assert dig(sim, "10.20.0.4", "crcontosoml.azurecr.io").private
    assert not dig(sim, "10.20.0.4", "crcontosoml.eastus.data.azurecr.io").private


# ---- DNS Private Resolver ----------------------------------------------------------------------------------

def test_a_ruleset_rule_sends_its_zone_to_the_target_server(started: Any) -> None:
    sim = started("resolver-ruleset-public")
    assert not dig(sim, "azure", WORKSPACE).private      # azureml.ms goes to the on-premises server
    assert not dig(sim, "azure", SCORING).private        # its privatelink CNAME is under azureml.ms too
    assert dig(sim, "azure", "crcontosoml.azurecr.io").private
    # the inbound endpoint answers as Azure DNS of the resolver's VNet, where no zone is linked
    inbound = dig(sim, "10.30.0.4", "crcontosoml.azurecr.io")
    assert inbound.status == "NOERROR" and not inbound.private


def test_a_rule_for_another_zone_changes_nothing(started: Any) -> None:
    sim = started("healthy-dns-resolver")
    for name in (WORKSPACE, SCORING, "crcontosoml.azurecr.io"):
        assert dig(sim, "azure", name).private, name
    assert dig(sim, "azure", "intranet.corp.contoso.com").status == "NXDOMAIN"   # asked on premises


# ---- public DNS as Azure's -----------------------------------------------------------------------------------

def test_public_dns_cnames_into_privatelink_only_with_a_private_endpoint(started: Any) -> None:
    sim = started("acr-no-private-endpoint")
    plain = dig(sim, "public", "crcontosoml.azurecr.io")
    assert [r[2] for r in plain.answer] == ["CNAME", "A"] and "privatelink" not in plain.answer[0][3]
    vault = dig(sim, "public", "kv-contoso-ml.vault.azure.net")
    assert vault.answer[0][3] == "kv-contoso-ml.privatelink.vaultcore.azure.net."
    assert [r[2] for r in vault.answer] == ["CNAME", "CNAME", "A"]   # then on to the public front end
    assert not dig(sim, "azure", "crcontosoml.azurecr.io").private   # Azure DNS: the same public chain


# ---- wire details --------------------------------------------------------------------------------------------

def test_recursion_available_and_authority_only_for_private_zones(started: Any) -> None:
    sim = started("healthy")
    assert {"ra"} <= dig(sim, "public", SCORING).flags and "aa" not in dig(sim, "public", SCORING).flags
    assert "aa" not in dig(sim, "azure", SCORING).flags    # got its first CNAME from public DNS
    assert "aa" in dig(sim, "azure", "crcontosoml.privatelink.azurecr.io").flags


def test_negative_answers_carry_the_zone_soa(started: Any) -> None:
    sim = started("healthy")
    nx = dig(sim, "azure", "nothing-here.privatelink.azurecr.io")
    assert nx.status == "NXDOMAIN" and nx.authority[0][0] == "privatelink.azurecr.io"
    assert nx.authority[0][2] == "SOA" and nx.authority[0][3].startswith("azureprivatedns.net.")
    nodata = dig(sim, "azure", "crcontosoml.privatelink.azurecr.io", "AAAA")
    assert nodata.status == "NOERROR" and not nodata.answer and nodata.authority[0][2] == "SOA"
    public_nx = dig(sim, "public", "no-such-registry.azurecr.io")
    assert public_nx.status == "NXDOMAIN" and public_nx.authority[0][:1] == ("azurecr.io",)


def test_the_zone_apex_answers_soa_and_ns(started: Any) -> None:
    sim = started("healthy")
    soa = dig(sim, "azure", "privatelink.api.azureml.ms", "SOA")
    assert soa.status == "NOERROR" and [r[2] for r in soa.answer] == ["SOA"] and "aa" in soa.flags
    assert [r[3] for r in dig(sim, "azure", "privatelink.api.azureml.ms", "NS").answer] == ["azureprivatedns.net."]
    assert len(dig(sim, "public", "azurecr.io", "NS").answer) == 2


def test_ttls_count_down_in_a_cache(started: Any) -> None:
    sim = started("healthy")
    first = dig(sim, "public", "crcontosoml.azurecr.io").answer[0][1]
    time.sleep(1.1)
    again = dig(sim, "public", "crcontosoml.azurecr.io").answer[0][1]
    assert first == 300 and again < first
    private = dig(sim, "azure", "crcontosoml.privatelink.azurecr.io").answer[0][1]
    assert private == 10     # authoritative data: always the record set's TTL


def test_edns_version_1_gets_badvers(started: Any) -> None:
    sim = started("healthy")
    assert dig(sim, "azure", "+edns=1", "+noednsneg", SCORING).status == "BADVERS"
    assert dig(sim, "azure", "+edns=0", SCORING).status == "NOERROR"


def test_garbage_gets_formerr(started: Any) -> None:
    sim = started("healthy")
    assert dig(sim, "azure", "+header-only", "+nocookie", "+noedns").status == "FORMERR"   # no question
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        s.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xff\xff\xff", ("127.0.0.1", sim.ports["dns:azure"]))
        reply = s.recv(512)
    assert reply[:2] == b"\x12\x34" and reply[3] & 0x0F == 1 and reply[2] & 0x80   # same id, QR, FORMERR


# ---- flapping --------------------------------------------------------------------------------------------------

def test_flapping_per_name_every_nth(started: Any) -> None:
    sim = started("dns-flapping-per-name")
    scoring = [dig(sim, "10.20.0.4", SCORING).private for _ in range(6)]
    assert scoring == [True, True, False, True, True, False]
    assert all(dig(sim, "10.20.0.4", "crcontosoml.azurecr.io").private for _ in range(4))


def test_flapping_random_is_seeded(started: Any) -> None:
    def run() -> list[bool]:
        sim = started("dns-flapping-per-name", **{"10.20.0.4": {"flapping": {
            "names": ["inference.ml.azure.com"], "pattern": "random", "seed": 7, "other": "root-hints"}}})
        return [dig(sim, "10.20.0.4", SCORING).private for _ in range(8)]

    first = run()
    assert first == run() and True in first and False in first


def test_two_forwarders_that_disagree(started: Any) -> None:
    """A second forwarder that answers from the internet, asked every other time."""
    sim = started("dns-flapping-per-name", **{"10.20.0.4": {"flapping": {"pattern": "alternate",
                                                                          "other": "public"}}})
    assert [dig(sim, "10.20.0.4", WORKSPACE).private for _ in range(4)] == [True, False, True, False]
