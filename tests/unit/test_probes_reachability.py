"""net.tcp, tls.cert, http.frontend, acr.path and http.score, each verdict rule, from hand-made facts:
the system resolver's answers as dns.system left them, and a scripted network."""

from __future__ import annotations

from netfacts import PE_IP, SCORING, ScriptedNet, answer, context, given, handshake, result, run

from netcheck.context import Context
from netcheck.model import Verdict
from netcheck.net.errors import TlsError
from netcheck.net.http import Response
from netcheck.probes.http_checks import frontend, registry_path
from netcheck.probes.reachability import cert, tcp_443
from netcheck.probes.scoring import score
from netcheck.settings import ScoreRequest
from netcheck.subject import Host, Ref, Resolver
from netcheck.targets import Name

ACR = "crcontoso.azurecr.io"
ACR_IP = "10.20.1.6"
SCORING_NAME = Name(SCORING, "scoring", (PE_IP,), "ep-fraud")
ACR_NAME = Name(ACR, "registry", (ACR_IP,))


def resolved(net: ScriptedNet, *names: Name, **settings: object) -> Context:
    """A context where dns.system resolved every name to its private endpoint and passed."""
    ctx = context(net, names, **settings)   # type: ignore[arg-type]
    ctx.answers[Resolver("system", "10.20.0.10:53")] = {n.fqdn: answer(n.fqdn, *n.expected) for n in names}
    given(ctx, *(result("dns.system", Host(n.fqdn), Verdict.PASS, stage=2) for n in names))
    return ctx


def passed(ctx: Context, probe_id: str, *names: Name) -> Context:
    given(ctx, *(result(probe_id, Host(n.fqdn), Verdict.PASS, stage=3) for n in names))
    return ctx


# ---- net.tcp ---------------------------------------------------------------------------------------

def test_tcp_passes_when_every_address_accepts_and_hands_the_connections_over() -> None:
    ctx = resolved(ScriptedNet(tcp={PE_IP: "ok"}), SCORING_NAME)
    (f,) = run(tcp_443, ctx)
    assert f.subject == Host(SCORING) and f.verdict is Verdict.PASS
    assert [c.ok for c in ctx.connections[SCORING]] == [True]


def test_tcp_timeout_and_refusal_fail_with_what_each_means() -> None:
    ctx = resolved(ScriptedNet(tcp={PE_IP: "timeout", ACR_IP: "refused"}), SCORING_NAME, ACR_NAME)
    dropped, refused = run(tcp_443, ctx)
    assert dropped.verdict is Verdict.FAIL and "NSG, firewall or route" in dropped.summary
    assert dropped.fix is not None and "--remote 10.20.1.5:443" in dropped.fix.commands[0]
    assert refused.verdict is Verdict.FAIL and "nothing listens" in refused.summary


def test_tcp_skips_a_name_that_did_not_resolve_naming_its_dns_result() -> None:
    ctx = resolved(ScriptedNet(tcp={PE_IP: "ok"}), SCORING_NAME)
    ctx.results["dns.system"] = [result("dns.system", Host(SCORING), Verdict.FAIL, stage=2)]
    (f,) = run(tcp_443, ctx)
    assert f.verdict is Verdict.SKIP and f.cause == Ref("dns.system", Host(SCORING))


# ---- tls.cert --------------------------------------------------------------------------------------

def test_a_valid_certificate_passes_and_is_handed_over() -> None:
    hs = handshake(SCORING)
    ctx = passed(resolved(ScriptedNet(tls={SCORING: hs}), SCORING_NAME), "net.tcp", SCORING_NAME)
    (f,) = run(cert, ctx)
    assert f.verdict is Verdict.PASS and f.evidence["sans"] == [SCORING]
    assert ctx.certificates[SCORING] is hs


def test_an_expiring_certificate_or_a_weak_key_warns() -> None:
    soon = handshake(SCORING, expires_in_days=10)
    weak = handshake(ACR, weak_key=True)
    ctx = passed(resolved(ScriptedNet(tls={SCORING: soon, ACR: weak}), SCORING_NAME, ACR_NAME), "net.tcp",
                 SCORING_NAME, ACR_NAME)
    expiring, weak_key = run(cert, ctx)
    assert expiring.verdict is Verdict.WARN and "expires in" in expiring.summary
    assert weak_key.verdict is Verdict.WARN and "RSA 1024" in weak_key.summary


def test_expired_and_wrong_host_certificates_fail_with_their_fields() -> None:
    old = handshake(SCORING, not_before_days=-30, expires_in_days=-3, problem="expired")
    other = handshake(ACR, sans=["other.example"], problem="wrong_host")
    ctx = passed(resolved(ScriptedNet(tls={SCORING: old, ACR: other}), SCORING_NAME, ACR_NAME), "net.tcp",
                 SCORING_NAME, ACR_NAME)
    expired, wrong = run(cert, ctx)
    assert expired.verdict is Verdict.FAIL and expired.summary.startswith("certificate expired on ")
    assert wrong.verdict is Verdict.FAIL and f"issued for other.example, not {ACR}" in wrong.summary
    assert wrong.evidence["sha256"] and wrong.evidence["issuer"]


def test_tls_skips_a_host_tcp_could_not_reach() -> None:
    ctx = resolved(ScriptedNet(), SCORING_NAME)
    given(ctx, result("net.tcp", Host(SCORING), Verdict.FAIL, stage=3))
    (f,) = run(cert, ctx)
    assert f.verdict is Verdict.SKIP and f.cause == Ref("net.tcp", Host(SCORING))


# ---- http.frontend ---------------------------------------------------------------------------------

