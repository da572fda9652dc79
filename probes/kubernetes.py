"""Stage 2, Kubernetes online endpoints: the scoring host names the inference router's reachable address."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

from netcheck.azure.facts import Cluster, Endpoint, Inventory, name_of
from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.net.dns import Lookup
from netcheck.probe import probe
from netcheck.probes._common import cmd, fix, group_of
from netcheck.probes._network import lookups, resolver
from netcheck.subject import Host


def _in(ips: tuple[str, ...], cidrs: tuple[str, ...]) -> str | None:
    """The first address inside one of the ranges."""
    nets = [ipaddress.ip_network(c, strict=False) for c in cidrs]
    return next((ip for ip in ips if any(ipaddress.ip_address(ip) in n for n in nets)), None)


def _cluster(inv: Inventory, ep: Endpoint) -> Cluster | None:
    return next((c for c in inv.clusters if ep.compute_id and c.compute_id.lower() == ep.compute_id.lower()), None)


def _router_fix(c: Cluster | None) -> tuple[str, ...]:
    if not c or not c.cluster_id or "/managedclusters/" not in c.cluster_id.lower():
        return ()
    # the extension's name is the cluster's own choice (az k8s-extension list, extensionType
    # Microsoft.AzureML.Kubernetes); update takes no --extension-type
    return (cmd("az", "k8s-extension", "update", "--name", "<azureml-extension-name>", "--cluster-type",
                "managedClusters", "--cluster-name", name_of(c.cluster_id), "-g", group_of(c.cluster_id),
                "--config", "inferenceRouterServiceType=loadBalancer", "internalLoadBalancerProvider=azure"),)


@probe("kube.router", stage=2, title="A Kubernetes endpoint's scoring host reaches the inference router",
       needs=["ctx.target"], after=["ctx.location"])
async def router(ctx: Context) -> list[Finding]:
    """For each Kubernetes online endpoint, asks this machine's resolver for the scoring host and
    compares the answer with the cluster's `networkProfile` (AKS `serviceCidr(s)`, `podCidr(s)`). An
    address in the service CIDR is a ClusterIP: the AzureML extension's inference router (azureml-fe)
    was installed with `inferenceRouterServiceType=clusterIP` and answers only inside the cluster, so
    a client outside it times out (net.tcp names this result as its cause). A scoring host with no
    record is what a switch to an internal load balancer leaves: its A record, pointing to the load
    balancer's private address, is added by hand (dns.system and dns.azure name this result as the
    cause of their NXDOMAIN).

    pass: an address outside the cluster's service and pod ranges. fail: an address in the service
    (or pod) CIDR; no record (NXDOMAIN or no address). skip: no Kubernetes endpoint. error: the
    resolver did not answer.
    """
    inv = ctx.inventory
    eps = [e for e in (inv.endpoints if inv else ()) if e.compute_type == "Kubernetes" and e.scoring_uri]
    server = resolver(ctx)
    if not inv or not eps or server is None:
        return [Finding("", Verdict.SKIP, "no Kubernetes online endpoint" if server else "no system resolver")]
    hosts = {e.id: (urlparse(e.scoring_uri or "").hostname or "").lower() for e in eps}
    found = await lookups(ctx, server, sorted(set(hosts.values())))
    return [_judge(ep, hosts[ep.id], found[hosts[ep.id]], _cluster(inv, ep)) for ep in eps]


def _judge(ep: Endpoint, host: str, lk: Lookup, c: Cluster | None) -> Finding:
    subject = Host(host)
    evidence = {"endpoint": ep.id, "cluster": c.cluster_id if c else None, "answer": list(lk.ips),
                "serviceCidrs": list(c.service_cidrs) if c else [], "podCidrs": list(c.pod_cidrs) if c else []}
    if not lk.answered:
        return Finding(subject, Verdict.ERROR, f"the system resolver did not answer ({lk.error}: {lk.detail})",
                       evidence)
    if not lk.ips:
        return Finding(subject, Verdict.FAIL, f"{host} has no record ({lk.rcode}): with the inference router behind "
                       "an internal load balancer, nothing adds it for you", evidence,
                       fix(f"Add an A record for {host} in the zone that serves it, pointing to the private address "
                           "of the inference router's internal load balancer (azureml-fe)", docs="k8s_router"))
    if hit := _in(lk.ips, c.service_cidrs if c else ()) or _in(lk.ips, c.pod_cidrs if c else ()):
        return Finding(subject, Verdict.FAIL, f"{host} resolves to {hit}, inside the cluster's service/pod range: the "
                       "inference router is a ClusterIP service, unreachable from outside the cluster "
                       "(inferenceRouterServiceType)", evidence,
                       fix("Expose the inference router on an internal load balancer, then point the scoring host's "
                           "record at its private address", *_router_fix(c), docs="k8s_router"))
    known = "outside the cluster's service and pod ranges" if c and (c.service_cidrs or c.pod_cidrs) else \
        "a record exists (the cluster's service and pod ranges are unknown: it is not an AKS cluster netcheck read)"
    return Finding(subject, Verdict.PASS, f"{', '.join(lk.ips)}: {known}", evidence)
