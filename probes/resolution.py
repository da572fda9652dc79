"""Stage 2: name resolution from where netcheck runs, through every resolver that matters."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from netcheck.clouds import cloud
from netcheck.context import Context
from netcheck.model import Finding, Fix, Verdict
from netcheck.net.dns import Lookup, label
from netcheck.probe import probe
from netcheck.targets import Name, Names
from probes._common import DOCS, cmd, counted, fix, group_of, name_of
from probes._network import custom_servers, lookups, names, no_custom_servers, no_names, parse_server, resolver

# after the private DNS checks, so a wrong answer can name the configuration fault that explains it
_AFTER = ["ctx.location", "ctx.target", "pdns.zones", "pdns.records", "pdns.links"]


def _privatelink(names: Iterable[str]) -> tuple[str, str] | None:
    """The first privatelink name among `names` and the private zone it belongs to."""
    via = next((n for n in names if ".privatelink." in f".{n}"), None)
    return (via, via[via.index("privatelink."):]) if via else None


def _judge(ns: Names, name: Name, lk: Lookup, who: str) -> tuple[Verdict, str, str]:
    """(verdict, kind, summary) for one answer."""
    if not lk.answered:
        return Verdict.ERROR, "no-answer", f"{who} did not answer ({lk.error}: {lk.detail})"
    if lk.rcode == "NXDOMAIN":
        return Verdict.FAIL, "nxdomain", f"NXDOMAIN from {who}: the name does not exist there"
    if not lk.ips:
        return Verdict.FAIL, "nodata", f"{who} returned no address ({lk.rcode})"
    kind = ns.classify(name, list(lk.ips))
    ips = ", ".join(lk.ips)
    if kind == "expected":
        return Verdict.PASS, kind, f"{ips}, the private endpoint's address" if name.expected else f"{ips} (private)"
    if kind == "private":
        return Verdict.PASS, kind, f"{ips} (a private address)"
    if kind == "stale":
        return Verdict.FAIL, kind, f"stale: {ips} is private but not the private endpoint's {', '.join(name.expected)}"
    if found := _privatelink(lk.chain):
        return Verdict.FAIL, kind, (f"public address {ips} through {found[0]}: the private zone is not linked to this "
                                    "VNet, or its record is missing")
    return Verdict.FAIL, kind, (f"public address {ips} without a privatelink CNAME: no private endpoint, or the "
                                "custom DNS server does not forward")


def _evidence(name: Name, lk: Lookup, kind: str) -> dict[str, object]:
    return {**lk.to_json(), "expected": list(name.expected), "answer": kind, "role": name.role}


def _fix_for(ctx: Context, name: Name, lk: Lookup, kind: str) -> Fix | None:
    inv = ctx.inventory
    if kind in ("public", "nxdomain") and inv is not None:
        if found := _privatelink(lk.chain):
            via, zname = found
            zone = inv.zone(zname)
            vnet = ctx.where.vnet_id
            if zone and vnet and not any(lk_.vnet_id.lower() == vnet.lower() for lk_ in zone.links):
                return fix(f"Link {zname} to the VNet netcheck runs in",
                           cmd("az", "network", "private-dns", "link", "vnet", "create", "-g", group_of(zone.id),
                               "-z", zname, "-n", f"link-{name_of(vnet)}", "-v", vnet, "-e", "false"),
                           docs="dns_link")
            return fix(f"Add the record for {via} to {zname} (see pdns.records), or link the zone (pdns.links)",
                       cmd("az", "network", "private-dns", "record-set", "list", "-g",
                           group_of(zone.id) if zone else inv.resource_group, "-z", zname, "-o", "table"),
                       docs="pe_dns")
        return fix("Create a private endpoint for this resource, or forward its zone to Azure DNS (dns.custom)",
                   docs="custom_dns")
    if kind == "stale":
        return fix("Point the private zone's record at the private endpoint's IP (see pdns.records)", docs="pe_dns")
    return None


async def _resolve_all(ctx: Context, probe_id: str, server: tuple[str, int], who: str) -> list[Finding]:
    ns = names(ctx)
    if ns is None:
        return no_names(ctx)
    found = await lookups(ctx, server, [n.fqdn for n in ns.names])
    ctx.shared[probe_id] = found
    out = []
    for name in ns.names:
        lk = found[name.fqdn]
        verdict, kind, summary = _judge(ns, name, lk, who)
        failed = verdict is Verdict.FAIL
        out.append(Finding(name.fqdn, verdict, summary, _evidence(name, lk, kind),
                           _fix_for(ctx, name, lk, kind) if failed else None,
                           _explained_by(ctx, lk) if failed else None))
    return out


def _explained_by(ctx: Context, lk: Lookup) -> str | None:
    """The private DNS configuration fault behind a wrong answer, when stage 1 found one."""
    found = _privatelink((lk.name, *lk.chain))
    if found is None:
        return None
    via, zone = found
    for probe_id, matches in (("pdns.zones", lambda s: s == zone), ("pdns.links", lambda s: s.startswith(zone + " ")),
                              ("pdns.records", lambda s: s.endswith("." + zone) and _covers(s[: -len(zone) - 1], via))):
        for r in ctx.results_of(probe_id):
            if matches(r.subject) and r.verdict is Verdict.FAIL:
                return r.ref
    return None


def _covers(record: str, fqdn: str) -> bool:
    """Whether a record name (maybe a wildcard) in the zone answers for fqdn."""
    name = fqdn[: fqdn.index(".privatelink.")]
    return record == name or (record.startswith("*.") and name.endswith(record[1:]))


@probe("dns.system", stage=2, title="Names resolve to the private endpoints here", after=_AFTER)
async def system(ctx: Context) -> list[Finding]:
    """Resolves every name that matters through this machine's resolver (/etc/resolv.conf, or
    --resolver), like `nslookup`, with the full CNAME chain: the scoring host (whose chain should
    pass `<endpoint>.<ws-guid>.inference.<region>.privatelink.api.azureml.ms`), the workspace API
    and cert hosts, the notebooks host, the registry's login and data hosts, the key vault and the
    storage hosts. Expected addresses are the private endpoints' (their NICs' and customDnsConfigs),
    else the VNet's ranges or --vnet-cidr, else "a private address". The managed VNet's managed
    private endpoints (its PrivateEndpoint outbound rules) are resolved by Azure inside that VNet,
    not here: no name is expected private for them.
    (Seed: "Bewertungsendpunkt kann nicht aufgelöst werden".)

    pass: the private endpoint's address. fail: a private address that is not the private
    endpoint's (stale record); a public address (the chain shows whether it passed a privatelink
    name: zone not linked or record missing; or not: no private endpoint, or custom DNS not
    forwarding); NXDOMAIN. error: the resolver did not answer.
    """
    server = resolver(ctx)
    if server is None:
        return [Finding("", Verdict.ERROR, "no system resolver: /etc/resolv.conf names none (use --resolver)")]
    return await _resolve_all(ctx, "dns.system", server, f"the system resolver {label(server)}")


@probe("dns.azure", stage=2, title="Azure DNS resolves the names privately", after=_AFTER)
async def azure(ctx: Context) -> list[Finding]:
    """Asks Azure DNS (168.63.129.16, or --azure-dns) directly, like `dig @168.63.129.16 NAME`: what
    the VNet's private zones answer, bypassing any custom DNS server. Only reachable from inside
    Azure. (Seed: Kubernetes endpoints, step 4.)

    pass: the private endpoint's address. fail: as for dns.system; when Azure DNS is right but the
    system resolver is not, the fault is the custom DNS server's (see dns.custom). skip: netcheck
    runs outside Azure.
    """
    if not ctx.where.in_azure:
        return [Finding("", Verdict.SKIP, "outside Azure: 168.63.129.16 answers only inside an Azure VNet")]
    server = ctx.settings.azure_dns
    return await _resolve_all(ctx, "dns.azure", server, f"Azure DNS {label(server)}")


@probe("dns.custom", stage=2, title="Custom DNS servers forward to Azure DNS", after=["dns.azure", *_AFTER])
async def custom(ctx: Context) -> list[Finding]:
    """Asks each custom DNS server of the VNet (its dhcpOptions.dnsServers, or --dns-server) every
    name directly and compares the answers with Azure DNS's (outside Azure: with the expected
    private addresses). A custom server must forward the public zones (not the privatelink ones)
    to 168.63.129.16: api.azureml.ms, notebooks.azure.net, instances.ml.azure.ms (older
    workspaces: instances.azureml.ms), aznbcontent.net, inference.ml.azure.com, and the
    dependencies' (azurecr.io, vault.azure.net, blob.core.windows.net, file.core.windows.net; other
    clouds: their suffixes). (Seed: "Problembehandlung für die bedingte Weiterleitung".)

    pass: the server answers as Azure DNS does. fail: it disagrees (the fix names exactly the
    conditional forwarders missing for the names that differ), or it does not answer (timeout).
    skip: the VNet uses Azure DNS, or netcheck knows neither the VNet nor a --dns-server.
    """
    servers = custom_servers(ctx)
    if not servers:
        return [no_custom_servers(ctx)]
    ns = names(ctx)
    if ns is None:
        return no_names(ctx)
    reference: dict[str, Lookup] = ctx.shared.get("dns.azure", {})
    parsed = {s: parse_server(s) for s in servers}
    results = await asyncio.gather(*(lookups(ctx, parsed[s], [n.fqdn for n in ns.names]) for s in servers))
    ctx.shared["dns.custom"] = dict(zip(servers, results, strict=True))
    c = cloud(ctx.settings.cloud)
    out = []
    for server, found in zip(servers, results, strict=True):
        rows, wrong = [], []
        dead = all(not lk.answered for lk in found.values())
        for name in ns.names:
            lk, ref = found[name.fqdn], reference.get(name.fqdn)
            verdict = _judge(ns, name, lk, server)[0]
            agrees = (set(lk.ips) == set(ref.ips)) if ref is not None and ref.answered else verdict is Verdict.PASS
            rows.append({"name": name.fqdn, "answer": list(lk.ips) or lk.rcode if lk.answered else lk.error,
                         "azure_dns": list(ref.ips) if ref is not None and ref.answered else None,
                         "expected": list(name.expected), "agrees": agrees, "chain": list(lk.chain)})
            if not agrees and lk.answered:
                wrong.append(name.fqdn)
        evidence = {"server": server, "names": rows}
        if dead:
            first = next(iter(found.values()))
            out.append(Finding(server, Verdict.FAIL, f"custom DNS server {server} does not answer ({first.error}: "
                               f"{first.detail})", evidence,
                               fix(f"Bring {server} back, or take it out of the VNet's DNS servers",
                                   docs="custom_dns")))
            continue
        if not wrong:
            same = counted(len(rows), "name")
            out.append(Finding(server, Verdict.PASS, f"answers as Azure DNS does for {same}", evidence))
            continue
        # the zone of each name that differs, and of the privatelink names Azure DNS's chain passes
        chains = [n for w in wrong for n in (w, *(reference[w].chain if w in reference else ()))]
        zones = sorted({z for n in chains if (z := _forward_zone(n, c.forwarded_zones))})
        evidence["missing_forwarders"] = zones
        verb = "resolves" if len(wrong) == 1 else "resolve"
        out.append(Finding(server, Verdict.FAIL, f"the conditional forwarders are wrong: {counted(len(wrong), 'name')} "
                           f"{verb} differently from Azure DNS; forward {', '.join(zones)} to 168.63.129.16", evidence,
                           Fix(f"On {server}, add conditional forwarders to 168.63.129.16 for the public zones (not "
                               "the privatelink ones); Windows DNS shown, BIND: zone \"ZONE\" { type forward; "
                               "forwarders { 168.63.129.16; }; };",
                               tuple(cmd("Add-DnsServerConditionalForwarderZone", "-Name", z, "-MasterServers",
                                         "168.63.129.16") for z in zones), DOCS["custom_dns"])))
    return out


def _forward_zone(fqdn: str, zones: tuple[str, ...]) -> str | None:
    """The public zone a forwarder must cover for this name (the longest that contains it)."""
    hits = [z for z in zones if fqdn == z or fqdn.endswith("." + z)]
    return max(hits, key=len) if hits else None


@probe("dns.stability", stage=2, title="Answers are stable across queries", after=["dns.custom", "dns.system",
                                                                                   "dns.azure"])
async def stability(ctx: Context) -> list[Finding]:
    """Asks each resolver (system, Azure DNS, each custom server) every name several times, a little
    apart (--dns-rounds and --dns-spacing: 4 rounds, 0.2 s by default). Beyond the seed: a partial
    forwarder set, or a Windows DNS server mixing forwarders with root hints, gives a private
    answer first and a public one later, so deployments fail now and then.

    pass: every answer the same kind (private or public) each time. fail: answers flip between a
    private and a public address. skip: a resolver that did not answer at all is left out.
    """
    ns = names(ctx)
    if ns is None:
        return no_names(ctx)
    candidates = [(s, parse_server(s)) for s in custom_servers(ctx)]
    if ctx.where.in_azure:
        candidates.append(("Azure DNS", ctx.settings.azure_dns))
    if (sys_server := resolver(ctx)) is not None:
        candidates.append(("system resolver", sys_server))
    servers: dict[str, tuple[str, int]] = {}
    for who, server in candidates:  # one server is asked once, under its most telling name
        if ctx.settings.route(*server) not in {ctx.settings.route(*s) for s in servers.values()}:
            servers[who] = server
    rounds, spacing = ctx.settings.stability_rounds, ctx.settings.stability_spacing
    earlier = {**ctx.shared.get("dns.custom", {}), "system resolver": ctx.shared.get("dns.system"),
               "Azure DNS": ctx.shared.get("dns.azure")}

    async def sample(who: str, server: tuple[str, int]) -> list[dict[str, Lookup]]:
        if (before := earlier.get(who)) and not any(lk.answered for lk in before.values()):
            return [before]  # dead already: don't spend another timeout on it
        seen: list[dict[str, Lookup]] = []
        for i in range(rounds):
            if i:
                await asyncio.sleep(spacing)
            seen.append(await lookups(ctx, server, [n.fqdn for n in ns.names]))
            if i == 0 and not any(lk.answered for lk in seen[0].values()):
                break  # a dead server: dns.custom/dns.system already say so
        return seen

    samples = await asyncio.gather(*(sample(who, s) for who, s in servers.items()))
    out = []
    for who, rounds_seen in zip(servers, samples, strict=True):
        if not any(lk.answered for lk in rounds_seen[0].values()):
            out.append(Finding(who, Verdict.SKIP, f"{who} did not answer"))
            continue
        flips = {}
        for name in ns.names:
            kinds = [ns.classify(name, list(r[name.fqdn].ips)) if r[name.fqdn].ips else "none" for r in rounds_seen]
            private = {k for k in kinds if k in ("expected", "stale", "private")}
            if private and "public" in kinds:
                flips[name.fqdn] = [list(r[name.fqdn].ips) for r in rounds_seen]
        evidence = {"resolver": who, "server": label(servers[who]), "rounds": len(rounds_seen), "spacing_s": spacing,
                    "flipping": flips}
        if flips:
            flipping = counted(len(flips), "name")
            out.append(Finding(who, Verdict.FAIL, f"answers flip between private and public for {flipping}",
                               evidence, fix("Forward every needed public zone to 168.63.129.16 (see dns.custom); "
                                             "on Windows DNS, don't mix forwarders with root hints",
                                             docs="custom_dns")))
        else:
            out.append(Finding(who, Verdict.PASS, f"the same kind of answer in {len(rounds_seen)} rounds", evidence))
    return out
