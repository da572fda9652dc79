"""The simulator's ARM, read by the real SDK clients: Microsoft's own examples and every scenario."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import http.client
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from netcheck.azure.credential import StaticTokenCredential
from netcheck.azure.session import Session
from netcheck.azure.versions import ML_API_VERSION
from netcheck.settings import Settings
from netcheck.sim.scenario import Scenario, load, shipped
from netcheck.sim.server import Simulator

EXAMPLES = ROOT / "tests" / "data" / "arm-examples"   # Microsoft's own, with SOURCES.md
SUB = "00000000-1111-2222-3333-444444444444"
RG = f"/subscriptions/{SUB}/resourceGroups/rg1"


def body_of(rel: str) -> Any:
    data = json.loads((EXAMPLES / rel).read_text())
    return data["responses"]["200"]["body"]


def subset(want: Any, got: Any, path: str = "") -> list[str]:
    """Where `got` lost or changed something `want` has."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: not an object"]
        return [m for k, v in want.items() for m in (subset(v, got[k], f"{path}.{k}") if k in got
                                                      else [f"{path}.{k}: missing"])]
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{path}: list differs"]
        return [m for i, (a, b) in enumerate(zip(want, got, strict=True)) for m in subset(a, b, f"{path}[{i}]")]
    return [] if want == got else [f"{path}: {want!r} != {got!r}"]


def session_for(sim: Simulator) -> Session:
    settings = sim.settings(Settings(), subscription=SUB)
    return Session(settings, StaticTokenCredential(sim.token))


# (example file, the resource id the SDK call reads, the call)
Call = Callable[[Session], Any]
GETS: list[tuple[str, str, Call]] = [
    ("containerregistry/2025-11-01/RegistryGet.json", f"{RG}/providers/Microsoft.ContainerRegistry/registries/myRegistry",
     lambda s: s.sdk("acr").registries.get("rg1", "myRegistry")),
    ("containerregistry/2025-11-01/PrivateEndpointConnectionGet.json",
     f"{RG}/providers/Microsoft.ContainerRegistry/registries/myRegistry/privateEndpointConnections/myConnection",
     lambda s: s.sdk("acr").private_endpoint_connections.get("rg1", "myRegistry", "myConnection")),
    ("keyvault/2026-02-01/getVault.json", f"{RG}/providers/Microsoft.KeyVault/vaults/sample-vault",
     lambda s: s.sdk("keyvault").vaults.get("rg1", "sample-vault")),
    ("keyvault/2026-02-01/createVaultWithNetworkAcls.json", f"{RG}/providers/Microsoft.KeyVault/vaults/sample-vault",
     lambda s: s.sdk("keyvault").vaults.get("rg1", "sample-vault")),
    ("network/2025-05-01/PrivateEndpointGet.json", f"{RG}/providers/Microsoft.Network/privateEndpoints/testPe",
     lambda s: s.sdk("network").private_endpoints.get("rg1", "testPe")),
    ("network/2025-07-01/NetworkInterfaceGet.json", f"{RG}/providers/Microsoft.Network/networkInterfaces/test-nic",
     lambda s: s.sdk("network").network_interfaces.get("rg1", "test-nic")),
    ("network/2025-09-01/VirtualNetworkGet.json", f"{RG}/providers/Microsoft.Network/virtualNetworks/test-vnet",
     lambda s: s.sdk("network").virtual_networks.get("rg1", "test-vnet")),
    ("network/2025-09-01/PrivateEndpointDnsZoneGroupGet.json",
     f"{RG}/providers/Microsoft.Network/privateEndpoints/testPe/privateDnsZoneGroups/testPdnsgroup",
     lambda s: s.sdk("network").private_dns_zone_groups.get("rg1", "testPe", "testPdnsgroup")),
    ("privatedns/2024-06-01/PrivateZoneGet.json", f"{RG}/providers/Microsoft.Network/privateDnsZones/privatezone1.com",
     lambda s: s.sdk("privatedns").private_zones.get("rg1", "privatezone1.com")),
]
ML_GETS = [
    ("machinelearningservices/2025-12-01/Workspace/get.json",
     f"{RG}/providers/Microsoft.MachineLearningServices/workspaces/testworkspace"),
    ("machinelearningservices/2025-12-01/Workspace/OnlineEndpoint/get.json",
     f"{RG}/providers/Microsoft.MachineLearningServices/workspaces/testworkspace/onlineEndpoints/ep1"),
    ("machinelearningservices/2025-12-01/OnlineDeployment/ManagedOnlineDeployment/get.json",
     f"{RG}/providers/Microsoft.MachineLearningServices/workspaces/testworkspace/onlineEndpoints/ep1/deployments/blue"),
    ("machinelearningservices/2025-12-01/OnlineDeployment/KubernetesOnlineDeployment/get.json",
     f"{RG}/providers/Microsoft.MachineLearningServices/workspaces/testworkspace/onlineEndpoints/ep1/deployments/k8s"),
]
LISTS = [
    ("privatedns/2024-06-01/PrivateZoneListInResourceGroup.json", f"{RG}/providers/Microsoft.Network/privateDnsZones/",
     lambda s: s.sdk("privatedns").private_zones.list_by_resource_group("rg1")),
    ("privatedns/2024-06-01/RecordSetALLList.json", f"{RG}/providers/Microsoft.Network/privateDnsZones/privatezone1.com/",
     lambda s: s.sdk("privatedns").record_sets.list("rg1", "privatezone1.com")),
    ("privatedns/2024-06-01/VirtualNetworkLinkList.json",
     f"{RG}/providers/Microsoft.Network/privateDnsZones/privatezone1.com/virtualNetworkLinks/",
     lambda s: s.sdk("privatedns").virtual_network_links.list("rg1", "privatezone1.com")),
    ("containerregistry/2025-11-01/PrivateEndpointConnectionList.json",
     f"{RG}/providers/Microsoft.ContainerRegistry/registries/myRegistry/privateEndpointConnections/",
     lambda s: s.sdk("acr").private_endpoint_connections.list("rg1", "myRegistry")),
]

