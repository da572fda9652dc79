"""Stage 1, the managed VNet in depth: its outbound rules, and a Foundry project's hub network.

A managed VNet's private endpoints (PrivateEndpoint outbound rules) live in Microsoft's subscription,
not the customer's: no private DNS zone or record of the customer's serves them, so the pdns.* and
dns.* probes never look for them (discovery reads private endpoints in the target subscription only).
"""

from __future__ import annotations

from netcheck.azure.facts import OutboundRule, Workspace, name_of
from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.probe import probe
from netcheck.probes._common import cmd, fix, group_of, inventory, unreadable
from netcheck.subject import Named

_OPEN = "AllowInternetOutbound"


@probe("ws.outbound_rules", stage=1, title="The managed VNet's outbound rules are active",
       needs=["ctx.target"], after=["ws.managed_network"])
async def outbound_rules(ctx: Context) -> list[Finding]:
    """Reads the managed VNet's outbound rules (`GET {workspace}/outboundRules`, else the workspace's
    `managedNetwork.outboundRules`): PrivateEndpoint, ServiceTag and FQDN rules and each one's
    status. For a Foundry project, the rules are its hub's. The private endpoints these rules create
    are managed private endpoints in Microsoft's subscription: they need no private DNS zone or
    record of yours, so the pdns.* and dns.* probes ask for none.

    pass: the rule is Active. fail: the rule is not Active (named with its destination and Azure's
    error); when the managed VNet itself is not provisioned, ws.managed_network is the cause. fail:
    a FQDN or ServiceTag rule under AllowInternetOutbound, which Azure refuses (such rules need
    AllowOnlyApprovedOutbound, where FQDN rules run on a managed Azure Firewall, `firewallSku`).
    No managed VNet: no result.
    """
    inv = inventory(ctx)
    ws = inv.network_workspace
    if ws is None:
        return [err] if inv.workspace and (err := unreadable(inv, inv.workspace.hub_id, inv.workspace.name)) else []
    mode = ws.isolation_mode or "Disabled"
    if mode == "Disabled":
        return []
    if not ws.outbound_rules:
        return [Finding(ws.name, Verdict.PASS, f"managed VNet ({mode}) has no outbound rules", {"isolationMode": mode})]
    return [_judge(ctx, ws, rule, mode) for rule in ws.outbound_rules]


def _judge(ctx: Context, ws: Workspace, rule: OutboundRule, mode: str) -> Finding:
    subject = f"{ws.name}/{rule.name}"
    dest = name_of(rule.destination) if rule.type == "PrivateEndpoint" else rule.destination   # the full id: evidence
    what = f"{rule.type} rule {rule.name} to {dest}" + (f" ({rule.subresource})" if rule.subresource else "")
    evidence = {"rule": rule.name, "type": rule.type, "destination": rule.destination, "status": rule.status,
                "category": rule.category, "subresourceTarget": rule.subresource, "errorInformation": rule.error,
                "isolationMode": mode, "firewallSku": ws.firewall_sku}
    rg = group_of(ws.id)
    provision = cmd("az", "ml", "workspace", "provision-network", "-g", rg, "-n", ws.name)
    if rule.type in ("FQDN", "ServiceTag") and mode == _OPEN:
        return Finding(subject, Verdict.FAIL, f"{what} under {_OPEN}: Azure refuses {rule.type} rules unless the "
                       "isolation mode is AllowOnlyApprovedOutbound", evidence,
                       fix(f"Remove the rule (internet outbound is open anyway), or switch {ws.name} to "
                           "AllowOnlyApprovedOutbound, where FQDN rules run on a managed Azure Firewall (firewallSku)",
                           cmd("az", "ml", "workspace", "outbound-rule", "remove", "-g", rg, "-w", ws.name,
                               "--rule", rule.name),
                           cmd("az", "ml", "workspace", "update", "-g", rg, "-n", ws.name,
                               "--managed-network", "allow_only_approved_outbound"), docs="managed_network"))
    if rule.status == "Active":
        return Finding(subject, Verdict.PASS, f"{what} is Active", evidence)
    if cause := ctx.blocked("ws.managed_network", Named(ws.name)):   # a consequence shows its cause's fix
        root = next((r for r in ctx.results_of("ws.managed_network") if r.ref == cause), None)
        return Finding(subject, Verdict.FAIL, f"{what} is {rule.status}: the managed VNet is not provisioned; "
                       "its rules become active with it", evidence, root.fix if root else None, cause=cause)
    said = f": {rule.error}" if rule.error else ""
    if rule.type == "PrivateEndpoint":
        return Finding(subject, Verdict.FAIL, f"{what} is {rule.status}{said}: its managed private endpoint is "
                       f"not approved on {dest}", evidence,
                       fix("Approve the managed private endpoint's Pending connection on the destination, then "
                           "provision the managed VNet again",
                           cmd("az", "network", "private-endpoint-connection", "list", "--id", rule.destination),
                           provision, docs="managed_network"))
    return Finding(subject, Verdict.FAIL, f"{what} is {rule.status}{said}", evidence,
                   fix("Provision the managed VNet again to apply the rule", provision, docs="managed_network"))


@probe("ws.hub_project", stage=1, title="A Foundry project takes its network from its hub", needs=["ctx.target"])
async def hub_project(ctx: Context) -> list[Finding]:
    """For a workspace of kind Project (a Foundry hub-based project): reads its hub
    (`properties.hubResourceId`). The hub's private endpoint, private DNS zones, managed VNet and
    outbound rules serve the project, so netcheck reads and reports them as the hub's, and fixes name
    the hub. A Hub is checked like any workspace. No project: no result.

    pass: the hub was read and the project defines no managed network of its own. fail: the project
    sets its own `managedNetwork` isolation mode, which Azure refuses (a project's network is its
    hub's). error: the hub could not be read.
    """
    inv = inventory(ctx)
    ws = inv.workspace
    if ws is None or not ws.is_project:
        return []
    evidence = {"project": ws.id, "hubResourceId": ws.hub_id, "isolationMode": ws.isolation_mode}
    if inv.hub is None:
        err = unreadable(inv, ws.hub_id, ws.name)
        return [err or Finding(ws.name, Verdict.ERROR, "the project names no readable hub (hubResourceId)", evidence)]
    hub = inv.hub
    if (ws.isolation_mode or "Disabled") != "Disabled":
        return [Finding(ws.name, Verdict.FAIL, f"project {ws.name} defines its own managed network "
                        f"({ws.isolation_mode}): Azure refuses it, a project uses its hub {hub.name}'s", evidence,
                        fix(f"Remove managedNetwork from the project's definition (template or YAML): set it on "
                            f"the hub {hub.name}, whose settings this shows",
                            cmd("az", "ml", "workspace", "show", "-g", group_of(hub.id), "-n", hub.name,
                                "--query", "managed_network"), docs="managed_network"))]
    return [Finding(ws.name, Verdict.PASS, f"project {ws.name} uses hub {hub.name}'s network "
                    f"(managed VNet {hub.isolation_mode or 'Disabled'})", {**evidence, "hub": hub.id})]
