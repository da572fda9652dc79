"""How tls.cert judges one handshake, and whose certificate it is: Microsoft's on every Azure host (a
managed endpoint, the workspace, the registry, the vault), the customer's on a Kubernetes endpoint (the
Azure Machine Learning extension's sslCertPemFile / sslKeyPemFile), unknown for a --host name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from netcheck.azure.facts import Inventory, group_of, name_of
from netcheck.model import Finding, Fix, Verdict
from netcheck.net import tls
from netcheck.probes._common import cmd, fix
from netcheck.subject import Host
from netcheck.targets import Name

PLACEHOLDER_EXTENSION = "<azureml-extension-name>"   # the name the extension was installed under: not in the workspace
CERTIFICATE_PROBLEMS = ("expired", "not_yet_valid", "wrong_host", "untrusted", "missing_intermediate")
PLACEHOLDER_CERT, PLACEHOLDER_KEY = "<full-chain.pem>", "<key.pem>"


def problem_of(hs: tls.Handshake, trusted_issuers: Collection[str]) -> str | None:
    """The handshake's certificate problem; `untrusted` becomes `missing_intermediate` when the leaf's issuer
    is one that other hosts' verified certificates chain through here: the server left it out of its chain."""
    if hs.problem == "untrusted" and hs.cert.get("issuer") in trusted_issuers \
            and hs.cert.get("issuer") != hs.cert.get("subject"):
        return "missing_intermediate"
    return hs.problem


def _what(name: Name, problem: str, c: dict[str, Any], detail: str) -> str:
    return {"expired": f"expired on {c.get('not_after', '?')}",
            "not_yet_valid": f"not valid before {c.get('not_before', '?')}",
            "wrong_host": f"issued for {', '.join(c.get('sans') or [c.get('subject', '?')])}, not {name.fqdn}",
            "untrusted": f"issued by {c.get('issuer', '?')}, which this machine does not trust",
            "missing_intermediate": f"sent without its intermediate certificate: its issuer {c.get('issuer', '?')} "
                                    "is trusted here through other hosts' chains, but this server does not send it",
            }.get(problem, f"handshake failed ({problem}: {detail})")


def _microsoft(problem: str, c: dict[str, Any], now: str) -> Fix:
    """An Azure host's certificate is Microsoft's and valid: what breaks it is on the way, or this machine."""
    seen = f"issuer seen: {c.get('issuer', '?')}; valid {c.get('not_before', '?')} to {c.get('not_after', '?')}"
    if problem == "missing_intermediate":
        first = ("Azure's front ends send the intermediate certificate, so what answers here is likely a proxy or "
                 "load balancer on the way (TLS inspection) that sends the leaf without it: make it send the full "
                 "chain, or bypass it")
    elif problem in ("expired", "not_yet_valid"):
        first = "this machine's clock is wrong (set it from NTP), or a TLS-inspecting proxy answers with its own"
    else:
        first = "a TLS-inspecting proxy or firewall answers with its own certificate: exempt this host from " \
                "inspection, or trust the proxy's CA with --ca-bundle"
    return fix(f"This certificate is Microsoft's, not yours to install: {first}; check also this machine's clock "
               f"(now {now}). {seen}", docs="secure_endpoint")


def _kubernetes(inv: Inventory | None, name: Name, problem: str) -> Fix:
    """A Kubernetes endpoint's certificate is the customer's, set in the Azure Machine Learning extension."""
    cluster = next((c.cluster_id for c in inv.clusters if c.cluster_id and any(
        e.compute_id and e.compute_id.lower() == c.compute_id.lower() and e.name == name.endpoint
        for e in inv.endpoints)), None) if inv else None
    what = {"missing_intermediate": "the certificate file holds the leaf only: put the intermediate after it "
                                    "(the full chain, PEM)",
            "wrong_host": f"issue it for {name.fqdn}", "expired": "renew it", "not_yet_valid": "check its dates"}
    commands = []
    if cluster:
        kind = "connectedClusters" if "/microsoft.kubernetes/" in cluster.lower() else "managedClusters"
        commands.append(cmd("az", "k8s-extension", "update", "--name", PLACEHOLDER_EXTENSION, "--cluster-type", kind,
                            "--cluster-name", name_of(cluster), "--resource-group", group_of(cluster),
                            "--config", f"sslCname={name.fqdn}", "--config-protected",
                            f"sslCertPemFile={PLACEHOLDER_CERT}", f"sslKeyPemFile={PLACEHOLDER_KEY}"))
    return fix(f"Install a valid certificate for {name.fqdn} in the cluster's Azure Machine Learning extension "
               f"(sslCertPemFile / sslKeyPemFile, full chain): {what.get(problem, 'one a trusted CA issued')} "
               f"({PLACEHOLDER_EXTENSION}, {PLACEHOLDER_CERT} and {PLACEHOLDER_KEY} are placeholders)",
               *commands, docs="tls")


def _renew(name: Name, c: dict[str, Any]) -> Fix:
    if name.kubernetes or name.role == "host":
        return fix("Renew the certificate with a 2048-bit RSA or P-256 key and SHA-256 (on a Kubernetes endpoint: in "
                   "the Azure Machine Learning extension's sslCertPemFile / sslKeyPemFile)", docs="tls")
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return fix("This certificate is Microsoft's, which Microsoft renews before it expires, with strong keys: one near "
               "expiry or with a weak key here comes from a TLS-inspecting proxy on the way, or this machine's clock "
               f"is ahead (now {now}). Issuer seen: {c.get('issuer', '?')}", docs="secure_endpoint")


def judge(inv: Inventory | None, name: Name, ip: str, hs: tls.Handshake, trusted_issuers: Collection[str]) -> Finding:
    evidence: dict[str, Any] = {"address": ip, "ms": hs.ms, "tls_version": hs.version, **hs.cert}
    c = hs.cert
    problem = problem_of(hs, trusted_issuers)
    if problem:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        evidence.update(error=hs.detail, problem=problem, local_time=now)
        if problem not in CERTIFICATE_PROBLEMS:
            remedy = fix("Find what breaks TLS on port 443: the server's TLS setup, or a firewall or proxy on the way",
                         docs="tls")
        elif name.kubernetes:
            remedy = _kubernetes(inv, name, problem)
        elif name.role != "host" and c:
            remedy = _microsoft(problem, c, now)
        else:
            remedy = fix("Install a valid certificate for this host with its full chain, or trust its issuer with "
                         "--ca-bundle", docs="tls")
        return Finding(Host(name.fqdn), Verdict.FAIL, f"certificate {_what(name, problem, c, hs.detail)}", evidence,
                       remedy)
    weak = (c["key_type"] == "RSA" and c["key_bits"] < tls.MIN_RSA_BITS) or (
        c["key_type"] == "EC" and c["key_bits"] < tls.MIN_EC_BITS) or c["signature_hash"] in ("sha1", "md5")
    if c["days_left"] < tls.EXPIRY_WARN_DAYS or weak:
        why = (f"expires in {c['days_left']} days" if c["days_left"] < tls.EXPIRY_WARN_DAYS
               else f"weak key or signature ({c['key']}, {c['signature_hash']})")
        return Finding(Host(name.fqdn), Verdict.WARN, f"certificate valid, but {why}", evidence,
                       _renew(name, c))
    return Finding(Host(name.fqdn), Verdict.PASS, f"trusted, for this host, {c['days_left']} days left ({c['key']})",
                   evidence)
