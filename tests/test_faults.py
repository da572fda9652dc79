"""Every ARM list netcheck reads, under every fault ARM can serve, through the real runner against the
simulator: a list that could not be read whole is unreadable, never empty or short. The probes that
depend on it never pass and never tell the user to create something that may exist."""

from __future__ import annotations

import collections
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, cli_env, run_scenario

from netcheck.azure.arm import MAX_PAGES
from netcheck.model import Report, Verdict

# list -> (the requests that read it, the probes that depend on it). The zones a private endpoint's DNS
# zone group names are found without the subscription's list, so both are broken together.
LISTS: dict[str, tuple[list[str], list[str]]] = {
    "endpoints": (["GET */workspaces/mlw-contoso-prod/onlineEndpoints"],
                  ["ep.state", "ep.traffic", "ep.public_access", "dep.egress", "dep.mlflow_legacy"]),
    "deployments": (["GET */onlineEndpoints/*/deployments"], ["ep.traffic", "dep.egress", "dep.mlflow_legacy"]),
    "zones": (["GET */providers/Microsoft.Network/privateDnsZones", "GET */privateDnsZoneGroups"], ["pdns.zones"]),
    "records": (["GET */privateDnsZones/*/ALL"], ["pdns.records"]),
    "links": (["GET */privateDnsZones/*/virtualNetworkLinks"], ["pdns.links"]),
    "pe_connections": (["GET */registries/*/privateEndpointConnections"], ["acr.pe_approval"]),
}
# Each fault ARM can serve a list read, as scenario `faults:` fields.
FAULTS: dict[str, dict[str, Any]] = {
    "403": {"status": 403},
    "429-forever": {"status": 429, "retry_after": 60},
    "429-short-forever": {"status": 429, "retry_after": 0.1},
    "500": {"status": 500},
    "502": {"status": 502},
    "timeout": {"delay_ms": 30000},
    "truncated": {"body": "truncated"},
    "next-garbage": {"next_link": "garbage"},
    "next-http": {"next_link": "http"},
    "next-404": {"next_link": "404"},
    "next-foreign": {"next_link": "foreign"},
    "next-repeat": {"next_link": "repeat"},
    "next-endless": {"next_link": "endless"},
}
CREATES = (" create", "add-record")   # fix commands that make something new (granting Reader aside)


def _creates(command: str) -> bool:
    return not command.startswith("az role assignment ") and any(c in command for c in CREATES)
STAGE1 = ["ws.*", "ep.*", "dep.*", "acr.pe_approval", "kv.*", "pdns.*"]


def _scenario(tmp_path: Path, name: str, requests: list[str], fault: dict[str, Any]) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({
        "scenario": 1, "name": name, "summary": "an unreadable list", "base": "healthy",
        "faults": [{"request": r, **fault} for r in requests]}))
    return str(path)


def _judged(report: Report, probes: list[str]) -> list[Any]:
    return [r for r in report.results if r.probe in probes]


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("read", sorted(LISTS))
def test_an_unreadable_list_never_passes_nor_asks_to_create(tmp_path: Path, read: str, fault: str) -> None:
    requests, probes = LISTS[read]
    options = ["--timeout", "3", *(a for p in STAGE1 for a in ("--only", p))]
    report, sim = run_scenario(_scenario(tmp_path, f"{read}-{fault}", requests, FAULTS[fault]), *options)
    judged = _judged(report, probes)
    assert judged, f"no result from {probes}"
    bad = [(r.probe, r.subject, r.verdict.value, r.summary) for r in judged if r.verdict is Verdict.PASS
           or (r.fix and any(_creates(c) for c in r.fix.commands))]
    assert not bad, f"{read} under {fault}: {bad}"
    assert any(r.verdict is Verdict.ERROR for r in judged), [(r.probe, r.verdict.value, r.summary) for r in judged]
    pages = collections.Counter(q.path.lower() for q in sim.arm.requests if "$skipToken" in q.query)
    assert max(pages.values(), default=0) <= MAX_PAGES   # a list that never ends is cut short


def test_a_throttled_read_names_the_throttle_and_does_not_wait_it_out(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "throttled", LISTS["endpoints"][0], FAULTS["429-forever"])
    report, sim = run_scenario(path, "--timeout", "3", "--only", "ep.state")
    (result,) = [r for r in report.results if r.probe == "ep.state"]
    assert result.verdict is Verdict.ERROR
    assert "ARM throttled the read (429, Retry-After 60 s)" in result.summary
    # a wait of 60 s does not fit the read's budget: no retry was waited for
    assert [r.status for r in sim.arm.requests if r.path.endswith("/onlineEndpoints")] == [429]


def test_a_refused_arm_connection_says_refused_not_timeout() -> None:
    with socket.socket() as held:   # bound and never listening: connecting to it is refused
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        env = cli_env(NETCHECK_ARM_TOKEN="token-for-a-refusing-arm")
        r = subprocess.run([sys.executable, "-m", "netcheck", "check", "-s", "00000000-0000-0000-0000-000000000001",
                            "-g", "rg", "-w", "ws1", "--arm-endpoint", f"https://127.0.0.1:{port}", "--timeout", "3",
                            "--only", "ctx.*", "--json"], capture_output=True, text=True, env=env, timeout=120)
    (target,) = [x for x in json.loads(r.stdout)["results"] if x["probe"] == "ctx.target"]
    assert target["verdict"] == "error"
    assert "ARM refused the connection" in target["summary"] and "within" not in target["summary"]


