"""Stage 3: reachability from where netcheck runs: TCP, TLS, the front end, the registry, scoring."""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

from netcheck.azure.facts import Inventory
from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.net import http, tcp, tls
from netcheck.net.dns import Lookup
from netcheck.net.errors import TlsError, describe
from netcheck.probe import probe
from netcheck.targets import Name
from probes._common import cmd, fix, ws_args
from probes._network import HTTP_TIMEOUT, TCP_TIMEOUT, TLS_TIMEOUT, bounded, names, no_names


def _resolved(ctx: Context) -> dict[str, Lookup]:
    found: dict[str, Lookup] = ctx.shared.get("dns.system", {})
    return found


def _reachable(ctx: Context, probe_id: str, roles: tuple[str, ...] | None = None) -> tuple[list[Name], list[Finding]]:
    """Names a stage-3 probe may test, and `skip` findings for those an earlier probe blocked."""
    ns = names(ctx)
    if ns is None:
        return [], no_names(ctx)
    todo, skipped = [], []
    for name in ns.names:
        if roles and name.role not in roles:
            continue
        lk = _resolved(ctx).get(name.fqdn)
        cause = ctx.blocked(probe_id, name.fqdn) or (None if lk and lk.ips else f"dns.system@{name.fqdn}")
        if cause:
            skipped.append(Finding(name.fqdn, Verdict.SKIP, f"not checked: {cause} did not pass", cause=cause))
        else:
            todo.append(name)
    return todo, skipped


def _clusterip(ctx: Context, fqdn: str) -> str | None:
    """kube.router's failed result for a Kubernetes scoring host (its inference router is a ClusterIP)."""
    return next((r.ref for r in ctx.results_of("kube.router") if r.subject == fqdn and r.verdict is Verdict.FAIL),
                None)


@probe("net.tcp", stage=3, title="Port 443 answers on every resolved address", after=["dns.system", "kube.router"])
async def tcp_443(ctx: Context) -> list[Finding]:
    """Connects to port 443 on each address the system resolver gave for each name, and times it.

    pass: every address accepts the connection. fail: a timeout (an NSG, firewall or route drops
    the traffic) or a refusal (nothing listens there); a Kubernetes scoring host that kube.router
    found on a ClusterIP names it as the cause. skip: the name did not resolve (dns.system).
    """
    todo, out = _reachable(ctx, "dns.system")
    resolved = _resolved(ctx)

    async def one(name: Name) -> Finding:
        ips = resolved[name.fqdn].ips
        conns = await asyncio.gather(*(bounded(ctx, tcp.connect(ctx.settings, ip, 443, TCP_TIMEOUT)) for ip in ips))
        evidence = {"connections": [c.to_json() for c in conns], "timeout_s": TCP_TIMEOUT}
        bad = [c for c in conns if not c.ok]
        if not bad:
            return Finding(name.fqdn, Verdict.PASS, f"connected to {', '.join(ips)}:443 in "
                           f"{max(c.ms for c in conns)} ms", evidence)
        first = bad[0]
        why = ("timed out: an NSG, firewall or route drops it" if first.error == "timeout" else
               "refused: nothing listens there" if first.error == "refused" else f"failed ({first.detail})")
        if router := _clusterip(ctx, name.fqdn):   # the cause is known: no network fix applies
            return Finding(name.fqdn, Verdict.FAIL, f"TCP {first.address}:443 {first.error or 'failed'}: the "
                           "address is a ClusterIP inside the Kubernetes cluster", evidence, cause=router)
        return Finding(name.fqdn, Verdict.FAIL, f"TCP {first.address}:443 {why}", evidence,
                       fix("Allow TCP 443 from this subnet to the private endpoint's subnet (NSG rules, firewall, "
                           "UDRs)", cmd("az", "network", "watcher", "test-ip-flow", "--direction", "Outbound",
                                        "--protocol", "TCP", "--local", f"{ctx.where.private_ip or '<this-ip>'}:*",
                                        "--remote", f"{first.address}:443", "--vm", ctx.where.vm_id or "<vm-id>"),
                           docs="private_link"))

    out += await asyncio.gather(*(one(n) for n in todo))
    return out


