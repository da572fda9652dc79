"""Stage 1, the workspace: v1 legacy mode, managed network, public access, image builds."""

from __future__ import annotations

from netcheck.azure.facts import Cluster, Inventory, Workspace, name_of
from netcheck.azure.versions import ACR_API_VERSION, ML_API_VERSION
from netcheck.context import Context
from netcheck.diagnosis.path import peering_sides
from netcheck.model import Finding, Verdict
from netcheck.probe import probe
from netcheck.probes import _az_network as net
from netcheck.probes._common import (
    cmd,
    fix,
    from_here,
    group_of,
    inventory,
    legacy_isolation,
    reaching_vnets,
    unreadable,
)
from netcheck.probes.policy import guarded
from netcheck.subject import Named, Ref

_TARGET = ["ctx.target"]
# Microsoft Learn ("What is Azure Machine Learning CLI and Python SDK v2?", the v1 articles' banner)
V1_RETIRED = ("CLI v1 support ended on 30 September 2025; SDK v1 is deprecated since 31 March 2025 and "
              "its support ends on 30 June 2026")


@probe("ws.v1_legacy_mode", stage=1, title="The workspace is not in v1 legacy mode", needs=_TARGET)
async def v1_legacy_mode(ctx: Context) -> list[Finding]:
    """Reads the workspace's `properties.v1LegacyMode`. v1 legacy mode turns the v2 APIs off, and
    online endpoints are a v2 feature: creating one fails with "V1LegacyMode == true".

    v1 is retired: support for the CLI v1 (azure-cli-ml) ended on 30 September 2025, and the SDK v1
    (azureml-core), deprecated since 31 March 2025, is supported until 30 June 2026 (Microsoft Learn,
    "What is Azure Machine Learning CLI and Python SDK v2?"). A workspace kept in v1 legacy mode
    runs on retired tooling.

    pass: legacy mode is off. fail: it is on; the fix turns it off, but ask your network security
    team first: they may have turned it on for a reason. Where a policy assignment denies turning it
    off (policy.fix_blocked), the fix names the assignment and starts with its exemption.
    """
    inv = inventory(ctx)
    ws = inv.workspace
    assert ws
    evidence = {"workspace": ws.id, "v1LegacyMode": ws.v1_legacy_mode}
    if not ws.v1_legacy_mode:
        return [Finding(ws.name, Verdict.PASS, "v1 legacy mode is off: v2 online endpoints can be created", evidence)]
    return [Finding(ws.name, Verdict.FAIL, f"workspace {ws.name} has v1LegacyMode on: creating online endpoints "
                    f'fails with "V1LegacyMode == true"; and v1 is retired ({V1_RETIRED})',
                    {**evidence, "v1_retirement": V1_RETIRED},
                    guarded(inv, "ws.v1_legacy_mode", fix(
                        "Ask your network security team first (they may have turned it on for a reason), "
                        f"then turn v1 legacy mode off; v1 is retired ({V1_RETIRED}). The az ml v2 extension has no "
                        "flag for it: this patches the workspace through ARM; the change can take an hour to apply",
                        cmd("az", "rest", "--method", "patch", "--url", f"{ws.id}?api-version={ML_API_VERSION}",
                            "--body", '{"properties": {"v1LegacyMode": false}}'), docs="v2")))]


def _hub_unread(inv: Inventory) -> Finding:
    """A project whose hub could not be read: ws.hub_project says why."""
    name = inv.workspace.name if inv.workspace else ""
    return Finding("", Verdict.SKIP, "the project's hub was not read", cause=Ref("ws.hub_project", Named(name)))


@probe("ws.managed_network", stage=1, title="The workspace managed VNet is provisioned", needs=_TARGET)
async def managed_network(ctx: Context) -> list[Finding]:
    """Reads `properties.managedNetwork.isolationMode` and `.status.status`. With a workspace managed
    VNet, deployments fail with WorkspaceManagedNetworkNotReady until it is provisioned.

    With `provisionNetworkNow` off, Azure leaves the managed VNet Inactive until the first compute
    is created; an online deployment needs it provisioned first. A Foundry project uses its hub's
    managed VNet: netcheck reads the hub's and names the hub in the fix.

    pass: isolation is on and the managed VNet is Active, or isolation is Disabled (the legacy
    network isolation, where each deployment gets its own managed VNet). fail: isolation is on and
    the status is not Active; the fix provisions it.
    """
    inv = inventory(ctx)
    ws = inv.network_workspace
    if ws is None:   # a project whose hub could not be read: ws.hub_project says why
        return [_hub_unread(inv)]
    whose = f"hub {ws.name}'s managed VNet" if inv.hub is ws else "managed VNet"
    mode, status = ws.isolation_mode or "Disabled", ws.managed_network_status
    evidence = {"workspace": ws.id, "isolationMode": mode, "status": status,
                "provisionNetworkNow": ws.provision_network_now}
    if mode == "Disabled":
        return [Finding(ws.name, Verdict.PASS, "no workspace managed VNet: legacy network isolation", evidence)]
    if status == "Active":
        return [Finding(ws.name, Verdict.PASS, f"{whose} ({mode}) is Active", evidence)]
    later = ("; provisionNetworkNow is off, so Azure provisions it with the first compute, but an online "
             "deployment needs it provisioned before" if status == "Inactive" and not ws.provision_network_now else "")
    return [Finding(ws.name, Verdict.FAIL, f"{whose} ({mode}) is {status or 'not provisioned'}{later}: "
                    "deployments fail with WorkspaceManagedNetworkNotReady", evidence,
                    fix("Provision the workspace managed VNet, then create the deployments",
                        cmd("az", "ml", "workspace", "provision-network", "-g", group_of(ws.id), "-n", ws.name),
                        docs="managed_network"))]


