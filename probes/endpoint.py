"""Stage 1, online endpoints and deployments: state, traffic, inbound access, egress, MLflow."""

from __future__ import annotations

from collections.abc import Mapping

from netcheck.azure.facts import Endpoint, Inventory
from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.probe import probe
from netcheck.probes._common import (
    DEPLOYMENT_YAML,
    cmd,
    error_finding,
    fix,
    from_here,
    inventory,
    legacy_isolation,
    reaching_vnets,
    recreate_fix,
    unreadable,
    ws_args,
)
from netcheck.probes._reads import deployments_error, endpoint_errors
from netcheck.probes.policy import guarded

_TARGET = ["ctx.target"]
_BUSY = ("Creating", "Updating", "Scaling")


def _start(inv: Inventory) -> list[Finding]:
    """Errors for the endpoints that could not be read; a skip when there are none to read at all."""
    ws = inv.workspace
    assert ws
    errors = endpoint_errors(inv)
    if not inv.endpoints and not errors:
        return [Finding(ws.name, Verdict.SKIP, f"workspace {ws.name} has no online endpoints")]
    return errors


@probe("ep.state", stage=1, title="Endpoints and deployments provisioned", needs=_TARGET)
async def state(ctx: Context) -> list[Finding]:
    """Reads `provisioningState` of each endpoint and deployment (like
    `az ml online-deployment show --query provisioning_state`).

    pass: Succeeded. warn: Creating, Updating or Scaling (try again when it settles). fail: any
    other state (Failed, Canceled, Deleting); the fix shows the deployment's logs. error: the
    endpoint list, a named endpoint or an endpoint's deployments could not be read.
    """
    inv = inventory(ctx)
    out = _start(inv)
    for ep in inv.endpoints:
        out.append(_state(ep.name, ep.state, {"endpoint": ep.id, "provisioningState": ep.state},
                          cmd("az", "ml", "online-endpoint", "show", *ws_args(inv), "-n", ep.name)))
        if err := deployments_error(inv, ep):
            out.append(err)
        for d in ep.deployments:
            out.append(_state(f"{ep.name}/{d.name}", d.state, {"deployment": d.id, "provisioningState": d.state},
                              cmd("az", "ml", "online-deployment", "get-logs", *ws_args(inv), "-e", ep.name,
                                  "-n", d.name, "--lines", "200")))
    return out


def _state(subject: str, state: str, evidence: dict[str, str], look: str) -> Finding:
    if state == "Succeeded":
        return Finding(subject, Verdict.PASS, "provisioning Succeeded", evidence)
    if state in _BUSY:
        return Finding(subject, Verdict.WARN, f"provisioning is {state}: check again when it settles", evidence,
                       fix("Wait for the operation to finish, then run netcheck again", look))
    return Finding(subject, Verdict.FAIL, f"provisioning state is {state}", evidence,
                   fix("Read the logs for the cause, fix it, then update or recreate", look))


@probe("ep.traffic", stage=1, title="Traffic goes to a deployment", needs=_TARGET)
async def traffic(ctx: Context) -> list[Finding]:
    """Reads each endpoint's `properties.traffic` (and `mirrorTraffic`).

    pass: traffic is split over Succeeded deployments. warn: a Succeeded deployment gets 0 % and no
    mirror traffic, so it is reachable only with the `azureml-model-deployment` header. fail: every
    deployment gets 0 %: scoring answers 404 "no valid deployment with positive weight". error: the
    endpoints or an endpoint's deployments could not be read (never "no deployments").
    """
    inv = inventory(ctx)
    return _start(inv) + [f for ep in inv.endpoints for f in _traffic(inv, ep)]


