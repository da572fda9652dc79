"""Stage 1, private DNS: the zones exist, hold the private endpoints' records, and are linked."""

from __future__ import annotations

from netcheck.azure import lists
from netcheck.azure.facts import Inventory, Zone, group_of, name_of
from netcheck.clouds import cloud
from netcheck.context import Context
from netcheck.diagnosis.zone_groups import restore_record
from netcheck.model import Finding, Verdict
from netcheck.probe import probe
from netcheck.probes import _az_privatedns as az
from netcheck.probes._common import client_vnets, error_finding, fix, inventory, not_read
from netcheck.probes._dnsfix import restore_record as restore_fix
from netcheck.probes._reads import not_searched, pe_errors, zone_search_errors
from netcheck.probes._resolving_vnets import resolving_vnets
from netcheck.probes._zone_conflicts import duplicate, shadowing
from netcheck.subject import RecordName, ZoneLink, ZoneName
from netcheck.targets import Record, records, required_zones


def _zone(inv: Inventory, name: str, prefer_vnet: str | None) -> Zone | None:
    """Of the zones with this name, the one the client's VNet is linked to, else the first."""
    zones = [z for z in inv.zones if z.name == name]
    linked = [z for z in zones if any(lk.vnet_id.lower() == (prefer_vnet or "").lower() for lk in z.links)]
    return next(iter(linked or zones), None)


@probe("pdns.zones", stage=1, title="The private DNS zones exist", needs=["ctx.target"])
async def zones(ctx: Context) -> list[Finding]:
    """Looks for the private DNS zones the workspace and its dependencies need: where the private
    endpoints' DNS zone groups point, else searched in the subscription: privatelink.api.azureml.ms,
    privatelink.notebooks.azure.net, and for the dependencies privatelink.azurecr.io,
    privatelink.vaultcore.azure.net, privatelink.blob.core.windows.net,
    privatelink.file.core.windows.net (other clouds: their own suffixes).

    A Foundry project's zones are its hub's. The managed VNet's own private endpoints (its
    PrivateEndpoint outbound rules) are managed private endpoints in Microsoft's subscription, not
    Private Endpoint resources of yours: Azure resolves them inside the managed VNet, so no zone or
    record of yours is asked for them.

    Zones no DNS zone group names are searched in every subscription the credential can read
    (hub-and-spoke setups keep them in a connectivity subscription).

    pass: the zone exists (the subscriptions it was found in are named). fail: it is missing; the fix
    creates it (then link it and add the records, or recreate the private endpoint with a DNS zone
    group); two zones of the name, the VNet linked to one and the private endpoints' DNS zone groups
    writing into the other (the fix unlinks one and links the other); a zone named like a public zone
    (azurecr.io) linked to the VNet, shadowing every name under it (the fix deletes or unlinks it).
    error: it was not found, but a place it could be (a subscription's zone list, a private endpoint
    or its DNS zone groups) could not be read: creating it could make a duplicate.
    """
    inv = inventory(ctx)
    ws = inv.network_workspace or inv.workspace
    assert ws
    incomplete = zone_search_errors(inv)
    searched = ", ".join(inv.zone_subscriptions or (inv.subscription,))
    out = []
    clients = client_vnets(ctx, inv)
    for name in required_zones(inv):
        found = [z.id for z in inv.zones if z.name == name]
        if dup := next((d for v in clients if (d := duplicate(inv, name, v))), None):
            out.append(dup)
        elif found:
            subs = sorted({z.split("/")[2] for z in found}, key=str.lower)
            out.append(Finding(ZoneName(name), Verdict.PASS, f"zone exists ({len(found)} found, in subscription "
                               f"{', '.join(subs)})", {"zones": found, "subscriptions": subs}))
        elif incomplete:
            out.append(not_searched(incomplete, name))
        else:
            out.append(Finding(ZoneName(name), Verdict.FAIL,
                               f"private DNS zone {name} is missing: its names resolve publicly",
                               {"searched": f"DNS zone groups and subscriptions {searched}"},
                               fix("Create the zone, link it to the VNet, and let the private endpoint's DNS zone "
                                   "group fill it", az.zone_create(group_of(ws.id), name), docs="pe_dns")))
    return out + [f for z in inv.zones if (f := shadowing(inv, z, clients))] + not_read(ctx)


@probe("pdns.records", stage=1, title="The zones hold the private endpoints' A records", needs=["ctx.target"],
       after=["pdns.zones"])
async def zone_records(ctx: Context) -> list[Finding]:
    """For each name a private endpoint serves (its NIC's privateLinkConnectionProperties, else its
    customDnsConfigs), checks the A record in the private zone: `<ws-guid>.workspace.<region>`, its
    `.cert` twin, `*.<ws-guid>.inference.<region>` (the scoring hosts), the notebooks record, the
    registry's login and `<registry>.<region>.data` records, the key vault's, the storage account's.
    (By hand: `az network private-dns record-set list -g RG -z privatelink.api.azureml.ms`.)
    Only Private Endpoint resources in your subscription count: a managed VNet's managed private endpoints
    (its PrivateEndpoint outbound rules) are Microsoft's and need no record of yours.

    pass: the record holds the private endpoint's IP. fail: missing (recreate the workspace private
    endpoint, or add a DNS zone group), or stale (another IP than the private endpoint's). skip: the
    zone itself is missing (pdns.zones is the cause).
    """
    inv = inventory(ctx)
    out = pe_errors(inv)   # the names an unreadable private endpoint serves are unknown
    for rec in records(inv):
        subject = RecordName(rec.name, rec.zone)
        if cause := ctx.blocked("pdns.zones", ZoneName(rec.zone)):
            out.append(Finding(subject, Verdict.SKIP, _no_zone(inv, rec.zone), cause=cause))
        elif zone := _zone(inv, rec.zone, ctx.where.vnet_id):
            err = inv.error_for(lists.records(zone.id))
            out.append(error_finding(err, subject) if err else _judge(inv, rec, zone))
    return out + not_read(ctx)


