"""A custom DNS server judged from its answers alone (probes/_forwarding.py), from hand-made lookups: the
comparison dns.custom starts from before the diagnosis corrects it."""

from __future__ import annotations

from netfacts import PE_IP, SCORING, answer, no_answer

from netcheck.clouds import cloud
from netcheck.diagnosis.path import forward_zone
from netcheck.model import Verdict
from netcheck.probes._forwarding import compare
from netcheck.subject import Resolver
from netcheck.targets import Name, Names

PL = "ep-fraud.0a1b.inference.eastus.privatelink.api.azureml.ms"
VAULT = "kv-x.vault.azure.net"
NAMES = Names((Name(SCORING, "scoring", (PE_IP,), "ep-fraud"), Name(VAULT, "vault", ("10.20.1.7",))), ())
AZURE = {SCORING: answer(SCORING, PE_IP, chain=[PL]), VAULT: answer(VAULT, "10.20.1.7")}
ZONES = cloud("AzureCloud").forwarded_zones


def test_answers_like_azure_dns_pass() -> None:
    f = compare(NAMES, "10.20.0.4", dict(AZURE), AZURE, ZONES)
    assert f.subject == Resolver("custom", "10.20.0.4") and f.verdict is Verdict.PASS
    assert f.summary == "answers as Azure DNS does for 2 names"


def test_a_public_answer_names_the_zones_of_the_name_and_of_azure_dns_chain() -> None:
    found = {SCORING: answer(SCORING, "20.1.2.3"), VAULT: AZURE[VAULT]}
    f = compare(NAMES, "10.20.0.4", found, AZURE, ZONES)
    assert f.verdict is Verdict.FAIL and "1 name resolves differently from Azure DNS" in f.summary
    assert f.evidence["missing_forwarders"] == ["api.azureml.ms", "inference.ml.azure.com"]
    assert f.fix is not None and len(f.fix.commands) == 2


def test_without_azure_dns_answers_it_judges_against_the_expected_addresses() -> None:
    found = {SCORING: answer(SCORING, PE_IP), VAULT: answer(VAULT, "20.5.6.7")}
    f = compare(NAMES, "10.20.0.4", found, {}, ZONES)
    assert f.verdict is Verdict.FAIL and f.evidence["missing_forwarders"] == ["vault.azure.net"]
    assert [row["agrees"] for row in f.evidence["names"]] == [True, False]


def test_a_silent_server_fails_with_its_error() -> None:
    f = compare(NAMES, "10.20.0.4", {SCORING: no_answer(SCORING), VAULT: no_answer(VAULT)}, AZURE, ZONES)
    assert f.verdict is Verdict.FAIL and f.summary.startswith("custom DNS server 10.20.0.4 does not answer (timeout")


def test_the_forward_zone_is_the_longest_public_zone_holding_the_name() -> None:
    assert forward_zone("kv-x.vaultcore.azure.net", ("azure.net", "vaultcore.azure.net")) == "vaultcore.azure.net"
    assert forward_zone("example.com", ZONES) is None
