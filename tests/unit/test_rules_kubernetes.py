"""kube.router: a Kubernetes endpoint's scoring host against the cluster's network profile, from hand-made facts."""

from __future__ import annotations

from facts import RG, WS_ID, check, commands, context, endpoint, inventory, only, rid

from netcheck.azure.facts import Cluster, Inventory
from netcheck.model import Finding, Verdict
from netcheck.net.dns import Lookup
from netcheck.probes import kubernetes
from netcheck.subject import Resolver

HOST = "ep-k8s.inference.contoso.internal"
COMPUTE = f"{WS_ID}/computes/aks-inference"
AKS = rid("Microsoft.ContainerService/managedClusters", "aks-ml-inference")


def k8s_inventory(**cluster: tuple[str, ...]) -> Inventory:
    ep = endpoint(name="ep-k8s", compute_type="Kubernetes", compute_id=COMPUTE, deployments=(),
                  scoring_uri=f"https://{HOST}/api/v1/endpoint/ep-k8s/score")
    c = Cluster(COMPUTE, AKS, (), **{"service_cidrs": ("10.0.0.0/16",), "pod_cidrs": ("10.244.0.0/16",), **cluster})
    return inventory(endpoints=(ep,), clusters=(c,))


def judge(inv: Inventory, lk: Lookup | None) -> Finding:
    ctx = context(inv)
    if lk is not None:
        ctx.answers[Resolver("system", "10.20.0.10:53")] = {HOST: lk}
    return only(check(kubernetes.router, ctx=ctx))


def test_no_kubernetes_endpoint_is_a_skip() -> None:
    assert only(check(kubernetes.router)).verdict is Verdict.SKIP


def test_an_address_outside_the_cluster_ranges_passes() -> None:
    f = judge(k8s_inventory(), Lookup("dns", HOST, ips=("10.20.3.10",)))
    assert f.verdict is Verdict.PASS and str(f.subject) == HOST


def test_an_address_in_the_service_cidr_is_a_clusterip_router() -> None:
    f = judge(k8s_inventory(), Lookup("dns", HOST, ips=("10.0.0.57",)))
    assert f.verdict is Verdict.FAIL and "ClusterIP" in f.summary and "inferenceRouterServiceType" in f.summary
    assert commands(f) == [
        "az k8s-extension update --name '<azureml-extension-name>' "
        f"--cluster-type managedClusters --cluster-name aks-ml-inference -g {RG} "
        "--config inferenceRouterServiceType=loadBalancer internalLoadBalancerProvider=azure"]


def test_the_service_cidrs_list_counts_too() -> None:
    inv = k8s_inventory(service_cidrs=("10.0.0.0/16", "fd00:10::/108"))
    assert judge(inv, Lookup("dns", HOST, ips=("10.0.1.1",))).verdict is Verdict.FAIL


def test_a_missing_record_names_the_record_to_add() -> None:
    f = judge(k8s_inventory(), Lookup("dns", HOST, rcode="NXDOMAIN"))
    assert f.verdict is Verdict.FAIL and f.fix is not None and f"Add an A record for {HOST}" in f.fix.summary


def test_an_unresolved_host_is_a_skip() -> None:
    assert judge(k8s_inventory(), None).verdict is Verdict.SKIP
