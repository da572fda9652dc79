"""ep.* and dep.*: each verdict rule from hand-made facts, and what the user reads."""

from __future__ import annotations

import shlex

import pytest
from facts import (
    ACR_ID,
    DEP,
    EP,
    OUTSIDE,
    RG,
    WS,
    check,
    commands,
    context,
    deployment,
    endpoint,
    inventory,
    only,
    registry,
    workspace,
)

from netcheck.azure.facts import ReadError
from netcheck.model import Verdict
from netcheck.probe import Probe
from netcheck.probes import endpoint as ep

WS_ARGS = f"-g {RG} -w {WS}"
SUBJECT = f"{EP}/{DEP}"
PER_ENDPOINT = [ep.state, ep.traffic, ep.public_access, ep.egress, ep.mlflow_legacy]


@pytest.mark.parametrize("probe", PER_ENDPOINT, ids=lambda p: p.id)
def test_a_workspace_without_endpoints_skips(probe: Probe) -> None:
    f = only(check(probe, inventory(endpoints=())))
    assert f.verdict is Verdict.SKIP and f.summary == f"workspace {WS} has no online endpoints"


def test_state_succeeded_passes_for_endpoint_and_deployment() -> None:
    findings = check(ep.state)
    assert {f.about.text: f.verdict for f in findings} == {EP: Verdict.PASS, SUBJECT: Verdict.PASS}


@pytest.mark.parametrize("busy", ["Creating", "Updating", "Scaling"])
def test_state_busy_warns(busy: str) -> None:
    f = only(check(ep.state, inventory(endpoints=(endpoint(state=busy),))), EP)
    assert f.verdict is Verdict.WARN and f"provisioning is {busy}" in f.summary
    assert commands(f) == [f"az ml online-endpoint show {WS_ARGS} -n {EP}"]


@pytest.mark.parametrize("bad", ["Failed", "Canceled", "Deleting"])
def test_state_failed_deployment_fails_and_points_at_its_logs(bad: str) -> None:
    inv = inventory(endpoints=(endpoint(deployments=(deployment(state=bad),)),))
    findings = check(ep.state, inv)
    assert only(findings, EP).verdict is Verdict.PASS
    f = only(findings, SUBJECT)
    assert f.verdict is Verdict.FAIL and f.summary == f"provisioning state is {bad}"
    assert commands(f) == [f"az ml online-deployment get-logs {WS_ARGS} -e {EP} -n {DEP} --lines 200"]


def test_traffic_to_a_deployment_passes() -> None:
    f = only(check(ep.traffic))
    assert f.verdict is Verdict.PASS and f.summary == f"traffic: {DEP} 100 %"


def test_traffic_all_zero_fails_and_routes_to_the_succeeded_deployment() -> None:
    inv = inventory(endpoints=(endpoint(traffic={DEP: 0}),))
    f = only(check(ep.traffic, inv))
    assert f.verdict is Verdict.FAIL and "no valid deployment with positive weight" in f.summary
    assert commands(f) == [f"az ml online-endpoint update {WS_ARGS} -n {EP} --traffic {DEP}=100"]


def test_traffic_an_idle_succeeded_deployment_warns() -> None:
    green = deployment(name="green", id=deployment().id.replace(DEP, "green"))
    inv = inventory(endpoints=(endpoint(deployments=(deployment(), green), traffic={DEP: 100}),))
    f = only(check(ep.traffic, inv))
    assert f.verdict is Verdict.WARN and "deployment green gets no traffic" in f.summary
    assert "azureml-model-deployment header" in f.summary
    assert commands(f) == [f"az ml online-endpoint update {WS_ARGS} -n {EP} --traffic '{DEP}=90 green=10'"]


def _idle(name: str) -> object:
    return deployment(name=name, id=deployment().id.replace(DEP, name))


@pytest.mark.parametrize(("traffic", "idle", "split"), [
    ({DEP: 100, "green": 0}, ["green"], {DEP: 90, "green": 10}),           # a zero entry is idle too
    ({DEP: 70, "red": 30}, ["green"], {DEP: 60, "red": 30, "green": 10}),  # taken from the largest share
    ({DEP: 50, "red": 50}, ["green", "grey"], {DEP: 40, "red": 40, "green": 10, "grey": 10}),
    ({DEP: 100}, [f"d{i}" for i in range(12)], {DEP: 16, **{f"d{i}": 7 for i in range(12)}}),  # 100 // 13 each
])
def test_traffic_warn_split_gives_every_idle_deployment_a_share_totalling_100(
        traffic: dict[str, int], idle: list[str], split: dict[str, int]) -> None:
    named = {DEP, *traffic, *idle} - {DEP}
    deps = (deployment(), *(_idle(n) for n in sorted(named)))
    f = only(check(ep.traffic, inventory(endpoints=(endpoint(deployments=deps, traffic=traffic),))))
    assert f.verdict is Verdict.WARN
    (command,) = commands(f)
    got = dict(kv.split("=") for kv in shlex.split(command)[-1].split())
    assert {k: int(v) for k, v in got.items()} == split and sum(split.values()) == 100
    assert all(split[n] > 0 for n in idle)


def test_traffic_a_mirrored_deployment_is_not_idle() -> None:
    green = deployment(name="green")
    inv = inventory(endpoints=(endpoint(deployments=(deployment(), green), mirror_traffic={"green": 10}),))
    assert only(check(ep.traffic, inv)).verdict is Verdict.PASS


