"""The VNets whose Azure DNS must answer the private names, each with why (pdns.links links the zones to
each): the clients' VNets, and the VNet of each Kubernetes endpoint's cluster."""

from __future__ import annotations

from netcheck.azure.facts import Inventory, name_of
from netcheck.model import Finding, Verdict
from netcheck.probes._common import error_finding


def resolving_vnets(inv: Inventory, clients: list[str]) -> tuple[dict[str, str], list[Finding]]:
    """{VNet id: why}, and what kept a cluster's VNet unknown (an unreadable compute or cluster, a cluster
    that names no VNet)."""
    vnets = {v: "clients resolve names here" for v in clients}
    problems = []
    clusters = {c.compute_id.lower(): c for c in inv.clusters}
    for compute_id in sorted({e.compute_id for e in inv.endpoints if e.compute_id}, key=str.lower):
        cname, c = name_of(compute_id), clusters.get(compute_id.lower())
        if err := inv.error_for(compute_id) or (inv.error_for(c.cluster_id) if c and not c.vnet_ids else None):
            problems.append(error_finding(err, f"Kubernetes compute {cname}"))
        elif c and not c.vnet_ids:
            problems.append(Finding(f"Kubernetes compute {cname}", Verdict.SKIP,
                                    f"cluster {name_of(c.cluster_id or cname)} names no VNet (Arc-connected or not "
                                    "AKS): check that its DNS resolves the private names",
                                    {"compute": compute_id, "cluster": c.cluster_id or ""}))
        elif c:
            for v in c.vnet_ids:
                if v.lower() not in {known.lower() for known in vnets}:   # ARM ids differ in case between APIs
                    vnets[v] = (f"the nodes of Kubernetes compute {cname} (cluster {name_of(c.cluster_id or '')}) "
                                "resolve names here")
    return vnets, problems
