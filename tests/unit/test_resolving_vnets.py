"""probes/_resolving_vnets.py from hand-made facts: the clients' VNets, and each Kubernetes endpoint's
cluster VNet, must resolve the private names; a cluster whose VNet is unknown says why."""

from __future__ import annotations

import dataclasses

from facts import HUB, WS_ID, endpoint, inventory, rid

from netcheck.azure.facts import Cluster, Inventory, ReadError
from netcheck.model import Verdict
from netcheck.probes._resolving_vnets import resolving_vnets

COMPUTE = f"{WS_ID}/computes/aks-inference"
AKS = rid("Microsoft.ContainerService/managedClusters", "aks-ml")
AKS_VNET = rid("Microsoft.Network/virtualNetworks", "vnet-aks")


def _kubernetes(*vnet_ids: str) -> Inventory:
    return inventory(endpoints=(endpoint(compute_type="Kubernetes", compute_id=COMPUTE),),
                     clusters=(Cluster(compute_id=COMPUTE, cluster_id=AKS, vnet_ids=vnet_ids),))


def test_the_clients_vnets_alone_without_kubernetes() -> None:
    assert resolving_vnets(inventory(), [HUB]) == ({HUB: "clients resolve names here"}, [])


def test_a_cluster_vnet_joins_once_whatever_the_case_of_its_id() -> None:
    vnets, problems = resolving_vnets(_kubernetes(AKS_VNET, AKS_VNET.upper(), HUB.lower()), [HUB])
    assert list(vnets) == [HUB, AKS_VNET] and problems == []
    assert vnets[AKS_VNET] == "the nodes of Kubernetes compute aks-inference (cluster aks-ml) resolve names here"


def test_a_cluster_naming_no_vnet_skips_and_an_unreadable_one_is_an_error() -> None:
    vnets, (skip,) = resolving_vnets(_kubernetes(), [HUB])
    assert list(vnets) == [HUB] and skip.verdict is Verdict.SKIP and "cluster aks-ml names no VNet" in skip.summary
    err = ReadError(resource=AKS, reason="forbidden", message="no read", status=403)
    vnets, (error,) = resolving_vnets(dataclasses.replace(_kubernetes(), errors=(err,)), [HUB])
    assert list(vnets) == [HUB] and error.verdict is Verdict.ERROR and error.about.text == "Kubernetes compute aks-inference"
