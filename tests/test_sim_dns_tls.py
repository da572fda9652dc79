"""The simulator at the wire: DNS packets over UDP/TCP, and TLS handshakes as a real server's."""

from __future__ import annotations

import dataclasses
import socket
import ssl
from typing import Any

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator

GUID = "3f8e2a71-5b9c-4d0e-a1f2-7c6b5e4d3a29"
SCORING = "ep-fraud.eastus.inference.ml.azure.com"


def ask(port: int, name: str, rdtype: str = "A", tcp: bool = False) -> dns.message.Message:
    q = dns.message.make_query(name, rdtype)
    if tcp:
        return dns.query.tcp(q, "127.0.0.1", port=port, timeout=3)
    return dns.query.udp(q, "127.0.0.1", port=port, timeout=3)


def chain(resp: dns.message.Message) -> list[tuple[str, str, list[str]]]:
    return [(rr.name.to_text(), dns.rdatatype.to_text(rr.rdtype), sorted(r.to_text() for r in rr)) for rr in resp.answer]


def test_cname_chain_continues_in_the_linked_private_zone(sim_factory: Any) -> None:
    sim = sim_factory("healthy")
    resp = ask(sim.ports["dns:azure"], SCORING)
    assert chain(resp) == [
        (f"{SCORING}.", "CNAME", [f"ep-fraud.{GUID}.inference.eastus.privatelink.api.azureml.ms."]),
        (f"ep-fraud.{GUID}.inference.eastus.privatelink.api.azureml.ms.", "A", ["10.20.1.5"]),  # the wildcard
    ]
    # the first CNAME came by recursion from public DNS: no AA; asked for the private name itself, AA
    assert resp.flags & dns.flags.RA and not resp.flags & dns.flags.AA
    direct = ask(sim.ports["dns:azure"], f"ep-fraud.{GUID}.inference.eastus.privatelink.api.azureml.ms")
    assert direct.flags & dns.flags.RA and direct.flags & dns.flags.AA


def test_public_dns_answers_the_public_side_of_the_same_chain(sim_factory: Any) -> None:
    sim = sim_factory("healthy")
    resp = ask(sim.ports["dns:public"], SCORING)
    (cname, front, a) = chain(resp)   # public name -> privatelink name -> the public front end -> A
    assert cname[2] == [f"ep-fraud.{GUID}.inference.eastus.privatelink.api.azureml.ms."]
    assert front[1] == "CNAME" and front[2][0].endswith(".api.azureml.ms.") and ".privatelink." not in front[2][0]
    assert a[1] == "A" and not a[2][0].startswith("10.")
    assert not resp.flags & dns.flags.AA and resp.flags & dns.flags.RA


def test_nxdomain_for_a_missing_record_in_a_linked_zone_and_nodata_for_other_types(sim_factory: Any) -> None:
    sim = sim_factory("record-missing")
    assert ask(sim.ports["dns:azure"], SCORING).rcode() == dns.rcode.NXDOMAIN
    sim2 = sim_factory("healthy")
    nodata = ask(sim2.ports["dns:azure"], "crcontosoml.privatelink.azurecr.io", "AAAA")
    assert nodata.rcode() == dns.rcode.NOERROR and not [rr for rr in nodata.answer if rr.rdtype == dns.rdatatype.AAAA]
    assert ask(sim2.ports["dns:azure"], "nothing-here.privatelink.azurecr.io").rcode() == dns.rcode.NXDOMAIN


def test_unlinked_zone_falls_through_to_the_public_answer(sim_factory: Any) -> None:
    sim = sim_factory("zone-not-linked")
    (*_, a) = chain(ask(sim.ports["dns:azure"], SCORING))
    assert not a[2][0].startswith("10.")


def test_truncated_udp_answer_makes_clients_retry_over_tcp() -> None:
    big = [f"20.0.{i // 250}.{i % 250 + 1}" for i in range(60)]
    sc = dataclasses.replace(load("healthy"), public_dns={"big.example.com": {"a": big}})
    with Simulator(sc) as sim:
        udp = ask(sim.ports["dns:public"], "big.example.com")
        assert udp.flags & dns.flags.TC and not udp.answer
        tcp = ask(sim.ports["dns:public"], "big.example.com", tcp=True)
        assert sorted(r.to_text() for r in tcp.answer[0]) == sorted(big)
        # dnspython's own udp_with_fallback does what resolvers do
        resp, used_tcp = dns.query.udp_with_fallback(dns.message.make_query("big.example.com", "A"), "127.0.0.1",
                                                     port=sim.ports["dns:public"], timeout=3)
        assert used_tcp and len(resp.answer[0]) == 60


