"""Stage 1, the container registry: egress private endpoint connections of managed deployments."""

from __future__ import annotations

from netcheck.azure.facts import Connection, Inventory
from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.probe import probe
from netcheck.probes._common import (
    DEPLOYMENT_YAML,
    approve,
    cmd,
    counted,
    fix,
    inventory,
    legacy_isolation,
    name_of,
    recreate_deployment,
    unreadable,
)
from netcheck.probes._reads import deployments_error, endpoint_errors

EGRESS = "Egress for Microsoft.MachineLearningServices/workspaces/onlineEndpoints"


def owner(private_endpoint_id: str | None, deployments: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The (endpoint, deployment) whose egress connection this is. AML names a deployment's egress private
    endpoint `<endpoint>-<deployment>-<target>` (e.g. ep-fraud-blue-acr) in its own subscription; the
    longest matching prefix wins (deployment blue-2 over blue). None when no deployment matches."""
    pe = name_of(private_endpoint_id or "").lower()
    found = [(e, d) for e, d in deployments if pe == f"{e}-{d}".lower() or pe.startswith(f"{e}-{d}-".lower())]
    return max(found, key=lambda ed: len(ed[0]) + len(ed[1]), default=None)


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
    needing = [(ep.name, d.name) for ep in inv.endpoints for d in ep.deployments
               if d.compute_type == "Managed" and d.egress_public_network_access == "Disabled"]
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
                        fix("Delete and create each such deployment so AML requests the connection again "
                            f"({DEPLOYMENT_YAML} stands for the YAML file you created it from)",
                            *(c for e, d in needing for c in recreate_deployment(inv, e, d)), docs="secure_endpoint"))]
    return [_judge(inv, c, needing) for c in egress]


def _judge(inv: Inventory, c: Connection, needing: list[tuple[str, str]]) -> Finding:
    """Pending waits for approval. A Rejected or Disconnected egress connection can't be approved again:
    recreate the deployment it belongs to (found from its private endpoint's name), and only that one."""
    evidence = {"connection": c.id, "status": c.status, "description": c.description,
                "private_endpoint": c.private_endpoint_id}
    if c.status == "Approved":
        return Finding(c.name, Verdict.PASS, "egress connection Approved", evidence)
    if c.status == "Pending":
        return Finding(c.name, Verdict.FAIL, f"egress connection {c.name} is Pending: the image pull waits for its "
                       "approval", evidence, fix("Approve the connection", *approve(c.id), docs="secure_endpoint"))
    pe = name_of(c.private_endpoint_id or "") or "?"
    if found := owner(c.private_endpoint_id, needing):
        e, d = found
        return Finding(c.name, Verdict.FAIL, f"egress connection {c.name} of deployment {e}/{d} is {c.status}: "
                       "recreate the deployment", {**evidence, "deployment": f"{e}/{d}"},
                       fix(f"Delete and create deployment {d} of endpoint {e} so AML requests a new connection "
                           f"({DEPLOYMENT_YAML} stands for the YAML file you created it from)",
                           *recreate_deployment(inv, e, d), docs="secure_endpoint"))
    return Finding(c.name, Verdict.FAIL, f"egress connection {c.name} is {c.status}: recreate the deployment it "
                   f"belongs to (its private endpoint {pe} names no deployment of this workspace)", evidence,
                   fix(f"Find the deployment whose egress private endpoint is {pe} (AML names it "
                       "<endpoint>-<deployment>-acr); delete and create it. If that deployment no longer exists, "
                       "the connection is left over: delete it",
                       *recreate_deployment(inv, "<endpoint>", "<deployment>"),
                       cmd("az", "network", "private-endpoint-connection", "delete", "--id", c.id, "--yes"),
                       docs="secure_endpoint"))