def _traffic(inv: Inventory, ep: Endpoint) -> list[Finding]:
    evidence = {"traffic": dict(ep.traffic), "mirrorTraffic": dict(ep.mirror_traffic),
                "deployments": {d.name: d.state for d in ep.deployments}}
    if err := deployments_error(inv, ep):
        return [err]
    if not ep.deployments:
        return [Finding(ep.name, Verdict.FAIL, "the endpoint has no deployments: scoring answers 404", evidence,
                        fix(f"Create a deployment from your deployment YAML file ({DEPLOYMENT_YAML} stands for it)",
                            cmd("az", "ml", "online-deployment", "create", *ws_args(inv), "-e", ep.name,
                                "-f", DEPLOYMENT_YAML, "--all-traffic"), docs="rollout"))]
    ok = [d for d in ep.deployments if d.state == "Succeeded"] or list(ep.deployments)
    target = ok[0].name
    if sum(ep.traffic.values()) <= 0:
        return [Finding(ep.name, Verdict.FAIL, 'every deployment gets 0 % of the traffic: scoring answers 404 '
                        '"no valid deployment with positive weight"', evidence,
                        fix(f"Send the traffic to {target}", cmd("az", "ml", "online-endpoint", "update",
                                                                 *ws_args(inv), "-n", ep.name, "--traffic",
                                                                 f"{target}=100"), docs="rollout"))]
    idle = [d.name for d in ep.deployments if d.state == "Succeeded" and ep.traffic.get(d.name, 0) <= 0
            and ep.mirror_traffic.get(d.name, 0) <= 0]
    if idle:
        return [Finding(ep.name, Verdict.WARN, f"deployment {', '.join(idle)} gets no traffic: reachable only "
                        "with the azureml-model-deployment header", evidence,
                        fix("If it should serve requests, give it a share of the traffic (a canary split; "
                            "adjust the percentages, they must add up to 100)",
                            cmd("az", "ml", "online-endpoint", "update", *ws_args(inv), "-n", ep.name, "--traffic",
                                " ".join(f"{n}={p}" for n, p in _canary(ep.traffic, idle).items())),
                            docs="rollout"))]
    split = ", ".join(f"{n} {p} %" for n, p in ep.traffic.items())
    return [Finding(ep.name, Verdict.PASS, f"traffic: {split}", evidence)]


