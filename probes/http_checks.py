"""Stage 3: the scoring front end and the registry answer over HTTPS from here."""

from __future__ import annotations

import asyncio

from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.net import tls
from netcheck.net.errors import TlsError, describe
from netcheck.probe import probe
from netcheck.probes._common import fix
from netcheck.probes._network import HTTP_TIMEOUT, bounded
from netcheck.probes.reachability import reachable, resolved_ip
from netcheck.subject import Host
from netcheck.targets import Name


def _swagger_path(name: Name) -> str:
    return f"/api/v1/endpoint/{name.endpoint}/swagger.json" if name.kubernetes else "/swagger.json"


@probe("http.frontend", stage=3, title="The scoring front end answers", after=["net.tcp", "tls.cert"])
async def frontend(ctx: Context) -> list[Finding]:
    """Sends `GET https://HOST/swagger.json` (Kubernetes: `/api/v1/endpoint/EP/swagger.json`) to each
    scoring host. Any HTTP answer, even 404 "Swagger not found", proves the front end (azureml-fe)
    answers. (By hand: `curl -vi https://HOST/swagger.json`.)

    pass: an HTTP answer over HTTPS. fail: HTTPS fails but plain HTTP answers (a certificate
    problem; or what else broke TLS: a reset, EOF, timeout, or no TLS on 443), or
    neither answers. skip: TCP failed (net.tcp).
    """
    todo, out = reachable(ctx, "net.tcp", roles=("scoring",))

    async def one(name: Name) -> Finding:
        ip, path = resolved_ip(ctx, name), _swagger_path(name)
        try:
            resp = await bounded(ctx, ctx.net.request(ctx.settings, name.fqdn, 443, "GET", path, timeout=HTTP_TIMEOUT,
                                                      tls=tls.client_context(ctx.settings), connect_host=ip))
            return Finding(Host(name.fqdn), Verdict.PASS, f"HTTPS {resp.status} {text_of(resp.body)}: the front end answers",
                           {"url": f"https://{name.fqdn}{path}", "status": resp.status, "body": text_of(resp.body)})
        except Exception as exc:
            https_error, at_tls = describe(exc), tls.explain(exc)
            cert_problem = isinstance(exc, TlsError) and exc.certificate
        try:
            plain = await bounded(ctx, ctx.net.request(ctx.settings, name.fqdn, 80, "GET", path, timeout=HTTP_TIMEOUT,
                                                       connect_host=ip))
        except Exception as exc:
            return Finding(Host(name.fqdn), Verdict.FAIL, "the front end does not answer over HTTPS or HTTP",
                           {"url": f"https://{name.fqdn}{path}", "https_error": https_error,
                            "http_error": describe(exc)},
                           fix("Check the endpoint's deployment state (ep.state) and the route to it (net.tcp)"))
        return Finding(Host(name.fqdn), Verdict.FAIL, f"HTTPS fails but plain HTTP answers: {at_tls}",
                       {"url": f"https://{name.fqdn}{path}", "https_error": https_error, "http_status": plain.status,
                        "http_body": text_of(plain.body)},
                       fix("Fix the certificate (see tls.cert)" if cert_problem else "Find what breaks TLS on port "
                           "443 (see tls.cert): the front end's TLS setup, or a firewall or proxy on the way",
                           docs="tls"))

    out += await asyncio.gather(*(one(n) for n in todo))
    return out


def text_of(body: bytes, limit: int = 120) -> str:
    return body[:limit].decode("utf-8", "replace").strip()


@probe("acr.path", stage=3, title="The registry answers through its private endpoint", after=["net.tcp"])
async def registry_path(ctx: Context) -> list[Finding]:
    """Sends `GET https://<registry>/v2/` (and to each data host) from here.

    pass: 401 with a WWW-Authenticate challenge: the registry answers through its private
    endpoint. fail: 403 "client with IP ... is not allowed": the request reached the registry's
    public side although DNS looked private (a peering or routing problem); or no HTTP answer.
    skip: TCP failed (net.tcp).
    """
    todo, out = reachable(ctx, "net.tcp", roles=("registry",))

    async def one(name: Name) -> Finding:
        ip = resolved_ip(ctx, name)
        try:
            resp = await bounded(ctx, ctx.net.request(ctx.settings, name.fqdn, 443, "GET", "/v2/",
                                                      timeout=HTTP_TIMEOUT, tls=tls.client_context(ctx.settings),
                                                      connect_host=ip))
        except Exception as exc:
            return Finding(Host(name.fqdn), Verdict.FAIL, f"no HTTP answer from /v2/ ({describe(exc)})",
                           {"address": ip, "error": describe(exc)}, fix("See net.tcp and tls.cert for this host"))
        evidence = {"address": ip, "status": resp.status, "www_authenticate": resp.headers.get("www-authenticate"),
                    "body": text_of(resp.body, 240)}
        if resp.status == 401 and "www-authenticate" in resp.headers:
            return Finding(Host(name.fqdn), Verdict.PASS,
                           "401 with a token challenge: answered through the private endpoint", evidence)
        if resp.status == 403:
            return Finding(Host(name.fqdn), Verdict.FAIL, "403 client not allowed: the request reached the registry's "
                           "public side although DNS looked private (a peering or route problem)", evidence,
                           fix("Route the private endpoint's subnet through the peering (no UDR or firewall sending "
                               "it to the internet)", docs="acr_firewall"))
        return Finding(Host(name.fqdn), Verdict.FAIL, f"unexpected answer {resp.status} from /v2/", evidence)

    out += await asyncio.gather(*(one(n) for n in todo))
    return out