@probe("ws.public_access", stage=1, title="The workspace is reachable from here", needs=_TARGET)
async def public_access(ctx: Context) -> list[Finding]:
    """Reads the workspace's `publicNetworkAccess` and its private endpoint connections.

    pass: public access is enabled, or disabled with an Approved private endpoint that this
    machine's VNet reaches. warn: public access is disabled and netcheck runs outside the private
    endpoint's VNet (and its connected peers): clients here can't reach the workspace (their
    endpoints fail with GetAADTokenFailed). fail: public access is disabled and no private endpoint connection is
    Approved, so nothing can reach it; or a Kubernetes endpoint's cluster sits in a VNet that
    neither holds nor peers with the workspace's private endpoint (one result per cluster). skip:
    `netcheck fleet` checks the workspace from no VNet (its network line names the run). error: an
    Approved connection's private endpoint could not be read.
    """
    inv = inventory(ctx)
    ws = inv.network_workspace   # a Foundry project is reached through its hub's private endpoint
    if ws is None:
        return [_hub_unread(inv)]
    conns = [{"name": c.name, "status": c.status, "private_endpoint": c.private_endpoint_id} for c in ws.connections]
    evidence: dict[str, object] = {"publicNetworkAccess": ws.public_network_access,
                                   "private_endpoint_connections": conns}
    if ws.public_network_access != "Disabled":
        return [Finding(ws.name, Verdict.PASS, "public network access is enabled", evidence)]
    approved = [c for c in ws.connections if c.status == "Approved"]
    if not approved:
        pending = [c for c in ws.connections if c.status == "Pending"]
        return [Finding(ws.name, Verdict.FAIL, "public network access is disabled and no private endpoint "
                        "connection is Approved: nothing can reach the workspace", evidence,
                        fix("Approve the pending private endpoint connection" if pending else
                            "Create a private endpoint for the workspace (group id amlworkspace) in the clients' VNet",
                            *net.approve(*(c.id for c in pending)), docs="private_link"))]
    if unread := [f for c in approved if (f := unreadable(inv, c.private_endpoint_id, ws.name))]:
        return unread   # where its private endpoints are (so who reaches them) is not known
    vnets = reaching_vnets(inv, ws.id)
    evidence = {**evidence, "private_endpoint_vnets": sorted(vnets), "netcheck_vnet": ctx.where.vnet_id}
    clusters = [_cluster_reach(inv, ws, c, vnets, evidence) for c in inv.clusters if c.vnet_ids]
    here = from_here(ctx, vnets)
    summary = {Verdict.PASS: "reachable through an Approved private endpoint from this VNet",
               Verdict.SKIP: "public access is disabled: what reaches it is checked from inside the private "
                             "endpoint's VNet, by the run the fleet names",
               Verdict.WARN: "public access is disabled and netcheck runs outside the private endpoint's VNet: "
                             "clients here (e.g. a Kubernetes cluster) can't reach the workspace (GetAADTokenFailed)"}
    advice = fix("Run clients in (or peer their VNet with) the private endpoint's VNet", docs="private_link")
    return [Finding(ws.name, here, summary[here], evidence, advice if here is Verdict.WARN else None), *clusters]


