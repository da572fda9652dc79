"""Outbound rules on the wire: the simulator serves a workspace's managed VNet rules as Microsoft's
examples show them, and netcheck's parser reads both of Microsoft's shapes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from azure.core.credentials import AccessToken

from netcheck.azure import parse
from netcheck.azure.session import Session
from netcheck.azure.shape import Shape
from netcheck.azure.versions import ML_API_VERSION
from netcheck.settings import Settings
from netcheck.sim.scenario import Scenario
from netcheck.sim.server import Simulator

ML = Path(__file__).parent / "data" / "arm-examples" / "machinelearningservices"
SUB = "00000000-1111-2222-3333-444444444444"
WS_ID = (f"/subscriptions/{SUB}/resourceGroups/test-rg/providers/Microsoft.MachineLearningServices"
         "/workspaces/aml-workspace-name")


def body(rel: str) -> Any:
    return json.loads((ML / rel).read_text())["responses"]["200"]["body"]


class _Token:
    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, 2**31)


def _workspace_holding(rules: list[dict[str, Any]]) -> dict[str, Any]:
    """Workspace get.json, moved to the rules' workspace, its inline map holding the listed rules."""
    ws = copy.deepcopy(body("2025-12-01/Workspace/get.json"))
    ws["id"], ws["name"] = WS_ID, "aml-workspace-name"
    ws["properties"]["managedNetwork"]["outboundRules"] = {r["name"]: r["properties"] for r in rules}
    return ws


def test_simulator_serves_the_rules_collection_and_one_rule_as_microsofts_examples() -> None:
    listed = body("2025-12-01/ManagedNetwork/listRule.json")["value"]
    with Simulator(Scenario("rules", "outbound rules", "test", (_workspace_holding(listed),))) as sim:
        session = Session(sim.settings(Settings(), subscription=SUB), _Token(sim.token))
        got = session.arm().list(f"{WS_ID}/outboundRules", ML_API_VERSION)
        one = session.arm().get(f"{WS_ID}/outboundRules/rule_name_1", ML_API_VERSION)
    assert got == listed   # ids, names, type "workspace/outboundRules", properties with errorInformation
    assert one == listed[0]


def test_parser_reads_the_collection_and_the_inline_map_alike() -> None:
    from_list = parse.outbound_rules(body("2025-12-01/ManagedNetwork/listRule.json")["value"])
    assert [(r.name, r.type, r.destination, r.status, r.error) for r in from_list] == [
        ("rule_name_1", "FQDN", "destination_of_the_fqdn_rule", "Inactive", "Error message"),
        ("rule_name_2", "FQDN", "destination_of_the_fqdn_rule", "Inactive", "Error message")]
    assert [r.error for r in parse.outbound_rules(body("2026-07-01/ManagedNetwork/listRule.json")["value"])] == [
        None, None]   # the newer shape has no errorInformation
    ws = parse.workspace(body("2025-12-01/Workspace/get.json"))
    assert [(r.name, r.type, r.status) for r in ws.outbound_rules] == [("some_string", "FQDN", "Inactive")]
    assert ws.isolation_mode == "AllowOnlyApprovedOutbound" and ws.managed_network_status == "Active"


def test_private_endpoint_and_service_tag_destinations_are_read() -> None:
    pe = parse.outbound_rule("blob", Shape({"type": "PrivateEndpoint", "status": "Active", "category": "UserDefined",
                                      "destination": {"serviceResourceId": "/x/storageAccounts/st",
                                                      "subresourceTarget": "blob", "sparkEnabled": False}}))
    tag = parse.outbound_rule("adf", Shape({"type": "ServiceTag", "status": "Active",
                                      "destination": {"serviceTag": "DataFactory", "protocol": "TCP",
                                                      "portRanges": "443"}}))
    assert (pe.destination, pe.subresource) == ("/x/storageAccounts/st", "blob")
    assert (tag.destination, tag.subresource) == ("DataFactory", None)
