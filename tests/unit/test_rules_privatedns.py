"""pdns.zones, pdns.records, pdns.links: each verdict rule from hand-made facts, and what the user reads."""

from __future__ import annotations

import dataclasses

import pytest
from facts import (
    GUID,
    HUB,
    OUTSIDE,
    PE_WS_ID,
    REGION,
    RG,
    SCORING_IP,
    WS_ID,
    check,
    commands,
    endpoint,
    inventory,
    link,
    only,
    replace_zone,
    rid,
    workspace,
)

from netcheck.azure.facts import Cluster, Inventory, ReadError, RecordSet
from netcheck.model import Verdict
from netcheck.probes import privatedns

API = "privatelink.api.azureml.ms"
API_ID = rid("Microsoft.Network/privateDnsZones", API)
WILDCARD = f"*.{GUID}.inference.{REGION}"
COMPUTE = f"{WS_ID}/computes/aks-inference"
AKS_VNET = rid("Microsoft.Network/virtualNetworks", "vnet-aks")
ALL_ZONES = [API, "privatelink.notebooks.azure.net", "privatelink.azurecr.io", "privatelink.vaultcore.azure.net",
             "privatelink.blob.core.windows.net", "privatelink.file.core.windows.net"]


def kubernetes(cluster: Cluster) -> dict[str, object]:
    """A Kubernetes endpoint on compute aks-inference, whose cluster is `cluster`."""
    return {"endpoints": (endpoint(compute_type="Kubernetes", compute_id=COMPUTE),), "clusters": (cluster,)}


# ---- pdns.zones ----------------------------------------------------------------------------------

def test_every_needed_zone_exists_passes() -> None:
    findings = check(privatedns.zones)
    assert [f.about.text for f in findings] == ALL_ZONES and {f.verdict for f in findings} == {Verdict.PASS}


def test_a_missing_zone_fails_with_zone_create() -> None:
    f = only(check(privatedns.zones, replace_zone(inventory(), API, drop=True)), API)
    assert f.verdict is Verdict.FAIL and f.summary == f"private DNS zone {API} is missing: its names resolve publicly"
    assert commands(f) == [f"az network private-dns zone create -g {RG} -n {API}"]


def test_a_public_workspace_without_private_endpoints_needs_no_zone() -> None:
    inv = inventory(workspace=workspace(public_network_access="Enabled", connections=(), storage_account=None),
                    private_endpoints=(), zones=())
    assert check(privatedns.zones, inv) == []


# ---- pdns.records --------------------------------------------------------------------------------

def test_records_holding_the_pe_addresses_pass() -> None:
    findings = check(privatedns.zone_records, earlier=[privatedns.zones])
    assert len(findings) == 9 and {f.verdict for f in findings} == {Verdict.PASS}
    f = only(findings, f"{WILDCARD}.{API}")
    assert f.summary == f"A {SCORING_IP}" and f.evidence["private_endpoint"] == PE_WS_ID


def _without_wildcard() -> Inventory:
    inv = inventory()
    (api,) = [z for z in inv.zones if z.name == API]
    return replace_zone(inv, API, records=tuple(r for r in api.records if r.name != WILDCARD))


def test_a_missing_record_fails_with_a_zone_group_for_its_pe() -> None:
    f = only(check(privatedns.zone_records, _without_wildcard(), earlier=[privatedns.zones]),
             f"{WILDCARD}.{API}")
    assert f.verdict is Verdict.FAIL and f"no A record {WILDCARD} in {API}" in f.summary
    assert commands(f) == [
        f"az network private-endpoint dns-zone-group create -g {RG} --endpoint-name pe-mlw-contoso-prod -n default "
        f"--private-dns-zone {API_ID} --zone-name privatelink-api-azureml-ms",
        f"az network private-dns record-set a add-record -g {RG} -z {API} -n '{WILDCARD}' -a {SCORING_IP}"]


def test_a_stale_record_fails_and_points_it_at_the_pe() -> None:
    inv = inventory()
    (api,) = [z for z in inv.zones if z.name == API]
    records = tuple(RecordSet(name=r.name, type="A", a=("10.99.0.7",)) if r.name == WILDCARD else r
                    for r in api.records)
    f = only(check(privatedns.zone_records, replace_zone(inv, API, records=records), earlier=[privatedns.zones]),
             f"{WILDCARD}.{API}")
    assert f.verdict is Verdict.FAIL and f"stale record: {WILDCARD} points at 10.99.0.7" in f.summary
    assert commands(f) == [
        f"az network private-dns record-set a remove-record -g {RG} -z {API} -n '{WILDCARD}' -a 10.99.0.7",
        f"az network private-dns record-set a add-record -g {RG} -z {API} -n '{WILDCARD}' -a {SCORING_IP}"]


def test_records_of_a_missing_zone_skip_naming_pdns_zones() -> None:
    inv = replace_zone(inventory(), API, drop=True)
    findings = [f for f in check(privatedns.zone_records, inv, earlier=[privatedns.zones]) if f.about.text.endswith(API)]
    assert len(findings) == 3
    for f in findings:
        assert f.verdict is Verdict.SKIP and f.summary == f"zone {API} is missing"
        assert str(f.cause).startswith("pdns.zones") and API in str(f.cause)


# ---- pdns.links ----------------------------------------------------------------------------------

def test_zones_linked_to_the_client_vnet_pass() -> None:
    findings = check(privatedns.links, earlier=[privatedns.zones])
    assert [f.about.text for f in findings] == [f"{z} → vnet-ml-hub" for z in ALL_ZONES]
    assert {f.verdict for f in findings} == {Verdict.PASS}


