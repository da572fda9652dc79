"""Stage 3: reachability from where netcheck runs: TCP to each resolved address, and TLS.

The front end and the registry are asked in http_checks, the scoring request is in scoring.
"""

from __future__ import annotations

import asyncio

from netcheck.context import Context
from netcheck.model import Finding, Result, Verdict
from netcheck.net import tls
from netcheck.probe import probe
from netcheck.probes._common import cmd, fix, group_of, not_read
from netcheck.probes._network import TCP_TIMEOUT, TLS_TIMEOUT, bounded, names, no_names
from netcheck.subject import Host, Ref
from netcheck.targets import Name


def resolved_ip(ctx: Context, name: Name) -> str:
    """The first address the system resolver gave for a name reachable() let through."""
    return ctx.answers_of("system")[name.fqdn].ips[0]


def reachable(ctx: Context, probe_id: str, roles: tuple[str, ...] | None = None) -> tuple[list[Name], list[Finding]]:
    """Names a stage-3 probe may test, and `skip` findings for those an earlier probe blocked."""
    ns = names(ctx)
    if ns is None:
        return [], no_names(ctx)
    todo, skipped = [], []
    resolved = ctx.answers_of("system")
    for name in ns.names:
        if roles and name.role not in roles:
            continue
        lk = resolved.get(name.fqdn)
        cause = ctx.blocked(probe_id, Host(name.fqdn)) or (
            None if lk and lk.ips else Ref("dns.system", Host(name.fqdn)))
        if cause:
            skipped.append(Finding(Host(name.fqdn), Verdict.SKIP, f"not checked: {cause.text} did not pass",
                                   cause=cause))
        else:
            todo.append(name)
    if roles is None or "registry" in roles:   # a dependency not read: its names are not tested, and say so
        skipped += not_read(ctx, registry_only=roles is not None)
    return todo, skipped


def _clusterip(ctx: Context, fqdn: str) -> Result | None:
    """kube.router's failed result for a Kubernetes scoring host (its inference router is a ClusterIP)."""
    return next((r for r in ctx.results_of("kube.router") if r.subject == Host(fqdn) and r.verdict is Verdict.FAIL),
                None)


@probe("net.tcp", stage=3, title="Port 443 answers on every resolved address", after=["dns.system", "kube.router"])
async def tcp_443(ctx: Context) -> list[Finding]:
    """Connects to port 443 on each address the system resolver gave for each name, and times it.

    pass: every address accepts the connection. fail: a timeout (an NSG, firewall or route drops
    the traffic) or a refusal (nothing listens there); a Kubernetes scoring host that kube.router
    found on a ClusterIP names it as the cause. skip: the name did not resolve (dns.system).
    """
    todo, out = reachable(ctx, "dns.system")
    # test-ip-flow reads the VM from -g even when --vm is a full id (az CLI's TestIPFlow.pre_operations)
    vm_group = group_of(ctx.where.vm_id) if ctx.where.vm_id else "<vm-resource-group>"

    async def one(name: Name) -> Finding:
        ips = ctx.answers_of("system")[name.fqdn].ips
        conns = await asyncio.gather(*(bounded(ctx, ctx.net.connect(ctx.settings, ip, 443, TCP_TIMEOUT)) for ip in ips))
        ctx.connections[name.fqdn] = tuple(conns)
        evidence = {"connections": [c.to_json() for c in conns], "timeout_s": TCP_TIMEOUT}
        bad = [c for c in conns if not c.ok]
        if not bad:
            return Finding(Host(name.fqdn), Verdict.PASS, f"connected to {', '.join(ips)}:443 in "
                           f"{max(c.ms for c in conns)} ms", evidence)
        first = bad[0]
        why = ("timed out: an NSG, firewall or route drops it" if first.error == "timeout" else
               "refused: nothing listens there" if first.error == "refused" else f"failed ({first.detail})")
        if router := _clusterip(ctx, name.fqdn):   # a consequence: the router's fix is the one fix
            return Finding(Host(name.fqdn), Verdict.FAIL, f"TCP {first.address}:443 {first.error or 'failed'}: the "
                           "address is a ClusterIP inside the Kubernetes cluster", evidence, router.fix,
                           cause=router.ref)
        return Finding(Host(name.fqdn), Verdict.FAIL, f"TCP {first.address}:443 {why}", evidence,
                       fix("Allow TCP 443 from this subnet to the private endpoint's subnet (NSG rules, firewall, "
                           "UDRs)", cmd("az", "network", "watcher", "test-ip-flow", "-g", vm_group, "--direction",
                                        "Outbound", "--protocol", "TCP", "--local",
                                        f"{ctx.where.private_ip or '<this-ip>'}:*", "--remote", f"{first.address}:443",
                                        "--vm", ctx.where.vm_id or "<vm-id>"),
                           docs="private_link"))

    out += await asyncio.gather(*(one(n) for n in todo))
    return out


