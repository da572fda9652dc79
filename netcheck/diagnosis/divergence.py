"""Diagnosis by first divergence: each observed answer is walked along its expected path, and a wrong
one is attributed to the first hop that differs.

A server is judged against what is upstream of it: a custom server that answers publicly while Azure
DNS (asked, or as the facts predict it) answers privately lacks forwarders; one that agrees with a
wrong Azure DNS is not to blame, the Azure side is. Answers that flip between rounds are only ever
`dns.stability`'s: no other verdict comes from one sample of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from netcheck import services
from netcheck.azure.facts import Inventory
from netcheck.diagnosis import model as m
from netcheck.diagnosis import remedy as fx
from netcheck.diagnosis.path import Hop, azure_hops, expected, forward_zones, resolving, route_hop
from netcheck.subject import Resolver, Subject

_PROBE_OF_ROLE = {"system": "dns.system", "azure": "dns.azure", "custom": "dns.custom"}


@dataclass(frozen=True, kw_only=True)
class Judged:
    seen: m.Seen
    target: m.Target
    divergence: m.Divergence | None      # None: the answer is the expected one


@dataclass(frozen=True, kw_only=True)
class Diagnosis:
    answers: tuple[Judged, ...]
    routes: tuple[m.Divergence, ...]

    def cause_of(self, resolver: Resolver, name: str) -> m.Divergence | None:
        return next((j.divergence for j in self.answers if j.seen.resolver == resolver and j.seen.name == name), None)

    @property
    def roots(self) -> tuple[m.Divergence, ...]:
        """Every distinct root cause once, the names and resolvers it explains merged, in first-seen order."""
        out: dict[tuple[str, Subject, str], m.Divergence] = {}
        # a missing route first: without it nothing else the names need can help
        for d in (*self.routes, *(j.divergence for j in self.answers if j.divergence)):
            key = (d.probe, d.subject, d.hop)
            out[key] = _merge(out[key], d) if key in out else d
        return tuple(out.values())


@dataclass(frozen=True)
class _World:
    inv: Inventory
    where: m.Placed | None
    targets: tuple[m.Target, ...]
    observed: m.Observed
    forwarded: tuple[str, ...]

    def seen(self, host: str, name: str) -> m.Seen | None:
        return next((s for s in self.observed.answers if s.resolver.role == "custom" and m.host_of(s.resolver.server) == host
                     and s.name == name), None)


def diagnose(inv: Inventory, where: m.Placed | None, targets: Iterable[m.Target], observed: m.Observed,
             forwarded: tuple[str, ...] | None = None) -> Diagnosis:
    """Judge every observed answer and every route to a private endpoint. `forwarded`: the public zones a
    forwarder may be asked to cover (default: the service registry's for the inventory's cloud)."""
    w = _World(inv, where, tuple(targets), observed,
               services.forwarded_zones(inv.cloud) if forwarded is None else forwarded)
    by_name = {t.fqdn: t for t in w.targets} | {t.private_name: t for t in w.targets if t.private_name}
    answers = tuple(Judged(seen=s, target=by_name[s.name], divergence=_diverge(w, s, by_name[s.name]))
                    for s in observed.answers if s.name in by_name and s.name == by_name[s.name].fqdn)
    return Diagnosis(answers=answers, routes=tuple(d for t in w.targets if (d := _route(w, t))))


def _div(hop: Hop, seen: m.Seen) -> m.Divergence:
    assert hop.remedy is not None
    return m.Divergence(probe=hop.probe, subject=hop.subject, hop=hop.kind, remedy=hop.remedy, names=(seen.name,),
                        seen_at=(seen.resolver,))


def _diverge(w: _World, seen: m.Seen, t: m.Target) -> m.Divergence | None:
    if not seen.rounds:
        return None
    first, r = seen.rounds[0], seen.resolver
    if seen.flips(t):
        upstream = [s for h in _server_hops(w, r, t) if (s := w.seen(h, t.fqdn)) and s.flips(t)]
        return _flapping(upstream[0] if upstream else seen, t, seen)
    if first.right(t):
        return None
    if first.kind(t) == "none":
        dead = [d for h in _server_hops(w, r, t) if (s := w.seen(h, t.fqdn)) and s.rounds
                and s.rounds[0].kind(t) == "none" and (d := _diverge(w, s, t))]
        if dead:   # the machine's resolver is silent because the VNet's DNS server behind it is
            return dataclasses.replace(dead[0], seen_at=tuple(dict.fromkeys((*dead[0].seen_at, r))))
        return m.Divergence(probe=_PROBE_OF_ROLE[r.role], subject=r, hop="no-answer",
                            remedy=fx.NoAnswer(server=r.server, error=first.error or ""), names=(seen.name,),
                            seen_at=(r,))
    return _wrong(w, seen, t)


def _server_hops(w: _World, r: Resolver, t: m.Target) -> list[str]:
    path = expected(w.inv, w.where, r, t, w.forwarded)
    return [h.subject.server for h in path.hops if h.kind == "server" and isinstance(h.subject, Resolver)
            and h.subject.server != m.host_of(r.server)]


def _flapping(s: m.Seen, t: m.Target, where_seen: m.Seen) -> m.Divergence:
    return m.Divergence(probe="dns.stability", subject=s.resolver, hop="stability",
                        remedy=fx.Flapping(server=m.host_of(s.resolver.server),
                                           rounds={t.fqdn: tuple(a.ips for a in s.rounds)}),
                        names=(t.fqdn,), seen_at=tuple(dict.fromkeys((s.resolver, where_seen.resolver))))


def _azure_truth(w: _World, vnet: str | None, t: m.Target) -> bool | None:
    """Whether Azure DNS behind a resolver gives the right answer: asked from here when it is the client
    VNet's, else as the facts predict (None: they can't tell)."""
    if not vnet:
        return None
    if w.where and w.where.vnet_id and vnet.lower() == w.where.vnet_id.lower():
        az = w.observed.by_role("azure", t.fqdn)
        if az and az.rounds and az.rounds[0].kind(t) != "none" and not az.flips(t):
            return az.rounds[0].right(t)
    oks = [h.ok for h in azure_hops(w.inv, vnet, t)]
    return False if False in oks else None if None in oks else True


def _wrong(w: _World, seen: m.Seen, t: m.Target) -> m.Divergence:
    r = seen.resolver
    path = expected(w.inv, w.where, r, t, w.forwarded)
    truth = _azure_truth(w, path.vnet_id, t)
    for hop in path.hops:
        if hop.kind == "location":
            return _div(hop, seen)
        if hop.kind == "server":
            assert isinstance(hop.subject, Resolver)
            host = hop.subject.server
            if r.role == "system" and (sub := w.seen(host, t.fqdn)) and sub.rounds:
                if sub.flips(t):
                    return _flapping(sub, t, seen)
                if sub.rounds[0].right(t):
                    return _use_vnet_dns(w, seen)
                found = _diverge(w, sub, t) or _use_vnet_dns(w, seen)
                return dataclasses.replace(found, seen_at=tuple(dict.fromkeys((*found.seen_at, r))))
            if hop.ok is None and truth is not False:
                return _forwarders(w, seen, t, hop)
            continue
        if hop.kind in ("rule", "shadow", "zone", "record") and hop.ok is not True:
            if r.role == "system" and truth is True:
                break
            return _complete(w, _div(hop, seen), t)
    if truth is True and r.role == "system":
        return _use_vnet_dns(w, seen)
    # every hop the facts show is right: name where the wrong answer was seen (Azure DNS when it is wrong too)
    probe, subject = ("dns.azure", Resolver("azure", m.AZURE_DNS)) if truth is False else (_PROBE_OF_ROLE[r.role], r)
    return m.Divergence(probe=probe, subject=subject, hop="unexplained",
                        remedy=fx.Unexplained(resolver=r.server, kind=seen.rounds[0].kind(t)), names=(seen.name,),
                        seen_at=(r,))


def _use_vnet_dns(w: _World, seen: m.Seen) -> m.Divergence:
    """Azure DNS (and the VNet's own servers) answer right: this machine asks someone else."""
    vnet = w.inv.vnet(w.where.vnet_id if w.where else None)
    dns = (vnet.dns_servers if vnet else ()) or (m.AZURE_DNS,)
    r = seen.resolver
    return m.Divergence(probe="dns.system", subject=r, hop="server",
                        remedy=fx.UseVnetDns(resolver=r.server, vnet_dns=dns), names=(seen.name,), seen_at=(r,))


def _forwarders(w: _World, seen: m.Seen, t: m.Target, hop: Hop) -> m.Divergence:
    """The server lacks forwarders: exactly the public zones of the names it answers wrong, less those its
    right answers prove it forwards; and whether it forwards the privatelink zone instead."""
    assert isinstance(hop.remedy, fx.Forwarders) and isinstance(hop.subject, Resolver)
    host = hop.subject.server
    proven = {forward_zones(o, w.forwarded)[:1] for o in w.targets
              if (s := w.seen(host, o.fqdn)) and s.rounds and s.rounds[0].right(o) and o.private_name}
    zones = tuple(z for z in hop.remedy.zones if (z,) not in proven)
    # the privatelink name answered privately while the public zone covering it is not forwarded: the
    # server forwards the privatelink zone instead of the public one
    pl = w.seen(host, t.private_name) if t.private_name else None
    covering = forward_zones(m.Target(fqdn=t.private_name or ""), w.forwarded)[:1]
    instead = (t.zone,) if (t.zone and pl and pl.rounds and pl.rounds[0].right(t)
                            and covering and covering not in proven) else ()
    remedy = dataclasses.replace(hop.remedy, zones=zones or hop.remedy.zones, instead_of=instead)
    return m.Divergence(probe="dns.custom", subject=hop.subject, hop="server", remedy=remedy, names=(seen.name,),
                        seen_at=(seen.resolver,))


def _complete(w: _World, d: m.Divergence, t: m.Target) -> m.Divergence:
    """What only observations (or a second look at the facts) add: whether a stale record's address still
    answers (a leftover endpoint, or nothing); the inbound endpoints a bad rule could send the zone to."""
    if isinstance(d.remedy, fx.StaleRecord):
        answers = {ip: w.observed.connects.get(ip) for ip in d.remedy.record_ips}
        return dataclasses.replace(d, remedy=dataclasses.replace(d.remedy, stale_answers=answers))
    if isinstance(d.remedy, fx.RuleFix):
        return dataclasses.replace(d, remedy=dataclasses.replace(d.remedy, inbound=resolving(w.inv, t)))
    return d


def _route(w: _World, t: m.Target) -> m.Divergence | None:
    hop = route_hop(w.inv, w.where, t)
    if hop is None or hop.ok is not False or hop.remedy is None:
        return None   # a route that is there, or one the facts can't show either way
    if any(w.observed.connects.get(ip) for ip in t.addresses):
        return None   # it connects anyway (a route the facts don't show: VPN gateway, hub firewall)
    return m.Divergence(probe=hop.probe, subject=hop.subject, hop="route", remedy=hop.remedy, names=(t.fqdn,))


def _merge(a: m.Divergence, b: m.Divergence) -> m.Divergence:
    names = tuple(dict.fromkeys((*a.names, *b.names)))
    seen_at = tuple(dict.fromkeys((*a.seen_at, *b.seen_at)))
    ra, rb = a.remedy, b.remedy
    remedy: fx.Remedy = ra
    if isinstance(ra, fx.Forwarders) and isinstance(rb, fx.Forwarders):
        remedy = dataclasses.replace(ra, zones=tuple(dict.fromkeys((*ra.zones, *rb.zones))),
                                     instead_of=tuple(dict.fromkeys((*ra.instead_of, *rb.instead_of))))
    elif isinstance(ra, fx.ForwardFromOutside) and isinstance(rb, fx.ForwardFromOutside):
        remedy = dataclasses.replace(ra, zones=tuple(dict.fromkeys((*ra.zones, *rb.zones))))
    elif isinstance(ra, fx.Flapping) and isinstance(rb, fx.Flapping):
        remedy = dataclasses.replace(ra, rounds={**ra.rounds, **rb.rounds})
    return dataclasses.replace(a, names=names, seen_at=seen_at, remedy=remedy)
