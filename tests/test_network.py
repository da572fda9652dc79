"""Network probes: bounded by their timeouts, and usable without Azure credentials."""

from __future__ import annotations

from conftest import run_scenario, shared_run

from netcheck.model import Verdict
from netcheck.probes._network import DNS_TIMEOUT, TCP_TIMEOUT

SCORING = "ep-fraud.eastus.inference.ml.azure.com"


def test_dead_dns_server_costs_one_timeout_not_one_per_name() -> None:
    report, _ = shared_run("custom-dns-down")
    system = [r for r in report.results if r.probe == "dns.system"]
    assert len(system) > 5 and {r.verdict for r in system} == {Verdict.ERROR}
    assert all(r.evidence["error"].startswith("timeout") for r in system)
    # every name was asked at once: one after another would take names x timeout (a generous bound:
    # half of that; in practice it is about one timeout)
    serial_ms = len(system) * DNS_TIMEOUT * 1000
    assert max(r.duration_ms for r in system) < serial_ms / 2
    (custom,) = [r for r in report.results if r.probe == "dns.custom"]
    assert custom.verdict is Verdict.FAIL and "does not answer" in custom.summary
    assert custom.duration_ms < serial_ms / 2
    (stability,) = [r for r in report.results if r.probe == "dns.stability" and r.subject.text == "10.20.0.4"]
    # not asked again: asking a dead server can't take less than the timeout; the skip takes no network time
    assert stability.verdict is Verdict.SKIP and stability.duration_ms < DNS_TIMEOUT * 1000


def test_black_holed_address_costs_one_tcp_timeout() -> None:
    report, _ = shared_run("tcp-blackhole")
    (r,) = [r for r in report.results if r.probe == "net.tcp" and r.subject.text == SCORING]
    (conn,) = r.evidence["connections"]
    assert conn["result"] == "timeout" and conn["address"] == "10.20.1.5"
    assert conn["detail"] == f"no answer within {TCP_TIMEOUT:g} s"
    # it waited for netcheck's timeout (not refused at once), and not for the OS's (about two minutes):
    # the upper bound is generous, a loaded machine may be slow
    assert conn["ms"] >= TCP_TIMEOUT * 1000 * 0.9
    assert r.duration_ms < 5 * TCP_TIMEOUT * 1000
    assert "NSG" in r.summary


def test_refused_is_told_apart_from_timeout() -> None:
    report, _ = shared_run("tcp-refused")
    (r,) = [r for r in report.results if r.probe == "net.tcp" and r.subject.text == "crcontosoml.azurecr.io"]
    assert r.evidence["connections"][0]["result"] == "refused" and "nothing listens" in r.summary


def test_no_azure_tests_named_hosts_against_the_vnet_range() -> None:
    report, sim = run_scenario("healthy", "--no-azure", "--host", SCORING, "--host", "crcontosoml.azurecr.io",
                               "--vnet-cidr", "10.20.0.0/16")
    probes = {r.probe for r in report.results}
    assert not any(p.startswith(("ws.", "ep.", "dep.", "pdns.", "kv.")) for p in probes)
    assert "ctx.credential" not in probes and sim.arm.requests == []
    dns = {r.subject.text: r for r in report.results if r.probe == "dns.system"}
    assert dns[SCORING].verdict is Verdict.PASS and dns[SCORING].evidence["answer"] == "expected"
    assert {r.verdict for r in report.results if r.probe == "tls.cert"} == {Verdict.PASS}


def test_outside_azure_skips_azure_dns_with_the_reason() -> None:
    report, _ = shared_run("outside-azure")
    (r,) = [r for r in report.results if r.probe == "dns.azure"]
    assert r.verdict is Verdict.SKIP and "outside Azure" in r.summary
    (loc,) = [r for r in report.results if r.probe == "ctx.location"]
    assert loc.verdict is Verdict.WARN and "not inside an Azure VNet" in loc.summary
    assert report.where.in_azure is False
