"""Stage 2: whether each resolver gives the same kind of answer every time it is asked."""

from __future__ import annotations

import asyncio

from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.net.dns import Lookup, label
from netcheck.probe import probe
from netcheck.probes._common import counted, fix
from netcheck.probes._network import custom_servers, lookups, names, no_names, parse_server, resolver
from netcheck.settings import Address
from netcheck.subject import Resolver
from netcheck.targets import Names

Rounds = list[dict[str, Lookup]]


def _resolvers(ctx: Context) -> dict[Resolver, Address]:
    """Every resolver that matters, each server asked once under its most telling name."""
    candidates = [(Resolver("custom", s), parse_server(s)) for s in custom_servers(ctx)]
    if ctx.where.in_azure:
        candidates.append((Resolver("azure", label(ctx.settings.azure_dns)), ctx.settings.azure_dns))
    if (sys_server := resolver(ctx)) is not None:
        candidates.append((Resolver("system", label(sys_server)), sys_server))
    servers: dict[Resolver, Address] = {}
    for who, server in candidates:
        if ctx.settings.route(*server) not in {ctx.settings.route(*s) for s in servers.values()}:
            servers[who] = server
    return servers


async def _sample(ctx: Context, ns: Names, who: Resolver, server: Address) -> Rounds:
    if (before := ctx.answers.get(who)) and not any(lk.answered for lk in before.values()):
        return [before]  # dead already: don't spend another timeout on it
    seen: Rounds = []
    for i in range(ctx.settings.stability_rounds):
        if i:
            await asyncio.sleep(ctx.settings.stability_spacing)
        seen.append(await lookups(ctx, server, [n.fqdn for n in ns.names]))
        if i == 0 and not any(lk.answered for lk in seen[0].values()):
            break  # a dead server: dns.custom/dns.system already say so
    return seen


@probe("dns.stability", stage=2, title="Answers are stable across queries", after=["dns.custom", "dns.system",
                                                                                   "dns.azure"])
async def stability(ctx: Context) -> list[Finding]:
    """Asks each resolver (system, Azure DNS, each custom server) every name several times, a little
    apart (--dns-rounds and --dns-spacing: 4 rounds, 0.2 s by default). A partial
    forwarder set, or a Windows DNS server mixing forwarders with root hints, gives a private
    answer first and a public one later, so deployments fail now and then.

    pass: every answer the same kind (private or public) each time. fail: answers flip between a
    private and a public address. skip: a resolver that did not answer at all is left out.
    """
    ns = names(ctx)
    if ns is None:
        return no_names(ctx)
    servers = _resolvers(ctx)
    samples = await asyncio.gather(*(_sample(ctx, ns, who, s) for who, s in servers.items()))
    out = []
    for who, seen in zip(servers, samples, strict=True):
        if not any(lk.answered for lk in seen[0].values()):
            out.append(Finding(who, Verdict.SKIP, f"{who.text} did not answer"))
            continue
        flips = {}
        for name in ns.names:
            kinds = [ns.classify(name, list(r[name.fqdn].ips)) if r[name.fqdn].ips else "none" for r in seen]
            if {"expected", "stale", "private"} & set(kinds) and "public" in kinds:
                flips[name.fqdn] = [list(r[name.fqdn].ips) for r in seen]
        evidence = {"resolver": who.text, "server": label(servers[who]), "rounds": len(seen),
                    "spacing_s": ctx.settings.stability_spacing, "flipping": flips}
        if not flips:
            out.append(Finding(who, Verdict.PASS, f"the same kind of answer in {len(seen)} rounds", evidence))
            continue
        out.append(Finding(who, Verdict.FAIL, f"answers flip between private and public for "
                           f"{counted(len(flips), 'name')}", evidence,
                           fix("Forward every needed public zone to 168.63.129.16 (see dns.custom); on Windows DNS, "
                               "don't mix forwarders with root hints", docs="custom_dns")))
    return out