def test_any_https_answer_proves_the_front_end() -> None:
    net = ScriptedNet(http={(SCORING, 443): Response(404, "Not Found", {}, b"Swagger not found")})
    (f,) = run(frontend, passed(resolved(net, SCORING_NAME, ACR_NAME), "net.tcp", SCORING_NAME, ACR_NAME))
    assert f.verdict is Verdict.PASS and f.evidence["status"] == 404   # the registry host is not asked
    assert net.sent == [(SCORING, 443, "GET", "/swagger.json", {})]


def test_https_failing_while_plain_http_answers_is_a_certificate_problem() -> None:
    refused = TlsError("expired", "certificate verify failed: certificate has expired")
    net = ScriptedNet(http={(SCORING, 443): refused, (SCORING, 80): Response(200, "OK")})
    (f,) = run(frontend, passed(resolved(net, SCORING_NAME), "net.tcp", SCORING_NAME))
    assert f.verdict is Verdict.FAIL and "a certificate problem" in f.summary and f.evidence["http_status"] == 200
    assert f.fix is not None and f.fix.summary == "Fix the certificate (see tls.cert)"


def test_https_broken_below_the_certificate_says_what_broke() -> None:
    reset = TlsError("reset", "the connection was reset during the TLS handshake")
    net = ScriptedNet(http={(SCORING, 443): reset, (SCORING, 80): Response(200, "OK")})
    (f,) = run(frontend, passed(resolved(net, SCORING_NAME), "net.tcp", SCORING_NAME))
    assert f.verdict is Verdict.FAIL and "reset during the TLS handshake" in f.summary
    assert f.fix is not None and "firewall or proxy" in f.fix.summary


def test_no_answer_over_https_or_http_fails() -> None:
    (f,) = run(frontend, passed(resolved(ScriptedNet(), SCORING_NAME), "net.tcp", SCORING_NAME))
    assert f.verdict is Verdict.FAIL and "does not answer over HTTPS or HTTP" in f.summary


def test_a_kubernetes_front_end_is_asked_on_its_endpoint_path() -> None:
    k8s = Name("ep-k8s.contoso.example", "scoring", (PE_IP,), "ep-k8s", kubernetes=True)
    net = ScriptedNet(http={(k8s.fqdn, 443): Response(200, "OK")})
    run(frontend, passed(resolved(net, k8s), "net.tcp", k8s))
    assert net.sent[0][3] == "/api/v1/endpoint/ep-k8s/swagger.json"


# ---- acr.path --------------------------------------------------------------------------------------

def test_a_token_challenge_means_the_registry_answered_privately() -> None:
    challenge = Response(401, "Unauthorized", {"www-authenticate": 'Bearer realm="https://crcontoso.azurecr.io"'})
    (f,) = run(registry_path, passed(resolved(ScriptedNet(http={(ACR, 443): challenge}), ACR_NAME), "net.tcp",
                                     ACR_NAME))
    assert f.verdict is Verdict.PASS and f.evidence["status"] == 401


def test_a_403_client_not_allowed_means_the_public_side_was_reached() -> None:
    denied = Response(403, "Forbidden", {}, b"client with IP '20.1.2.3' is not allowed access")
    (f,) = run(registry_path, passed(resolved(ScriptedNet(http={(ACR, 443): denied}), ACR_NAME), "net.tcp", ACR_NAME))
    assert f.verdict is Verdict.FAIL and "public side" in f.summary and f.fix is not None


def test_no_answer_or_an_unexpected_status_from_the_registry_fails() -> None:
    net = ScriptedNet(http={(ACR, 443): Response(500, "Internal Server Error")})
    (odd,) = run(registry_path, passed(resolved(net, ACR_NAME), "net.tcp", ACR_NAME))
    (none,) = run(registry_path, passed(resolved(ScriptedNet(), ACR_NAME), "net.tcp", ACR_NAME))
    assert odd.verdict is Verdict.FAIL and "unexpected answer 500" in odd.summary
    assert none.verdict is Verdict.FAIL and "no HTTP answer" in none.summary


# ---- http.score ------------------------------------------------------------------------------------

def test_scoring_is_opt_in() -> None:
    (f,) = run(score, resolved(ScriptedNet(), SCORING_NAME))
    assert f.verdict is Verdict.SKIP and "opt-in" in f.summary


def test_a_200_passes_and_the_key_goes_only_into_the_request() -> None:
    net = ScriptedNet(http={(SCORING, 443): Response(200, "OK", {"x-request-id": "req-1"}, b"[1]")})
    ctx = passed(resolved(net, SCORING_NAME, score=ScoreRequest("s3cret", request_id="run-7")), "net.tcp",
                 SCORING_NAME)
    (f,) = run(score, ctx)
    assert f.verdict is Verdict.PASS and f.evidence["x-request-id"] == "req-1"
    assert net.sent[0][4]["Authorization"] == "Bearer s3cret" and "s3cret" not in repr(f)


def test_a_424_fails_with_the_models_error_headers() -> None:
    headers = {"x-request-id": "req-2", "ms-azureml-model-error-statuscode": "500",
               "ms-azureml-model-error-reason": "model crashed"}
    net = ScriptedNet(http={(SCORING, 443): Response(424, "Failed Dependency", headers)})
    ctx = passed(resolved(net, SCORING_NAME, score=ScoreRequest("k")), "net.tcp", SCORING_NAME)
    (f,) = run(score, ctx)
    assert f.verdict is Verdict.FAIL and f.summary.startswith("424: model error")
    assert f.evidence["ms-azureml-model-error-reason"] == "model crashed"