def _no_zone(inv: Inventory, name: str) -> str:
    """Why a zone's records or links are not judged: missing, or not found where netcheck could look."""
    return f"zone {name} is not found: the search was incomplete" if zone_search_errors(inv) else f"zone {name} is missing"


def _judge(inv: Inventory, rec: Record, zone: Zone) -> Finding:
    subject = RecordName(rec.name, rec.zone)
    found = next((r for r in zone.records if r.name == rec.name.lower() and r.type == "A"), None)
    evidence = {"zone": zone.id, "record": rec.name, "expected_ips": list(rec.ips), "for": rec.fqdn,
                "private_endpoint": rec.private_endpoint}
    if found is None:
        return Finding(subject, Verdict.FAIL, f"no A record {rec.name} in {zone.name}: {rec.fqdn} resolves publicly",
                       evidence, restore_fix(restore_record(inv, rec.private_endpoint, zone, rec.name, rec.ips),
                                             inv.subscription))
    evidence["found_ips"] = list(found.a)
    if rec.ips and not set(found.a) & set(rec.ips):
        return Finding(subject, Verdict.FAIL, f"stale record: {rec.name} points at {', '.join(found.a)}, the private "
                       f"endpoint has {', '.join(rec.ips)}", evidence,
                       fix("Point the record at the private endpoint's IP",
                           *(az.record_remove(zone.id, zone.name, rec.name, ip, inv.subscription) for ip in found.a),
                           az.record_add(zone.id, zone.name, rec.name, rec.ips[0], inv.subscription), docs="pe_dns"))
    return Finding(subject, Verdict.PASS, f"A {', '.join(found.a)}", evidence)


@probe("pdns.links", stage=1, title="The zones are linked to the clients' VNets", needs=["ctx.target"],
       after=["pdns.zones"])
async def links(ctx: Context) -> list[Finding]:
    """Checks that each needed zone has a virtual network link, in state Completed, to every VNet
    whose Azure DNS must answer with private addresses: the VNet netcheck runs in (else the private
    endpoints' VNets), and the VNet of each Kubernetes endpoint's cluster (its node pools' subnets,
    or the VNet AKS made in its node resource group). An unlinked zone is invisible to Azure DNS in
    that VNet, so names fall through to their public answers: this is the most common real cause.

    pass: linked and Completed. fail: no link, or a link that is not Completed; the fix creates the
    link. skip: the zone is missing (pdns.zones), a cluster names no VNet (Arc), or a dependency
    could not be read, so its zones are unknown (ctx.reads names the read). error: a
    Kubernetes compute or its cluster, the zone's VNet links, or (outside a VNet) a private
    endpoint whose VNet is a client's, could not be read.
    """
    inv = inventory(ctx)
    clients = client_vnets(ctx, inv)
    vnets, out = resolving_vnets(inv, clients)
    if not ctx.where.vnet_id:   # the clients' VNets are the private endpoints': an unreadable one's is unknown
        out = [*pe_errors(inv), *out]
    client_ids = {v.lower() for v in clients}
    c = cloud(inv.cloud)
    for zname in required_zones(inv):
        for vnet_id, why in vnets.items():
            if vnet_id.lower() not in client_ids and zname == c.zone("notebooks"):
                continue   # an inference cluster never opens a notebook
            subject = ZoneLink(zname, vnet_id)
            if cause := ctx.blocked("pdns.zones", ZoneName(zname)):
                out.append(Finding(subject, Verdict.SKIP, _no_zone(inv, zname), cause=cause))
            elif zone := _zone(inv, zname, vnet_id):
                out.append(_judge_link(inv, zone, vnet_id, why))
    return out + not_read(ctx)


def _judge_link(inv: Inventory, zone: Zone, vnet_id: str, why: str) -> Finding:
    vname, subject = name_of(vnet_id), ZoneLink(zone.name, vnet_id)
    if err := inv.error_for(lists.links(zone.id)):
        return error_finding(err, subject)
    link = next((lk for lk in zone.links if lk.vnet_id.lower() == vnet_id.lower()), None)
    evidence = {"zone": zone.id, "vnet": vnet_id, "why": why,
                "links": [{"name": lk.name, "vnet": lk.vnet_id, "state": lk.state} for lk in zone.links]}
    make = az.link_create(zone.id, zone.name, az.new_link_name(vnet_id, (lk.name for lk in zone.links
                                                                          if lk is not link)), vnet_id, inv.subscription)
    if link is None:
        elsewhere = [name_of(lk.vnet_id) for lk in zone.links]
        also = f" (it is linked to {', '.join(elsewhere)} only)" if elsewhere else ""
        return Finding(subject, Verdict.FAIL, f"zone {zone.name} is not linked to VNet {vname}{also}: its names "
                       "resolve to public IPs there", evidence, fix(f"Link the zone to {vname}", make, docs="dns_link"))
    if link.state != "Completed":
        return Finding(subject, Verdict.FAIL, f"the link {link.name} is {link.state}, not Completed", evidence,
                       fix("Recreate the link", az.link_delete(zone.id, zone.name, link.name, inv.subscription),
                                                    make, docs="dns_link"))
    return Finding(subject, Verdict.PASS, f"linked ({link.name}, Completed)", evidence)