def scenario_of(resources: list[dict[str, Any]]) -> Scenario:
    return Scenario("examples", "Microsoft's example responses", "test", tuple(resources), page_size=1)


def placed(body: dict[str, Any], rid: str) -> dict[str, Any]:
    """The example, stored at the id the SDK call reads (some examples carry 'string' or 'subId' ids)."""
    res = copy.deepcopy(body)
    res["id"] = rid
    res.setdefault("type", "/".join(rid.split("/providers/")[-1].split("/")[0:2]))
    return res


def without_id(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "id"}


@pytest.mark.parametrize(("rel", "rid", "call"), GETS, ids=[g[0] for g in GETS])
def test_sdk_reads_example_back_without_losing_a_field(rel: str, rid: str, call: Call) -> None:
    body = body_of(rel)
    extra = []
    if rel.endswith("PrivateEndpointConnectionGet.json"):  # its parent must exist too
        extra = [placed(body_of("containerregistry/2025-11-01/RegistryGet.json"), rid.rsplit("/", 2)[0])]
    with Simulator(scenario_of([placed(body, rid), *extra])) as sim:
        got = call(session_for(sim)).as_dict()
    assert subset(without_id(body), got) == []
    assert got["id"] == rid


@pytest.mark.parametrize(("rel", "rid"), ML_GETS, ids=[g[0] for g in ML_GETS])
def test_ml_client_reads_example_back_without_losing_a_field(rel: str, rid: str) -> None:
    body = body_of(rel)
    resources = [placed(body, rid)]
    if "/onlineEndpoints/" in rid:
        resources.append(placed(body_of(ML_GETS[0][0]), ML_GETS[0][1]))
    with Simulator(scenario_of(resources)) as sim:
        got = session_for(sim).arm().get(rid, ML_API_VERSION)
    assert subset(without_id(body), got) == []


