"""dns.custom and dns.stability, each verdict rule, from hand-made names and scripted resolver answers."""

from __future__ import annotations

from netfacts import AZURE, PE_IP, SCORING, SYSTEM, ScriptedNet, answer, context, no_answer, run

from netcheck.context import Context
from netcheck.model import Verdict
from netcheck.probes.resolution_custom import custom
from netcheck.probes.resolution_stability import stability
from netcheck.settings import Address
from netcheck.subject import Resolver
from netcheck.targets import Name

CUSTOM: Address = ("10.20.0.4", 53)
PL = "ep-fraud.0a1b.inference.eastus.privatelink.api.azureml.ms"
SCORING_NAME = Name(SCORING, "scoring", (PE_IP,), "ep-fraud")
VAULT = Name("kv-x.vault.azure.net", "vault", ("10.20.1.7",))
PRIVATE = {SCORING: answer(SCORING, PE_IP, chain=[PL]), VAULT.fqdn: answer(VAULT.fqdn, "10.20.1.7")}


def _custom_ctx(net: ScriptedNet) -> Context:
    ctx = context(net, [SCORING_NAME, VAULT], dns_servers=(CUSTOM,))
    ctx.answers[Resolver("azure", "168.63.129.16:53")] = dict(PRIVATE)
    return ctx


def test_a_server_that_answers_as_azure_dns_passes() -> None:
    ctx = _custom_ctx(ScriptedNet(dns={CUSTOM: dict(PRIVATE)}))
    (f,) = run(custom, ctx)
    assert f.subject == Resolver("custom", "10.20.0.4") and f.about.text == "10.20.0.4"
    assert f.verdict is Verdict.PASS and all(row["agrees"] for row in f.evidence["names"])


def test_a_server_that_answers_publicly_names_exactly_the_missing_forwarders() -> None:
    public = {SCORING: answer(SCORING, "20.1.2.3", chain=[PL]), VAULT.fqdn: PRIVATE[VAULT.fqdn]}
    ctx = _custom_ctx(ScriptedNet(dns={CUSTOM: public}))
    (f,) = run(custom, ctx)
    assert f.verdict is Verdict.FAIL and "conditional forwarders are wrong" in f.summary
    # the scoring host's zone, and the public zone of the privatelink name Azure DNS's chain passes
    assert f.evidence["missing_forwarders"] == ["api.azureml.ms", "inference.ml.azure.com"]
    assert f.fix is not None and f.fix.commands == tuple(
        f"Add-DnsServerConditionalForwarderZone -Name {z} -MasterServers 168.63.129.16"
        for z in ("api.azureml.ms", "inference.ml.azure.com"))


def test_a_server_that_does_not_answer_fails_with_the_timeout() -> None:
    dead = {SCORING: no_answer(SCORING), VAULT.fqdn: no_answer(VAULT.fqdn)}
    (f,) = run(custom, _custom_ctx(ScriptedNet(dns={CUSTOM: dead})))
    assert f.verdict is Verdict.FAIL and "does not answer (timeout" in f.summary


def test_without_custom_servers_it_skips_saying_the_vnet_uses_azure_dns_or_is_unknown() -> None:
    (f,) = run(custom, context(ScriptedNet(), [SCORING_NAME]))
    assert f.verdict is Verdict.SKIP and "no custom DNS servers known" in f.summary


def test_answers_that_stay_private_are_stable() -> None:
    net = ScriptedNet(dns={SYSTEM: dict(PRIVATE)})
    (sys_,) = run(stability, context(net, [SCORING_NAME, VAULT], in_azure=False, stability_rounds=3,
                                     stability_spacing=0))
    assert sys_.subject == Resolver("system", "10.20.0.10:53")
    assert sys_.verdict is Verdict.PASS and sys_.evidence["rounds"] == 3
    assert net.asked.count((SYSTEM, SCORING)) == 3


def test_answers_that_flip_between_private_and_public_fail() -> None:
    flipping = [PRIVATE[SCORING], answer(SCORING, "20.1.2.3", chain=[PL])]
    net = ScriptedNet(dns={SYSTEM: {SCORING: flipping, VAULT.fqdn: PRIVATE[VAULT.fqdn]}})
    (f,) = run(stability, context(net, [SCORING_NAME, VAULT], in_azure=False, stability_rounds=2,
                                  stability_spacing=0))
    assert f.verdict is Verdict.FAIL and f.evidence["flipping"] == {SCORING: [[PE_IP], ["20.1.2.3"]]}
    assert f.about.text == "system resolver"


def test_a_resolver_that_never_answers_is_skipped_and_asked_once() -> None:
    net = ScriptedNet(dns={SYSTEM: dict(PRIVATE)})   # Azure DNS not scripted: it does not answer
    found = run(stability, context(net, [SCORING_NAME, VAULT], stability_rounds=4, stability_spacing=0))
    by = {f.about.text: f for f in found}
    assert by["Azure DNS"].verdict is Verdict.SKIP and "did not answer" in by["Azure DNS"].summary
    assert by["system resolver"].verdict is Verdict.PASS
    assert net.asked.count((AZURE, SCORING)) == 1
