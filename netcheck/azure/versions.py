"""The api-version netcheck reads each ARM resource type at: one table. Readers never name a version;
ArmClient.get/list look the path up here (services.py's entries, too: a new provider needs a line here)."""

from __future__ import annotations

# The api-version netcheck reads each resource provider's types at: current stable versions, the
# ones of Microsoft's example responses in tests/data/arm-examples. Microsoft.MachineLearningServices has
# no current mgmt SDK (DESIGN.md); the others are read the same way, as ARM's raw JSON.
API_VERSIONS = {
    "microsoft.machinelearningservices": "2025-12-01",
    "microsoft.network/privatednszones": "2024-06-01",
    "microsoft.network": "2025-05-01",   # private endpoints and their DNS zone groups, NICs, VNets
    "microsoft.keyvault": "2026-02-01",
    "microsoft.containerregistry": "2025-11-01",
    "microsoft.compute": "2024-07-01",
    "microsoft.containerservice": "2024-09-01",
    # what azure-mgmt-resourcegraph 8 is generated for; pinned so a new SDK default can't change the answers
    "microsoft.resourcegraph": "2021-03-01",
    "microsoft.storage": "2026-09-01",          # storage accounts, with networkAcls and inlined PE connections
    "microsoft.authorization": "2025-11-01",    # policy assignments
    "": "2022-12-01",   # /subscriptions: the subscriptions the credential can read
}
ML_API_VERSION = API_VERSIONS["microsoft.machinelearningservices"]
ACR_API_VERSION = API_VERSIONS["microsoft.containerregistry"]   # the first with networkRuleBypassAllowedForTasks GA
GRAPH_API_VERSION = API_VERSIONS["microsoft.resourcegraph"]


def api_version(path: str) -> str:
    """The api-version for a resource or collection path, by its provider namespace (and first type)."""
    parts = path.lower().strip("/").split("/")
    if "providers" not in parts:
        return API_VERSIONS[""]
    i = len(parts) - 1 - parts[::-1].index("providers")
    namespace, kind = parts[i + 1], parts[i + 2] if len(parts) > i + 2 else ""
    return API_VERSIONS.get(f"{namespace}/{kind}") or API_VERSIONS[namespace]
