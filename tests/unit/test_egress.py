"""AML's egress connections on the registry (probes/_egress.py), from hand-made deployments and connections."""

from __future__ import annotations

from facts import ACR_ID, DEP, EGRESS, EP, connection, deployment, endpoint, inventory

from netcheck.model import Verdict
from netcheck.probes import _egress


def test_only_managed_deployments_with_egress_disabled_need_a_connection() -> None:
    deps = (deployment(), deployment(name="k8s", compute_type="Kubernetes"),
            deployment(name="open", egress_public_network_access="Enabled"))
    assert _egress.deployments_needing(inventory(endpoints=(endpoint(deployments=deps),))) == [(EP, DEP)]


def test_a_disconnected_connection_of_a_known_deployment_recreates_it_and_only_it() -> None:
    c = connection(ACR_ID, "egress.1", description=EGRESS, status="Disconnected",
                   private_endpoint_id=f"/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/"
                                       f"privateEndpoints/{EP}-{DEP}-acr")
    f = _egress.judge(inventory(), c, [(EP, DEP), (EP, "green")])
    assert f.verdict is Verdict.FAIL and f.evidence["deployment"] == f"{EP}/{DEP}"
    assert f.fix is not None and len(f.fix.commands) == 2   # delete and create
    assert all(f" -e {EP} -n {DEP} " in c and "green" not in c for c in f.fix.commands)
