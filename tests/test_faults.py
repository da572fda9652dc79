"""Every ARM list netcheck reads, under every fault ARM can serve, through the real runner against the
simulator: a list that could not be read whole is unreadable, never empty or short. The probes that
depend on it never pass and never tell the user to create something that may exist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, run_scenario

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
    assert sum(1 for q in sim.arm.requests if "$skipToken" in q.query) < 50   # a looping list is cut short


def test_a_throttled_read_names_the_throttle_and_does_not_wait_it_out(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "throttled", LISTS["endpoints"][0], FAULTS["429-forever"])
    report, _ = run_scenario(path, "--timeout", "3", "--only", "ep.state")
    (result,) = [r for r in report.results if r.probe == "ep.state"]
    assert result.verdict is Verdict.ERROR
    assert "ARM throttled the read (429, Retry-After 60 s)" in result.summary


def test_a_named_endpoint_that_cannot_be_read_is_an_error_and_exit_3(tmp_path: Path) -> None:
    import subprocess
    import sys

    from conftest import cli_env

    path = _scenario(tmp_path, "named-403", ["GET */onlineEndpoints*"], FAULTS["403"])
    r = subprocess.run([sys.executable, "-m", "netcheck", "demo", path, "-e", "ep-fraud", "--json",
                        *(a for p in STAGE1 for a in ("--only", p))],
                       capture_output=True, text=True, env=cli_env(), cwd=ROOT, timeout=120)
    assert r.returncode == 3, r.stderr
    assert '"workspace has no online endpoints"' not in r.stdout


def test_malformed_arm_data_is_a_read_error_naming_the_field(tmp_path: Path) -> None:
    base = yaml.safe_load((ROOT / "netcheck/sim/scenarios/healthy.yaml").read_text())
    vnet = next(r for r in base["arm"] if r["type"] == "Microsoft.Network/virtualNetworks")
    path = tmp_path / "bad-cidr.yaml"
    path.write_text(yaml.safe_dump({
        "scenario": 1, "name": "bad-cidr", "summary": "a VNet with an invalid address prefix", "base": "healthy",
        "patch": [{"id": vnet["id"], "set": {"properties.addressSpace.addressPrefixes": ["10.20.0.0/99"]}}]}))
    report, _ = run_scenario(str(path), "--only", "ctx.*")
    (target,) = [r for r in report.results if r.probe == "ctx.target"]
    unreadable = target.evidence["unreadable"]
    assert f"{vnet['id']}: malformed" in unreadable
    assert not any("raised" in r.summary for r in report.results)


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
