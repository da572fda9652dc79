"""Stage 0: where netcheck runs, whether it can read ARM, and whether the target exists."""

from __future__ import annotations

import asyncio
import difflib
import json
import re
from dataclasses import replace

from netcheck.azure import lists
from netcheck.azure.collect import read_facts, workspace_names
from netcheck.azure.facts import Inventory, ReadError, group_of, name_of
from netcheck.azure.location import place_by_address
from netcheck.clouds import cloud
from netcheck.context import Context
from netcheck.model import Finding, Verdict, Where
from netcheck.net import http
from netcheck.net.errors import describe as net_error
from netcheck.probe import probe
from netcheck.probes._common import cmd, counted, error_finding, fix, read_label

IMDS = ("169.254.169.254", 80)
# IMDS answers in milliseconds on a VM; anywhere else the address is a black hole. One second is
# what the az CLI and azure-identity allow it too.
IMDS_TIMEOUT = 1.0
IMDS_PATH = "/metadata/instance?api-version=2021-02-01"
# Getting a token may involve the az CLI or a managed identity endpoint: slow, but bounded.
TOKEN_TIMEOUT = 20.0


@probe("ctx.credential", stage=0, title="An ARM token can be had")
async def credential(ctx: Context) -> list[Finding]:
    """Checks that netcheck can get an Azure Resource Manager token, the way the az CLI would:
    azure-identity's DefaultAzureCredential (environment service principal, managed identity on a
    jumpbox, `az login`), or a token in NETCHECK_ARM_TOKEN.

    pass: a token was issued (never shown). fail: no credential in the chain worked; the reasons of
    each are shown. Stage-1 probes then skip; the network probes still run. With --inventory no
    token is needed.
    """
    s = ctx.settings
    if s.inventory or ctx.facts_from:
        return [Finding("", Verdict.PASS, f"not needed: facts come from {ctx.facts_from or f'--inventory {s.inventory}'}")]
    from netcheck.azure import credential as cred
    from netcheck.azure.session import Session

    try:
        credential_ = cred.build(s)
        await asyncio.wait_for(asyncio.to_thread(credential_.get_token, cred.scope(s)), TOKEN_TIMEOUT)
    except Exception as exc:  # the credential chain's own message lists every attempt
        # could not decide: the configuration is unknown, not wrong (exit 3 unless the network failed)
        return [Finding("", Verdict.ERROR, "no ARM token: every credential in the chain failed",
                        {"cloud": s.cloud, "reasons": _attempts(exc)},
                        fix("Sign in, or give the jumpbox a managed identity with Reader on the workspace",
                            *([cmd("az", "cloud", "set", "--name", s.cloud)] if s.cloud != "AzureCloud" else []),
                            "az login",
                            docs="https://learn.microsoft.com/cli/azure/authenticate-azure-cli"))]
    ctx.credential = Session(s, credential_)
    source = "NETCHECK_ARM_TOKEN" if s.arm_token else "DefaultAzureCredential"
    return [Finding("", Verdict.PASS, f"ARM token issued by {source} for {cred.arm_endpoint(s)}",
                    {"credential": source, "arm": cred.arm_endpoint(s)})]