@probe("tls.cert", stage=3, title="The certificate is valid for the host", after=["net.tcp"])
async def cert(ctx: Context) -> list[Finding]:
    """Does a TLS handshake with SNI on each reachable name; verifies the chain against the system
    store (or --ca-bundle), the host name and the validity window; reads days to expiry, key and
    signature strength. (Seed: Kubernetes endpoints with a bad cluster certificate give
    KubernetesUnaccessible / InvalidCertificate.)

    pass: trusted, for this host, valid for 30 days or more, a strong key. warn: expires in under
    30 days, or a weak key or signature (RSA < 2048, EC < 256, SHA-1). fail: untrusted issuer,
    wrong host, expired, not yet valid, or no TLS at all; the evidence has the subject, SANs,
    issuer, dates and SHA-256 fingerprint. skip: TCP failed (net.tcp).
    """
    todo, out = _reachable(ctx, "net.tcp")
    resolved = _resolved(ctx)

    async def one(name: Name) -> Finding:
        ip = resolved[name.fqdn].ips[0]
        hs = await bounded(ctx, tls.handshake(ctx.settings, name.fqdn, ip, TLS_TIMEOUT))
        ctx.shared.setdefault("tls.cert", {})[name.fqdn] = hs
        evidence = {"address": ip, "ms": hs.ms, "tls_version": hs.version, **hs.cert}
        c = hs.cert
        if hs.problem:
            evidence["error"] = hs.detail
            what = {"expired": f"expired on {c.get('not_after', '?')}",
                    "not_yet_valid": f"not valid before {c.get('not_before', '?')}",
                    "wrong_host": f"issued for {', '.join(c.get('sans') or [c.get('subject', '?')])}, not {name.fqdn}",
                    "untrusted": f"issued by an untrusted CA ({c.get('issuer', '?')})"}.get(
                        hs.problem, f"handshake failed ({hs.problem}: {hs.detail})")
            return Finding(name.fqdn, Verdict.FAIL, f"certificate {what}", evidence,
                           fix("Install a valid certificate for this host (for Kubernetes endpoints, the cluster's "
                               "inference router certificate), or trust its issuer with --ca-bundle", docs="tls"))
        weak = (c["key_type"] == "RSA" and c["key_bits"] < tls.MIN_RSA_BITS) or (
            c["key_type"] == "EC" and c["key_bits"] < tls.MIN_EC_BITS) or c["signature_hash"] in ("sha1", "md5")
        if c["days_left"] < tls.EXPIRY_WARN_DAYS or weak:
            why = (f"expires in {c['days_left']} days" if c["days_left"] < tls.EXPIRY_WARN_DAYS
                   else f"weak key or signature ({c['key']}, {c['signature_hash']})")
            return Finding(name.fqdn, Verdict.WARN, f"certificate valid, but {why}", evidence,
                           fix("Renew the certificate with a 2048-bit RSA or P-256 key and SHA-256", docs="tls"))
        return Finding(name.fqdn, Verdict.PASS, f"trusted, for this host, {c['days_left']} days left ({c['key']})",
                       evidence)

    out += await asyncio.gather(*(one(n) for n in todo))
    return out


def _swagger_path(name: Name) -> str:
    return f"/api/v1/endpoint/{name.endpoint}/swagger.json" if name.kubernetes else "/swagger.json"


@probe("http.frontend", stage=3, title="The scoring front end answers", after=["net.tcp", "tls.cert"])
async def frontend(ctx: Context) -> list[Finding]:
    """Sends `GET https://HOST/swagger.json` (Kubernetes: `/api/v1/endpoint/EP/swagger.json`) to each
    scoring host. Any HTTP answer, even 404 "Swagger not found", proves the front end (azureml-fe)
    answers. (Seed: `curl -vi -k https://localhost:<port>/api/v1/endpoint/<endpoint-name>/swagger.json`.)

    pass: an HTTP answer over HTTPS. fail: HTTPS fails but plain HTTP answers (a certificate
    problem, as the seed says; or what else broke TLS: a reset, EOF, timeout, or no TLS on 443), or
    neither answers. skip: TCP failed (net.tcp).
    """
    todo, out = _reachable(ctx, "net.tcp", roles=("scoring",))
    resolved = _resolved(ctx)

    async def one(name: Name) -> Finding:
        ip, path = resolved[name.fqdn].ips[0], _swagger_path(name)
        try:
            resp = await bounded(ctx, http.request(ctx.settings, name.fqdn, 443, "GET", path, timeout=HTTP_TIMEOUT,
                                                   tls=tls.client_context(ctx.settings), connect_host=ip))
            return Finding(name.fqdn, Verdict.PASS, f"HTTPS {resp.status} {_text(resp.body)}: the front end answers",
                           {"url": f"https://{name.fqdn}{path}", "status": resp.status, "body": _text(resp.body)})
        except Exception as exc:
            https_error, at_tls = describe(exc), tls.explain(exc)
            cert_problem = isinstance(exc, TlsError) and exc.certificate
        try:
            plain = await bounded(ctx, http.request(ctx.settings, name.fqdn, 80, "GET", path, timeout=HTTP_TIMEOUT,
                                                    connect_host=ip))
        except Exception as exc:
            return Finding(name.fqdn, Verdict.FAIL, "the front end does not answer over HTTPS or HTTP",
                           {"url": f"https://{name.fqdn}{path}", "https_error": https_error,
                            "http_error": describe(exc)},
                           fix("Check the endpoint's deployment state (ep.state) and the route to it (net.tcp)"))
        return Finding(name.fqdn, Verdict.FAIL, f"HTTPS fails but plain HTTP answers: {at_tls}",
                       {"url": f"https://{name.fqdn}{path}", "https_error": https_error, "http_status": plain.status,
                        "http_body": _text(plain.body)},
                       fix("Fix the certificate (see tls.cert)" if cert_problem else "Find what breaks TLS on port "
                           "443 (see tls.cert): the front end's TLS setup, or a firewall or proxy on the way",
                           docs="tls"))

    out += await asyncio.gather(*(one(n) for n in todo))
    return out


