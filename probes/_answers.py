"""How one DNS answer is judged against what the facts expect, and which private DNS fault found in
stage 1 explains a wrong one. Shared by the dns.* probes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from netcheck.context import Context
from netcheck.model import Fix, Result, Verdict
from netcheck.net.dns import Lookup
from netcheck.probes._common import cmd, fix, group_of, name_of
from netcheck.subject import Host, RecordName, Subject, ZoneLink, ZoneName
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


def evidence(name: Name, lk: Lookup, kind: str) -> dict[str, object]:
    return {**lk.to_json(), "expected": list(name.expected), "answer": kind, "role": name.role}


def fix_for(ctx: Context, name: Name, lk: Lookup, kind: str) -> Fix | None:
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


def explained_by(ctx: Context, lk: Lookup) -> Result | None:
    """The failing result of the private DNS configuration fault behind a wrong answer, when stage 1
    found one: the answer names it as its cause and shows its fix."""
    router = (r for r in ctx.results_of("kube.router") if r.subject == Host(lk.name) and r.verdict is Verdict.FAIL)
    if kube := next(router, None):   # a Kubernetes scoring host with no record: kube.router says which to add
        return kube
    found = _privatelink((lk.name, *lk.chain))
    if found is None:
        return None
    via, zone = found
    rules: tuple[tuple[str, Callable[[Subject], bool]], ...] = (
        ("pdns.zones", lambda s: s == ZoneName(zone)),
        ("pdns.links", lambda s: isinstance(s, ZoneLink) and s.zone == zone),
        ("pdns.records", lambda s: isinstance(s, RecordName) and s.zone == zone and s.covers(via)))
    return next((r for probe_id, matches in rules for r in ctx.results_of(probe_id)
                 if matches(r.subject) and r.verdict is Verdict.FAIL), None)
