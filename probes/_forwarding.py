"""Whether a custom DNS server forwards as it must, judged from its answers alone: compared name by name
with Azure DNS's answers (outside Azure: with the expected private addresses), and the public zones it
must forward to Azure DNS for the names that differ. dns.custom corrects this with the diagnosis when
netcheck has the facts to follow the names."""

from __future__ import annotations

from netcheck.diagnosis.path import forward_zone
from netcheck.model import Finding, Verdict
from netcheck.net.dns import Lookup
from netcheck.probes import _dnsfix
from netcheck.probes._answers import judge
from netcheck.probes._common import counted
from netcheck.subject import Resolver
from netcheck.targets import Names


def compare(ns: Names, server: str, found: dict[str, Lookup], reference: dict[str, Lookup],
            forwarded: tuple[str, ...]) -> Finding:
    """One server's answers (`found`) against Azure DNS's (`reference`; a name it lacks is judged against
    the expected addresses). `forwarded`: the cloud's public zones a forwarder may be asked to cover."""
    rows, wrong = [], []
    for name in ns.names:
        lk, ref = found[name.fqdn], reference.get(name.fqdn)
        ref_ips = list(ref.ips) if ref is not None and ref.answered else None
        agrees = set(lk.ips) == set(ref_ips) if ref_ips is not None else judge(ns, name, lk, server)[0] is Verdict.PASS
        rows.append({"name": name.fqdn, "answer": list(lk.ips) or lk.rcode if lk.answered else lk.error,
                     "azure_dns": ref_ips, "expected": list(name.expected), "agrees": agrees, "chain": list(lk.chain)})
        if not agrees and lk.answered:
            wrong.append(name.fqdn)
    evidence: dict[str, object] = {"server": server, "names": rows}
    subject = Resolver("custom", server)
    if all(not lk.answered for lk in found.values()):
        first = next(iter(found.values()))
        return Finding(subject, Verdict.FAIL, f"custom DNS server {server} does not answer ({first.error}: "
                       f"{first.detail})", evidence, _dnsfix.no_answer(server))
    if not wrong:
        return Finding(subject, Verdict.PASS, f"answers as Azure DNS does for {counted(len(rows), 'name')}", evidence)
    # the zone of each name that differs, and of the privatelink names Azure DNS's chain passes
    chains = [n for w in wrong for n in (w, *(reference[w].chain if w in reference else ()))]
    zones = evidence["missing_forwarders"] = sorted({z for n in chains if (z := forward_zone(n, forwarded))})
    return Finding(subject, Verdict.FAIL, f"the conditional forwarders are wrong: {counted(len(wrong), 'name')} "
                   f"{'resolves' if len(wrong) == 1 else 'resolve'} differently from Azure DNS; forward "
                   f"{', '.join(zones)} to 168.63.129.16", evidence, _dnsfix.to_azure_dns(server, zones))
