"""A workspace's managed VNet outbound rules as the ML resource provider serves them: the rules live
in the workspace's `managedNetwork.outboundRules` map, and `GET {workspace}/outboundRules[/{name}]`
(ManagedNetworkSettingsRule_List/_Get, 2025-12-01) serves each as a resource of its own, with
`errorInformation` (see tests/data/arm-examples/machinelearningservices/2025-12-01/ManagedNetwork)."""

from __future__ import annotations

from typing import Any

SEGMENT = "outboundrules"


def rule_resources(workspace: dict[str, Any]) -> list[dict[str, Any]]:
    rules = ((workspace.get("properties") or {}).get("managedNetwork") or {}).get("outboundRules") or {}
    out = []
    for name, rule in sorted(rules.items()):
        if isinstance(rule, dict):
            out.append({"id": f"{workspace['id']}/outboundRules/{name}", "name": name,
                        "type": "workspace/outboundRules",
                        "properties": {**rule, "errorInformation": rule.get("errorInformation")}})
    return out


def rule(workspace: dict[str, Any], path: str) -> dict[str, Any] | None:
    return next((r for r in rule_resources(workspace) if r["id"].lower() == path.lower()), None)
