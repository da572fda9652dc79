"""The parsers against Microsoft's own example answers (they must fit ARM's shape as ARM sends it), and
the api-version each path is read at."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from netcheck.azure import parse
from netcheck.azure.shape import ShapeError
from netcheck.azure.versions import API_VERSIONS, api_version

EXAMPLES = ROOT / "tests" / "data" / "arm-examples"
ONE: dict[str, Callable[[dict[str, Any]], Any]] = {
    "machinelearningservices/2025-12-01/Workspace/get.json": parse.workspace,
    "machinelearningservices/2025-12-01/Workspace/OnlineEndpoint/get.json": lambda d: parse.endpoint(d, ()),
    "machinelearningservices/2025-12-01/OnlineDeployment/ManagedOnlineDeployment/get.json":
        lambda d: parse.deployment(d, None),
    "machinelearningservices/2025-12-01/OnlineDeployment/KubernetesOnlineDeployment/get.json":
        lambda d: parse.deployment(d, None),
    "containerregistry/2025-11-01/RegistryGet.json": lambda d: parse.registry(d, None),
    "containerregistry/2025-11-01/PrivateEndpointConnectionGet.json": parse.connection,
    "keyvault/2026-02-01/getVault.json": parse.vault,
    "network/2025-09-01/VirtualNetworkGet.json": parse.vnet,
    "network/2025-05-01/PrivateEndpointGet.json": lambda d: parse.private_endpoint(d, [], ()),
    "network/2025-07-01/NetworkInterfaceGet.json": lambda d: parse.private_endpoint(
        {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/privateEndpoints/pe"}, [d], ()),
    "network/2025-09-01/PrivateEndpointDnsZoneGroupGet.json": lambda d: parse.zone_ids([d]),
    "storage/2026-09-01/StorageAccountGetProperties.json": parse.storage,
    "policy/2025-11-01/getPolicyAssignment.json": parse.policy_assignment,
    "containerservice/2026-08-01/ManagedClustersGet.json": parse.network_profile,
}
LISTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "machinelearningservices/2025-12-01/Workspace/OnlineEndpoint/list.json": lambda d: parse.endpoint(d, ()),
    "machinelearningservices/2025-12-01/OnlineDeployment/list.json": lambda d: parse.deployment(d, None),
    "containerregistry/2025-11-01/PrivateEndpointConnectionList.json": parse.connection,
    "privatedns/2024-06-01/RecordSetALLList.json": parse.record_set,
    "privatedns/2024-06-01/VirtualNetworkLinkList.json": parse.link,
    "privatedns/2024-06-01/PrivateZoneListInSubscription.json": lambda d: parse.zone_list([d]),
    "storage/2026-09-01/StorageAccountListPrivateEndpointConnections.json": parse.connection,
    "policy/2025-11-01/listPolicyAssignmentsForResourceGroup.json": parse.policy_assignment,
}


def _body(path: str) -> Any:
    body = json.loads((EXAMPLES / path).read_text(encoding="utf-8"))["responses"]["200"]["body"]
    for item in body.get("value", [body]):
        if item.get("id") == "string":   # the TypeSpec-made ML examples' placeholder; ARM sends a resource id
            item["id"] = f"/subscriptions/s/resourceGroups/g/providers/{item.get('type', 'X/y')}/{item['name']}"
    return body


@pytest.mark.parametrize("path", sorted(ONE))
def test_microsofts_example_resources_parse(path: str) -> None:
    assert ONE[path](_body(path))


@pytest.mark.parametrize("path", sorted(LISTS))
def test_microsofts_example_lists_parse(path: str) -> None:
    items = _body(path)["value"]
    assert items and all(LISTS[path](i) for i in items)


def test_a_record_set_example_holds_its_addresses() -> None:
    records = [parse.record_set(i) for i in _body("privatedns/2024-06-01/RecordSetALLList.json")["value"]]
    assert any(r.type == "A" and r.a for r in records)   # the wire keys (aRecords), not an SDK's (a_records)


def test_a_shape_error_names_the_resource_and_the_field() -> None:
    vnet = _body("network/2025-09-01/VirtualNetworkGet.json")
    vnet["properties"]["addressSpace"]["addressPrefixes"] = ["10.20.0.0/99"]
    with pytest.raises(ShapeError, match=r"test-vnet: properties\.addressSpace\.addressPrefixes\[0\] is "
                                         r"'10\.20\.0\.0/99', not a CIDR"):
        parse.vnet(vnet)
    with pytest.raises(ShapeError, match="id is missing"):
        parse.vault({"name": "kv"})


@pytest.mark.parametrize(("path", "namespace"), [
    ("/subscriptions/s/resourceGroups/g/providers/Microsoft.MachineLearningServices/workspaces/w/onlineEndpoints",
     "microsoft.machinelearningservices"),
    ("/subscriptions/s/providers/Microsoft.Network/privateDnsZones", "microsoft.network/privatednszones"),
    ("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/privateDnsZones/z/ALL",
     "microsoft.network/privatednszones"),
    ("/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/privateEndpoints/p/privateDnsZoneGroups",
     "microsoft.network"),
    ("/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v", "microsoft.keyvault"),
    ("/subscriptions", ""),
])
def test_each_path_is_read_at_its_providers_api_version(path: str, namespace: str) -> None:
    assert api_version(path) == API_VERSIONS[namespace]


def test_the_examples_are_at_the_api_versions_netcheck_reads() -> None:
    """The folders of Microsoft's examples name the versions session.API_VERSIONS reads at."""
    # network: several versions
    read = ("machinelearningservices", "containerregistry", "keyvault", "privatedns", "storage", "policy")
    folders: dict[str, set[str]] = {}
    for p in (q.relative_to(EXAMPLES) for q in EXAMPLES.rglob("*.json")):
        if p.parts[0] in read:
            folders.setdefault(p.parts[0], set()).add(p.parts[1])
    # machinelearningservices also holds a newer version's listRule.json (its rules lack errorInformation):
    # a shape netcheck's parser must read too, not the version it reads at
    assert {k: v - ({"2026-07-01"} if k == "machinelearningservices" else set()) for k, v in folders.items()} == {
        "machinelearningservices": {API_VERSIONS["microsoft.machinelearningservices"]},
        "containerregistry": {API_VERSIONS["microsoft.containerregistry"]},
        "keyvault": {API_VERSIONS["microsoft.keyvault"]},
        "privatedns": {API_VERSIONS["microsoft.network/privatednszones"]},
        "storage": {API_VERSIONS["microsoft.storage"]}, "policy": {API_VERSIONS["microsoft.authorization"]}}
    assert Path(EXAMPLES / "network" / API_VERSIONS["microsoft.network"]).is_dir()