def test_a_named_endpoint_that_cannot_be_read_is_an_error_and_exit_3(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "named-403", ["GET */onlineEndpoints*"], FAULTS["403"])
    r = subprocess.run([sys.executable, "-m", "netcheck", "demo", path, "-e", "ep-fraud", "--json",
                        *(a for p in STAGE1 for a in ("--only", p))],
                       capture_output=True, text=True, env=cli_env(), cwd=ROOT, timeout=120)
    assert r.returncode == 3, r.stderr
    assert '"workspace has no online endpoints"' not in r.stdout


WS = "*/workspaces/mlw-contoso-prod"


@pytest.mark.parametrize(("target", "field", "value", "unreadable", "probe"), [
    ("*/virtualNetworks/*", "properties.addressSpace.addressPrefixes", ["10.20.0.0/99"], "/virtualNetworks/",
     None),   # an invalid CIDR
    (f"{WS}/onlineEndpoints/ep-fraud", "properties.traffic", "all", "/onlineEndpoints/ep-fraud", "ep.traffic"),
    (f"{WS}/onlineEndpoints/ep-fraud/deployments/blue", "properties.egressPublicNetworkAccess", ["Enabled"],
     "/deployments", "ep.traffic"),
    ("*/vaults/kv-contoso-ml", "properties.networkAcls", ["Deny"], "/vaults/kv-contoso-ml", "kv.bypass"),
    ("*/privatelink.api.azureml.ms/virtualNetworkLinks/*", "properties.registrationEnabled", "yes",
     "privatelink.api.azureml.ms/virtualNetworkLinks", "pdns.links"),
])
def test_malformed_arm_data_is_a_read_error_naming_the_field(tmp_path: Path, target: str, field: str, value: Any,
                                                             unreadable: str, probe: str | None) -> None:
    path = tmp_path / "malformed.yaml"
    path.write_text(yaml.safe_dump({
        "scenario": 1, "name": "malformed", "summary": "ARM data that does not fit its shape", "base": "healthy",
        "patch": [{"id": target, "set": {field: value}}]}))
    report, _ = run_scenario(str(path), *(a for p in ["ctx.*", *STAGE1] for a in ("--only", p)))
    (ctx_target,) = [r for r in report.results if r.probe == "ctx.target"]
    hits = [u for u in ctx_target.evidence["unreadable"] if unreadable in u]
    assert hits and all(u.endswith(": malformed") for u in hits), ctx_target.evidence["unreadable"]
    assert not any("raised" in r.summary for r in report.results)
    if probe:
        judged = [r for r in report.results if r.probe == probe]
        assert any(r.verdict is Verdict.ERROR and field.rsplit(".", 1)[-1] in r.summary for r in judged), \
            [(r.subject, r.verdict.value, r.summary) for r in judged]
        assert not any(r.fix and any(_creates(c) for c in r.fix.commands) for r in judged)


def test_zones_in_another_subscription_are_found_and_named(tmp_path: Path) -> None:
    """Hub and spoke: the zones live in a connectivity subscription and no DNS zone group names them."""
    data = yaml.safe_load((ROOT / "netcheck/sim/scenarios/healthy.yaml").read_text())
    hub = "0c0c0c0c-1111-4222-8333-944444444444"
    arm = []
    for res in data["arm"]:
        if "/privatednszonegroups/" in res["id"].lower():
            continue
        if "/providers/microsoft.network/privatednszones/" in res["id"].lower():
            res["id"] = "/subscriptions/" + hub + "/" + res["id"].split("/", 3)[3]
        arm.append(res)
    data.update(arm=arm, name="hub-zones", expect={})
    path = tmp_path / "hub-zones.yaml"
    path.write_text(yaml.safe_dump(data))
    report, _ = run_scenario(str(path), *(a for p in STAGE1 for a in ("--only", p)))
    zones = [r for r in report.results if r.probe == "pdns.zones"]
    assert zones and all(r.verdict is Verdict.PASS and r.evidence["subscriptions"] == [hub] for r in zones)
    assert hub in zones[0].summary


def test_an_unreadable_private_endpoint_is_an_error_where_its_names_would_be_checked(tmp_path: Path) -> None:
    """Its names, addresses and zones are unknown: pdns.records can't say its records are fine or missing."""
    path = _scenario(tmp_path, "pe-403", ["GET */privateEndpoints/pe-mlw-contoso-prod"], FAULTS["403"])
    report, _ = run_scenario(path, *(a for p in STAGE1 for a in ("--only", p)))
    records = [r for r in report.results if r.probe == "pdns.records"]
    assert any(r.verdict is Verdict.ERROR and r.subject.text == "pe-mlw-contoso-prod" for r in records), records
    assert not any("workspace" in r.subject.text and r.verdict is Verdict.PASS for r in records)   # its records
