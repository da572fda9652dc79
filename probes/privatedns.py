"""Stage 1, private DNS: the zones exist, hold the private endpoints' records, and are linked."""

from __future__ import annotations

from netcheck.azure import lists
from netcheck.azure.facts import Inventory, Zone, group_of, name_of
from netcheck.clouds import cloud
from netcheck.context import Context
from netcheck.diagnosis.path import zone_groups
from netcheck.model import Finding, Fix, Verdict
from netcheck.probe import probe
from netcheck.probes._common import client_vnets, cmd, error_finding, fix, inventory, not_read
from netcheck.probes._reads import not_searched, pe_errors, zone_search_errors
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
    rg = group_of(ws.id)
    incomplete = zone_search_errors(inv)
    searched = ", ".join(inv.zone_subscriptions or (inv.subscription,))
    out = []
    clients = client_vnets(ctx, inv)
    for name in required_zones(inv):
        found = [z.id for z in inv.zones if z.name == name]
        if dup := next((d for v in clients if (d := _duplicate(inv, name, v))), None):
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
                                   "group fill it",
                                   cmd("az", "network", "private-dns", "zone", "create", "-g", rg, "-n", name),
                                   docs="pe_dns")))
    return out + [f for z in inv.zones for f in _shadowing(inv, z, clients)] + not_read(ctx)


def _shadowing(inv: Inventory, zone: Zone, clients: list[str]) -> list[Finding]:
    """A private zone named like a public zone (azurecr.io for privatelink.azurecr.io) and linked to a client's
    VNet answers every name under it there from its own records: NXDOMAIN for the registry and all others."""
    if zone.name not in cloud(inv.cloud).forwarded_zones:
        return []
    ids = {v.lower() for v in clients}
    links = [lk for lk in zone.links if lk.vnet_id.lower() in ids]
    if not links:
        return []
    right = next((z for z in required_zones(inv) if z.endswith("." + zone.name) and z.startswith("privatelink.")), None)
    rg = group_of(zone.id)
    return [Finding(ZoneName(zone.name), Verdict.FAIL, f"private zone {zone.name} is linked to "
                    f"{', '.join(name_of(lk.vnet_id) for lk in links)}: it answers every *.{zone.name} name there from "
                    f"its own records, shadowing the public zone" + (f" (the private endpoints' zone is {right})"
                                                                      if right else ""),
                    {"zone": zone.id, "links": [lk.id for lk in links]},
                    fix(f"Delete the misnamed zone {zone.name} (or unlink it from these VNets); the private endpoints' "
                        f"records belong in {right or 'its privatelink zone'}",
                        *(_link_cmd("delete", rg, zone.name, lk.name, "--yes") for lk in links),
                        cmd("az", "network", "private-dns", "zone", "delete", "-g", rg, "-n", zone.name, "--yes"),
                        docs="pe_dns"))]


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


def _duplicate(inv: Inventory, name: str, vnet_id: str) -> Finding | None:
    """Two zones of one name: the VNet resolves from one, the private endpoints' DNS zone groups write into
    another, so its records are never seen there."""
    same = [z for z in inv.zones if z.name == name]
    linked = [(z, lk) for z in same for lk in z.links if lk.vnet_id.lower() == vnet_id.lower() and lk.state == "Completed"]
    writes = {z.lower() for pe in inv.private_endpoints for _, ids in zone_groups(inv, pe.id) for z in ids
              if name_of(z).lower() == name}
    good = next((z for z in same if z.id.lower() in writes), None)
    if len(same) < 2 or not linked or good is None or any(z.id.lower() in writes for z, _ in linked):
        return None
    bad, link = linked[0]
    vname = name_of(vnet_id)
    taken = {lk.name.lower() for lk in good.links}
    new = f"link-{vname}" if f"link-{vname}" not in taken else f"link-{vname}-2"
    return Finding(ZoneName(name), Verdict.FAIL, f"two zones {name}: VNet {vname} resolves from the one in "
                   f"{group_of(bad.id)}, but the private endpoints' DNS zone groups write their records into the one "
                   f"in {group_of(good.id)}", {"resolves_from": bad.id, "writes_to": good.id, "vnet": vnet_id},
                   fix(f"Unlink the zone in {group_of(bad.id)} from {vname} (or delete it) and link the one the "
                       "private endpoints write into",
                       _link_cmd("delete", group_of(bad.id), name, link.name, "--yes"),
                       _link_cmd("create", group_of(good.id), name, new, "-v", vnet_id, "-e", "false"), docs="pe_dns"))


def _link_cmd(verb: str, rg: str, zone: str, link: str, *args: str) -> str:
    """`az network private-dns link vnet VERB` for one zone's link (the zones and links probes' fixes)."""
    return cmd("az", "network", "private-dns", "link", "vnet", verb, "-g", rg, "-z", zone, "-n", link, *args)


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
                       evidence, _add_record(inv, rec, zone))
    evidence["found_ips"] = list(found.a)
    zrg = group_of(zone.id)
    if rec.ips and not set(found.a) & set(rec.ips):
        commands = [cmd("az", "network", "private-dns", "record-set", "a", "remove-record", "-g", zrg, "-z",
                        zone.name, "-n", rec.name, "-a", ip) for ip in found.a]
        commands.append(cmd("az", "network", "private-dns", "record-set", "a", "add-record", "-g", zrg, "-z",
                            zone.name, "-n", rec.name, "-a", rec.ips[0]))
        return Finding(subject, Verdict.FAIL, f"stale record: {rec.name} points at {', '.join(found.a)}, the private "
                       f"endpoint has {', '.join(rec.ips)}", evidence,
                       fix("Point the record at the private endpoint's IP", *commands, docs="pe_dns"))
    return Finding(subject, Verdict.PASS, f"A {', '.join(found.a)}", evidence)


