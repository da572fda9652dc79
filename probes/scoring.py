"""Stage 3, opt-in: one scoring request, its status explained (the online endpoints troubleshooting guide)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

from netcheck.azure.facts import Inventory
from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.net import tls
from netcheck.net.errors import describe
from netcheck.net.http import Response
from netcheck.probe import probe
from netcheck.probes._common import cmd, fix, ws_args
from netcheck.probes._network import HTTP_TIMEOUT, bounded
from netcheck.probes.http_checks import text_of
from netcheck.probes.reachability import reachable, resolved_ip
from netcheck.settings import ScoreRequest
from netcheck.subject import Host
from netcheck.targets import Name

# What a scoring answer's status means and what to do (the online endpoints troubleshooting guide).
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

# The answer's headers worth a support ticket: the model's error and the bandwidth throttling delays.
_REPORTED_HEADERS = ("ms-azureml-model-error-statuscode", "ms-azureml-model-error-reason",
                     "ms-azureml-bandwidth-request-delay-ms", "ms-azureml-bandwidth-response-delay-ms")


@probe("http.score", stage=3, title="A scoring request succeeds", after=["net.tcp", "ctx.target"])
async def score(ctx: Context) -> list[Finding]:
    """Opt-in (`--score`, with a key or token from --score-key-file or NETCHECK_SCORE_KEY, never
    shown; optional --score-body): sends one POST to each scoring URI with x-ms-client-request-id
    (--request-id, checked before sending) and the azureml-model-deployment header (--deployment).
    Maps the status to what it means (200, 401, 404, 408, 424 with its model error headers,
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
    todo, out = reachable(ctx, "net.tcp", roles=("scoring",))
    uris = {(urlparse(e.scoring_uri or "").hostname or ""): e for e in (inv.endpoints if inv else ())}

    async def one(name: Name) -> Finding:
        ep = uris.get(name.fqdn)
        path = urlparse(ep.scoring_uri).path if ep and ep.scoring_uri else (
            f"/api/v1/endpoint/{name.endpoint}/score" if name.kubernetes else "/score")
        headers = {"Authorization": f"Bearer {req.credential}", "Content-Type": "application/json",
                   **{k: v for k, v in (("x-ms-client-request-id", req.request_id),
                                        ("azureml-model-deployment", req.deployment)) if v}}
        try:
            resp = await bounded(ctx, ctx.net.request(
                ctx.settings, name.fqdn, 443, "POST", path, timeout=HTTP_TIMEOUT, headers=headers, body=req.body,
                tls=tls.client_context(ctx.settings), connect_host=resolved_ip(ctx, name)))
        except Exception as exc:
            return Finding(Host(name.fqdn), Verdict.FAIL, f"no answer to the scoring request ({describe(exc)})",
                           {"url": f"https://{name.fqdn}{path}"})
        verdict, meaning, todo_ = SCORE_STATUS.get(resp.status, (Verdict.FAIL, f"unexpected status {resp.status}", ""))
        evidence = _evidence(f"https://{name.fqdn}{path}", resp, req)
        if verdict is Verdict.PASS:
            return Finding(Host(name.fqdn), verdict, f"200: {meaning}", evidence)
        return Finding(Host(name.fqdn), verdict, f"{resp.status}: {meaning} (x-request-id "
                       f"{resp.headers.get('x-request-id', '-')})", evidence,
                       fix(todo_, *_commands(inv, name, req, resp.status)))

    out += await asyncio.gather(*(one(n) for n in todo))
    return out


def _evidence(url: str, resp: Response, req: ScoreRequest) -> dict[str, object]:
    h = resp.headers
    return {"url": url, "status": resp.status, "x-request-id": h.get("x-request-id"),
            "x-ms-client-request-id": req.request_id, "body": text_of(resp.body, 200),
            **{k: h[k] for k in _REPORTED_HEADERS if k in h}}


def _commands(inv: Inventory | None, name: Name, req: ScoreRequest, status: int) -> list[str]:
    """401: fetch the keys again; 424/502: read the deployment's logs."""
    if inv is None or inv.workspace is None or not name.endpoint or status not in (401, 424, 502):
        return []
    if status == 401:
        return [cmd("az", "ml", "online-endpoint", "get-credentials", *ws_args(inv), "-n", name.endpoint)]
    ep = next((e for e in inv.endpoints if e.name == name.endpoint), None)
    dep = req.deployment or (ep.deployments[0].name if ep and ep.deployments else "<deployment>")
    return [cmd("az", "ml", "online-deployment", "get-logs", *ws_args(inv), "-e", name.endpoint, "-n", dep)]
