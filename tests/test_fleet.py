"""`netcheck fleet` end to end through the real CLI against the simulator: the generated fleets' seeded problems,
each found once with the workspaces it breaks; network checks only where this machine reaches; bad input;
unreadable scopes; throttling; the bound on ARM requests in flight."""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from conftest import cli_env, validate_report

from netcheck.fleetrun import Options, run_fleet
from netcheck.probes import CATALOG
from netcheck.settings import Settings
from netcheck.sim import fleet as gen
from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator

SEEDED = {"pdns.links", "acr.pe_approval", "ep.state", "kv.bypass", "pdns.records"}
SMALL, SMALL_N, SMALL_BIG = "fleet-24", 24, 4


def netcheck(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "netcheck", *argv], capture_output=True, text=True,
                          env=env or cli_env(), timeout=300)


def valid(doc: dict[str, Any]) -> None:
    """The fleet schema once it ships; until then the shape netcheck.fleet/1 promises, each report schema-valid."""
    if resources.files("netcheck").joinpath("fleet.schema.json").is_file():
        fleet_schema = importlib.import_module("netcheck.render.fleet_schema")
        fleet_schema.validate(doc)
    assert doc["schema"] == "netcheck.fleet/1"
    assert {"problems", "workspaces", "counts", "notes", "scope", "figures", "verdict"} <= set(doc)
    for ws in doc["workspaces"]:
        if ws["report"] is not None:
            validate_report(ws["report"])


def ids_of(n: int, big: int, which: list[int]) -> set[str]:
    subs = gen.placement(n, big)
    return {f"/subscriptions/{gen.sub_id(subs[i])}/resourceGroups/rg-ml-{i:03d}/providers/{gen.ML}/"
            f"{gen.workspace_name(i)}" for i in which}


def test_demo_fleet_200_finds_exactly_the_seeded_problems() -> None:
    run = netcheck("demo", "fleet-200", "--json")
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    valid(doc)
    assert len(doc["workspaces"]) == 200 and doc["figures"]["resource_graph_queries"] == 4
    assert {p["probe"] for p in doc["problems"]} == SEEDED and len(doc["problems"]) == 5
    shared = next(p for p in doc["problems"] if p["probe"] == "pdns.links")
    faults = gen.faults()
    assert set(shared["workspaces"]) == ids_of(200, 40, faults["zone-not-linked"]) and len(shared["workspaces"]) == 40
    assert "vnet-spoke-10" in shared["id"] and "az network private-dns link vnet create" in " ".join(
        shared["fix"]["commands"])
    singles = {p["probe"]: p["workspaces"] for p in doc["problems"] if p is not shared}
    assert singles == {"acr.pe_approval": sorted(ids_of(200, 40, faults["acr-pe-pending"])),
                       "pdns.records": sorted(ids_of(200, 40, faults["record-stale"])),
                       "ep.state": sorted(ids_of(200, 40, faults["deployment-failed"])),
                       "kv.bypass": sorted(ids_of(200, 40, faults["kv-no-bypass"]))}


def test_network_checks_where_this_machine_reaches_and_the_command_elsewhere() -> None:
    run = netcheck("demo", SMALL, "--json")
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    valid(doc)
    assert {p["probe"] for p in doc["problems"]} == SEEDED
    subs = gen.placement(SMALL_N, SMALL_BIG)
    for i, ws in enumerate(doc["workspaces"]):
        stages = {r["stage"] for r in ws["report"]["results"]}
        if subs[i] < 10:   # spokes peered with hub A, where the jumpbox is
            assert ws["network"] is None and ws["command"] is None and {2, 3} <= stages
        else:
            assert ws["network"] == f"network checks need a run inside VNet vnet-spoke-{subs[i]:02d}"
            assert ws["command"] == f"netcheck -s {gen.sub_id(subs[i])} -g rg-ml-{i:03d} -w {gen.workspace_name(i)}"
            assert stages == {0, 1}
    assert doc["notes"] == ["netcheck ran inside VNet vnet-hub-a"]


def test_text_puts_the_problems_first_then_a_line_per_workspace() -> None:
    run = netcheck("demo", SMALL, "--where", "tags.team == 'team-10'")
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    problem = next(i for i, line in enumerate(lines) if "pdns.links" in line and "vnet-spoke-10" in line)
    assert f"breaks {SMALL_BIG} workspace" in lines[problem + 1]
    rows = [i for i, line in enumerate(lines) if "/rg-ml-0" in line]
    assert len(rows) == SMALL_BIG and all(i > problem for i in rows)
    for i in rows:
        assert "network checks need a run inside VNet vnet-spoke-10" in lines[i] and "netcheck -s " in lines[i]


def test_a_where_resource_graph_refuses_is_one_line_and_exit_2() -> None:
    run = netcheck("demo", SMALL, "--where", "tags.env = 'prod'")
    assert run.returncode == 2
    assert run.stdout == "" and len(run.stderr.splitlines()) == 1
    assert "--where" in run.stderr and "ParserFailure" in run.stderr and "Traceback" not in run.stderr