def _text(body: bytes, limit: int = 120) -> str:
    return body[:limit].decode("utf-8", "replace").strip()


@probe("acr.path", stage=3, title="The registry answers through its private endpoint", after=["net.tcp"])
async def registry_path(ctx: Context) -> list[Finding]:
    """Sends `GET https://<registry>/v2/` (and to each data host) from here.

    pass: 401 with a WWW-Authenticate challenge: the registry answers through its private
    endpoint. fail: 403 "client with IP ... is not allowed": the request reached the registry's
    public side although DNS looked private (a peering or routing problem); or no HTTP answer.
    skip: TCP failed (net.tcp).
    """
    todo, out = _reachable(ctx, "net.tcp", roles=("registry",))
    resolved = _resolved(ctx)

    async def one(name: Name) -> Finding:
        ip = resolved[name.fqdn].ips[0]
        try:
            resp = await bounded(ctx, http.request(ctx.settings, name.fqdn, 443, "GET", "/v2/", timeout=HTTP_TIMEOUT,
                                                   tls=tls.client_context(ctx.settings), connect_host=ip))
        except Exception as exc:
            return Finding(name.fqdn, Verdict.FAIL, f"no HTTP answer from /v2/ ({describe(exc)})",
                           {"address": ip, "error": describe(exc)}, fix("See net.tcp and tls.cert for this host"))
        evidence = {"address": ip, "status": resp.status, "www_authenticate": resp.headers.get("www-authenticate"),
                    "body": _text(resp.body, 240)}
        if resp.status == 401 and "www-authenticate" in resp.headers:
            return Finding(name.fqdn, Verdict.PASS, "401 with a token challenge: answered through the private endpoint",
                           evidence)
        if resp.status == 403:
            return Finding(name.fqdn, Verdict.FAIL, "403 client not allowed: the request reached the registry's public "
                           "side although DNS looked private (a peering or route problem)", evidence,
                           fix("Route the private endpoint's subnet through the peering (no UDR or firewall sending "
                               "it to the internet)", docs="acr_firewall"))
        return Finding(name.fqdn, Verdict.FAIL, f"unexpected answer {resp.status} from /v2/", evidence)

    out += await asyncio.gather(*(one(n) for n in todo))
    return out


# The seed's status tables: what a scoring answer means and what to do.
SCORE_STATUS = {
    200: (Verdict.PASS, "the model ran within the latency limits", ""),
    401: (Verdict.FAIL, "not authorized: the key or token is wrong, expired or malformed",
          "Get a fresh key or token: az ml online-endpoint get-credentials"),
    404: (Verdict.FAIL, "the endpoint has no valid deployment with positive weight",
          "Route traffic to a deployment (see ep.traffic), or send the azureml-model-deployment header"),
    408: (Verdict.FAIL, "the model took longer than request_settings.request_timeout_ms",
          "Raise request_timeout_ms or make the model faster"),
    409: (Verdict.FAIL, "an operation is already running on this Kubernetes endpoint", "Wait for it to finish"),
    424: (Verdict.FAIL, "model error: the model container answered something other than 200",
          "Read ms-azureml-model-error-statuscode/-reason and the deployment logs; if liveness or readiness "
          "probes fail, give them more time (probe settings)"),
    429: (Verdict.FAIL, "too many requests: more than 2 * max_concurrent_requests_per_instance * instance_count "
                        "pending, or the endpoint's rate limit", "Scale out or raise max_concurrent_requests_per_instance"),
    500: (Verdict.FAIL, "the infrastructure Azure Machine Learning provisioned is not working", "Open a support "
          "ticket with the x-request-id"),
    502: (Verdict.FAIL, "an exception or crash in score.py's run() (Kubernetes)", "Debug score.py locally and read "
          "the deployment logs"),
    503: (Verdict.FAIL, "a spike in requests per second outran autoscaling (Kubernetes)",
          "Raise the minimum replicas (and autoscale_max_replicas)"),
    504: (Verdict.FAIL, "the request timed out (Kubernetes; 5 s by default)",
          "Raise the timeout, or make score.py faster"),
}