def test_traffic_no_deployments_fails_with_create() -> None:
    f = only(check(ep.traffic, inventory(endpoints=(endpoint(deployments=(), traffic={}),))))
    assert f.verdict is Verdict.FAIL and "no deployments" in f.summary
    assert commands(f) == [f"az ml online-deployment create {WS_ARGS} -e {EP} -f '<deployment.yml>' --all-traffic"]
    assert f.fix is not None and "<deployment.yml> stands for it" in f.fix.summary


def test_endpoint_public_access_inside_the_vnet_passes() -> None:
    f = only(check(ep.public_access))
    assert f.verdict is Verdict.PASS and f.summary == "scoring reachable: inside the workspace's VNet"


def test_endpoint_public_access_enabled_passes_from_anywhere() -> None:
    inv = inventory(endpoints=(endpoint(public_network_access="Enabled"),))
    f = only(check(ep.public_access, inv, where=OUTSIDE))
    assert f.verdict is Verdict.PASS and f.summary == "scoring reachable: public access enabled"


def test_endpoint_public_access_disabled_outside_the_vnet_warns() -> None:
    f = only(check(ep.public_access, where=OUTSIDE))
    assert f.verdict is Verdict.WARN and "scoring works only from inside the workspace's VNet" in f.summary


def test_egress_disabled_passes() -> None:
    f = only(check(ep.egress))
    assert f.verdict is Verdict.PASS and f.about.text == SUBJECT and "egress Disabled fits the registry" in f.summary


def test_egress_enabled_with_a_private_registry_fails_and_recreates_the_deployment() -> None:
    inv = inventory(endpoints=(endpoint(deployments=(deployment(egress_public_network_access="Enabled"),)),))
    f = only(check(ep.egress, inv))
    assert f.verdict is Verdict.FAIL and "image download is expected to fail" in f.summary
    assert commands(f) == [
        f"az ml online-deployment delete {WS_ARGS} -e {EP} -n {DEP} --yes",
        f"az ml online-deployment create {WS_ARGS} -e {EP} -n {DEP} -f '<deployment.yml>' "
        "--set egress_public_network_access=disabled"]
    assert f.fix is not None and "<deployment.yml> stands for the YAML file you created it from" in f.fix.summary


def test_egress_enabled_with_a_public_registry_passes() -> None:
    inv = inventory(endpoints=(endpoint(deployments=(deployment(egress_public_network_access="Enabled"),)),),
                    registry=registry(public_network_access="Enabled", default_action="Allow"))
    assert only(check(ep.egress, inv)).verdict is Verdict.PASS


@pytest.mark.parametrize(("changes", "why"), [
    ({"workspace": workspace(isolation_mode="AllowOnlyApprovedOutbound", managed_network_status="Active")},
     "workspace managed VNet: the egress flag is not used"),
    ({"endpoints": (endpoint(compute_type="Kubernetes",
                             deployments=(deployment(compute_type="Kubernetes",
                                                     egress_public_network_access="Enabled"),)),)},
     "Kubernetes deployment: the egress flag is not used"),
])
def test_egress_flag_unused_passes(changes: dict[str, object], why: str) -> None:
    f = only(check(ep.egress, inventory(**changes)))
    assert f.verdict is Verdict.PASS and f.summary == why


def test_egress_unreadable_registry_is_an_error() -> None:
    err = ReadError(resource=ACR_ID, reason="server", message="ARM answered 503", status=503)
    f = only(check(ep.egress, inventory(registry=None, errors=(err,))))
    assert f.verdict is Verdict.ERROR and f.evidence["reason"] == "server" and f.fix is None


def test_mlflow_not_mlflow_passes() -> None:
    f = only(check(ep.mlflow_legacy))
    assert f.verdict is Verdict.PASS and f.summary.startswith("not an MLflow model")


def test_mlflow_with_legacy_isolation_fails() -> None:
    inv = inventory(endpoints=(endpoint(deployments=(deployment(is_mlflow=True),)),))
    f = only(check(ep.mlflow_legacy, inv))
    assert f.verdict is Verdict.FAIL and "MLflow model with legacy network isolation is not supported" in f.summary
    assert commands(f) == [f"az ml workspace update -g {RG} -n {WS} --managed-network allow_internet_outbound"]


@pytest.mark.parametrize("changes", [
    {"endpoints": (endpoint(deployments=(deployment(is_mlflow=True, egress_public_network_access="Enabled"),)),)},
    {"endpoints": (endpoint(deployments=(deployment(is_mlflow=True),)),),
     "workspace": workspace(isolation_mode="AllowInternetOutbound", managed_network_status="Active")},
])
def test_mlflow_without_legacy_isolation_passes(changes: dict[str, object]) -> None:
    f = only(check(ep.mlflow_legacy, inventory(**changes)))
    assert f.verdict is Verdict.PASS and f.summary.startswith("MLflow model; no legacy-isolation conflict")


def test_endpoint_public_access_disabled_in_a_fleet_checked_from_no_vnet_skips() -> None:
    """`netcheck fleet` names the run inside the VNet that checks scoring: no warning about where it runs."""
    ctx = context(inventory(), OUTSIDE)
    ctx.facts_from = "Resource Graph (netcheck fleet)"
    f = only(check(ep.public_access, ctx=ctx))
    assert f.verdict is Verdict.SKIP and "by the run the fleet names" in f.summary
