"""Reading the Azure side: exact requests, failures classified, sovereign clouds, collect then --inventory."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import demo_args, run_scenario, shared_run, validate_report

from netcheck.app import check
from netcheck.azure.collect import gather
from netcheck.azure.errors import classify
from netcheck.cli import apply_options, scenario_settings
from netcheck.model import Verdict
from netcheck.probes import CATALOG
from netcheck.sim.scenario import Fault, load, shipped
from netcheck.sim.server import Simulator


def test_discovery_reads_each_resource_once_and_never_writes() -> None:
    _, sim = run_scenario("healthy")
    reqs = [(r.method, r.path.lower(), r.query) for r in sim.arm.requests]
    assert all(m == "GET" for m, _, _ in reqs) and sim.mutating_requests == []
    dupes = [k for k, n in collections.Counter(reqs).items() if n > 1]
    assert dupes == []
    # the subscriptions the credential reads, 1 workspace, 3 pages of zones, 1 endpoint list, 1 deployment
    # list, 1 model, registry + its connections, vault, the storage account, 5 private endpoints with 5
    # zone-group lists and 2 NICs, 6 zones x (records + links) + 1 extra page, 1 VNet, the subscription's
    # policy assignments, the jumpbox's VM and NIC for ctx.location, and the DNS forwarding rulesets and DNS
    # resolvers of the subscription (GETs: the VNet's POST list actions are never sent)
    assert len(reqs) == 43


def test_dns_private_resolver_facts_are_read_with_gets_only() -> None:
    report, sim = run_scenario("resolver-ruleset-public")
    paths = [r.path.lower() for r in sim.arm.requests]
    assert all(r.method == "GET" for r in sim.arm.requests)
    assert not [p for p in paths if p.endswith(("/listdnsforwardingrulesets", "/listdnsresolvers"))]
    assert any(p.endswith("/dnsforwardingrulesets/rs-hub/forwardingrules") for p in paths)
    assert any(p.endswith("/dnsforwardingrulesets/rs-hub/virtualnetworklinks") for p in paths)
    assert any(p.endswith("/dnsresolvers/dnspr-hub/inboundendpoints") for p in paths)
    (rule,) = [r for r in report.results if r.probe == "dns.custom" and r.subject.text == "rs-hub/azureml"]
    assert rule.verdict is Verdict.FAIL


def test_an_unreadable_ruleset_list_is_an_error_never_an_empty_list() -> None:
    sc = load("resolver-ruleset-public")
    fault = Fault("GET */providers/Microsoft.Network/dnsForwardingRulesets", 403)
    with Simulator(dataclasses.replace(sc, faults=(fault,)), None) as sim:
        settings = scenario_settings(sim, apply_options(demo_args("resolver-ruleset-public"), sc), os.environ)
        inv = asyncio.run(gather(settings))
    assert inv.rulesets == ()
    assert [e.reason for e in inv.errors if e.resource.endswith("/dnsForwardingRulesets")] == ["forbidden"]


def test_throttling_is_retried_honouring_retry_after() -> None:
    report, sim = run_scenario("arm-throttled")
    statuses = [r.status for r in sim.arm.requests if r.path.endswith("/workspaces/mlw-contoso-prod")]
    assert statuses == [429, 200]
    assert {r.verdict for r in report.results if r.probe == "ctx.target"} == {Verdict.PASS}


def test_forbidden_registry_names_permission_and_scope_and_only_its_probes_error() -> None:
    report, _ = run_scenario("arm-forbidden-registry")
    (r,) = [r for r in report.results if r.probe == "ws.image_build"]
    assert r.verdict is Verdict.ERROR
    assert r.evidence["missing_action"] == "Microsoft.ContainerRegistry/registries/read"
    assert r.evidence["scope"].endswith("/registries/crcontosoml")
    assert r.fix is not None and "--role Reader --scope" in r.fix.commands[0]
    assert "11111111-2222-3333-4444-555555555555" in r.fix.commands[0]  # the object id ARM named
    assert {x.verdict for x in report.results if x.probe == "kv.bypass"} == {Verdict.PASS}


def test_server_errors_become_error_after_retries() -> None:
    report, sim = run_scenario("arm-vault-unavailable")
    (r,) = [r for r in report.results if r.probe == "kv.bypass"]
    assert r.verdict is Verdict.ERROR and "503" in r.summary
    vault_reads = [x for x in sim.arm.requests if x.path.endswith("/vaults/kv-contoso-ml")]
    assert len(vault_reads) == 4  # the first try and azure-core's three retries


def test_a_slow_resource_gives_up_on_time_and_costs_only_its_probes() -> None:
    report, _ = run_scenario("arm-vault-slow")   # --timeout 6; ARM holds the vault's answer 20 s
    (kv,) = [r for r in report.results if r.probe == "kv.bypass"]
    assert kv.verdict is Verdict.ERROR and "no answer from ARM within 2 s" in kv.summary
    assert kv.evidence["reason"] == "timeout"
    (target,) = [r for r in report.results if r.probe == "ctx.target"]
    # pass, not the runner's 'did not finish within 6 s': it gave up on the vault within --timeout, not after 20 s
    assert target.verdict is Verdict.PASS
    # the private DNS checks pass; only the vault's own records, unknown without it, are skips naming the read
    pdns = [r for r in report.results if r.probe.startswith("pdns.")]
    assert {r.verdict for r in pdns if r.subject.text != "kv-contoso-ml"} == {Verdict.PASS}
    assert {str(r.cause) for r in pdns if r.verdict is not Verdict.PASS} == {
        "ctx.reads@Microsoft.KeyVault/vaults/kv-contoso-ml"}


def test_missing_workspace_suggests_the_close_name() -> None:
    report, _ = run_scenario("workspace-not-found")
    (r,) = [r for r in report.results if r.probe == "ctx.target"]
    assert r.verdict is Verdict.FAIL and "did you mean mlw-contoso-prod" in r.summary


def test_missing_endpoint_fails_target_with_close_names() -> None:
    report, _ = run_scenario("healthy", "-e", "ep-frud")
    (r,) = [r for r in report.results if r.probe == "ctx.target"]
    assert r.verdict is Verdict.FAIL and r.evidence["did_you_mean"] == {"ep-frud": ["ep-fraud"]}


def test_classify_maps_transport_failures() -> None:
    from azure.core.exceptions import ServiceRequestError, ServiceResponseError

    assert classify("/x", ServiceResponseError("read timed out")).reason == "timeout"
    # whichever timer ends a slow read, ours or the transport's, the message is the same
    assert (classify("/x", ServiceResponseError("Response timeout"), 1.0).message
            == classify("/x", TimeoutError(), 1.0).message == "no answer from ARM within 1 s")
    assert classify("/x", ServiceResponseError("Connection reset by peer")).reason == "network"
    assert classify("/x", ServiceRequestError("connection refused")).reason == "refused"   # not a timeout
    assert classify("/x", ServiceRequestError("Name or service not known")).reason == "network"
    assert classify("/x", ValueError("odd")).reason == "exception"


@pytest.mark.parametrize(("name", "suffixes", "absent"), [
    ("sovereign-china", ["privatelink.api.ml.azure.cn", "inference.ml.azure.cn", "azurecr.cn"], "azureml.ms"),
    ("sovereign-usgov", ["privatelink.api.ml.azure.us", "inference.ml.azure.us", "azurecr.us"], "azureml.ms"),
])
def test_sovereign_clouds_use_their_own_suffixes_end_to_end(name: str, suffixes: list[str], absent: str) -> None:
    report, _ = run_scenario(name)
    assert report.target.cloud in ("AzureChinaCloud", "AzureUSGovernment")
    subjects = " ".join(r.subject.text for r in report.results)
    for s in suffixes:
        assert s in subjects
    assert absent not in json.dumps(report.to_json())
    assert report.verdict is Verdict.PASS


def verdicts(report: Any) -> dict[tuple[str, str], str]:
    return {(r.probe, r.subject.text): r.verdict.value for r in report.results}


@pytest.mark.parametrize("name", sorted(shipped()))
def test_collect_then_inventory_gives_the_same_verdicts(name: str, tmp_path: Path) -> None:
    sc = load(name)
    direct = shared_run(name)[0]
    with Simulator(sc) as sim:
        settings = scenario_settings(sim, apply_options(demo_args(name), sc), os.environ)
        inv = asyncio.run(gather(settings))
        path = tmp_path / "inventory.json"
        path.write_text(json.dumps(inv.to_json()))
        before = len(sim.arm.requests)
        args = apply_options(demo_args(name, "--inventory", str(path)), sc)
        offline = asyncio.run(check(scenario_settings(sim, args, {k: v for k, v in os.environ.items()}), CATALOG))
        assert len(sim.arm.requests) == before, "--inventory must not call ARM"
    validate_report(json.loads(json.dumps(offline.to_json())))
    assert verdicts(offline) == verdicts(direct)
    text = path.read_text()
    assert sim.token not in text and "Bearer" not in text