def test_an_unlinked_zone_fails_with_link_create() -> None:
    f = only(check(privatedns.links, replace_zone(inventory(), API, links=()), earlier=[privatedns.zones]),
             f"{API} → vnet-ml-hub")
    assert f.verdict is Verdict.FAIL and f.summary.startswith(f"zone {API} is not linked to VNet vnet-ml-hub")
    assert commands(f) == [f"az network private-dns link vnet create -g {RG} -z {API} -n link-vnet-ml-hub "
                           f"-v {HUB} -e false"]


def test_a_zone_in_the_hubs_subscription_is_fixed_there() -> None:
    """Landing zones keep the privatelink zones in a connectivity subscription: az must be told which."""
    hub_sub = "0c0c0c0c-1111-4222-8333-944444444444"
    zone_id = f"/subscriptions/{hub_sub}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/{API}"
    inv = replace_zone(inventory(), API, id=zone_id, links=())
    (api,) = [z for z in inv.zones if z.name == API]
    stale = tuple(RecordSet(name=r.name, type="A", a=("10.99.0.7",)) if r.name == WILDCARD else r for r in api.records)
    link_fix = only(check(privatedns.links, inv, earlier=[privatedns.zones]), f"{API} → vnet-ml-hub")
    assert commands(link_fix) == [f"az network private-dns link vnet create -g rg-dns -z {API} -n link-vnet-ml-hub "
                                  f"-v {HUB} -e false --subscription {hub_sub}"]
    record_fix = only(check(privatedns.zone_records, replace_zone(inv, API, records=stale),
                            earlier=[privatedns.zones]), f"{WILDCARD}.{API}")
    assert all(c.endswith(f" --subscription {hub_sub}") for c in commands(record_fix)), commands(record_fix)


def test_a_link_not_completed_fails_and_recreates_it() -> None:
    inv = replace_zone(inventory(), API, links=(link(API, state="InProgress"),))
    f = only(check(privatedns.links, inv, earlier=[privatedns.zones]), f"{API} → vnet-ml-hub")
    assert f.verdict is Verdict.FAIL and f.summary == "the link link-vnet-ml-hub is InProgress, not Completed"
    assert commands(f) == [
        f"az network private-dns link vnet delete -g {RG} -z {API} -n link-vnet-ml-hub --yes",
        f"az network private-dns link vnet create -g {RG} -z {API} -n link-vnet-ml-hub -v {HUB} -e false"]


def test_outside_azure_the_pe_vnets_are_checked() -> None:
    findings = check(privatedns.links, where=OUTSIDE, earlier=[privatedns.zones])
    assert all(f.about.text.endswith("→ vnet-ml-hub") and f.verdict is Verdict.PASS for f in findings)


def test_links_of_a_missing_zone_skip_naming_pdns_zones() -> None:
    f = only(check(privatedns.links, replace_zone(inventory(), API, drop=True), earlier=[privatedns.zones]),
             f"{API} → vnet-ml-hub")
    assert f.verdict is Verdict.SKIP and str(f.cause).startswith("pdns.zones")


def test_a_kubernetes_cluster_vnet_must_be_linked_too_but_not_for_notebooks() -> None:
    inv = inventory(**kubernetes(Cluster(compute_id=COMPUTE, cluster_id=rid(
        "Microsoft.ContainerService/managedClusters", "aks-ml"), vnet_ids=(AKS_VNET,))))
    findings = [f for f in check(privatedns.links, inv, earlier=[privatedns.zones]) if f.about.text.endswith("vnet-aks")]
    assert [f.about.text for f in findings] == [f"{z} → vnet-aks" for z in ALL_ZONES if "notebooks" not in z]
    f = only(findings, f"{API} → vnet-aks")
    assert f.verdict is Verdict.FAIL and "aks-inference" in f.evidence["why"]
    assert commands(f) == [f"az network private-dns link vnet create -g {RG} -z {API} -n link-vnet-aks "
                           f"-v {AKS_VNET} -e false"]


def test_a_cluster_without_a_vnet_skips_with_the_reason() -> None:
    arc = rid("Microsoft.Kubernetes/connectedClusters", "arc-ml")
    inv = inventory(**kubernetes(Cluster(compute_id=COMPUTE, cluster_id=arc)))
    f = only(check(privatedns.links, inv, earlier=[privatedns.zones]), "Kubernetes compute aks-inference")
    assert f.verdict is Verdict.SKIP and "cluster arc-ml names no VNet" in f.summary


@pytest.mark.parametrize("unreadable", ["compute", "cluster"])
def test_an_unreadable_compute_or_cluster_is_an_error(unreadable: str) -> None:
    aks = rid("Microsoft.ContainerService/managedClusters", "aks-ml")
    err = ReadError(resource=COMPUTE if unreadable == "compute" else aks, reason="forbidden", message="no read",
                    status=403, action="Microsoft.ContainerService/managedClusters/read", scope=aks)
    inv = dataclasses.replace(inventory(**kubernetes(Cluster(compute_id=COMPUTE, cluster_id=aks))), errors=(err,))
    f = only(check(privatedns.links, inv, earlier=[privatedns.zones]), "Kubernetes compute aks-inference")
    assert f.verdict is Verdict.ERROR and f.evidence["missing_action"] == "Microsoft.ContainerService/managedClusters/read"
