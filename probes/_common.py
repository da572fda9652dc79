"""Helpers every probe module shares: fix commands, docs links, unreadable resources."""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Iterable

from netcheck.azure.errors import describe
from netcheck.azure.facts import Inventory, ReadError, group_of, name_of
from netcheck.context import Context
from netcheck.model import Finding, Fix, Verdict
from netcheck.subject import Named, Ref, Subject

LEARN = "https://learn.microsoft.com/azure"
DOCS = {
    "troubleshoot": f"{LEARN}/machine-learning/how-to-troubleshoot-online-endpoints#network-isolation-issues",
    "v2": f"{LEARN}/machine-learning/how-to-configure-network-isolation-with-v2",
    "managed_network": f"{LEARN}/machine-learning/how-to-managed-network",
    "private_link": f"{LEARN}/machine-learning/how-to-configure-private-link",
    "custom_dns": f"{LEARN}/machine-learning/how-to-custom-dns",
    "image_build": f"{LEARN}/machine-learning/how-to-secure-workspace-vnet#enable-azure-container-registry-acr",
    "secure_endpoint": f"{LEARN}/machine-learning/concept-secure-online-endpoint",
    "rollout": f"{LEARN}/machine-learning/how-to-safely-rollout-online-endpoints",
    "keyvault": f"{LEARN}/key-vault/general/network-security",
    "storage_firewall": f"{LEARN}/storage/common/storage-network-security",
    "storage_pe": f"{LEARN}/machine-learning/how-to-secure-workspace-vnet#secure-azure-storage-accounts",
    "acr_tasks": f"{LEARN}/container-registry/manage-network-bypass-policy-for-tasks",
    "k8s_router": f"{LEARN}/machine-learning/how-to-kubernetes-inference-routing-azureml-fe",
    "policy": f"{LEARN}/machine-learning/how-to-integrate-azure-policy",
    "pe_dns": f"{LEARN}/private-link/private-endpoint-dns",
    "dns_link": f"{LEARN}/dns/private-dns-virtual-network-links",
    "rbac": f"{LEARN}/role-based-access-control/role-assignments-cli",
    "acr_firewall": f"{LEARN}/container-registry/container-registry-private-link",
    "tls": f"{LEARN}/machine-learning/how-to-secure-kubernetes-online-endpoint",
    "auth": f"{LEARN}/machine-learning/how-to-authenticate-online-endpoint",
    "peering": f"{LEARN}/virtual-network/virtual-network-manage-peering",
}


def cmd(*argv: str) -> str:
    """A command line with every argument shell-quoted (names may hold anything)."""
    return shlex.join(argv)


def elsewhere(resource_id: str, home: str) -> tuple[str, ...]:
    """`--subscription SUB` for a command on a resource outside `home` (the subscription az works in: the
    workspace's), as landing zones keep shared zones, resolvers and hub VNets in a connectivity subscription."""
    sub = resource_id.split("/")[2] if resource_id.count("/") > 2 else ""
    return () if not sub or sub.lower() == home.lower() else ("--subscription", sub)


def counted(n: int, noun: str) -> str:
    """`1 deployment`, `2 deployments`."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def fix(summary: str, *commands: str, docs: str = "troubleshoot") -> Fix:
    return Fix(summary, tuple(commands), DOCS.get(docs, docs))


def inventory(ctx: Context) -> Inventory:
    assert ctx.inventory is not None, "stage-1 probes need ctx.target"
    return ctx.inventory


def unreadable(inv: Inventory, resource_id: str | None, subject: str) -> Finding | None:
    """An `error` finding when the resource a probe judges could not be read; its cause is
    ctx.reads' result for that read (where the refusal is reported once)."""
    err = inv.error_for(resource_id)
    if not err:
        return None
    return dataclasses.replace(error_finding(err, subject), cause=read_cause(err))


def read_label(resource_id: str) -> str:
    """A refused read's subject: the id from its provider on (`Microsoft.ContainerRegistry/registries/cr`)."""
    return resource_id.split("/providers/", 1)[-1]


def read_cause(err: ReadError) -> Ref:
    """The ctx.reads result that reports a refused or failed read."""
    return Ref("ctx.reads", Named(read_label(err.resource)))