@probe("http.score", stage=3, title="A scoring request succeeds", after=["net.tcp", "ctx.target"])
async def score(ctx: Context) -> list[Finding]:
    """Opt-in (`--score`, with a key or token from --score-key-file or NETCHECK_SCORE_KEY, never
    shown; optional --score-body): sends one POST to each scoring URI with x-ms-client-request-id
    (--request-id, checked before sending) and the azureml-model-deployment header (--deployment).
    Maps the status to the seed's tables (200, 401, 404, 408, 424 with its model error headers,
    429, 500; Kubernetes 409, 502, 503, 504) with the explanation and fix, and always reports the
    answer's x-request-id for a support ticket, and the bandwidth trailers
    ms-azureml-bandwidth-request-delay-ms / -response-delay-ms when present.

    pass: 200. fail: any other status, or no answer. skip: not asked for (no --score), or TCP to
    the host failed (net.tcp).
    """
    req = ctx.settings.score
    if req is None:
        return [Finding("", Verdict.SKIP, "opt-in: pass --score with a key or token to send one scoring request")]
    inv = ctx.inventory
    todo, out = _reachable(ctx, "net.tcp", roles=("scoring",))
    uris = {(urlparse(e.scoring_uri or "").hostname or ""): e for e in (inv.endpoints if inv else ())}
    resolved = _resolved(ctx)

    async def one(name: Name) -> Finding:
        ep = uris.get(name.fqdn)
        path = urlparse(ep.scoring_uri).path if ep and ep.scoring_uri else (
            f"/api/v1/endpoint/{name.endpoint}/score" if name.kubernetes else "/score")
        headers = {"Authorization": f"Bearer {req.credential}", "Content-Type": "application/json"}
        if req.request_id:
            headers["x-ms-client-request-id"] = req.request_id
        if req.deployment:
            headers["azureml-model-deployment"] = req.deployment
        try:
            resp = await bounded(ctx, http.request(ctx.settings, name.fqdn, 443, "POST", path, timeout=HTTP_TIMEOUT,
                                                   headers=headers, body=req.body, tls=tls.client_context(ctx.settings),
                                                   connect_host=resolved[name.fqdn].ips[0]))
        except Exception as exc:
            return Finding(name.fqdn, Verdict.FAIL, f"no answer to the scoring request ({describe(exc)})",
                           {"url": f"https://{name.fqdn}{path}"})
        verdict, meaning, todo_ = SCORE_STATUS.get(resp.status, (Verdict.FAIL, f"unexpected status {resp.status}", ""))
        h = resp.headers
        evidence = {"url": f"https://{name.fqdn}{path}", "status": resp.status, "x-request-id": h.get("x-request-id"),
                    "x-ms-client-request-id": req.request_id, "body": _text(resp.body, 200)}
        for key in ("ms-azureml-model-error-statuscode", "ms-azureml-model-error-reason",
                    "ms-azureml-bandwidth-request-delay-ms", "ms-azureml-bandwidth-response-delay-ms"):
            if key in h:
                evidence[key] = h[key]
        if verdict is Verdict.PASS:
            return Finding(name.fqdn, verdict, f"200: {meaning}", evidence)
        commands = []
        if inv is not None and inv.workspace is not None and name.endpoint and resp.status in (401, 424, 502):
            sub = "get-credentials" if resp.status == 401 else "get-logs"
            noun = "online-endpoint" if resp.status == 401 else "online-deployment"
            argv = ["az", "ml", noun, sub, *ws_args(inv)]
            argv += ["-n", name.endpoint] if resp.status == 401 else ["-e", name.endpoint, "-n",
                                                                        req.deployment or _first_dep(inv, name)]
            commands.append(cmd(*argv))
        return Finding(name.fqdn, verdict, f"{resp.status}: {meaning} (x-request-id {h.get('x-request-id', '-')})",
                       evidence, fix(todo_, *commands))

    out += await asyncio.gather(*(one(n) for n in todo))
    return out


def _first_dep(inv: Inventory, name: Name) -> str:
    ep = next((e for e in inv.endpoints if e.name == name.endpoint), None)
    return ep.deployments[0].name if ep and ep.deployments else "<deployment>"