def _add_record(inv: Inventory, rec: Record, zone: Zone) -> Fix:
    """The private endpoint's DNS zone group writes the record: add the zone to its existing group (never a
    new group over the zones it holds), or give it one; a group that holds the zone already lost the record."""
    pe, zrg = rec.private_endpoint, group_of(zone.id)
    add = [cmd("az", "network", "private-dns", "record-set", "a", "add-record", "-g", zrg, "-z", zone.name, "-n",
               rec.name, "-a", rec.ips[0])] if rec.ips else []
    groups = zone_groups(inv, pe) if pe else []
    holding = [g for g, ids in groups if zone.id.lower() in (z.lower() for z in ids)]
    named = [g for g, _ in groups if g]
    if pe and holding:
        return fix(f"The private endpoint's DNS zone group {holding[0] or ''} holds {zone.name} but the record is "
                   "missing: add it back", *add, docs="pe_dns")
    if pe and named:
        return fix(f"Add {zone.name} to the private endpoint's DNS zone group {named[0]} (it writes the record; the "
                   "group keeps the zones it holds)",
                   cmd("az", "network", "private-endpoint", "dns-zone-group", "add", "-g", group_of(pe),
                       "--endpoint-name", name_of(pe), "-n", named[0], "--private-dns-zone", zone.id, "--zone-name",
                       zone.name.replace(".", "-")), docs="pe_dns")
    create = [cmd("az", "network", "private-endpoint", "dns-zone-group", "create", "-g", group_of(pe),
                  "--endpoint-name", name_of(pe), "-n", "default", "--private-dns-zone", zone.id, "--zone-name",
                  zone.name.replace(".", "-"))] if pe else []
    return fix("Add the record: give the private endpoint a DNS zone group (or delete and recreate the private "
               "endpoint)", *create, *add, docs="pe_dns")


def _link_vnets(inv: Inventory, clients: list[str]) -> tuple[dict[str, str], list[Finding]]:
    """The VNets whose Azure DNS must see the zones, each with why; and what kept a cluster's VNet unknown."""
    vnets = {v: "clients resolve names here" for v in clients}
    problems = []
    clusters = {c.compute_id.lower(): c for c in inv.clusters}
    for compute_id in sorted({e.compute_id for e in inv.endpoints if e.compute_id}, key=str.lower):
        cname = name_of(compute_id)
        c = clusters.get(compute_id.lower())
        err = inv.error_for(compute_id) or (inv.error_for(c.cluster_id) if c and not c.vnet_ids else None)
        if err:
            problems.append(error_finding(err, f"Kubernetes compute {cname}"))
        if c is None or err:
            continue
        # ARM ids differ in case from one API to another (the set is rebuilt per VNet: a generator)
        for v in (v for v in c.vnet_ids if v.lower() not in {known.lower() for known in vnets}):
            vnets[v] = f"the nodes of Kubernetes compute {cname} (cluster {name_of(c.cluster_id or '')}) resolve names here"
        if not c.vnet_ids:
            problems.append(Finding(f"Kubernetes compute {cname}", Verdict.SKIP,
                                    f"cluster {name_of(c.cluster_id or cname)} names no VNet (Arc-connected or not "
                                    "AKS): check that its DNS resolves the private names",
                                    {"compute": compute_id, "cluster": c.cluster_id or ""}))
    return vnets, problems


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
    vnets, out = _link_vnets(inv, clients)
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
    vname = name_of(vnet_id)
    subject = ZoneLink(zone.name, vnet_id)
    if err := inv.error_for(lists.links(zone.id)):
        return error_finding(err, subject)
    link = next((lk for lk in zone.links if lk.vnet_id.lower() == vnet_id.lower()), None)
    evidence = {"zone": zone.id, "vnet": vnet_id, "why": why,
                "links": [{"name": lk.name, "vnet": lk.vnet_id, "state": lk.state} for lk in zone.links]}
    taken = {lk.name.lower() for lk in zone.links if link is None or lk is not link}
    new = next(n for i in range(len(taken) + 1) if (n := f"link-{vname}" + (f"-{i + 1}" if i else "")) not in taken)
    make = _link_cmd("create", group_of(zone.id), zone.name, new, "-v", vnet_id, "-e", "false")
    if link is None:
        elsewhere = [name_of(lk.vnet_id) for lk in zone.links]
        also = f" (it is linked to {', '.join(elsewhere)} only)" if elsewhere else ""
        return Finding(subject, Verdict.FAIL, f"zone {zone.name} is not linked to VNet {vname}{also}: its names "
                       "resolve to public IPs there", evidence, fix(f"Link the zone to {vname}", make, docs="dns_link"))
    if link.state != "Completed":
        return Finding(subject, Verdict.FAIL, f"the link {link.name} is {link.state}, not Completed", evidence,
                       fix("Recreate the link", _link_cmd("delete", group_of(zone.id), zone.name, link.name, "--yes"),
                           make, docs="dns_link"))
    return Finding(subject, Verdict.PASS, f"linked ({link.name}, Completed)", evidence)
