"""Stage 1: a network path from where netcheck runs to each private endpoint it must reach: the same VNet,
or a peering Connected on both sides (read through ARM; the route itself is tried by net.tcp)."""

from __future__ import annotations

from netcheck.azure.facts import Inventory
from netcheck.context import Context
from netcheck.diagnosis import names as dnames
from netcheck.diagnosis import remedy as fx
from netcheck.diagnosis.model import Target
from netcheck.diagnosis.path import Hop, pe_vnet, route_hop, unsynced, vnet_of_address
from netcheck.model import Finding, Result, SkipKind, Verdict
from netcheck.probe import probe
from netcheck.probes import _az_network as net
from netcheck.probes._common import error_finding, inventory, name_of, read_cause
from netcheck.probes._network import names
from netcheck.subject import Named


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
    inv, client = inventory(ctx), ctx.where.vnet_id
    if not client:
        return [Finding("", Verdict.SKIP, "outside Azure (ctx.location): the private endpoints are reached over VPN "
                        "or ExpressRoute, not a VNet peering", skip=SkipKind.NOT_APPLICABLE)]
    ns = names(ctx)
    by_vnet: dict[str, list[Target]] = {}
    for t in dnames.targets(inv, ns) if ns else ():
        if remote := pe_vnet(inv, t):
            by_vnet.setdefault(remote, []).append(t)
    if not by_vnet:
        return [Finding("", Verdict.SKIP, "no private endpoint to reach: none of the names is served by one",
                        skip=SkipKind.NOT_APPLICABLE)]
    return [_judge(inv, client, remote, ts, route_hop(inv, ctx.where, ts[0]))
            for remote, ts in sorted(by_vnet.items(), key=lambda kv: kv[0].lower())]


def _judge(inv: Inventory, client: str, remote: str, ts: list[Target], hop: Hop | None) -> Finding:
    """A private endpoints' VNet: the same, peered both ways (in sync?), unknown (a VNet not read), or not peered."""
    subject, here, there = Named(name_of(remote)), name_of(client), name_of(remote)
    evidence: dict[str, object] = {"client_vnet": client, "private_endpoint_vnet": remote, "names": [t.fqdn for t in ts],
                                   "addresses": sorted({a for t in ts for a in t.addresses})}
    if hop is None or hop.ok is None:   # a side's VNet was not read: its peerings are unknown
        return _unknown(inv, subject, client, remote, evidence)
    if hop.ok and (stale := unsynced(inv, client, remote)):
        states = ", ".join(f"{p.name} is {p.sync_level}" for p in stale)
        return Finding(subject, Verdict.WARN, f"peered and Connected, but {states}: an address range added since is not "
                       "reachable through it", evidence, net.sync_fix(stale, inv.subscription))
    if hop.ok:
        how = ("holds the private endpoints: same VNet" if client.lower() == remote.lower()
               else f"reaches {there}: peered, Connected on both sides")
        return Finding(subject, Verdict.PASS, f"{here} {how}", evidence)
    assert isinstance(hop.remedy, fx.PeeringFix)
    evidence["sides"] = [_side(s) for s in hop.remedy.sides]
    return Finding(subject, Verdict.FAIL, f"{here} has no working peering with {there}, which holds the private "
                   f"endpoints of {len(ts)} of the names tested: {net.peering_text(hop.remedy)}", evidence,
                   net.peering_fix(hop.remedy, inv.subscription))


def _side(s: fx.PeeringSide) -> dict[str, object]:
    p = s.existing
    return {"vnet": s.vnet_id, "remote_vnet": s.remote_vnet_id, "peering": p.id if p else None,
            "state": p.state if p else None, "allow_vnet_access": p.allow_vnet_access if p else None}


def _unknown(inv: Inventory, subject: Named, client: str, remote: str, evidence: dict[str, object]) -> Finding:
    if err := next((e for v in (client, remote) if (e := inv.error_for(v))), None):
        found = error_finding(err, subject)
        return Finding(subject, Verdict.ERROR, f"the peerings of {name_of(err.resource)} are unknown: {found.summary}",
                       {**evidence, **found.evidence}, found.fix, read_cause(err))
    unread = next((v for v in (client, remote) if inv.vnet(v) is None), client)   # an inventory collected elsewhere
    return Finding(subject, Verdict.ERROR, f"VNet {name_of(unread)} was not read, so its peerings are unknown",
                   {**evidence, "resource": unread})


def route_cause(ctx: Context, address: str) -> Result | None:
    """The failing net.peering result that explains why an address does not answer here: a private endpoint's
    address in a VNet this one has no working peering with (by the endpoint, or by the VNet's address space:
    a storage account's endpoint netcheck does not read)."""
    inv = ctx.inventory
    vnet = vnet_of_address(inv, address) if inv else None
    return next((r for r in ctx.results_of("net.peering") if r.verdict is Verdict.FAIL
                 and (address in r.evidence.get("addresses", ())
                      or (vnet and str(r.evidence.get("private_endpoint_vnet", "")).lower() == vnet.lower()))), None)
