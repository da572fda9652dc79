"""Stage 2: name resolution from where netcheck runs: this machine's resolver and Azure DNS.

The custom DNS servers are judged in resolution_custom, the answers' stability in resolution_stability.
"""

from __future__ import annotations

from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.net.dns import label
from netcheck.probe import probe
from netcheck.probes._answers import evidence, failed, judge
from netcheck.probes._common import not_read
from netcheck.probes._network import AFTER_PRIVATE_DNS, no_names, resolver
from netcheck.probes._observe import observed
from netcheck.subject import Host


async def _resolve_all(ctx: Context, role: str, summary_who: str) -> list[Finding]:
    obs = await observed(ctx)
    if obs is None:
        return no_names(ctx)
    who = next(w for w in obs.servers if w.role == role)
    found = ctx.answers[who] = obs.first(who)
    out = []
    for name in obs.names.names:
        lk = found[name.fqdn]
        verdict, kind, summary = judge(obs.names, name, lk, summary_who)
        if verdict is not Verdict.FAIL:
            out.append(Finding(Host(name.fqdn), verdict, summary, evidence(name, lk, kind)))
        else:
            out.append(failed(ctx, obs, f"dns.{role}", who, name, lk, kind, summary))
    return out + not_read(ctx)


@probe("dns.system", stage=2, title="Names resolve to the private endpoints here", after=AFTER_PRIVATE_DNS)
async def system(ctx: Context) -> list[Finding]:
    """Resolves every name that matters through this machine's resolver (/etc/resolv.conf, or
    --resolver), like `nslookup`, with the full CNAME chain: the scoring host (whose chain should
    pass `<endpoint>.<ws-guid>.inference.<region>.privatelink.api.azureml.ms`), the workspace API
    and cert hosts, the notebooks host, the registry's login and data hosts, the key vault and the
    storage hosts. Expected addresses are the private endpoints' (their NICs' and customDnsConfigs),
    else the VNet's ranges or --vnet-cidr, else "a private address". The managed VNet's managed
    private endpoints (its PrivateEndpoint outbound rules) are resolved by Azure inside that VNet,
    not here: no name is expected private for them.

    pass: the private endpoint's address. fail: a private address that is not the private
    endpoint's (stale record: whether anything still answers at it is shown), a public address, or
    NXDOMAIN. Each wrong answer names as its cause the first hop of its expected path that differs:
    a custom DNS server missing a conditional forwarder (dns.custom), a forwarding ruleset rule
    (dns.custom), answers that flip (dns.stability), netcheck running outside the VNet
    (ctx.location), a zone missing, duplicated, misnamed or not linked, or a record missing or stale
    (pdns.*); when Azure DNS answers right but this machine's resolver is another server, the result
    is its own root. error: the resolver did not answer.
    """
    server = resolver(ctx)
    if server is None:
        return [Finding("", Verdict.ERROR, "no system resolver: /etc/resolv.conf names none (use --resolver)")]
    return await _resolve_all(ctx, "system", f"the system resolver {label(server)}")


@probe("dns.azure", stage=2, title="Azure DNS resolves the names privately", after=AFTER_PRIVATE_DNS)
async def azure(ctx: Context) -> list[Finding]:
    """Asks Azure DNS (168.63.129.16, or --azure-dns) directly, like `dig @168.63.129.16 NAME`: what
    the VNet's private zones answer, bypassing any custom DNS server. Only reachable from inside
    Azure.

    pass: the private endpoint's address. fail: as for dns.system; when Azure DNS is right but the
    system resolver is not, the fault is the custom DNS server's (see dns.custom). skip: netcheck
    runs outside Azure.
    """
    if not ctx.where.in_azure:
        return [Finding("", Verdict.SKIP, "outside Azure: 168.63.129.16 answers only inside an Azure VNet")]
    return await _resolve_all(ctx, "azure", f"Azure DNS {label(ctx.settings.azure_dns)}")


