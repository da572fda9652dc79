"""ws.*: each verdict rule from hand-made facts, and what the user reads."""

from __future__ import annotations

import dataclasses
import json
import shlex

from facts import (
    ACR,
    ACR_ID,
    HUB,
    OUTSIDE,
    RG,
    SPOKE,
    WS,
    WS_ID,
    check,
    commands,
    connection,
    context,
    inventory,
    only,
    registry,
    rid,
    workspace,
)

from netcheck.azure.facts import Cluster, Peering, ReadError
from netcheck.azure.versions import ML_API_VERSION
from netcheck.model import Verdict
from netcheck.probes import workspace as ws

COMPUTE = f"{WS_ID}/computes/aks-inference"
AKS_VNET = rid("Microsoft.Network/virtualNetworks", "vnet-aks")


def test_v1_legacy_mode_off_passes() -> None:
    f = only(check(ws.v1_legacy_mode))
    assert f.verdict is Verdict.PASS and f.about.text == WS and "v2 online endpoints can be created" in f.summary


def test_v1_legacy_mode_on_fails_and_asks_the_security_team_first() -> None:
    f = only(check(ws.v1_legacy_mode, inventory(workspace=workspace(v1_legacy_mode=True))))
    assert f.verdict is Verdict.FAIL and 'V1LegacyMode == true' in f.summary
    assert f.fix is not None and "network security team" in f.fix.summary
    # `--v1-legacy-mode` belonged to the retired v1 CLI extension; the ml (v2) extension's workspace update
    # has no such parameter, so the fix patches the workspace's documented properties.v1LegacyMode via ARM.
    (command,) = commands(f)
    argv = shlex.split(command)
    assert argv[:4] == ["az", "rest", "--method", "patch"] and "--v1-legacy-mode" not in argv
    assert argv[argv.index("--url") + 1] == f"{WS_ID}?api-version={ML_API_VERSION}"
    assert json.loads(argv[argv.index("--body") + 1]) == {"properties": {"v1LegacyMode": False}}


def test_managed_network_legacy_isolation_passes() -> None:
    f = only(check(ws.managed_network))
    assert f.verdict is Verdict.PASS and "legacy network isolation" in f.summary


def test_managed_network_active_passes() -> None:
    inv = inventory(workspace=workspace(isolation_mode="AllowOnlyApprovedOutbound", managed_network_status="Active"))
    f = only(check(ws.managed_network, inv))
    assert f.verdict is Verdict.PASS and "managed VNet (AllowOnlyApprovedOutbound) is Active" in f.summary


def test_managed_network_not_active_fails_with_provision_network() -> None:
    for status, words in (("Inactive", "is Inactive"), (None, "is not provisioned")):
        inv = inventory(workspace=workspace(isolation_mode="AllowInternetOutbound", managed_network_status=status))
        f = only(check(ws.managed_network, inv))
        assert f.verdict is Verdict.FAIL and words in f.summary and "WorkspaceManagedNetworkNotReady" in f.summary
        assert commands(f) == [f"az ml workspace provision-network -g {RG} -n {WS}"]


def test_public_access_enabled_passes() -> None:
    f = only(check(ws.public_access, inventory(workspace=workspace(public_network_access="Enabled"))))
    assert f.verdict is Verdict.PASS and f.summary == "public network access is enabled"


def test_public_access_disabled_with_an_approved_pe_from_its_vnet_passes() -> None:
    f = only(check(ws.public_access))
    assert f.verdict is Verdict.PASS and "Approved private endpoint from this VNet" in f.summary


def test_public_access_disabled_outside_the_pe_vnet_warns() -> None:
    f = only(check(ws.public_access, where=OUTSIDE))
    assert f.verdict is Verdict.WARN and "GetAADTokenFailed" in f.summary
    assert f.evidence["private_endpoint_vnets"] == [HUB.lower()] and f.evidence["netcheck_vnet"] is None


def test_public_access_disabled_in_a_fleet_checked_from_no_vnet_skips() -> None:
    """`netcheck fleet` names the run inside the VNet that checks reachability: no warning about where it runs."""
    ctx = context(inventory(), OUTSIDE)
    ctx.facts_from = "Resource Graph (netcheck fleet)"
    f = only(check(ws.public_access, ctx=ctx))
    assert f.verdict is Verdict.SKIP and "by the run the fleet names" in f.summary


def test_public_access_disabled_and_pending_fails_with_the_approve_command() -> None:
    pending = connection(WS_ID, "pe-mlw-contoso-prod.7c1d", status="Pending")
    f = only(check(ws.public_access, inventory(workspace=workspace(connections=(pending,)))))
    assert f.verdict is Verdict.FAIL and "no private endpoint connection is Approved" in f.summary
    assert commands(f) == [f"az network private-endpoint-connection approve --id {pending.id} --description Approved"]


def test_public_access_disabled_without_any_pe_fails_and_says_create_one() -> None:
    f = only(check(ws.public_access, inventory(workspace=workspace(connections=()))))
    assert f.verdict is Verdict.FAIL and f.fix is not None and commands(f) == []
    assert "Create a private endpoint for the workspace (group id amlworkspace)" in f.fix.summary


def test_public_access_a_cluster_in_an_unpeered_vnet_fails_with_both_peerings() -> None:
    cluster = Cluster(compute_id=COMPUTE, cluster_id=rid("Microsoft.ContainerService/managedClusters", "aks-ml"),
                      vnet_ids=(AKS_VNET,))
    findings = check(ws.public_access, inventory(clusters=(cluster,)))
    assert only(findings, WS).verdict is Verdict.PASS
    f = only(findings, f"{WS} ← aks-inference")
    assert f.verdict is Verdict.FAIL and "vnet-aks neither holds nor peers" in f.summary
    assert commands(f) == [
        f"az network vnet peering create -g {RG} --vnet-name vnet-aks -n peer-vnet-aks-to-vnet-ml-hub "
        f"--remote-vnet {HUB} --allow-vnet-access",
        f"az network vnet peering create -g {RG} --vnet-name vnet-ml-hub -n peer-vnet-ml-hub-to-vnet-aks "
        f"--remote-vnet {AKS_VNET} --allow-vnet-access"]


