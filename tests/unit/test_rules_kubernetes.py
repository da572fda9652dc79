"""kube.router: a Kubernetes endpoint's scoring host against the cluster's network profile, from hand-made
facts and a scripted resolver; dns.system and net.tcp name its failure as their cause."""

from __future__ import annotations

from facts import RG, WS_ID, check, commands, endpoint, inventory, only, rid
from netfacts import SYSTEM, ScriptedNet, answer, given, no_answer, run
from netfacts import context as net_context

from netcheck.azure.facts import Cluster, Inventory
from netcheck.model import Finding, Result, Verdict
from netcheck.net.dns import Lookup
from netcheck.probes import kubernetes, reachability, resolution
from netcheck.subject import Host, Ref, Resolver
from netcheck.targets import Name

HOST = "ep-k8s.inference.contoso.internal"
COMPUTE = f"{WS_ID}/computes/aks-inference"
AKS = rid("Microsoft.ContainerService/managedClusters", "aks-ml-inference")


def k8s_inventory(**cluster: tuple[str, ...]) -> Inventory:
    ep = endpoint(name="ep-k8s", compute_type="Kubernetes", compute_id=COMPUTE, deployments=(),
                  scoring_uri=f"https://{HOST}/api/v1/endpoint/ep-k8s/score")
    c = Cluster(COMPUTE, AKS, (), **{"service_cidrs": ("10.0.0.0/16",), "pod_cidrs": ("10.244.0.0/16",), **cluster})
    return inventory(endpoints=(ep,), clusters=(c,))


def judge(inv: Inventory, lk: Lookup, net: ScriptedNet | None = None) -> Finding:
    net = net or ScriptedNet(dns={SYSTEM: {HOST: lk}})
    ctx = net_context(net, [Name(HOST, "scoring")])
    ctx.inventory = inv
    return only(run(kubernetes.router, ctx))


def router_result(f: Finding) -> Result:
    return Result("kube.router", f.about, 2, "kube.router", f.verdict, f.summary, f.cause, 0, f.evidence, f.fix)


def test_no_kubernetes_endpoint_is_a_skip() -> None:
    assert only(check(kubernetes.router)).verdict is Verdict.SKIP


def test_an_address_outside_the_cluster_ranges_passes() -> None:
    f = judge(k8s_inventory(), answer(HOST, "10.20.3.10"))
    assert f.verdict is Verdict.PASS and f.about == Host(HOST)


def test_an_address_in_the_service_cidr_is_a_clusterip_router() -> None:
    f = judge(k8s_inventory(), answer(HOST, "10.0.0.57"))
    assert f.verdict is Verdict.FAIL and "ClusterIP" in f.summary and "inferenceRouterServiceType" in f.summary
    assert commands(f) == [
        "az k8s-extension update --name '<azureml-extension-name>' "
        f"--cluster-type managedClusters --cluster-name aks-ml-inference -g {RG} "
        "--config inferenceRouterServiceType=loadBalancer internalLoadBalancerProvider=azure"]


def test_the_service_cidrs_list_counts_too() -> None:
    inv = k8s_inventory(service_cidrs=("10.0.0.0/16", "fd00:10::/108"))
    assert judge(inv, answer(HOST, "10.0.1.1")).verdict is Verdict.FAIL


def test_a_missing_record_names_the_record_to_add() -> None:
    f = judge(k8s_inventory(), answer(HOST, rcode="NXDOMAIN"))
    assert f.verdict is Verdict.FAIL and f.fix is not None and f"Add an A record for {HOST}" in f.fix.summary


def test_a_resolver_that_does_not_answer_is_an_error() -> None:
    assert judge(k8s_inventory(), no_answer(HOST)).verdict is Verdict.ERROR


def test_dns_system_names_the_missing_record_as_its_cause_and_shows_its_fix() -> None:
    root = router_result(judge(k8s_inventory(), answer(HOST, rcode="NXDOMAIN")))
    net = ScriptedNet(dns={SYSTEM: {HOST: answer(HOST, rcode="NXDOMAIN")}})
    ctx = net_context(net, [Name(HOST, "scoring")])
    ctx.inventory = k8s_inventory()
    given(ctx, root)
    f = only(run(resolution.system, ctx), HOST)
    assert f.verdict is Verdict.FAIL and f.cause == Ref("kube.router", Host(HOST)) and f.fix == root.fix


def test_net_tcp_to_a_clusterip_names_the_router_and_shows_its_fix() -> None:
    root = router_result(judge(k8s_inventory(), answer(HOST, "10.0.0.57")))
    net = ScriptedNet(dns={SYSTEM: {HOST: answer(HOST, "10.0.0.57")}}, tcp={"10.0.0.57": "timeout"})
    ctx = net_context(net, [Name(HOST, "scoring")])
    ctx.inventory = k8s_inventory()
    ctx.answers[Resolver("system", "10.20.0.10:53")] = {HOST: answer(HOST, "10.0.0.57")}
    given(ctx, root)
    f = only(run(reachability.tcp_443, ctx), HOST)
    assert f.verdict is Verdict.FAIL and f.cause == root.ref and f.fix == root.fix


def test_a_cluster_without_a_network_profile_passes_without_claiming_its_ranges() -> None:
    f = judge(k8s_inventory(service_cidrs=(), pod_cidrs=()), answer(HOST, "10.0.0.57"))
    assert f.verdict is Verdict.PASS and "ranges are unknown" in f.summary
