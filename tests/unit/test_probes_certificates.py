"""tls.cert's certificate problems and whose fix they are, and http.frontend as their consequence, from
hand-made handshakes: Microsoft's certificate on Azure's own hosts, the customer's on a Kubernetes endpoint."""

from __future__ import annotations

import dataclasses

from facts import RG, inventory
from netfacts import SCORING, ScriptedNet, answer, context, given, handshake, result, run

from netcheck.azure.facts import Cluster, Inventory
from netcheck.context import Context
from netcheck.model import Finding, Result, Verdict
from netcheck.net.errors import TlsError
from netcheck.net.http import Response
from netcheck.net.tls import Handshake
from netcheck.probes.http_checks import frontend
from netcheck.probes.reachability import cert
from netcheck.subject import Host, Ref, Resolver
from netcheck.targets import Name

ACR = "crcontoso.azurecr.io"
K8S = "ep-k8s.inference.contoso.internal"
SCORING_NAME = Name(SCORING, "scoring", ("10.20.1.5",), "ep-fraud")
ACR_NAME = Name(ACR, "registry", ("10.20.1.5",))
K8S_NAME = Name(K8S, "scoring", (), "ep-k8s", kubernetes=True)
AKS = f"/subscriptions/s/resourceGroups/{RG}/providers/Microsoft.ContainerService/managedClusters/aks-ml"
COMPUTE = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/computes/k8s"


def refused(hs: Handshake, problem: str, **cert: object) -> Handshake:
    return dataclasses.replace(hs, verified=False, problem=problem, detail=f"certificate verify failed: {problem}",
                               cert={**hs.cert, **cert})


def tls_context(shakes: dict[str, Handshake], *names: Name, inv: Inventory | None = None) -> Context:
    """dns.system and net.tcp passed for every name; the handshakes are scripted."""
    ctx = context(ScriptedNet(tls=shakes, http={}), list(names))
    ctx.inventory = inv
    ctx.answers[Resolver("system", "10.20.0.10:53")] = {n.fqdn: answer(n.fqdn, "10.20.1.5") for n in names}
    given(ctx, *(result(p, Host(n.fqdn), Verdict.PASS, stage=s) for n in names for p, s in (("dns.system", 2),
                                                                                               ("net.tcp", 3))))
    return ctx


def judged(ctx: Context) -> dict[str, Finding]:
    found = run(cert, ctx)
    ctx.results["tls.cert"] = [Result("tls.cert", f.about, 3, "", f.verdict, f.summary, f.cause, 0, f.evidence, f.fix)
                               for f in found]
    return {f.about.text: f for f in found}


def test_a_leaf_whose_issuer_others_chain_through_is_a_missing_intermediate() -> None:
    good = handshake(ACR)
    leaf_only = refused(handshake(SCORING), "untrusted")   # the same issuer name as the registry's verified one
    f = judged(tls_context({SCORING: leaf_only, ACR: good}, SCORING_NAME, ACR_NAME))[SCORING]
    assert f.verdict is Verdict.FAIL and "without its intermediate" in f.summary
    assert f.evidence["problem"] == "missing_intermediate"
    assert f.fix is not None and "intermediate" in f.fix.summary and "install a certificate" not in f.fix.summary


def test_an_issuer_nobody_here_chains_through_is_untrusted_and_on_azure_points_at_a_proxy() -> None:
    proxy = refused(handshake(SCORING), "untrusted", issuer="CN=Contoso TLS Inspection CA")
    f = judged(tls_context({SCORING: proxy, ACR: handshake(ACR)}, SCORING_NAME, ACR_NAME))[SCORING]
    assert f.evidence["problem"] == "untrusted" and "Contoso TLS Inspection CA" in f.summary
    assert f.fix is not None and "Microsoft's" in f.fix.summary and "TLS-inspecting proxy" in f.fix.summary
    assert "CN=Contoso TLS Inspection CA" in f.fix.summary and f.evidence["local_time"] in f.fix.summary


def test_an_expired_microsoft_certificate_points_at_the_clock_first() -> None:
    old = refused(handshake(SCORING, not_before_days=-30, expires_in_days=-3), "expired")
    f = judged(tls_context({SCORING: old}, SCORING_NAME))[SCORING]
    assert f.verdict is Verdict.FAIL and "expired on" in f.summary
    assert f.fix is not None and "clock is wrong" in f.fix.summary and not f.fix.commands


def test_a_kubernetes_certificate_is_the_customers_set_in_the_extension() -> None:
    inv = inventory(clusters=(Cluster(COMPUTE, AKS, ()),),
                    endpoints=(dataclasses.replace(inventory().endpoints[0], name="ep-k8s", compute_id=COMPUTE),))
    bad = refused(handshake(K8S), "wrong_host", sans=["other.contoso.internal"])
    f = judged(tls_context({K8S: bad}, K8S_NAME, inv=inv))[K8S]
    assert f.fix is not None and "Microsoft's" not in f.fix.summary and "sslCertPemFile" in f.fix.summary
    assert f.fix.commands == (
        "az k8s-extension update --name '<azureml-extension-name>' --cluster-type managedClusters --cluster-name aks-ml "
        f"--resource-group {RG} --config sslCname={K8S} --config-protected 'sslCertPemFile=<full-chain.pem>' "
        "'sslKeyPemFile=<key.pem>'",)
    assert "placeholders" in f.fix.summary


def test_a_broken_handshake_is_not_a_certificate_to_install() -> None:
    reset = Handshake(SCORING, "10.20.1.5", 3, False, "reset", "the server reset the connection")
    f = judged(tls_context({SCORING: reset}, SCORING_NAME))[SCORING]
    assert f.verdict is Verdict.FAIL and f.fix is not None and "firewall or proxy" in f.fix.summary


def test_the_front_end_failing_on_a_refused_certificate_is_its_consequence_with_its_fix() -> None:
    proxy = refused(handshake(SCORING), "untrusted", issuer="CN=Contoso TLS Inspection CA")
    ctx = tls_context({SCORING: proxy}, SCORING_NAME)
    root = judged(ctx)[SCORING]
    ctx.net = ScriptedNet(http={(SCORING, 443): TlsError("untrusted", "unable to get local issuer certificate"),
                                (SCORING, 80): Response(404, "Not Found", {}, b"Swagger not found")}).network()
    (f,) = run(frontend, ctx)
    assert f.verdict is Verdict.FAIL and "plain HTTP answers" in f.summary
    assert f.cause == Ref("tls.cert", Host(SCORING)) and f.fix == root.fix


def test_a_microsoft_certificate_near_expiry_is_not_the_users_to_renew() -> None:
    soon = handshake(SCORING, expires_in_days=10)
    f = judged(tls_context({SCORING: soon}, SCORING_NAME))[SCORING]
    assert f.verdict is Verdict.WARN and f.fix is not None
    assert "Microsoft renews" in f.fix.summary and "TLS-inspecting proxy" in f.fix.summary
    k8s = judged(tls_context({K8S: handshake(K8S, expires_in_days=10)}, K8S_NAME))[K8S]
    assert k8s.fix is not None and "sslCertPemFile" in k8s.fix.summary