def test_an_unreadable_management_group_is_named_and_the_rest_checked() -> None:
    run = netcheck("demo", SMALL, "--management-group", "mg-landing-b", "--management-group", "mg-nope", "--json")
    assert run.returncode == 1
    assert [line for line in run.stderr.splitlines() if "mg-nope" in line] == [
        "netcheck: management group mg-nope could not be read (forbidden): not checked"]
    doc = json.loads(run.stdout)
    subs = gen.placement(SMALL_N, SMALL_BIG)
    assert len(doc["workspaces"]) == sum(1 for s in subs if s >= 10) and doc["scope"]["management_groups"] == [
        "mg-landing-b"]
    # nothing failed in what was read: still not "everything passed", a part went unchecked
    healthy = netcheck("demo", SMALL, "--management-group", "mg-platform", "--management-group", "mg-nope",
                       "--where", "name == 'mlw-fleet-000'")
    assert healthy.returncode == 3, healthy.stdout + healthy.stderr
    assert "management group mg-nope could not be read" in healthy.stderr


def _scenario(tmp_path: Path, faults: list[dict[str, Any]], **extra: Any) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(json.dumps({"scenario": 1, "name": "fleet-faults", "summary": "fleet-24 with faults",
                                "base": SMALL, "faults": faults, **extra}))
    return path


def test_an_unreadable_subscription_is_named_and_the_others_checked(tmp_path: Path) -> None:
    bad, good = gen.sub_id(3), gen.sub_id(10)
    sc = load(str(_scenario(tmp_path, [{"request": f"GET /subscriptions/{bad}", "status": 403}])))
    with Simulator(sc) as sim:
        run = netcheck("fleet", "-s", good, bad, "--arm-endpoint", sim.arm.base_url, "--ca-bundle",
                       str(sim.ca_bundle), "--json", env=cli_env(NETCHECK_ARM_TOKEN=sim.token))
    assert run.returncode == 1, run.stderr
    assert f"netcheck: subscription {bad} could not be read (forbidden): not checked" in run.stderr.splitlines()
    doc = json.loads(run.stdout)
    assert {w["subscription"] for w in doc["workspaces"]} == {good} and len(doc["workspaces"]) == SMALL_BIG
    assert doc["scope"]["subscriptions"] == [good]


def test_throttling_loses_no_result_and_a_workspace_whose_reads_kept_failing_is_an_error(tmp_path: Path) -> None:
    """Also: a tenant scope larger than Resource Graph's subscription limit is cut, and the report says so."""
    stuck = "pe-kv-fleet002"
    path = _scenario(tmp_path, resource_graph={"fleet": True, "subscription_limit": 19}, faults=[
        {"request": "POST /providers/Microsoft.ResourceGraph/resources", "status": 429, "retry_after": 0, "times": 2},
        {"request": "GET */privateDnsZoneGroups", "status": 429, "retry_after": 0, "times": 20},
        {"request": f"GET */privateEndpoints/{stuck}/privateDnsZoneGroups", "status": 429, "retry_after": 0},
    ])
    run = netcheck("demo", str(path), "--json")
    assert run.returncode == 1, run.stderr
    doc = json.loads(run.stdout)
    valid(doc)
    assert any("x-ms-tenant-subscription-limit-hit" in n for n in doc["notes"])
    cut = gen.sub_id(19)   # the 20th subscription, and its one workspace (fleet-24's last)
    assert len(doc["workspaces"]) == SMALL_N - 1 and cut not in {w["subscription"] for w in doc["workspaces"]}
    errors = {w["name"]: w["error"] for w in doc["workspaces"] if w["error"]}
    assert errors == {gen.workspace_name(2): f"its reads kept failing: {stuck}/privateDnsZoneGroups: throttled"}
    assert next(w for w in doc["workspaces"] if w["error"])["verdict"] == "error"
    assert {p["probe"] for p in doc["problems"]} == SEEDED   # every other workspace complete


def test_arm_requests_in_flight_never_exceed_the_bound() -> None:
    with Simulator(load(SMALL), 20) as sim:
        report = asyncio.run(run_fleet(sim.settings(Settings()), Options(arm_concurrency=3), CATALOG))
        assert 1 < sim.arm.max_in_flight <= 3
        assert sim.mutating_requests == []
    assert len(report.workspaces) == SMALL_N and report.figures["arm_requests"] >= SMALL_N


def test_a_policy_assignment_that_denies_a_fix_is_named_in_the_fleet_as_in_a_single_run() -> None:
    """Read once per subscription through ARM (with its management groups'), kept where it applies."""
    with Simulator(load("policy-denies-v1-fix")) as sim:
        report = asyncio.run(run_fleet(sim.settings(Settings()), Options(), CATALOG))
        assert sim.mutating_requests == []
    (ws,) = report.workspaces
    assert ws.report is not None
    results = {r.ref.text: r for r in ws.report.results}
    blocked = results["policy.fix_blocked@aml-require-v1legacy"]
    assert blocked.verdict.value == "fail" and blocked.cause is not None
    assert blocked.cause.text == "ws.v1_legacy_mode@mlw-contoso-prod"
    fix = results["ws.v1_legacy_mode@mlw-contoso-prod"].fix
    assert fix is not None and fix.commands[0].startswith("az policy exemption create --name mlw-contoso-prod-ws.v1")
    assert "policy.fix_blocked@other-managed-vnet" not in results   # another resource group's: not this workspace's


@pytest.mark.parametrize("argv", [["fleet", "--arm-concurrency", "0"], ["fleet", "--where", "a == 1 | take 1"],
                                  ["fleet", "--management-group", "bad/name"], ["fleet", "--out", "fleet.xyz"]])
def test_bad_fleet_options_are_one_line_and_exit_2(argv: list[str]) -> None:
    run = netcheck(*argv)
    assert run.returncode == 2 and len(run.stderr.splitlines()) == 1 and "Traceback" not in run.stderr
