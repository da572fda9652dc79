"""What breaks when a probe fails, and who owns the change: one table for every report and the TUI.

`impact(probe, subject)` answers for one result. Name-resolution and network probes depend on the host
they looked at (the registry's host breaks the image pull, the scoring host breaks scoring), so their
operation comes from the service the host belongs to (netcheck.services), not from the probe alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from netcheck import services

ML, DNS, NETWORK, REGISTRY, VAULT, STORAGE, ACCESS, POLICY = (
    "ML team", "DNS team", "network team", "registry owner", "key vault owner", "storage account owner",
    "subscription owner (RBAC)", "policy owner")


@dataclass(frozen=True)
class Impact:
    breaks: str   # the operation that fails: "deployment", "image pull", "scoring from VNet x"...
    owner: str    # who makes the change


# probe -> (operation it breaks, owner); "{host}": what the host's service serves (services.Service.serves).
PROBES: dict[str, tuple[str, str]] = {
    "ctx.credential": ("the whole check (netcheck cannot read the configuration)", ML),
    "ctx.location": ("the whole check (netcheck cannot tell where it runs)", ML),
    "ctx.target": ("the whole check (the workspace cannot be read)", ACCESS),
    "ctx.reads": ("the checks that need the resource netcheck may not read", ACCESS),
    "ws.v1_legacy_mode": ("deployment (managed online endpoints need v1 legacy mode off)", ML),
    "ws.managed_network": ("deployment (outbound rules of the managed VNet)", ML),
    "ws.outbound_rules": ("deployment and scoring (what the managed VNet may reach)", ML),
    "ws.hub_project": ("everything in the project (it uses its hub's network)", ML),
    "ws.public_access": ("the workspace API and studio from outside the VNet", ML),
    "ws.image_build": ("image build (deployment of a custom environment)", ML),
    "ep.state": ("deployment", ML),
    "ep.traffic": ("scoring (no deployment takes the traffic)", ML),
    "ep.public_access": ("scoring from the internet or from the VNet", ML),
    "dep.egress": ("image pull and model download (deployment)", ML),
    "dep.mlflow_legacy": ("deployment", ML),
    "acr.pe_approval": ("image pull (deployment)", REGISTRY),
    "acr.path": ("image pull (deployment)", NETWORK),
    "kv.bypass": ("deployment (the workspace's secrets)", VAULT),
    "st.network_rules": ("datastores, code and model download (deployment)", STORAGE),
    "st.private_endpoints": ("datastores, code and model download (deployment)", STORAGE),
    "policy.fix_blocked": ("the fix it denies (until its owner grants an exemption)", POLICY),
    "pdns.zones": ("{host}", DNS),
    "pdns.records": ("{host}", DNS),
    "pdns.links": ("{host}", DNS),
    "dns.system": ("{host}", DNS),
    "dns.azure": ("{host}", DNS),
    "dns.custom": ("{host}", DNS),
    "dns.stability": ("{host}", DNS),
    "kube.router": ("scoring{vnet}", ML),
    "net.tcp": ("{host}", NETWORK),
    "tls.cert": ("{host}", NETWORK),
    "http.frontend": ("{host}", NETWORK),
    "http.score": ("scoring{vnet}", ML),
}

def _service(subject: str, cloud: str) -> services.Service | None:
    """The service whose DNS suffix a host or zone in `subject` ends in (the longest suffix wins)."""
    tokens = [t.lower().rstrip(".") for t in subject.replace("→", " ").split()]
    hits = [(len(s.suffix_in(cloud)), s.key) for s in services.all_services() for t in tokens
            if t == s.suffix_in(cloud) or t.endswith("." + s.suffix_in(cloud))]
    return services.get(max(hits)[1]) if hits else None


def impact(probe: str, subject: str, *, cloud: str = "AzureCloud", vnet: str | None = None) -> Impact:
    """What breaks when this result is a problem, and who changes it. `vnet`: the VNet netcheck ran in."""
    breaks, owner = PROBES.get(probe, ("the checks that depend on it", ML))
    if breaks == "{host}":
        svc = _service(subject, cloud)
        breaks = svc.serves if svc and svc.serves else f"reaching {subject or 'the host'}"
    return Impact(breaks.replace("{vnet}", f" from VNet {vnet}" if vnet else ""), owner)