def _judge_cert(name: Name, ip: str, hs: tls.Handshake) -> Finding:
    evidence = {"address": ip, "ms": hs.ms, "tls_version": hs.version, **hs.cert}
    c = hs.cert
    if hs.problem:
        evidence["error"] = hs.detail
        what = {"expired": f"expired on {c.get('not_after', '?')}",
                "not_yet_valid": f"not valid before {c.get('not_before', '?')}",
                "wrong_host": f"issued for {', '.join(c.get('sans') or [c.get('subject', '?')])}, not {name.fqdn}",
                "untrusted": f"issued by an untrusted CA ({c.get('issuer', '?')})"}.get(
                    hs.problem, f"handshake failed ({hs.problem}: {hs.detail})")
        return Finding(Host(name.fqdn), Verdict.FAIL, f"certificate {what}", evidence,
                       fix("Install a valid certificate for this host (for Kubernetes endpoints, the cluster's "
                           "inference router certificate), or trust its issuer with --ca-bundle", docs="tls"))
    weak = (c["key_type"] == "RSA" and c["key_bits"] < tls.MIN_RSA_BITS) or (
        c["key_type"] == "EC" and c["key_bits"] < tls.MIN_EC_BITS) or c["signature_hash"] in ("sha1", "md5")
    if c["days_left"] < tls.EXPIRY_WARN_DAYS or weak:
        why = (f"expires in {c['days_left']} days" if c["days_left"] < tls.EXPIRY_WARN_DAYS
               else f"weak key or signature ({c['key']}, {c['signature_hash']})")
        return Finding(Host(name.fqdn), Verdict.WARN, f"certificate valid, but {why}", evidence,
                       fix("Renew the certificate with a 2048-bit RSA or P-256 key and SHA-256", docs="tls"))
    return Finding(Host(name.fqdn), Verdict.PASS, f"trusted, for this host, {c['days_left']} days left ({c['key']})",
                   evidence)


@probe("tls.cert", stage=3, title="The certificate is valid for the host", after=["net.tcp"])
async def cert(ctx: Context) -> list[Finding]:
    """Does a TLS handshake with SNI on each reachable name; verifies the chain against the system
    store (or --ca-bundle), the host name and the validity window; reads days to expiry, key and
    signature strength. (Kubernetes endpoints with a bad cluster certificate fail with
    KubernetesUnaccessible / InvalidCertificate.)

    pass: trusted, for this host, valid for 30 days or more, a strong key. warn: expires in under
    30 days, or a weak key or signature (RSA < 2048, EC < 256, SHA-1). fail: untrusted issuer,
    wrong host, expired, not yet valid, or no TLS at all; the evidence has the subject, SANs,
    issuer, dates and SHA-256 fingerprint. skip: TCP failed (net.tcp).
    """
    todo, out = reachable(ctx, "net.tcp")

    async def one(name: Name) -> Finding:
        ip = resolved_ip(ctx, name)
        hs = await bounded(ctx, ctx.net.handshake(ctx.settings, name.fqdn, ip, TLS_TIMEOUT))
        ctx.certificates[name.fqdn] = hs
        return _judge_cert(name, ip, hs)

    out += await asyncio.gather(*(one(n) for n in todo))
    return out
