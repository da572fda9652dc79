"""Stage 2: whether each resolver gives the same kind of answer every time it is asked."""

from __future__ import annotations

from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.net.dns import label
from netcheck.probe import probe
from netcheck.probes import _dnsfix
from netcheck.probes._common import counted
from netcheck.probes._network import no_names
from netcheck.probes._observe import Observation, observed
from netcheck.settings import Address
from netcheck.subject import Resolver


def _distinct(obs: Observation, ctx: Context) -> list[Resolver]:
    """Every resolver asked, each server once under its most telling name (custom, Azure DNS, system)."""
    out: dict[Address, Resolver] = {}
    for who, server in obs.servers.items():
        out.setdefault(ctx.settings.route(*server), who)
    return list(out.values())


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
    obs = await observed(ctx)
    if obs is None:
        return no_names(ctx)
    ns = obs.names
    out = []
    for who in _distinct(obs, ctx):
        seen = obs.rounds[who]
        if not any(lk.answered for lk in seen[0].values()):
            out.append(Finding(who, Verdict.SKIP, f"{who.text} did not answer"))
            continue
        flips = {}
        for name in ns.names:
            kinds = [ns.classify(name, list(r[name.fqdn].ips)) if r[name.fqdn].ips else "none" for r in seen]
            if {"expected", "stale", "private"} & set(kinds) and "public" in kinds:
                flips[name.fqdn] = [list(r[name.fqdn].ips) for r in seen]
        evidence = {"resolver": who.text, "server": label(obs.servers[who]), "rounds": len(seen),
                    "spacing_s": ctx.settings.stability_spacing, "flipping": flips}
        if not flips:
            out.append(Finding(who, Verdict.PASS, f"the same kind of answer in {len(seen)} rounds", evidence))
            continue
        out.append(Finding(who, Verdict.FAIL, f"answers flip between private and public for "
                           f"{counted(len(flips), 'name')}", evidence,
                           _dnsfix.flapping(who.text, ctx.settings.cloud)))
    return out