def test_public_access_a_cluster_whose_peering_is_disconnected_recreates_that_side() -> None:
    """The cluster's fix is net.peering's: a Disconnected side is deleted and created again under its own
    name, the other side (Initiated) waits for it."""
    cluster = Cluster(compute_id=COMPUTE, vnet_ids=(AKS_VNET,))
    stale = Peering(id=f"{AKS_VNET}/virtualNetworkPeerings/aks-to-hub", name="aks-to-hub", vnet_id=AKS_VNET,
                    remote_vnet_id=HUB, state="Disconnected")
    waiting = Peering(id=f"{HUB}/virtualNetworkPeerings/hub-to-aks", name="hub-to-aks", vnet_id=HUB,
                      remote_vnet_id=AKS_VNET, state="Initiated")
    f = only(check(ws.public_access, inventory(clusters=(cluster,), peerings=(stale, waiting))), f"{WS} ← aks-inference")
    assert f.verdict is Verdict.FAIL
    assert commands(f) == [
        f"az network vnet peering delete -g {RG} --vnet-name vnet-aks -n aks-to-hub",
        f"az network vnet peering create -g {RG} --vnet-name vnet-aks -n aks-to-hub --remote-vnet {HUB} "
        "--allow-vnet-access"]


def test_public_access_a_cluster_in_the_pe_vnet_passes() -> None:
    cluster = Cluster(compute_id=COMPUTE, vnet_ids=(HUB,))
    f = only(check(ws.public_access, inventory(clusters=(cluster,))), f"{WS} ← aks-inference")
    assert f.verdict is Verdict.PASS and "reaches the workspace's private endpoint" in f.summary


def test_public_access_from_a_spoke_vnet_warns() -> None:
    f = only(check(ws.public_access, where=dataclasses.replace(OUTSIDE, in_azure=True, vnet_id=SPOKE)))
    assert f.verdict is Verdict.WARN


def test_image_build_with_a_compute_passes() -> None:
    f = only(check(ws.image_build))
    assert f.verdict is Verdict.PASS and f.summary == "images are built on compute cpu-cluster"


def test_image_build_public_registry_passes() -> None:
    inv = inventory(workspace=workspace(image_build_compute=None),
                    registry=registry(public_network_access="Enabled", default_action="Allow"))
    f = only(check(ws.image_build, inv))
    assert f.verdict is Verdict.PASS and f"registry {ACR} is reachable by its build agents" in f.summary


def test_image_build_managed_vnet_passes() -> None:
    inv = inventory(workspace=workspace(image_build_compute=None, isolation_mode="AllowOnlyApprovedOutbound",
                                        managed_network_status="Active"))
    f = only(check(ws.image_build, inv))
    assert f.verdict is Verdict.PASS and "managed VNet builds images" in f.summary


def test_image_build_no_registry_yet_passes() -> None:
    f = only(check(ws.image_build, inventory(workspace=workspace(container_registry=None), registry=None)))
    assert f.verdict is Verdict.PASS and "AML creates one on first use" in f.summary


def test_image_build_private_registry_without_compute_fails() -> None:
    for private in (registry(), registry(public_network_access="Enabled", default_action="Deny")):
        f = only(check(ws.image_build, inventory(workspace=workspace(image_build_compute=None), registry=private)))
        assert f.verdict is Verdict.FAIL and "ImageBuildFailure" in f.summary
        assert commands(f) == [f"az ml workspace update -g {RG} -n {WS} --image-build-compute '<compute-cluster-name>'"]


def test_image_build_unreadable_registry_is_an_error_naming_the_permission() -> None:
    err = ReadError(resource=ACR_ID, reason="forbidden", message="no read on the registry", status=403,
                    action="Microsoft.ContainerRegistry/registries/read", scope=ACR_ID,
                    principal="11111111-2222-3333-4444-555555555555")
    f = only(check(ws.image_build, inventory(registry=None, errors=(err,))))
    assert f.verdict is Verdict.ERROR and f.evidence["missing_action"] == "Microsoft.ContainerRegistry/registries/read"
    assert commands(f) == [f"az role assignment create --role Reader --scope {ACR_ID} "
                           "--assignee 11111111-2222-3333-4444-555555555555"]


TASKS_BYPASS = (f"az resource update --ids {ACR_ID} --api-version 2025-11-01 "
                "--set properties.networkRuleBypassAllowedForTasks=true")


def test_image_build_registry_trusting_azure_services_but_not_tasks_fails_with_the_tasks_bypass() -> None:
    inv = inventory(workspace=workspace(image_build_compute=None), registry=registry(bypass_options="AzureServices"))
    f = only(check(ws.image_build, inv))
    assert f.verdict is Verdict.FAIL and "networkRuleBypassAllowedForTasks is false" in f.summary
    assert commands(f) == [TASKS_BYPASS] and f.evidence["networkRuleBypassOptions"] == "AzureServices"


def test_image_build_registry_letting_tasks_through_passes() -> None:
    inv = inventory(workspace=workspace(image_build_compute=None), registry=registry(tasks_bypass=True))
    f = only(check(ws.image_build, inv))
    assert f.verdict is Verdict.PASS and "ACR Tasks build images" in f.summary
