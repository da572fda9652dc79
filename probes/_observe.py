"""What every resolver that matters answered, asked once for all the dns.* probes, and the diagnosis of
those answers (netcheck.diagnosis): each wrong one traced to the first hop that differs.

Each resolver (this machine's, Azure DNS, each custom server) is asked every name several rounds, a little
apart (--dns-rounds, --dns-spacing): a server whose answers flip is only ever judged by dns.stability, never
from one sample. Custom servers are also asked the privatelink names, which shows a server forwarding the
privatelink zone instead of the public one; a stale address is tried on :443, which shows whether a
leftover endpoint still answers there.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from netcheck.context import Context
from netcheck.diagnosis import model as m
from netcheck.diagnosis.divergence import Diagnosis, diagnose
from netcheck.diagnosis.names import targets
from netcheck.net.dns import Lookup, label
from netcheck.probes._network import TCP_TIMEOUT, bounded, custom_servers, lookups, names, parse_server, resolver
from netcheck.settings import Address
from netcheck.subject import Resolver
from netcheck.targets import Names

Rounds = list[dict[str, Lookup]]


@dataclass(frozen=True)
class Observation:
    names: Names
    servers: dict[Resolver, Address]    # every resolver asked, by the subject its probe names it with
    rounds: dict[Resolver, Rounds]      # its answers, round by round (one round when it did not answer)
    diagnosis: Diagnosis | None         # None: no facts to follow the names through

    def first(self, who: Resolver) -> dict[str, Lookup]:
        return self.rounds[who][0]

    def cause(self, who: Resolver, fqdn: str) -> m.Divergence | None:
        return self.diagnosis.cause_of(who, fqdn) if self.diagnosis else None


def _resolvers(ctx: Context) -> dict[Resolver, Address]:
    out = {Resolver("custom", s): parse_server(s) for s in custom_servers(ctx)}
    if ctx.where.in_azure:
        out[Resolver("azure", label(ctx.settings.azure_dns))] = ctx.settings.azure_dns
    if (system := resolver(ctx)) is not None:
        out[Resolver("system", label(system))] = system
    return out


async def _sample(ctx: Context, server: Address, fqdns: list[str]) -> Rounds:
    seen: Rounds = []
    for i in range(max(1, ctx.settings.stability_rounds)):
        if i:
            await asyncio.sleep(ctx.settings.stability_spacing)
        seen.append(await lookups(ctx, server, fqdns))
        if i == 0 and not any(lk.answered for lk in seen[0].values()):
            break   # a dead server: one timeout, not one per round
    return seen


async def _observe(ctx: Context, ns: Names) -> Observation:
    servers = _resolvers(ctx)
    inv = ctx.inventory
    ts = targets(inv, ns) if inv is not None and inv.workspace is not None else ()
    private = [t.private_name for t in ts if t.private_name]
    plain = [n.fqdn for n in ns.names]
    # one sampling per distinct server (the system resolver is often the VNet's custom server)
    route = {who: ctx.settings.route(*addr) for who, addr in servers.items()}
    asked: dict[Address, tuple[Resolver, ...]] = {}
    for who in servers:
        asked[route[who]] = (*asked.get(route[who], ()), who)
    wanted = {r: list(dict.fromkeys(plain + (private if any(w.role == "custom" for w in ws) else [])))
              for r, ws in asked.items()}
    sampled = await asyncio.gather(*(_sample(ctx, servers[ws[0]], wanted[r]) for r, ws in asked.items()))
    by_route = dict(zip(asked, sampled, strict=True))
    rounds = {who: by_route[route[who]] for who in servers}
    diagnosis = None
    # the VM's VNet (from its NIC, else placed by its address); inside Azure with the VNet unknown there is
    # nothing to follow the names from
    where = ctx.location or (ctx.where if ctx.where.vnet_id else None)
    if inv is not None and ts and (where is not None or not ctx.where.in_azure):
        seen = tuple(m.Seen(resolver=who, name=n, rounds=tuple(m.Answer.of(r[n]) for r in rs if n in r))
                     for who, rs in rounds.items() for n in rs[0])
        diagnosis = diagnose(inv, where, ts, m.Observed(answers=seen, connects=await _stale(ctx, ns, rounds)))
    return Observation(ns, servers, rounds, diagnosis)


async def _stale(ctx: Context, ns: Names, rounds: dict[Resolver, Rounds]) -> dict[str, bool]:
    """Whether anything answers on :443 at the stale addresses the names resolve to (a leftover endpoint, or
    nothing): what a stale record's fix must say."""
    ips = sorted({ip for rs in rounds.values() for n in ns.names if (lk := rs[0].get(n.fqdn)) and lk.ips
                  and ns.classify(n, list(lk.ips)) == "stale" for ip in lk.ips})
    found = await asyncio.gather(*(bounded(ctx, ctx.net.connect(ctx.settings, ip, 443, TCP_TIMEOUT)) for ip in ips))
    return {ip: c.ok for ip, c in zip(ips, found, strict=True)}


async def observed(ctx: Context) -> Observation | None:
    """The shared observation (None when there are no names to ask); the first probe to ask makes it."""
    ns = names(ctx)
    if ns is None:
        return None
    if ctx.dns_observation is None:
        ctx.dns_observation = asyncio.ensure_future(_observe(ctx, ns))
    found: Observation = await asyncio.shield(ctx.dns_observation)
    return found