def _canary(traffic: Mapping[str, int], idle: list[str]) -> dict[str, int]:
    """A split that gives each idle deployment a share (10 %, less with many deployments), taken one point
    at a time from whichever deployment has the most, so the total stays 100."""
    split = {n: p for n, p in traffic.items() if n not in idle}
    share = max(1, min(10, 100 // (sum(1 for p in split.values() if p > 0) + len(idle))))
    for _ in range(share * len(idle)):
        top = max(split, key=lambda n: split[n])
        split[top] -= 1
    return {**split, **dict.fromkeys(idle, share)}


@probe("ep.public_access", stage=1, title="The endpoint can be scored from here", needs=_TARGET)
async def public_access(ctx: Context) -> list[Finding]:
    """Reads each endpoint's inbound `publicNetworkAccess`.

    pass: enabled, or disabled and netcheck runs inside the workspace private endpoint's VNet (or a
    peer). warn: disabled and netcheck runs outside it: scoring works only from inside the VNet.
    skip: disabled and `netcheck fleet` checks the workspace from no VNet (its network line names the run).
    error: the endpoint list or a named endpoint could not be read.
    """
    inv = inventory(ctx)
    out = _start(inv)
    net = inv.network_workspace or inv.workspace   # a Foundry project's private endpoint is its hub's
    assert net
    vnets = reaching_vnets(inv, net.id)
    for ep in inv.endpoints:
        evidence = {"publicNetworkAccess": ep.public_network_access, "private_endpoint_vnets": sorted(vnets),
                    "netcheck_vnet": ctx.where.vnet_id}
        here = from_here(ctx, vnets) if ep.public_network_access == "Disabled" else Verdict.PASS
        if here is Verdict.SKIP:
            out.append(Finding(ep.name, Verdict.SKIP, "public access is disabled: scoring is checked from inside the "
                               "workspace's VNet, by the run the fleet names", evidence))
        elif here is Verdict.WARN:
            out.append(Finding(ep.name, Verdict.WARN, "public access is disabled: scoring works only from inside "
                               "the workspace's VNet, not from where netcheck runs", evidence,
                               fix("Score from inside the VNet (or a peered one)", docs="secure_endpoint")))
        else:
            how = "inside the workspace's VNet" if ep.public_network_access == "Disabled" else "public access enabled"
            out.append(Finding(ep.name, Verdict.PASS, f"scoring reachable: {how}", evidence))
    return out


@probe("dep.egress", stage=1, title="Deployment egress matches the registry", needs=_TARGET)
async def egress(ctx: Context) -> list[Finding]:
    """Compares each managed deployment's `egressPublicNetworkAccess` with the workspace registry.
    With legacy network isolation, a deployment with egress Enabled pulls its image over the public
    network: with a private registry the image download fails.

    pass: egress disabled, a public registry, or a workspace managed VNet (the flag is then unused).
    fail: legacy isolation, egress Enabled and a private registry; the fix recreates the deployment
    with egress disabled (or move to a workspace managed VNet). error: the registry, the endpoints
    or an endpoint's deployments could not be read.
    """
    inv = inventory(ctx)
    out = _start(inv)
    ws = inv.workspace
    assert ws
    if inv.endpoints and ws.container_registry and (err := unreadable(inv, ws.container_registry, ws.name)):
        return [*out, err]
    reg, legacy = inv.registry, legacy_isolation(inv)
    for ep in inv.endpoints:
        if err := deployments_error(inv, ep):
            out.append(err)
        for d in ep.deployments:
            subject = f"{ep.name}/{d.name}"
            evidence = {"egressPublicNetworkAccess": d.egress_public_network_access,
                        "registry": reg.id if reg else None, "registry_private": bool(reg and reg.private),
                        "isolationMode": ws.isolation_mode or "Disabled"}
            if d.compute_type != "Managed" or not legacy:
                why = "Kubernetes deployment" if d.compute_type != "Managed" else "workspace managed VNet"
                out.append(Finding(subject, Verdict.PASS, f"{why}: the egress flag is not used", evidence))
            elif d.egress_public_network_access == "Enabled" and reg and reg.private:
                out.append(Finding(subject, Verdict.FAIL, f"egress is Enabled but registry {reg.name} is private: "
                                   "the image download is expected to fail", evidence,
                                   recreate_fix(inv, f"Recreate deployment {d.name} with egress_public_network_access: "
                                                "disabled", [(ep.name, d.name)], "--set",
                                                "egress_public_network_access=disabled", docs="secure_endpoint",
                                                then=", or move to a workspace managed VNet")))
            else:
                out.append(Finding(subject, Verdict.PASS, f"egress {d.egress_public_network_access} fits the registry",
                                   evidence))
    return out


@probe("dep.mlflow_legacy", stage=1, title="No MLflow model under legacy isolation", needs=_TARGET)
async def mlflow_legacy(ctx: Context) -> list[Finding]:
    """Checks whether a deployment serves an MLflow model (model type `mlflow_model` or an mlflow
    flavor) with legacy network isolation (egress Disabled, no workspace managed VNet): that is not
    supported.

    pass: not MLflow, or not legacy isolation. fail: an MLflow model with legacy isolation; use a
    workspace managed VNet, or a custom environment and scoring script (where a policy assignment
    denies allow_internet_outbound, the fix names it and starts with its exemption). error: the endpoints, an
    endpoint's deployments or a deployment's model could not be read.
    """
    inv = inventory(ctx)
    out = _start(inv)
    legacy = legacy_isolation(inv)
    for ep in inv.endpoints:
        if err := deployments_error(inv, ep):
            out.append(err)
        for d in ep.deployments:
            subject = f"{ep.name}/{d.name}"
            evidence = {"model": d.model, "mlflow": d.is_mlflow,
                        "egressPublicNetworkAccess": d.egress_public_network_access}
            if model_err := inv.error_for((d.model or "").removeprefix("azureml:")):
                out.append(error_finding(model_err, subject))
            elif d.is_mlflow and legacy and d.egress_public_network_access == "Disabled":
                assert inv.workspace
                out.append(Finding(subject, Verdict.FAIL, "an MLflow model with legacy network isolation is not "
                                   "supported", evidence,
                                   guarded(inv, "dep.mlflow_legacy", fix(
                                       "Use a workspace managed VNet, or deploy with a custom environment and "
                                       "scoring script", cmd("az", "ml", "workspace", "update", "-g",
                                                             ws_args(inv)[1], "-n", inv.workspace.name,
                                                             "--managed-network", "allow_internet_outbound"),
                                       docs="managed_network"))))
            else:
                what = "MLflow model" if d.is_mlflow else "not an MLflow model"
                out.append(Finding(subject, Verdict.PASS, f"{what}; no legacy-isolation conflict", evidence))
    return out