def not_read(ctx: Context, *, registry_only: bool = False) -> list[Finding]:
    """A skip naming the read as cause for each workspace dependency (registry, key vault, storage) that
    could not be read: its names and records are unknown, so the checks that need them can't run, and
    they must show as not checked rather than vanish from the report."""
    inv, out = ctx.inventory, []
    if inv is None or inv.workspace is None:
        return []
    ws = inv.workspace
    for rid in (ws.container_registry,) if registry_only else (ws.container_registry, ws.key_vault,
                                                               ws.storage_account):
        if err := inv.error_for(rid):
            out.append(Finding(name_of(err.resource), Verdict.SKIP, f"not checked: {name_of(err.resource)} could "
                               "not be read, so its names and records are unknown", {"resource": err.resource},
                               cause=read_cause(err)))
    return out


def error_finding(err: ReadError, subject: Subject | str) -> Finding:
    evidence = {"resource": err.resource, "reason": err.reason, "message": err.message}
    grant = None
    if err.reason == "forbidden":
        evidence.update(missing_action=err.action or "", scope=err.scope or err.resource)
        grant = fix(f"Grant read access ({err.action or 'Reader'}) on {err.scope or err.resource}",
                    cmd("az", "role", "assignment", "create", "--role", "Reader", "--scope", err.scope or err.resource,
                        "--assignee", err.principal or "<object-id-of-the-identity>"), docs="rbac")
    return Finding(subject, Verdict.ERROR, describe(err), evidence, grant)


def ws_args(inv: Inventory) -> tuple[str, ...]:
    """`-g RG -w WS` for az ml commands."""
    assert inv.workspace
    return ("-g", group_of(inv.workspace.id), "-w", inv.workspace.name)


def recreate_deployment(inv: Inventory, endpoint: str, deployment: str, *create_args: str) -> tuple[str, str]:
    """Delete and create one deployment. netcheck can't know the YAML file it was created from: the
    placeholder `<deployment.yml>` stands for it (fix summaries say so)."""
    return (cmd("az", "ml", "online-deployment", "delete", *ws_args(inv), "-e", endpoint, "-n", deployment, "--yes"),
            cmd("az", "ml", "online-deployment", "create", *ws_args(inv), "-e", endpoint, "-n", deployment,
                "-f", DEPLOYMENT_YAML, *create_args))


DEPLOYMENT_YAML = "<deployment.yml>"


def recreate_fix(inv: Inventory, summary: str, deployments: Iterable[tuple[str, str]], *create_args: str, docs: str,
                 then: str = "") -> Fix:
    """Delete and create these (endpoint, deployment)s; the summary says what `<deployment.yml>` stands for."""
    return fix(f"{summary} ({DEPLOYMENT_YAML} stands for the YAML file you created it from){then}",
               *(c for e, d in deployments for c in recreate_deployment(inv, e, d, *create_args)), docs=docs)


def legacy_isolation(inv: Inventory) -> bool:
    """No workspace managed VNet: AML builds a managed VNet per deployment (legacy network isolation)."""
    ws = inv.network_workspace
    return ws is not None and (ws.isolation_mode or "Disabled") == "Disabled"


def reaching_vnets(inv: Inventory, resource_id: str | None) -> set[str]:
    """VNets from which a resource's private endpoints are reachable: theirs and their peers."""
    vnets = {pe.vnet_id.lower() for pe in inv.pes_for(resource_id) if pe.vnet_id}
    for v in inv.vnets:
        if v.id.lower() in vnets:
            vnets.update(p.lower() for p in v.peerings if p)
    return vnets


def client_vnets(ctx: Context, inv: Inventory) -> list[str]:
    """The VNets whose view matters: where netcheck runs, else the private endpoints' VNets."""
    if ctx.where.vnet_id:
        return [ctx.where.vnet_id]
    return sorted({pe.vnet_id for pe in inv.private_endpoints if pe.vnet_id})


def from_here(ctx: Context, vnets: set[str]) -> Verdict:
    """How a resource reached only through private endpoints in (or peered with) `vnets` looks from where
    netcheck runs: PASS from inside them, WARN from outside; SKIP when `netcheck fleet` checks it from no
    VNet: what reaches it from a VNet is for the run the fleet names inside its VNet (the workspace's
    network line), not a warning about where the fleet runs."""
    where = ctx.where.vnet_id
    if where and where.lower() in vnets:
        return Verdict.PASS
    return Verdict.SKIP if ctx.facts_from and not where else Verdict.WARN


__all__ = ["DEPLOYMENT_YAML", "DOCS", "client_vnets", "cmd", "counted", "error_finding", "fix", "from_here",
           "group_of", "inventory", "legacy_isolation", "name_of", "reaching_vnets",
           "recreate_deployment", "recreate_fix", "unreadable", "ws_args"]
