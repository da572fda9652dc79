"""AML's egress private endpoint connections on the workspace registry (legacy network isolation): which
deployments need one, which deployment a connection belongs to, and what its state means for the image pull."""

from __future__ import annotations

from netcheck.azure.facts import Connection, Inventory, name_of
from netcheck.model import Finding, Verdict
from netcheck.probes import _az_network as net
from netcheck.probes._common import fix, recreate_deployment, recreate_fix

# the description AML gives each deployment's egress connection on the registry
EGRESS = "Egress for Microsoft.MachineLearningServices/workspaces/onlineEndpoints"


def deployments_needing(inv: Inventory) -> list[tuple[str, str]]:
    """The (endpoint, deployment)s AML makes an egress connection for under legacy isolation: managed, egress
    disabled."""
    return [(ep.name, d.name) for ep in inv.endpoints for d in ep.deployments
            if d.compute_type == "Managed" and d.egress_public_network_access == "Disabled"]


def owner(private_endpoint_id: str | None, deployments: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The (endpoint, deployment) whose egress connection this is. AML names a deployment's egress private
    endpoint `<endpoint>-<deployment>-<target>` (e.g. ep-fraud-blue-acr) in its own subscription; the
    longest matching prefix wins (deployment blue-2 over blue). None when no deployment matches."""
    pe = name_of(private_endpoint_id or "").lower()
    found = [(e, d) for e, d in deployments if pe == f"{e}-{d}".lower() or pe.startswith(f"{e}-{d}-".lower())]
    return max(found, key=lambda ed: len(ed[0]) + len(ed[1]), default=None)


def judge(inv: Inventory, c: Connection, deployments: list[tuple[str, str]]) -> Finding:
    """One egress connection. Pending waits for approval. A Rejected or Disconnected one can't be approved
    again: recreate the deployment it belongs to (found from its private endpoint's name), and only that one."""
    evidence = {"connection": c.id, "status": c.status, "description": c.description,
                "private_endpoint": c.private_endpoint_id}
    if c.status == "Approved":
        return Finding(c.name, Verdict.PASS, "egress connection Approved", evidence)
    if c.status == "Pending":
        return Finding(c.name, Verdict.FAIL, f"egress connection {c.name} is Pending: the image pull waits for its "
                       "approval", evidence, fix("Approve the connection", *net.approve(c.id), docs="secure_endpoint"))
    if found := owner(c.private_endpoint_id, deployments):
        e, d = found
        return Finding(c.name, Verdict.FAIL, f"egress connection {c.name} of deployment {e}/{d} is {c.status}: "
                       "recreate the deployment", {**evidence, "deployment": f"{e}/{d}"},
                       recreate_fix(inv, f"Delete and create deployment {d} of endpoint {e} so AML requests a new "
                                    "connection", [found], docs="secure_endpoint"))
    pe = name_of(c.private_endpoint_id or "") or "?"
    return Finding(c.name, Verdict.FAIL, f"egress connection {c.name} is {c.status}: recreate the deployment it "
                   f"belongs to (its private endpoint {pe} names no deployment of this workspace)", evidence,
                   fix(f"Find the deployment whose egress private endpoint is {pe} (AML names it "
                       "<endpoint>-<deployment>-acr); delete and create it. If that deployment no longer exists, "
                       "the connection is left over: delete it",
                       *recreate_deployment(inv, "<endpoint>", "<deployment>"), net.delete_connection(c.id),
                       docs="secure_endpoint"))
