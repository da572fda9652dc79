"""Stage 1: a network path from where netcheck runs to each private endpoint it must reach: the same VNet,
or a peering Connected on both sides (read through ARM; the route itself is tried by net.tcp)."""

from __future__ import annotations

from netcheck.azure.facts import Inventory, Location, Peering
from netcheck.context import Context
from netcheck.diagnosis import names as dnames
from netcheck.diagnosis import remedy as fx
from netcheck.diagnosis.path import pe_vnet, route_hop, vnet_of_address
from netcheck.model import Finding, Result, SkipKind, Verdict
from netcheck.probe import probe
from netcheck.probes._common import LEARN, cmd, error_finding, fix, group_of, inventory, name_of, read_cause
from netcheck.probes._network import names
from netcheck.subject import Named

DOCS = f"{LEARN}/virtual-network/virtual-network-manage-peering"


def _subscription(resource_id: str) -> str:
    return resource_id.split("/")[2] if resource_id.count("/") > 2 else ""


def _side(p: Peering | None, vnet: str, remote: str) -> dict[str, object]:
    return {"vnet": vnet, "remote_vnet": remote, "peering": p.id if p else None, "state": p.state if p else None,
            "allow_vnet_access": p.allow_vnet_access if p else None}


def _commands(inv: Inventory, s: fx.PeeringSide) -> list[str]:
    """Create one side of the peering; a side that exists but is not Connected is deleted first: Azure
    re-establishes a Disconnected peering only by creating it again (an Initiated one waits for its other
    side, which the other side's commands create)."""
    p, a, b = s.existing, s.vnet_id, s.remote_vnet_id
    where = ("-g", group_of(a), "--vnet-name", name_of(a))
    sub = () if _subscription(a).lower() == inv.subscription.lower() else ("--subscription", _subscription(a))
    if p and p.state == "Connected":   # connected, but the VNets may not reach each other through it
        return [cmd("az", "network", "vnet", "peering", "update", *where, "-n", p.name,
                    "--set", "allowVirtualNetworkAccess=true", *sub)]
    if p and p.state == "Initiated":
        return []
    create = cmd("az", "network", "vnet", "peering", "create", *where, "-n",
                 p.name if p else f"peer-{name_of(a)}-to-{name_of(b)}", "--remote-vnet", b, "--allow-vnet-access", *sub)
    return [cmd("az", "network", "vnet", "peering", "delete", *where, "-n", p.name, *sub), create] if p else [create]


def _state(s: fx.PeeringSide) -> str:
    p = s.existing
    what = ("no peering" if p is None else f"{p.name} is {p.state}" if p.state != "Connected"
            else f"{p.name} is Connected but does not allow VNet access")
    return f"{name_of(s.vnet_id)} → {name_of(s.remote_vnet_id)}: {what}"


@probe("net.peering", stage=1, title="This VNet reaches each private endpoint's VNet", needs=["ctx.target"],
       after=["ctx.location"])
