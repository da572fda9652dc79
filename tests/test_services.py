"""The service registry is the one place a private-link service is described.

A throw-away service registered here, in the test only, is discovered, targeted, resolved through the
simulator and checked by the existing probes, with no other module touched.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import demo_args, run_scenario

from netcheck import services
from netcheck.azure import versions
from netcheck.azure.collect import gather
from netcheck.azure.facts import Inventory
from netcheck.cli import apply_options, scenario_settings
from netcheck.clouds import CLOUDS, cloud
from netcheck.model import Verdict
from netcheck.probes.impact import impact
from netcheck.settings import Settings
from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator
from netcheck.targets import from_inventory, records, required_zones

RG = "/subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b/resourceGroups/rg-mlops-prod/providers"
SEARCH = f"{RG}/Microsoft.Search/searchServices/srch-contoso"
PE = f"{RG}/Microsoft.Network/privateEndpoints/pe-srch-contoso"
ZONE = f"{RG}/Microsoft.Network/privateDnsZones/privatelink.search.windows.net"
HOST, PE_IP = "srch-contoso.search.windows.net", "10.20.1.20"

# The throw-away entry: everything netcheck needs to know about AI Search, in one place (and, as for any
# new provider, the api-version to read it at, in azure/versions.py's table).
_SEARCH = services.per_cloud("search.windows.net", "search.azure.cn", "search.windows.us")
THROWAWAY = services.Service(
    key="search", arm_type="Microsoft.Search/searchServices", group_ids=("searchService",), role="search",
    suffix=_SEARCH, zone=services.privatelink(_SEARCH), forward=services.forwards(_SEARCH),
    workspace_property="searchService", read_generically=True, serves="search in the workspace's apps")


@pytest.fixture
def throwaway(monkeypatch: pytest.MonkeyPatch) -> Iterator[services.Service]:
    monkeypatch.setitem(services.SERVICES, THROWAWAY.key, THROWAWAY)   # restored after the test
    monkeypatch.setitem(versions.API_VERSIONS, "microsoft.search", "2023-11-01")
    yield THROWAWAY


def _scenario(tmp_path: Path, *, record: bool = True) -> Path:
    """healthy, plus a search service the workspace names, its private endpoint, zone, record and link."""
    arm: list[dict[str, Any]] = [
        {"id": SEARCH, "type": "Microsoft.Search/searchServices", "location": "eastus",
         "properties": {"publicNetworkAccess": "Disabled", "provisioningState": "succeeded"}},
        {"id": f"{SEARCH}/privateEndpointConnections/pe-srch-contoso.1a2b",
         "type": "Microsoft.Search/searchServices/privateEndpointConnections",
         "properties": {"privateEndpoint": {"id": PE},
                        "privateLinkServiceConnectionState": {"status": "Approved", "description": "Auto-Approved"}}},
        {"id": PE, "type": "Microsoft.Network/privateEndpoints", "location": "eastus",
         "properties": {
             "privateLinkServiceConnections": [{"name": "pe-srch-contoso", "properties": {
                 "privateLinkServiceId": SEARCH, "groupIds": ["searchService"],
                 "privateLinkServiceConnectionState": {"status": "Approved"}}}],
             "subnet": {"id": f"{RG}/Microsoft.Network/virtualNetworks/vnet-ml-hub/subnets/snet-pe"},
             "customDnsConfigs": [{"fqdn": HOST, "ipAddresses": [PE_IP]}]}},
        {"id": ZONE, "type": "Microsoft.Network/privateDnsZones", "location": "global", "properties": {}},
        {"id": f"{ZONE}/virtualNetworkLinks/link-vnet-ml-hub",
         "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "location": "global",
         "properties": {"virtualNetwork": {"id": f"{RG}/Microsoft.Network/virtualNetworks/vnet-ml-hub"},
                        "registrationEnabled": False, "virtualNetworkLinkState": "Completed"}},
    ]
    if record:
        arm.append({"id": f"{ZONE}/A/srch-contoso", "type": "Microsoft.Network/privateDnsZones/A",
                    "properties": {"ttl": 10, "aRecords": [{"ipv4Address": PE_IP}]}})
    data = {"scenario": 1, "base": "healthy", "name": "throwaway-search", "summary": "healthy, plus AI Search",
            "patch": [{"id": f"{RG}/Microsoft.MachineLearningServices/workspaces/mlw-contoso-prod",
                       "set": {"properties.searchService": SEARCH}}],
            "arm": arm}
    path = tmp_path / "throwaway.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _inventory(path: Path) -> tuple[Inventory, Settings]:
    sc = load(str(path))
    with Simulator(sc) as sim:
        settings = scenario_settings(sim, apply_options(demo_args(str(path)), sc), os.environ)
        return asyncio.run(gather(settings)), settings


def test_a_registered_service_is_discovered_and_targeted(throwaway: services.Service, tmp_path: Path) -> None:
    inv, settings = _inventory(_scenario(tmp_path))
    # discovered: the resource the workspace names, its private endpoint and its zone
    assert [(x.service, x.id) for x in inv.linked] == [("search", SEARCH)]
    assert PE.lower() in {p.id.lower() for p in inv.private_endpoints}
    assert inv.zone("privatelink.search.windows.net") is not None
    # targeted: a record the zone must hold, a name clients resolve, a zone to forward
    (rec,) = [r for r in records(inv) if r.zone == "privatelink.search.windows.net"]
    assert (rec.name, rec.ips, rec.owner) == ("srch-contoso", (PE_IP,), SEARCH)
    assert "privatelink.search.windows.net" in required_zones(inv)
    (name,) = [n for n in from_inventory(inv, settings).names if n.fqdn == HOST]
    assert (name.role, name.expected) == ("search", (PE_IP,))
    assert "search.windows.net" in cloud("AzureCloud").forwarded_zones
    # the inventory file keeps it, and a file written before the field existed still loads
    data = json.loads(json.dumps(inv.to_json()))
    assert Inventory.from_json(data) == inv
    del data["linked"]
    assert Inventory.from_json(data).linked == ()


def _verdicts(path: Path) -> dict[str, Verdict]:
    report, _ = run_scenario(str(path))
    return {f"{r.probe}@{r.subject}": r.verdict for r in report.results}


def test_a_registered_service_is_resolved_and_checked(throwaway: services.Service, tmp_path: Path) -> None:
    got = _verdicts(_scenario(tmp_path))
    assert got["pdns.zones@privatelink.search.windows.net"] is Verdict.PASS
    assert got["pdns.records@srch-contoso.privatelink.search.windows.net"] is Verdict.PASS
    assert got["pdns.links@privatelink.search.windows.net → vnet-ml-hub"] is Verdict.PASS
    assert got[f"dns.system@{HOST}"] is Verdict.PASS      # through the simulator's DNS, to the PE's address


def test_a_registered_service_missing_its_record_fails(throwaway: services.Service, tmp_path: Path) -> None:
    got = _verdicts(_scenario(tmp_path, record=False))
    assert got["pdns.records@srch-contoso.privatelink.search.windows.net"] is Verdict.FAIL
    assert got[f"dns.system@{HOST}"] is Verdict.FAIL
    assert impact("dns.system", HOST).breaks == "search in the workspace's apps"   # the entry's own word


def test_without_the_entry_the_service_is_unknown(tmp_path: Path) -> None:
    inv, settings = _inventory(_scenario(tmp_path))
    assert inv.linked == () and HOST not in {n.fqdn for n in from_inventory(inv, settings).names}


def test_each_cloud_spells_every_service() -> None:
    for svc in services.all_services():
        assert set(svc.suffix) == set(svc.forward) == set(CLOUDS), svc.key
        assert svc.zone is None or set(svc.zone) == set(CLOUDS), svc.key


@pytest.mark.parametrize(("name", "zones", "forwarded"), [
    ("AzureCloud",
     ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net", "privatelink.azurecr.io",
      "privatelink.vaultcore.azure.net", "privatelink.blob.core.windows.net", "privatelink.file.core.windows.net"],
     {"api.azureml.ms", "notebooks.azure.net", "instances.ml.azure.ms", "instances.azureml.ms", "aznbcontent.net",
      "inference.ml.azure.com", "azurecr.io", "vault.azure.net", "vaultcore.azure.net", "blob.core.windows.net",
      "file.core.windows.net"}),
    ("AzureChinaCloud",
     ["privatelink.api.ml.azure.cn", "privatelink.notebooks.chinacloudapi.cn", "privatelink.azurecr.cn",
      "privatelink.vaultcore.azure.cn", "privatelink.blob.core.chinacloudapi.cn",
      "privatelink.file.core.chinacloudapi.cn"],
     {"api.ml.azure.cn", "notebooks.chinacloudapi.cn", "instances.ml.azure.cn", "instances.azureml.cn",
      "aznbcontent.net", "inference.ml.azure.cn", "azurecr.cn", "vault.azure.cn", "vaultcore.azure.cn",
      "blob.core.chinacloudapi.cn", "file.core.chinacloudapi.cn"}),
    ("AzureUSGovernment",
     ["privatelink.api.ml.azure.us", "privatelink.notebooks.usgovcloudapi.net", "privatelink.azurecr.us",
      "privatelink.vaultcore.usgovcloudapi.net", "privatelink.blob.core.usgovcloudapi.net",
      "privatelink.file.core.usgovcloudapi.net"],
     {"api.ml.azure.us", "notebooks.usgovcloudapi.net", "instances.ml.azure.us", "instances.azureml.us",
      "aznbcontent.net", "inference.ml.azure.us", "azurecr.us", "vault.usgovcloudapi.net",
      "vaultcore.usgovcloudapi.net", "blob.core.usgovcloudapi.net", "file.core.usgovcloudapi.net"}),
])
def test_the_three_clouds_stay_exact(name: str, zones: list[str], forwarded: set[str]) -> None:
    """Microsoft's private DNS zone values page: the zones and the public zones a forwarder needs."""
    c = cloud(name)
    assert list(c.required_zones) == zones
    assert set(c.forwarded_zones) == forwarded
    assert services.split(f"kv1.{c.suffix('vault')}", name) == (zones[3], "kv1")
    assert services.private_name(f"crx.{c.suffix('registry')}", name) == f"crx.{zones[2]}"


def test_cloud_is_built_by_keyword() -> None:
    with pytest.raises(TypeError):
        type(cloud("AzureCloud"))("x", "https://arm", "login")  # type: ignore[call-arg]