def _attempts(exc: Exception) -> list[dict[str, str]]:
    """Each credential's reason from the chain's message ("AzureCliCredential: Azure CLI not found on
    path"), without its headers and troubleshooting links; else the message's first lines."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    tried = [m.groups() for line in lines if (m := re.match(r"(\w+Credential): (.*)", line))]
    return ([{"credential": name, "reason": reason} for name, reason in tried]
            or [{"credential": type(exc).__name__, "reason": " ".join(lines[:4])}])


@probe("ctx.location", stage=0, title="netcheck knows where it runs", after=["ctx.credential"])
async def location(ctx: Context) -> list[Finding]:
    """Asks Azure instance metadata (IMDS, 169.254.169.254, 1 s, header Metadata: true) for this
    machine's VM id and private IP, then reads the VM and its NIC through ARM for its subnet and VNet.

    pass: inside an Azure VNet (its id is shown); or an Azure VM whose VNet netcheck has no ARM
    session to read (--no-azure, --inventory, no token). warn: not inside an Azure VNet, so name
    resolution results describe this machine, not the VNet; run netcheck from a jumpbox in the VNet
    for the answers the endpoint's clients get. error: the VM or its NIC could not be read (403:
    the missing permission is named); ctx.target then places the VM by its address.
    """
    try:
        resp = await http.request(ctx.settings, *IMDS, "GET", IMDS_PATH, timeout=IMDS_TIMEOUT,
                                  headers={"Metadata": "true"})
        doc = json.loads(resp.body) if resp.status == 200 else None
    except (OSError, TimeoutError, ValueError) as exc:
        return [_outside(ctx, f"IMDS did not answer ({net_error(exc)})")]
    if not doc or not doc.get("compute", {}).get("resourceId"):
        return [_outside(ctx, f"IMDS answered {resp.status} without a VM id")]
    vm_id = doc["compute"]["resourceId"]
    ip = next((a.get("privateIpAddress") for nic in doc.get("network", {}).get("interface", [])
               for a in nic.get("ipv4", {}).get("ipAddress", []) if a.get("privateIpAddress")), "")
    ctx.where = Where(True, vm_id, None, None, ip or None)
    vm = f"Azure VM {name_of(vm_id)} ({ip})"
    if ctx.credential is None:
        return [Finding("", Verdict.PASS, f"{vm}; its VNet is not read: no ARM session", {"vm": vm_id, "private_ip": ip})]
    from netcheck.azure.location import read_location

    found = await asyncio.to_thread(read_location, ctx.credential, vm_id, ip)
    if isinstance(found, ReadError):
        err = error_finding(found, "")
        return [replace(err, summary=f"{vm}, but its VNet is unknown: {err.summary}", evidence={"vm": vm_id,
                        "private_ip": ip, **err.evidence})]
    ctx.location = found
    ctx.where = Where(True, vm_id, found.vnet_id, found.subnet_id, ip or None)
    evidence = {"vm": vm_id, "private_ip": ip, "nic": found.nic_id, "subnet": found.subnet_id, "vnet": found.vnet_id}
    return [Finding("", Verdict.PASS, f"inside VNet {name_of(found.vnet_id)} as {ip}", evidence)]


def _outside(ctx: Context, why: str) -> Finding:
    """Outside Azure the names resolve privately only when this network's DNS forwards their public zones
    into the VNet (the dns.system results that fail for it name this one, and the inbound endpoints found)."""
    zones = ", ".join(cloud(ctx.settings.cloud).forwarded_zones)
    return Finding("", Verdict.WARN, "not inside an Azure VNet: name resolution results describe this machine, "
                   "not the VNet", {"imds": why},
                   fix("Run netcheck from a VM (jumpbox) inside the workspace's VNet for the answers its clients get; "
                       f"for clients here (on-premises, VPN), forward the public zones {zones} from this network's DNS "
                       "to a DNS Private Resolver inbound endpoint (or a DNS forwarder) in the VNet",
                       docs="custom_dns"))


@probe("ctx.target", stage=0, title="The workspace and endpoints exist and are readable", needs=["ctx.credential"],
       after=["ctx.location"])
async def target(ctx: Context) -> list[Finding]:
    """Reads the workspace and everything it depends on through ARM: online endpoints and deployments,
    its container registry, key vault, private endpoints with their NICs and DNS zone groups, the
    private DNS zones with their records and VNet links, the VNets involved, and for Kubernetes
    endpoints their compute's cluster and its nodes' VNets. Each read gets a third of --timeout, so
    one slow resource costs only its probes. With --inventory, loads those facts from a `netcheck
    collect` file instead.

    pass: the workspace was read. fail: the workspace or a named endpoint does not exist (close names
    are suggested). error: ARM refused (403: the missing permission and scope are named) or failed.
    Other unreadable resources don't stop the run: ctx.reads reports each, and the probes that need
    one report `error` or `skip` naming it as their cause.
    """
    s = ctx.settings
    if ctx.facts_from and ctx.inventory is not None:
        inv = ctx.inventory   # gathered by the caller (netcheck fleet), not by this probe
    else:
        try:   # --inventory is checked before the run too, but the file may have changed since
            ctx.inventory = inv = await read_facts(s, ctx.credential, ctx.limit, ctx.where.vnet_id)
        except ValueError as exc:
            return [Finding("", Verdict.ERROR, f"cannot use --inventory {s.inventory}: {exc}")]
    ctx.where = place_by_address(ctx.where, inv.vnets)
    if (ws := inv.workspace) is None:
        return [await _workspace_missing(ctx, inv)]
    evidence = {"workspace": ws.id, "region": ws.location, "workspace_guid": ws.guid,
                "endpoints": [e.name for e in inv.endpoints],
                "deployments": [f"{e.name}/{d.name}" for e in inv.endpoints for d in e.deployments],
                "private_endpoints": len(inv.private_endpoints), "private_dns_zones": len(inv.zones),
                "unreadable": [f"{e.resource}: {e.reason}" for e in inv.errors]}
    if missing := inv.missing_endpoints:
        hints = {n: difflib.get_close_matches(n, inv.known_endpoints, n=2) for n in missing}
        close = sorted({c for cs in hints.values() for c in cs})
        hint = f"did you mean {', '.join(close)}?" if close else f"it has {', '.join(inv.known_endpoints) or 'none'}"
        return [Finding("", Verdict.FAIL, f"online endpoint {', '.join(missing)} not found in workspace {ws.name}; {hint}",
                        {**evidence, "did_you_mean": hints}, fix("Check the endpoint name", cmd(
                            "az", "ml", "online-endpoint", "list", "-g", group_of(ws.id), "-w", ws.name, "-o", "table")))]
    n_dep = sum(len(e.deployments) for e in inv.endpoints)
    found = (f"{counted(len(inv.endpoints), 'online endpoint')}, {counted(n_dep, 'deployment')}, "
             f"{counted(len(inv.private_endpoints), 'private endpoint')}")
    label = f"project {ws.name} of hub {name_of(ws.hub_id)}" if ws.is_project and ws.hub_id else f"workspace {ws.name}"
    if ws.kind != "Default":
        evidence = {**evidence, "kind": ws.kind, **({"hub": ws.hub_id} if ws.hub_id else {})}
    return [Finding("", Verdict.PASS, f"{label} ({ws.location}): {found}", evidence)]


@probe("ctx.reads", stage=0, title="Everything the workspace depends on could be read", needs=["ctx.target"])
async def reads(ctx: Context) -> list[Finding]:
    """Reports each resource ctx.target could not read (the registry, the key vault, a private DNS zone, a
    VNet...) once, with why: the probes that needed it name this result as their cause, and the checks
    it would have fed show as `skip` naming it rather than vanishing from the report.

    pass: every resource was read. error: ARM refused a read (403: the missing permission and scope
    are named, with the role assignment that grants it), timed out, or failed.
    """
    inv = ctx.inventory
    assert inv is not None
    if not inv.errors:
        return [Finding("", Verdict.PASS, "every resource the workspace depends on was read")]
    return [error_finding(e, read_label(e.resource)) for e in inv.errors]


async def _workspace_missing(ctx: Context, inv: Inventory) -> Finding:
    s = ctx.settings
    ws_id = f"{lists.workspaces(s.subscription or '', s.resource_group or '')}/{s.workspace}"
    err = inv.error_for(ws_id) or next(iter(inv.errors), None)
    if err is None or err.reason != "not_found":
        return error_finding(err, "") if err else Finding("", Verdict.ERROR, "the workspace could not be read")
    names = await workspace_names(s, ctx.credential) if ctx.credential is not None else []
    close = difflib.get_close_matches(s.workspace or "", names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return Finding("", Verdict.FAIL, f"workspace {s.workspace} not found in resource group {s.resource_group}{hint}",
                   {"workspace": ws_id, "message": err.message, "did_you_mean": close, "workspaces_in_group": names},
                   fix("Check the names, or set the defaults as the az CLI does",
                       cmd("az", "ml", "workspace", "list", "-g", s.resource_group or "", "-o", "table"),
                       docs="private_link"))
