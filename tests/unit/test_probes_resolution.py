"""dns.system and dns.azure, each verdict rule, from hand-made names and scripted resolver answers."""

from __future__ import annotations

from netfacts import AZURE, PE_IP, SCORING, SYSTEM, ScriptedNet, answer, context, given, no_answer, result, run

from netcheck.model import Verdict
from netcheck.probes.resolution import azure, system
from netcheck.subject import WHOLE, Host, RecordName, Ref, Resolver, ZoneLink, ZoneName
from netcheck.targets import Name

PL = "ep-fraud.0a1b.inference.eastus.privatelink.api.azureml.ms"
ZONE = "privatelink.api.azureml.ms"
VNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-hub"
SCORING_NAME = Name(SCORING, "scoring", (PE_IP,), "ep-fraud")


def test_the_private_endpoints_address_passes_and_is_handed_over() -> None:
    net = ScriptedNet(dns={SYSTEM: {SCORING: answer(SCORING, PE_IP, chain=[PL])}})
    ctx = context(net, [SCORING_NAME])
    (f,) = run(system, ctx)
    assert f.subject == Host(SCORING) and f.verdict is Verdict.PASS
    assert f.evidence["answer"] == "expected" and f.evidence["chain"] == [PL]
    # the answer is there for the probes after it, by resolver and name
    assert ctx.answers[Resolver("system", "10.20.0.10:53")][SCORING].ips == (PE_IP,)
    assert ctx.answers_of("system")[SCORING].ips == (PE_IP,)


def test_another_private_address_is_a_stale_record() -> None:
    ctx = context(ScriptedNet(dns={SYSTEM: {SCORING: answer(SCORING, "10.20.1.99", chain=[PL])}}), [SCORING_NAME])
    (f,) = run(system, ctx)
    assert f.verdict is Verdict.FAIL and f.evidence["answer"] == "stale" and "10.20.1.99" in f.summary
    assert f.fix is not None and "pdns.records" in f.fix.summary


def test_a_public_answer_through_privatelink_names_the_unlinked_zone_as_its_cause() -> None:
    ctx = context(ScriptedNet(dns={SYSTEM: {SCORING: answer(SCORING, "20.1.2.3", chain=[PL])}}), [SCORING_NAME])
    link = ZoneLink(ZONE, VNET)
    given(ctx, result("pdns.zones", ZoneName(ZONE), Verdict.PASS), result("pdns.links", link, Verdict.FAIL))
    (f,) = run(system, ctx)
    assert f.verdict is Verdict.FAIL and f.evidence["answer"] == "public"
    assert f.cause == Ref("pdns.links", link)
    assert f.cause.text == f"pdns.links@{ZONE} → vnet-hub"


def test_a_missing_wildcard_record_is_the_cause_when_the_zone_is_linked() -> None:
    ctx = context(ScriptedNet(dns={SYSTEM: {SCORING: answer(SCORING, "20.1.2.3", chain=[PL])}}), [SCORING_NAME])
    record = RecordName("*.0a1b.inference.eastus", ZONE)
    other = RecordName("0a1b.workspace.eastus", ZONE)
    given(ctx, result("pdns.links", ZoneLink(ZONE, VNET), Verdict.PASS),
          result("pdns.records", other, Verdict.FAIL), result("pdns.records", record, Verdict.FAIL))
    (f,) = run(system, ctx)
    assert f.cause == Ref("pdns.records", record)   # the record that answers for this name, not any in the zone


def test_a_public_answer_without_privatelink_has_no_configuration_cause() -> None:
    ctx = context(ScriptedNet(dns={SYSTEM: {SCORING: answer(SCORING, "20.1.2.3")}}), [SCORING_NAME])
    given(ctx, result("pdns.links", ZoneLink(ZONE, VNET), Verdict.FAIL))
    (f,) = run(system, ctx)
    assert f.verdict is Verdict.FAIL and "without a privatelink CNAME" in f.summary and f.cause is None


def test_nxdomain_and_no_address_fail() -> None:
    host = Name("kv-x.vault.azure.net", "vault", ("10.20.1.7",))
    net = ScriptedNet(dns={SYSTEM: {SCORING: answer(SCORING, rcode="NXDOMAIN"), host.fqdn: answer(host.fqdn)}})
    nx, nodata = run(system, context(net, [SCORING_NAME, host]))
    assert nx.verdict is Verdict.FAIL and nx.evidence["answer"] == "nxdomain"
    assert nodata.verdict is Verdict.FAIL and nodata.evidence["answer"] == "nodata"


def test_a_resolver_that_does_not_answer_is_an_error_not_a_fail() -> None:
    (f,) = run(system, context(ScriptedNet(dns={SYSTEM: {SCORING: no_answer(SCORING)}}), [SCORING_NAME]))
    assert f.verdict is Verdict.ERROR and "did not answer" in f.summary and f.fix is None


def test_without_names_it_skips_naming_the_target_read() -> None:
    ctx = context(ScriptedNet(), [])
    ctx.names = None
    given(ctx, result("ctx.target", WHOLE, Verdict.ERROR, stage=0))
    (f,) = run(system, ctx)
    assert f.verdict is Verdict.SKIP and f.cause == Ref("ctx.target")


def test_azure_dns_is_asked_directly_inside_azure() -> None:
    net = ScriptedNet(dns={AZURE: {SCORING: answer(SCORING, PE_IP, chain=[PL])}})
    ctx = context(net, [SCORING_NAME])
    (f,) = run(azure, ctx)
    assert f.verdict is Verdict.PASS and (AZURE, SCORING) in net.asked
    assert ctx.answers_of("azure")[SCORING].ips == (PE_IP,)
    # every resolver that matters is asked once for all the dns.* probes, several rounds (dns.stability's)
    assert net.asked.count((AZURE, SCORING)) == ctx.settings.stability_rounds


def test_azure_dns_skips_outside_azure_without_asking() -> None:
    net = ScriptedNet()
    (f,) = run(azure, context(net, [SCORING_NAME], in_azure=False))
    assert f.verdict is Verdict.SKIP and "outside Azure" in f.summary and net.asked == []
