"""A fleet built from real runs of shipped scenarios, for the fleet outputs' tests.

Two workspaces share a root cause (the registry's private endpoint connection is Pending in both `default`
and `acr-pe-pending`), one could not be checked at all, one had its network checks left to a run inside
its own VNet, and one is healthy.
"""

from __future__ import annotations

import functools

from conftest import shared_run

from netcheck.fleetmodel import FleetReport, WorkspaceRun

SUB_A = "6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b"
SUB_B = "0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f"
HUB_COMMAND = f"netcheck -s {SUB_B} -g rg-ml-hub -w mlw-hub"
LOST = "its ARM reads kept failing: 429 Too Many Requests after 4 tries"


def run(name: str, sub: str, rg: str, scenario: str | None = None, **kw: str) -> WorkspaceRun:
    report = shared_run(scenario)[0] if scenario else None
    return WorkspaceRun(id=f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.MachineLearningServices/"
                        f"workspaces/{name}", name=name, subscription=sub, resource_group=rg, report=report, **kw)


@functools.cache
def sample_fleet() -> FleetReport:
    runs = (run("mlw-fraud", SUB_A, "rg-ml-fraud", "default"),
            run("mlw-churn", SUB_A, "rg-ml-churn", "acr-pe-pending"),
            run("mlw-risk", SUB_B, "rg-ml-risk", "two-faults"),
            run("mlw-ok", SUB_B, "rg-ml-ok", "healthy"),
            run("mlw-hub", SUB_B, "rg-ml-hub", "zone-not-linked",
                network="network checks need a run inside VNet vnet-ml-hub", command=HUB_COMMAND),
            run("mlw-lost", SUB_B, "rg-ml-lost", error=LOST))
    return FleetReport("0.1.0", "2026-11-26T01:00:00Z", 5400, "AzureCloud",
                       {"subscriptions": [SUB_A, SUB_B], "management_groups": [], "where": "tags.team == 'ml'"},
                       runs, notes=("subscription 11111111-2222-3333-4444-555555555555 could not be read",),
                       figures={"workspaces": 6, "resource_graph_queries": 9, "arm_requests": 120})