def _cluster_reach(inv: Inventory, ws: Workspace, c: Cluster, vnets: set[str], evidence: dict[str, object]) -> Finding:
    """Can a Kubernetes compute's nodes reach the workspace's private endpoint (a project's: its hub's)?"""
    cname, node_vnet = name_of(c.compute_id), c.vnet_ids[0]
    subject = f"{ws.name} ← {cname}"
    evidence = {**evidence, "compute": c.compute_id, "cluster": c.cluster_id or "", "cluster_vnets": list(c.vnet_ids)}
    if any(v.lower() in vnets for v in c.vnet_ids):
        return Finding(subject, Verdict.PASS, f"Kubernetes compute {cname} reaches the workspace's private endpoint",
                       evidence)
    pe_vnet = next((pe.vnet_id for pe in inv.pes_for(ws.id) if pe.vnet_id), None)
    commands = net.connect(peering_sides(inv, node_vnet, pe_vnet), inv.subscription) if pe_vnet else []
    return Finding(subject, Verdict.FAIL, f"public access is disabled and Kubernetes compute {cname}'s VNet "
                   f"{name_of(node_vnet)} neither holds nor peers with the workspace's private endpoint: its "
                   "endpoints fail with GetAADTokenFailed", evidence,
                   fix(f"Peer {name_of(node_vnet)} with the private endpoint's VNet (or add a workspace private "
                       f"endpoint in {name_of(node_vnet)})", *commands, docs="private_link"))


@probe("ws.image_build", stage=1, title="Images can be built for the private registry", needs=_TARGET)
async def image_build(ctx: Context) -> list[Finding]:
    """Compares the workspace registry's public access and network rules with
    `properties.imageBuildCompute` and the managed network. With no image build compute, AML builds
    images with ACR Tasks; since June 2025 a registry with public access Disabled or default action
    Deny lets Tasks (with their system-assigned identity) through only when
    `networkRuleBypassAllowedForTasks` is true (ACR api-version 2025-11-01); the trusted-services
    bypass no longer does. Otherwise deployments fail with ImageBuildFailure ("failed to communicate
    with the workspace's container registry").

    pass: the registry is public, a managed VNet builds the images, an image build compute is set,
    or the registry lets Tasks through. fail: private registry, legacy isolation, no image build
    compute and no Tasks bypass. The fix says which of the two applies: where the registry lets
    trusted services through (`networkRuleBypassOptions` AzureServices) the Tasks bypass keeps that
    intent; where its owner turned trusted services off, an image build compute in the VNet.
    error: the registry could not be read.
    """
    inv = inventory(ctx)
    ws = inv.workspace
    assert ws
    if not ws.container_registry:
        return [Finding(ws.name, Verdict.PASS, "no registry attached yet: AML creates one on first use",
                        {"containerRegistry": None})]
    if err := unreadable(inv, ws.container_registry, ws.name):
        return [err]
    reg = inv.registry
    assert reg
    evidence = {"registry": reg.id, "publicNetworkAccess": reg.public_network_access,
                "defaultAction": reg.default_action, "networkRuleBypassOptions": reg.bypass_options,
                "networkRuleBypassAllowedForTasks": reg.tasks_bypass, "imageBuildCompute": ws.image_build_compute,
                "isolationMode": ws.isolation_mode or "Disabled"}
    if not reg.private:
        return [Finding(ws.name, Verdict.PASS, f"registry {reg.name} is reachable by its build agents", evidence)]
    if not legacy_isolation(inv):
        return [Finding(ws.name, Verdict.PASS, "the workspace managed VNet builds images", evidence)]
    if ws.image_build_compute:
        return [Finding(ws.name, Verdict.PASS, f"images are built on compute {ws.image_build_compute}", evidence)]
    if reg.tasks_bypass:
        return [Finding(ws.name, Verdict.PASS, f"ACR Tasks build images: registry {reg.name} lets Tasks through its "
                        "network rules (networkRuleBypassAllowedForTasks)", evidence)]
    compute = cmd("az", "ml", "workspace", "update", "-g", group_of(ws.id), "-n", ws.name,
                  "--image-build-compute", "<compute-cluster-name>")
    tasks = cmd("az", "resource", "update", "--ids", reg.id, "--api-version", ACR_API_VERSION,
                "--set", "properties.networkRuleBypassAllowedForTasks=true")
    summary = (f"registry {reg.name} is private, no image build compute is set and it does not let ACR Tasks "
               "through (networkRuleBypassAllowedForTasks is false; since June 2025 the trusted-services bypass "
               "no longer admits Tasks): deployments fail with ImageBuildFailure")
    if reg.bypass_options == "AzureServices":
        remedy = fix(f"Let ACR Tasks through {reg.name}'s network rules, as it already lets trusted services "
                     "through (or name a compute cluster in the VNet to build images)", tasks, docs="acr_tasks")
    else:
        remedy = fix(f"{reg.name} lets no trusted service through (networkRuleBypassOptions None): build images on "
                     "a compute cluster in the VNet instead of opening it to ACR Tasks", compute, docs="image_build")
    return [Finding(ws.name, Verdict.FAIL, summary, evidence, remedy)]
