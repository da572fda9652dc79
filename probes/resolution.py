"""Stage 2: name resolution from where netcheck runs: this machine's resolver and Azure DNS.

The custom DNS servers are judged in resolution_custom, the answers' stability in resolution_stability.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from netcheck.context import Context
from netcheck.model import Finding, Fix, Verdict
from netcheck.net.dns import Lookup, label
from netcheck.probe import probe
from netcheck.probes._common import cmd, fix, group_of, name_of
from netcheck.probes._network import AFTER_PRIVATE_DNS, lookups, names, no_names, resolver
from netcheck.subject import Host, RecordName, Ref, Resolver, Subject, ZoneLink, ZoneName
from netcheck.targets import Name, Names


def _privatelink(names: Iterable[str]) -> tuple[str, str] | None:
    """The first privatelink name among `names` and the private zone it belongs to."""
    via = next((n for n in names if ".privatelink." in f".{n}"), None)
    return (via, via[via.index("privatelink."):]) if via else None


def judge(ns: Names, name: Name, lk: Lookup, who: str) -> tuple[Verdict, str, str]:
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


async def _resolve_all(ctx: Context, server: tuple[str, int], who: Resolver, summary_who: str) -> list[Finding]:
    ns = names(ctx)
    if ns is None:
        return no_names(ctx)
    found = await lookups(ctx, server, [n.fqdn for n in ns.names])
    ctx.answers[who] = found
    out = []
    for name in ns.names:
        lk = found[name.fqdn]
        verdict, kind, summary = judge(ns, name, lk, summary_who)
        failed = verdict is Verdict.FAIL
        out.append(Finding(Host(name.fqdn), verdict, summary, _evidence(name, lk, kind),
                           _fix_for(ctx, name, lk, kind) if failed else None,
                           _explained_by(ctx, lk) if failed else None))
    return out


def _explained_by(ctx: Context, lk: Lookup) -> Ref | None:
    """The private DNS configuration fault behind a wrong answer, when stage 1 found one."""
    found = _privatelink((lk.name, *lk.chain))
    if found is None:
        return None
    via, zone = found
    rules: tuple[tuple[str, Callable[[Subject], bool]], ...] = (
        ("pdns.zones", lambda s: s == ZoneName(zone)),
        ("pdns.links", lambda s: isinstance(s, ZoneLink) and s.zone == zone),
        ("pdns.records", lambda s: isinstance(s, RecordName) and s.zone == zone and s.covers(via)))
    return next((r.ref for probe_id, matches in rules for r in ctx.results_of(probe_id)
                 if matches(r.subject) and r.verdict is Verdict.FAIL), None)


@probe("dns.system", stage=2, title="Names resolve to the private endpoints here", after=AFTER_PRIVATE_DNS)
async def system(ctx: Context) -> list[Finding]:
    """Resolves every name that matters through this machine's resolver (/etc/resolv.conf, or
    --resolver), like `nslookup`, with the full CNAME chain: the scoring host (whose chain should
    pass `<endpoint>.<ws-guid>.inference.<region>.privatelink.api.azureml.ms`), the workspace API
    and cert hosts, the notebooks host, the registry's login and data hosts, the key vault and the
    storage hosts. Expected addresses are the private endpoints' (their NICs' and customDnsConfigs),
    else the VNet's ranges or --vnet-cidr, else "a private address".
    (Seed: "Bewertungsendpunkt kann nicht aufgelöst werden".)

    pass: the private endpoint's address. fail: a private address that is not the private
    endpoint's (stale record); a public address (the chain shows whether it passed a privatelink
    name: zone not linked or record missing; or not: no private endpoint, or custom DNS not
    forwarding); NXDOMAIN. error: the resolver did not answer.
    """
    server = resolver(ctx)
    if server is None:
        return [Finding("", Verdict.ERROR, "no system resolver: /etc/resolv.conf names none (use --resolver)")]
    return await _resolve_all(ctx, server, Resolver("system", label(server)), f"the system resolver {label(server)}")


@probe("dns.azure", stage=2, title="Azure DNS resolves the names privately", after=AFTER_PRIVATE_DNS)
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
    return await _resolve_all(ctx, server, Resolver("azure", label(server)), f"Azure DNS {label(server)}")