async def peering(ctx: Context) -> list[Finding]:
    """For each VNet holding a private endpoint that the names netcheck tests resolve to: is netcheck's
    own VNet the same one, or peered with it, the peering Connected on both sides (only then does it
    carry traffic: Initiated waits for the other side, Disconnected lost it)?

    pass: the same VNet, or peered and Connected both ways. warn: Connected, but a side is not in
    sync with its remote's address space (LocalNotInSync, RemoteNotInSync): the fix syncs it. fail:
    no peering, or a side not Connected (or not allowing VNet access): the fix creates the missing
    sides, re-creates a Disconnected one, with the real VNet ids; the names' TCP failures (net.tcp)
    name this result as their cause. error: a VNet could not be read. skip: netcheck runs outside
    Azure (VPN or ExpressRoute routes are not peerings), or no private endpoint is to be reached.
    """
    inv = inventory(ctx)
    client = ctx.where.vnet_id
    if not client:
        return [Finding("", Verdict.SKIP, "outside Azure (ctx.location): the private endpoints are reached over VPN "
                        "or ExpressRoute, not a VNet peering", skip=SkipKind.NOT_APPLICABLE)]
    ns = names(ctx)
    targets = dnames.targets(inv, ns) if ns else ()
    # the route depends on the VNet only (an --inventory run knows it from the address, not the subnet)
    where = Location(vm_id=ctx.where.vm_id or "", private_ip=ctx.where.private_ip or "",
                     subnet_id=ctx.where.subnet_id or f"{client}/subnets/-")
    by_vnet: dict[str, list[str]] = {}
    for t in targets:
        if remote := pe_vnet(inv, t):
            by_vnet.setdefault(remote, []).append(t.fqdn)
    if not by_vnet:
        return [Finding("", Verdict.SKIP, "no private endpoint to reach: none of the names is served by one",
                        skip=SkipKind.NOT_APPLICABLE)]
    out = []
    for remote, fqdns in sorted(by_vnet.items(), key=lambda kv: kv[0].lower()):
        t = next(t for t in targets if t.fqdn == fqdns[0])
        hop = route_hop(inv, where, t)
        subject = Named(name_of(remote))
        addresses = sorted({a for t in targets if t.fqdn in fqdns for a in t.addresses})
        evidence: dict[str, object] = {"client_vnet": client, "private_endpoint_vnet": remote, "names": fqdns,
                                       "addresses": addresses}
        if hop is not None and hop.ok:
            out.append(_connected(inv, subject, client, remote, evidence))
            continue
        if hop is None or hop.ok is None:   # a side's VNet was not read: its peerings are unknown
            out.append(_unknown(inv, subject, client, remote, evidence))
            continue
        assert isinstance(hop.remedy, fx.PeeringFix)
        bad = [s for s in hop.remedy.sides if not (s.existing and s.existing.connected)]
        evidence["sides"] = [_side(s.existing, s.vnet_id, s.remote_vnet_id) for s in hop.remedy.sides]
        commands = [c for s in hop.remedy.sides for c in _commands(inv, s) if s in bad]
        out.append(Finding(subject, Verdict.FAIL, f"{name_of(client)} has no working peering with "
                           f"{name_of(remote)}, which holds the private endpoints of {len(fqdns)} of the names tested: "
                           + "; ".join(_state(s) for s in bad), evidence,
                           fix(f"Peer {name_of(client)} and {name_of(remote)} in both directions (a peering carries "
                               "traffic only when both sides are Connected)" + "".join(
                                   f"; {s.existing.name} is {s.existing.state}: delete it and create it again"
                                   for s in bad if s.existing and s.existing.state == "Disconnected"),
                               *commands, docs=DOCS)))
    return out


def _connected(inv: Inventory, subject: Named, client: str, remote: str, evidence: dict[str, object]) -> Finding:
    """Same VNet, or Connected both ways; a side not in sync with its remote's address space (changed since
    the peering was made) carries traffic only to the old ranges until it is synced."""
    if client.lower() == remote.lower():
        return Finding(subject, Verdict.PASS, f"{name_of(client)} holds the private endpoints: same VNet", evidence)
    pair = {client.lower(), remote.lower()}
    stale = [p for p in inv.peerings if {p.vnet_id.lower(), p.remote_vnet_id.lower()} == pair
             and p.sync_level not in ("", "FullyInSync")]
    if not stale:
        return Finding(subject, Verdict.PASS, f"{name_of(client)} reaches {name_of(remote)}: peered, Connected on "
                       "both sides", evidence)
    states = ", ".join(f"{p.name} is {p.sync_level}" for p in stale)
    return Finding(subject, Verdict.WARN, f"peered and Connected, but {states}: an address range added since is not "
                   "reachable through it", evidence,
                   fix("Sync the peering with the address spaces as they are now",
                       *(cmd("az", "network", "vnet", "peering", "sync", "-g", group_of(p.vnet_id), "--vnet-name",
                             name_of(p.vnet_id), "-n", p.name) for p in stale), docs=DOCS))


def _unknown(inv: Inventory, subject: Named, client: str, remote: str, evidence: dict[str, object]) -> Finding:
    err = next((e for v in (client, remote) if (e := inv.error_for(v))), None)
    if err is None:   # an inventory collected elsewhere, without this VNet
        unread = next((v for v in (client, remote) if inv.vnet(v) is None), client)
        return Finding(subject, Verdict.ERROR, f"VNet {name_of(unread)} was not read, so its peerings are unknown",
                       {**evidence, "resource": unread})
    found = error_finding(err, subject)
    return Finding(subject, Verdict.ERROR, f"the peerings of {name_of(err.resource)} are unknown: {found.summary}",
                   {**evidence, **found.evidence}, found.fix, read_cause(err))


def route_cause(ctx: Context, address: str) -> Result | None:
    """The failing net.peering result that explains why an address does not answer here: a private endpoint's
    address in a VNet this one has no working peering with (by the endpoint, or by the VNet's address space:
    a storage account's endpoint netcheck does not read)."""
    inv = ctx.inventory
    vnet = vnet_of_address(inv, address) if inv else None
    return next((r for r in ctx.results_of("net.peering") if r.verdict is Verdict.FAIL
                 and (address in r.evidence.get("addresses", ())
                      or (vnet and str(r.evidence.get("private_endpoint_vnet", "")).lower() == vnet.lower()))), None)