@pytest.mark.parametrize(("rel", "prefix", "call"), LISTS, ids=[x[0] for x in LISTS])
def test_sdk_lists_examples_following_next_links(rel: str, prefix: str, call: Call) -> None:
    items = body_of(rel)["value"]
    parent = prefix.rstrip("/").rsplit("/", 1)[0] if prefix.endswith("s/") else prefix.rstrip("/")
    resources = []
    for item in items:
        tail = "/".join(item["id"].split("/")[-2:]) if "privateDnsZones/privatezone1.com/" in item["id"] else (
            item["id"].rsplit("/", 1)[-1])
        rid = f"{prefix.rstrip('/')}/{tail}" if "RecordSet" in rel else f"{prefix}{item['id'].rsplit('/', 1)[-1]}"
        resources.append(placed(item, rid))
    if not parent.endswith("privateDnsZones"):  # the parent zone or registry exists
        resources.append({"id": parent, "type": "Microsoft.Network/privateDnsZones" if "Dns" in parent
                          else "Microsoft.ContainerRegistry/registries", "location": "global", "properties": {}})
    with Simulator(scenario_of(resources)) as sim:
        got = [x.as_dict() for x in call(session_for(sim))]
        pages = [r for r in sim.arm.requests if "$skipToken" in r.query]
    assert len(got) == len(items)
    by_name = {g["name"]: g for g in got}
    for item in items:
        assert subset(without_id(item), by_name[item["name"]]) == []
    assert len(pages) == len(items) - 1  # one item a page: the client followed every nextLink


def test_every_scenario_resource_reads_back_through_the_sdk_clients() -> None:
    """Each resource of each shipped scenario, read by the client that reads it in production."""
    readers: dict[str, Callable[[Session, list[str]], Any]] = {
        "microsoft.network/privateendpoints": lambda s, p: s.sdk("network").private_endpoints.get(p[4], p[8]),
        "microsoft.network/networkinterfaces": lambda s, p: s.sdk("network").network_interfaces.get(p[4], p[8]),
        "microsoft.network/virtualnetworks": lambda s, p: s.sdk("network").virtual_networks.get(p[4], p[8]),
        "microsoft.network/privatednszones": lambda s, p: s.sdk("privatedns").private_zones.get(p[4], p[8]),
        "microsoft.keyvault/vaults": lambda s, p: s.sdk("keyvault").vaults.get(p[4], p[8]),
        "microsoft.containerregistry/registries": lambda s, p: s.sdk("acr").registries.get(p[4], p[8]),
    }
    checked = 0
    seen: set[str] = set()   # most scenarios patch `healthy`: read each distinct resource once
    for name in sorted(shipped()):
        sc = dataclasses.replace(load(name), faults=())  # faults are tested elsewhere: read every resource here
        fresh = [r for r in sc.arm if json.dumps(r, sort_keys=True) not in seen]
        if not fresh:
            continue
        with Simulator(sc) as sim:
            s = Session(sim.settings(Settings()), StaticTokenCredential(sim.token))
            for res in fresh:
                seen.add(json.dumps(res, sort_keys=True))
                parts = res["id"].split("/")
                reader = readers.get(res["type"].lower())
                if res["type"].startswith("Microsoft.MachineLearningServices"):
                    got = s.arm().get(res["id"], ML_API_VERSION)
                elif reader:
                    got = reader(s, parts).as_dict()
                else:
                    continue
                assert subset(res, got) == [], (name, res["id"])
                checked += 1
            assert sim.mutating_requests == []
    assert checked > 60


def request(sim: Simulator, path: str, *, token: bool = True, method: str = "GET") -> tuple[int, dict[str, Any]]:
    ctx = ssl.create_default_context(cafile=str(sim.ca_bundle))
    req = urllib.request.Request(f"{sim.arm.base_url}{path}", method=method)
    if token:
        req.add_header("Authorization", f"Bearer {sim.token}")
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


WS = ("/subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b/resourceGroups/rg-mlops-prod/providers/"
      "Microsoft.MachineLearningServices/workspaces/mlw-contoso-prod")


