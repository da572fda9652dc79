"""The workspace dependencies' examples from Microsoft (tests/data/arm-examples): the simulator serves them
unchanged, netcheck's reader reads them at its api-version, and the parser takes the fields the probes judge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from netcheck.azure import parse
from netcheck.azure.credential import StaticTokenCredential
from netcheck.azure.session import Session
from netcheck.settings import Settings
from netcheck.sim.scenario import Scenario
from netcheck.sim.server import Simulator

EXAMPLES = Path(__file__).parent / "data" / "arm-examples"
SUB = "00000000-1111-2222-3333-444444444444"
RG = f"/subscriptions/{SUB}/resourceGroups/rg1"


def body_of(rel: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((EXAMPLES / rel).read_text())["responses"]["200"]["body"]
    return body


def served(resources: list[dict[str, Any]], path: str) -> dict[str, Any]:
    sc = Scenario("examples", "Microsoft's example responses", "test", tuple(resources), page_size=1)
    with Simulator(sc) as sim:
        s = Session(sim.settings(Settings(), subscription=SUB), StaticTokenCredential(sim.token))
        got = s.arm().get(path)
        assert sim.mutating_requests == []
    return got


def test_storage_account_example_reads_back_and_parses() -> None:
    rid = f"{RG}/providers/Microsoft.Storage/storageAccounts/sto8596"
    body = {**body_of("storage/2026-09-01/StorageAccountGetProperties.json"), "id": rid}
    conns = body_of("storage/2026-09-01/StorageAccountListPrivateEndpointConnections.json")["value"]
    kids = [{**c, "id": f"{rid}/privateEndpointConnections/pe{i}", "name": f"pe{i}"} for i, c in enumerate(conns)]
    got = served([body, *kids], rid)
    st = parse.storage(got)
    assert (st.name, st.public_network_access, st.default_action, st.bypass) == ("sto8596", "Enabled", "Allow",
                                                                                 "AzureServices")
    assert st.access_rules[0].resource_id.endswith("/Microsoft.Synapse/workspaces/testworkspace")
    assert st.lets_through(st.access_rules[0].resource_id) and not st.lets_through(rid)
    # ARM inlines the connections into the account's properties
    assert [(c.name, c.status) for c in st.connections] == [("pe0", "Approved"), ("pe1", "Approved")]
    assert st.connections[0].private_endpoint_id.endswith("/privateEndpoints/petest01")


def test_aks_example_network_profile_parses() -> None:
    body = body_of("containerservice/2026-08-01/ManagedClustersGet.json")
    services, pods = parse.network_profile(body)
    assert services and pods == ("10.244.0.0/16",)


def test_policy_assignment_examples_read_back_and_parse() -> None:
    sub = "ae640e6b-ba3e-4256-9d62-2993eecfa6f2"
    one = body_of("policy/2025-11-01/getPolicyAssignment.json")
    listed = body_of("policy/2025-11-01/listPolicyAssignmentsForResourceGroup.json")["value"]
    path = f"/subscriptions/{sub}/providers/Microsoft.Authorization/policyAssignments"
    sc = Scenario("examples", "Microsoft's example responses", "test", (one, *listed), page_size=1)
    with Simulator(sc) as sim:
        s = Session(sim.settings(Settings(), subscription=sub), StaticTokenCredential(sim.token))
        got = s.arm().list(path)   # the subscription's list holds the group's too
    assert sorted(a["name"] for a in got) == ["EnforceNaming", "TestCostManagement", "TestTagEnforcement"]
    a = parse.policy_assignment(one)
    ws = f"/subscriptions/{sub}/resourceGroups/TestResourceGroup/providers/Microsoft.MachineLearningServices/workspaces/w"
    assert a.scope == f"/subscriptions/{sub}" and a.applies_to(ws) and a.effect is None
    assert a.definition_id.endswith("/policyDefinitions/ResourceNaming")
