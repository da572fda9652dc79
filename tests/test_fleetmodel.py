"""The fleet's problems: a root cause shared by several workspaces is one problem listing them, with one fix."""

from __future__ import annotations

from netcheck.fleetmodel import FLEET_SCHEMA, FleetReport, WorkspaceRun, fleet_exit_code
from netcheck.model import Fix, Report, Result, Target, Verdict, Where
from netcheck.subject import Named, Ref, ZoneLink

LINK = ZoneLink(zone="privatelink.api.azureml.ms", vnet_id="/subscriptions/s/resourceGroups/n/providers/"
                "Microsoft.Network/virtualNetworks/spoke")
FIX = Fix("link the zone", ("az network private-dns link vnet create ...",))


def _report(ws: str, broken: bool) -> Report:
    results = [Result("pdns.links", LINK, 1, "links", Verdict.FAIL if broken else Verdict.PASS, "not linked",
                      None, 0, {}, FIX if broken else None)]
    if broken:
        results.append(Result("dns.system", Named(f"{ws}.api.azureml.ms"), 2, "dns", Verdict.FAIL, "public",
                              Ref("pdns.links", LINK), 0, {}, None))
    return Report("0", "t", 0, Where(False), Target(workspace=ws), tuple(results))


def _run(name: str, broken: bool) -> WorkspaceRun:
    return WorkspaceRun(id=f"/ws/{name}", name=name, subscription="s", resource_group="rg",
                        report=_report(name, broken))


def test_a_shared_root_is_one_problem_listing_its_workspaces() -> None:
    fleet = FleetReport("0", "t", 0, "AzureCloud", {}, (_run("a", True), _run("b", False), _run("c", True)))
    (problem,) = fleet.problems
    assert problem.workspaces == ("/ws/a", "/ws/c")
    assert problem.fix == FIX and problem.explains == 2
    data = fleet.to_json()
    assert data["schema"] == FLEET_SCHEMA and data["counts"]["fail"] == 2 and data["counts"]["pass"] == 1
    assert fleet_exit_code(fleet) == 1


def test_a_workspace_that_could_not_be_checked_is_undecided() -> None:
    lost = WorkspaceRun(id="/ws/x", name="x", subscription="s", resource_group="rg", error="throttled")
    fleet = FleetReport("0", "t", 0, "AzureCloud", {}, (_run("b", False), lost))
    assert fleet.verdict is Verdict.ERROR and fleet.problems == () and fleet_exit_code(fleet) == 3