def test_arm_wire_errors_look_like_arm(sim_factory: Any) -> None:
    sim = sim_factory("healthy")
    status, body = request(sim, WS)
    assert status == 400 and body["error"]["code"] == "MissingApiVersionParameter"
    status, body = request(sim, WS + "?api-version=2025-12-01", token=False)
    assert status == 401
    status, body = request(sim, WS.replace("mlw-contoso-prod", "nope") + "?api-version=2025-12-01")
    assert status == 404 and body["error"]["code"] == "ResourceNotFound"
    status, body = request(sim, WS.replace("rg-mlops-prod", "rg-nope") + "?api-version=2025-12-01")
    assert status == 404 and body["error"]["code"] == "ResourceGroupNotFound"
    status, body = request(sim, WS + "?api-version=2025-12-01", method="DELETE")
    assert status == 405
    assert sim.mutating_requests == [f"DELETE {WS}"]   # recorded, so a test would fail on it


def test_a_refused_post_leaves_the_keep_alive_connection_clean(sim_factory: Any) -> None:
    """Answered 401 before its body is looked at, a POST's body is still read: the next request on the
    connection is answered as itself, not parsed from the leftover body."""
    sim = sim_factory("healthy")
    conn = http.client.HTTPSConnection(sim.arm.base_url.split("://", 1)[1],
                                       context=ssl.create_default_context(cafile=str(sim.ca_bundle)), timeout=10)
    try:
        conn.request("POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01",
                     body=json.dumps({"query": "resources | project id"}), headers={"Content-Type": "application/json"})
        refused = conn.getresponse()
        assert refused.status == 401 and json.loads(refused.read())["error"]["code"] == "AuthenticationFailed"
        conn.request("GET", WS + "?api-version=2025-12-01", headers={"Authorization": f"Bearer {sim.token}"})
        read = conn.getresponse()
        assert read.status == 200 and json.loads(read.read())["name"] == "mlw-contoso-prod"
    finally:
        conn.close()


def test_403_names_action_and_scope(sim_factory: Any) -> None:
    sim = sim_factory("arm-forbidden-registry")
    path = WS.replace("Microsoft.MachineLearningServices/workspaces/mlw-contoso-prod",
                      "Microsoft.ContainerRegistry/registries/crcontosoml")
    status, body = request(sim, path + "?api-version=2025-11-01")
    assert status == 403 and body["error"]["code"] == "AuthorizationFailed"
    assert "Microsoft.ContainerRegistry/registries/read" in body["error"]["message"]
    assert f"over scope '{path}'" in body["error"]["message"]


def test_list_pages_with_next_link(sim_factory: Any) -> None:
    sim = sim_factory("healthy")
    status, page = request(sim, "/subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b/providers/"
                           "Microsoft.Network/privateDnsZones?api-version=2024-06-01")
    assert status == 200 and len(page["value"]) == 2 and page["nextLink"].startswith(sim.arm.base_url)


def _open_files() -> dict[str, str]:
    """This process's file descriptors and what each points at (socket:[inode], a path, ...)."""
    import os

    out = {}
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):   # the listing's own descriptor is gone by now
            out[fd] = os.readlink(f"/proc/self/fd/{fd}")
    return out


def test_start_stop_twenty_times_leaks_nothing() -> None:
    """Every thread a simulator starts ends with it, and none of its sockets or files stay open.

    Sets before and after, not counts: the runtime may start threads or open files of its own."""
    import gc
    import threading

    sc = load("custom-dns-ok")
    threads_before, files_before = set(threading.enumerate()), _open_files()
    theirs: set[threading.Thread] = set()
    folders = []
    for _ in range(20):
        with Simulator(sc) as sim:
            folders.append(sim.ca_bundle.parent)
            status, _ = request(sim, WS + "?api-version=2025-12-01")
            assert status == 200
            theirs |= set(threading.enumerate()) - threads_before   # its servers and their request workers
    for t in theirs:
        t.join(timeout=30)   # stop() has asked each to end; wait for it rather than guess how long
    assert not [t.name for t in theirs if t.is_alive()]
    gc.collect()
    new = {fd: what for fd, what in _open_files().items() if files_before.get(fd) != what}
    assert not [what for what in new.values() if what.startswith("socket:")], new
    assert not [what for what in new.values() if any(what.startswith(str(f)) for f in folders)], new
    assert len(new) < 20, new   # whatever the runtime opened, it is not one per simulator
    assert not any(Path(f).exists() for f in folders)


