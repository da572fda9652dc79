"""How one DNS answer is judged against what the facts expect, and which private DNS fault found in
stage 1 explains a wrong one. Shared by the dns.* probes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from netcheck.azure.facts import Inventory, resource_id
from netcheck.context import Context
from netcheck.diagnosis import model as m
from netcheck.diagnosis import remedy as fx
from netcheck.model import Finding, Fix, Result, Verdict
from netcheck.net.dns import Lookup
from netcheck.probes import _az_privatedns as az
from netcheck.probes import _dnsfix
from netcheck.probes._common import fix
from netcheck.probes._observe import Observation
from netcheck.subject import Host, RecordName, Resolver, Subject, ZoneLink, ZoneName
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
    if name.public and not _privatelink(lk.chain):
        return Verdict.PASS, kind, f"{ips} (public: no private endpoint serves it, and it allows public access)"
    if found := _privatelink(lk.chain):
        return Verdict.FAIL, kind, (f"public address {ips} through {found[0]}: the private zone is not linked to this "
                                    "VNet, or its record is missing")
    return Verdict.FAIL, kind, (f"public address {ips} without a privatelink CNAME: no private endpoint, or the "
                                "custom DNS server does not forward")


def evidence(name: Name, lk: Lookup, kind: str) -> dict[str, object]:
    return {**lk.to_json(), "expected": list(name.expected), "answer": kind, "role": name.role}


def _created(inv: Inventory, zone: str) -> str:
    """A missing zone's id once pdns.zones' fix creates it (in the workspace's resource group)."""
    return resource_id(inv.subscription, inv.resource_group, "Microsoft.Network/privateDnsZones", zone)


def fix_for(ctx: Context, name: Name, lk: Lookup, kind: str) -> Fix | None:
    inv = ctx.inventory
    if kind in ("public", "nxdomain") and inv is not None:
        if found := _privatelink(lk.chain):
            via, zname = found
            zone = inv.zone(zname)
            vnet = ctx.where.vnet_id
            if zone and vnet and not any(lk_.vnet_id.lower() == vnet.lower() for lk_ in zone.links):
                link = az.new_link_name(vnet, (lk_.name for lk_ in zone.links))
                return fix(f"Link {zname} to the VNet netcheck runs in",
                           az.link_create(zone.id, zname, link, vnet, inv.subscription), docs="dns_link")
            return fix(f"Add the record for {via} to {zname} (see pdns.records), or link the zone (pdns.links)",
                       az.record_list(zone.id if zone else _created(inv, zname), zname, inv.subscription),
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


def root_fix(ctx: Context, obs: Observation, d: m.Divergence) -> Fix | None:
    """The fix the root cause's result shows (a consequence shows exactly that one): from the result when it
    ran already, else from the diagnosis's merged root, as that probe will build it."""
    if done := next((r for r in ctx.results_of(d.probe) if r.subject == d.subject), None):
        return done.fix
    root = next((x for x in obs.diagnosis.roots if x.ref == d.ref), d) if obs.diagnosis else d
    return _dnsfix.root_fix(root, ctx.settings.cloud, ctx.inventory.subscription if ctx.inventory else "")


def failed(ctx: Context, obs: Observation, probe_id: str, who: Resolver, name: Name, lk: Lookup, kind: str,
           summary: str) -> Finding:
    """A wrong answer, attributed to the first hop of its expected path that differs (from the shared
    diagnosis); where the diagnosis can't tell, to the private DNS fault stage 1 found, else a guess."""
    subject, ev = Host(name.fqdn), evidence(name, lk, kind)
    d = obs.cause(who, name.fqdn)
    kube = next((r for r in ctx.results_of("kube.router") if r.subject == subject and r.verdict is Verdict.FAIL), None)
    if d is not None and kube is None:   # a Kubernetes scoring host: kube.router says which record to add
        reason = _dnsfix.why(d)
        text = f"{summary.split(': ', 1)[0]}: {reason}" if reason and kind in ("public", "nxdomain", "nodata", "stale") \
            else summary
        if d.probe in ("dns.custom", "dns.stability", "ctx.location"):   # results before or after this one
            return Finding(subject, Verdict.FAIL, text, ev, root_fix(ctx, obs, d), d.ref)
        if d.probe == probe_id and isinstance(d.remedy, fx.UseVnetDns):
            return Finding(subject, Verdict.FAIL, f"{summary.split(': ', 1)[0]}: this machine does not ask its "
                           "VNet's DNS, which answers right", ev, _dnsfix.use_vnet_dns(d.remedy))
        if d.probe.startswith("pdns."):
            root = next((r for r in ctx.results_of(d.probe) if r.subject == d.subject and r.verdict is Verdict.FAIL),
                        None)
            if root is not None:
                return Finding(subject, Verdict.FAIL, text, ev, root.fix, root.ref)
    if root := explained_by(ctx, lk):   # a consequence shows its root's fix, never one of its own
        return Finding(subject, Verdict.FAIL, summary, ev, root.fix, root.ref)
    return Finding(subject, Verdict.FAIL, summary, ev, fix_for(ctx, name, lk, kind))
