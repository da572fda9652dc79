"""Stage 2: the VNet's custom DNS servers, compared with Azure DNS."""

from __future__ import annotations

import dataclasses

from netcheck.clouds import cloud
from netcheck.context import Context
from netcheck.diagnosis import remedy as fx
from netcheck.diagnosis.model import Divergence
from netcheck.model import Finding, Verdict
from netcheck.probe import probe
from netcheck.probes import _dnsfix
from netcheck.probes._answers import root_fix
from netcheck.probes._common import counted
from netcheck.probes._forwarding import compare
from netcheck.probes._network import AFTER_PRIVATE_DNS, custom_servers, no_custom_servers, no_names
from netcheck.probes._observe import Observation, observed
from netcheck.subject import Resolver, Rule


@probe("dns.custom", stage=2, title="Custom DNS servers forward to Azure DNS", after=["dns.azure", *AFTER_PRIVATE_DNS])
async def custom(ctx: Context) -> list[Finding]:
    """Asks each custom DNS server of the VNet (its dhcpOptions.dnsServers, or --dns-server) every
    name directly and compares the answers with Azure DNS's (outside Azure: with the expected
    private addresses). A custom server must forward the public zones (not the privatelink ones)
    to 168.63.129.16: api.azureml.ms, notebooks.azure.net, instances.ml.azure.ms (older
    workspaces: instances.azureml.ms), aznbcontent.net, inference.ml.azure.com, and the
    dependencies' (azurecr.io, vault.azure.net and vaultcore.azure.net, blob.core.windows.net,
    file.core.windows.net; other clouds: their suffixes).

    pass: the server answers as Azure DNS does. fail: it lacks forwarders (the fix names exactly
    the public zones missing for the names that resolve publicly through it, and the privatelink
    zones it forwards instead), it does not answer (timeout), or its answers flip between rounds
    (named as a consequence of dns.stability: one sample says nothing about its forwarders). A DNS
    Private Resolver forwarding rule linked to the VNet that sends a zone to servers answering
    publicly fails too, as `ruleset/rule`. skip: the VNet uses Azure DNS, or netcheck knows neither
    the VNet nor a --dns-server.
    """
    if not custom_servers(ctx) and not (ctx.inventory and ctx.inventory.rulesets):
        return [no_custom_servers(ctx)]
    obs = await observed(ctx)
    if obs is None:
        return no_names(ctx)
    home = ctx.inventory.subscription if ctx.inventory else ""   # a ruleset elsewhere is fixed in its subscription
    rules = [_rule(d, home) for d in obs.diagnosis.roots if isinstance(d.subject, Rule)] if obs.diagnosis else []
    servers = [w for w in obs.servers if w.role == "custom"]
    if not servers:
        return [no_custom_servers(ctx), *rules]
    reference, forwarded = ctx.answers_of("azure"), cloud(ctx.settings.cloud).forwarded_zones
    for who in servers:
        ctx.answers[who] = obs.first(who)
    return [_judged(ctx, obs, who, compare(obs.names, who.server, obs.first(who), reference, forwarded))
            for who in servers] + rules


def _judged(ctx: Context, obs: Observation, who: Resolver, compared: Finding) -> Finding:
    """The comparison with Azure DNS, corrected by the diagnosis: a server whose answers flip is judged by
    dns.stability only; one lacking forwarders is named with exactly the public zones it lacks."""
    d = obs.diagnosis
    if d is None or not any(lk.answered for lk in obs.first(who).values()):
        return compared
    mine = [j.divergence for j in d.answers if j.seen.resolver == who and j.divergence]
    if flap := next((x for x in mine if x.probe == "dns.stability"), None):
        return Finding(who, Verdict.FAIL, f"answers flip between private and public ({flap.ref.text}): one sample "
                       "says nothing about its forwarders", compared.evidence, root_fix(ctx, obs, flap), flap.ref)
    roots = [x for x in d.roots if x.probe == "dns.custom" and x.subject == who and isinstance(x.remedy, fx.Forwarders)]
    if roots and isinstance(r := roots[0].remedy, fx.Forwarders):
        evidence = {**compared.evidence, "missing_forwarders": list(r.zones), "forwards_instead": list(r.instead_of)}
        return Finding(who, Verdict.FAIL, f"the conditional forwarders are wrong: {_dnsfix.forwarders_text(r)}; "
                       f"{counted(len(roots[0].names), 'name')} {'resolves' if len(roots[0].names) == 1 else 'resolve'} "
                       "publicly through it", evidence,
                       _dnsfix.forwarders(r))
    if compared.verdict is Verdict.FAIL and mine and mine[0].probe != "dns.custom":
        return dataclasses.replace(compared, fix=root_fix(ctx, obs, mine[0]), cause=mine[0].ref)   # a wrong upstream
    return compared


def _rule(d: Divergence, home: str) -> Finding:
    assert isinstance(d.remedy, fx.RuleFix)
    return Finding(d.subject, Verdict.FAIL, _dnsfix.rule_text(d.remedy),
                   {"ruleset": d.remedy.ruleset_id, "rule": d.remedy.rule_id, "domain": d.remedy.domain,
                    "targets": list(d.remedy.targets), "names": list(d.names)}, _dnsfix.rule(d.remedy, home))