SUB_HEALTHY = "/subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b"
NET = f"{SUB_HEALTHY}/resourceGroups/rg-mlops-prod/providers/Microsoft.Network"


def test_arm_errors_name_what_arm_names(sim_factory: Any) -> None:
    sim = sim_factory("healthy")
    status, body = request(sim, WS.replace("mlw-contoso-prod", "nope") + "?api-version=2025-12-01")
    assert status == 404 and "'Microsoft.MachineLearningServices/workspaces/nope'" in body["error"]["message"]
    status, body = request(sim, f"{WS}/onlineEndpoints/ep-none?api-version=2025-12-01")
    assert "'Microsoft.MachineLearningServices/workspaces/mlw-contoso-prod/onlineEndpoints/ep-none'" in (
        body["error"]["message"])
    status, body = request(sim, WS.replace("6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b", SUB) + "?api-version=2025-12-01")
    assert status == 404 and body["error"]["code"] == "SubscriptionNotFound"


@pytest.mark.parametrize(("path", "good"), [
    (WS, "2025-12-01"),
    (f"{NET}/virtualNetworks/vnet-ml-hub", "2025-09-01"),
    (f"{NET}/privateDnsZones/privatelink.azurecr.io", "2024-06-01"),
])
def test_api_versions_are_checked_per_resource_type(sim_factory: Any, path: str, good: str) -> None:
    sim = sim_factory("healthy")
    assert request(sim, f"{path}?api-version={good}")[0] == 200
    status, body = request(sim, f"{path}?api-version=2099-01-01")
    assert status == 400 and body["error"]["code"] == "NoRegisteredProviderFound"
    assert good in body["error"]["message"]


def test_every_api_version_netcheck_and_the_sdks_send_is_accepted() -> None:
    """The healthy check through the real readers: no request refused for its api-version."""
    from conftest import shared_run

    _, sim = shared_run("healthy")
    refused = [f"{r.path}?{r.query}" for r in sim.arm.requests if r.status == 400]
    assert refused == []


def test_child_collections_are_served(sim_factory: Any) -> None:
    sim = sim_factory("healthy")
    status, page = request(sim, f"{NET}/virtualNetworks/vnet-ml-hub/subnets?api-version=2025-09-01")
    names = [s["name"] for s in page["value"]]
    while "nextLink" in page:
        status, page = request(sim, page["nextLink"].removeprefix(sim.arm.base_url))
        names += [s["name"] for s in page["value"]]
    assert status == 200 and names == ["snet-pe", "snet-jumpbox"]
    status, page = request(sim, f"{WS}/privateEndpointConnections?api-version=2025-12-01")
    assert status == 200 and [c["name"] for c in page["value"]] == ["pe-mlw-contoso-prod.7c1d"]


def test_resource_groups_and_resources_listings_find_a_registry_as_az_acr_does(sim_factory: Any) -> None:
    sim = sim_factory("healthy")
    status, group = request(sim, f"{SUB_HEALTHY}/resourceGroups/rg-mlops-prod?api-version=2024-11-01")
    assert status == 200 and group["type"] == "Microsoft.Resources/resourceGroups" and group["location"] == "eastus"
    # az acr ... -r NAME finds the registry's group through the subscription's resources listing
    flt = "resourceType%20eq%20'Microsoft.ContainerRegistry/registries'"
    status, page = request(sim, f"{SUB_HEALTHY}/resources?api-version=2024-11-01&$filter={flt}")
    assert status == 200 and [r["name"] for r in page["value"]] == ["crcontosoml"]
    assert "properties" not in page["value"][0]
    status, page = request(sim, f"{SUB_HEALTHY}/resourceGroups/rg-mlops-prod/resources?api-version=2024-11-01")
    assert status == 200 and len(page["value"]) == 2 and "nextLink" in page   # paged as every list
    status, page = request(sim, f"{group['id']}/providers/Microsoft.ContainerRegistry/registries/crcontosoml/"
                           "privateEndpointConnections?api-version=2025-11-01")
    assert status == 200 and page["value"]