@pytest.mark.parametrize(("scenario", "name", "private"), [
    ("custom-dns-ok", "crcontosoml.azurecr.io", True),
    ("custom-dns-no-forwarders", "crcontosoml.azurecr.io", False),
    ("custom-dns-partial", SCORING, True),
    ("custom-dns-partial", "kv-contoso-ml.vault.azure.net", False),
])
def test_custom_server_forwards_only_its_zones(sim_factory: Any, scenario: str, name: str, private: bool) -> None:
    sim = sim_factory(scenario)
    resp = ask(sim.ports["dns:10.20.0.4"], name)
    ips = [r.address for rr in resp.answer if rr.rdtype == dns.rdatatype.A for r in rr]
    assert ips and ips[0].startswith("10.20.") is private


def test_down_server_never_answers(sim_factory: Any) -> None:
    sim = sim_factory("custom-dns-down")
    with pytest.raises(dns.exception.Timeout):
        dns.query.udp(dns.message.make_query(SCORING, "A"), "127.0.0.1", port=sim.ports["dns:10.20.0.4"], timeout=0.3)


def test_flapping_server_alternates_private_and_public_per_name(sim_factory: Any) -> None:
    sim = sim_factory("dns-flapping")
    firsts = [chain(ask(sim.ports["dns:10.20.0.4"], SCORING))[-1][2][0] for _ in range(4)]
    assert [ip.startswith("10.20.") for ip in firsts] == [True, False, True, False]
    # another name keeps its own count: its first answer is private even after the others
    other = chain(ask(sim.ports["dns:10.20.0.4"], "crcontosoml.azurecr.io"))[-1][2][0]
    assert other.startswith("10.20.")


def handshake(sim: Simulator, host: str, cafile: str | None = None) -> dict[str, Any]:
    ctx = ssl.create_default_context(cafile=cafile or str(sim.ca_bundle))
    ctx.set_ciphers("DEFAULT:@SECLEVEL=1")
    with socket.create_connection(("127.0.0.1", sim.ports["tls"]), timeout=5) as raw, \
            ctx.wrap_socket(raw, server_hostname=host) as tls:
        return tls.getpeercert() or {}


@pytest.mark.parametrize(("scenario", "message"), [
    ("cert-expired", "certificate has expired"),
    ("cert-not-yet-valid", "certificate is not yet valid"),
    ("cert-wrong-host", "Hostname mismatch"),
    ("cert-untrusted", "unable to get local issuer certificate"),
])
def test_each_certificate_fault_fails_verification_as_a_real_server_would(
        sim_factory: Any, scenario: str, message: str) -> None:
    sim = sim_factory(scenario)
    with pytest.raises(ssl.SSLCertVerificationError, match=message):
        handshake(sim, SCORING)
    assert handshake(sim, "crcontosoml.azurecr.io")  # other hosts keep their good certificate


def test_valid_and_weak_key_certificates_verify(sim_factory: Any) -> None:
    sim = sim_factory("cert-weak-key")
    cert = handshake(sim, SCORING)
    assert ("DNS", "*.eastus.inference.ml.azure.com") in cert["subjectAltName"]   # Azure's wildcard
    assert handshake(sim, "kv-contoso-ml.vault.azure.net")  # RSA 1024, accepted at SECLEVEL 1
    strict = ssl.create_default_context(cafile=str(sim.ca_bundle))
    strict.set_ciphers("DEFAULT:@SECLEVEL=2")
    with pytest.raises(ssl.SSLError), socket.create_connection(("127.0.0.1", sim.ports["tls"]), timeout=5) as raw, \
            strict.wrap_socket(raw, server_hostname="kv-contoso-ml.vault.azure.net"):
        pass


def test_front_end_and_registry_answer_like_azure(sim_factory: Any) -> None:
    import http.client

    sim = sim_factory("acr-public-side")
    ctx = ssl.create_default_context(cafile=str(sim.ca_bundle))

    def get(host: str, path: str) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPSConnection("127.0.0.1", sim.ports["tls"], context=ctx, timeout=5)
        conn.sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", sim.ports["tls"])), server_hostname=host)
        conn.request("GET", path, headers={"Host": host})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()

    assert get(SCORING, "/swagger.json")[0::2] == (404, b'"Swagger not found"')
    status, _, body = get("crcontosoml.azurecr.io", "/v2/")
    assert status == 403 and b"is not allowed access" in body
    status, headers, _ = get("crcontosoml.eastus.data.azurecr.io", "/v2/")
    assert status == 401 and headers["www-authenticate"].startswith("Bearer realm=")
