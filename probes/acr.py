"""Stage 1, the container registry: egress private endpoint connections of managed deployments."""

from __future__ import annotations

from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.probe import probe
from netcheck.probes._common import counted, inventory, legacy_isolation, recreate_fix, unreadable
from netcheck.probes._egress import EGRESS, deployments_needing, judge, owner
from netcheck.probes._reads import deployments_error, endpoint_errors

__all__ = ["owner", "pe_approval"]


@probe("acr.pe_approval", stage=1, title="Deployment egress connections to the registry are Approved",
       needs=["ctx.target"])
async def pe_approval(ctx: Context) -> list[Finding]:
    """Lists the registry's private endpoint connections whose description is "Egress for
    Microsoft.MachineLearningServices/workspaces/onlineEndpoints": with legacy network isolation,
    AML makes one per deployment with egress disabled, and the image pull waits for its approval.
    (By hand: `az acr private-endpoint-connection list -r REGISTRY --query
    "[?privateLinkServiceConnectionState.description=='Egress for ...']"`.)

    pass: every such connection is Approved, or no deployment needs one (workspace managed VNet,
    egress enabled). fail: a connection is Pending (approve it), Rejected or Disconnected (delete
    and create the deployment it belongs to, named from its private endpoint), or none exists
    although a deployment has egress disabled. error: the registry, its connection list, or the
    endpoints or deployments (which say whether one is needed) could not be read.
    """
    inv = inventory(ctx)
    ws, reg = inv.workspace, inv.registry
    assert ws
    needing = deployments_needing(inv)
    if legacy_isolation(inv) and (unknown := endpoint_errors(inv) + [
            e for ep in inv.endpoints if (e := deployments_error(inv, ep))]):
        return unknown   # which deployments need a connection is not known
    if not legacy_isolation(inv) or not needing:
        why = "workspace managed VNet" if not legacy_isolation(inv) else "no managed deployment has egress disabled"
        return [Finding(ws.name, Verdict.PASS, f"no egress connection needed: {why}", {"deployments": needing})]
    if not ws.container_registry:
        return [Finding(ws.name, Verdict.PASS, "no registry attached", {})]
    if err := unreadable(inv, ws.container_registry, ws.name) or unreadable(
            inv, f"{ws.container_registry}/privateEndpointConnections", ws.name):
        return [err]
    assert reg
    egress = [c for c in reg.connections if c.description == EGRESS]
    if not egress:
        return [Finding(reg.name, Verdict.FAIL, "no egress private endpoint connection on the registry although "
                        f"egress is disabled for {counted(len(needing), 'deployment')}: their image pull can't reach it",
                        {"registry": reg.id, "deployments": [f"{e}/{d}" for e, d in needing],
                         "connections": [{"name": c.name, "status": c.status, "description": c.description}
                                         for c in reg.connections]},
                        recreate_fix(inv, "Delete and create each such deployment so AML requests the connection again",
                                     needing, docs="secure_endpoint"))]
    return [judge(inv, c, needing) for c in egress]
