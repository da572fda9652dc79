"""Subjects and causes are data; their one text rendering is what every report shows."""

from __future__ import annotations

import json

from netcheck.model import Finding, Result, Verdict
from netcheck.subject import WHOLE, Host, Named, RecordName, Ref, Resolver, ZoneLink, ZoneName, as_subject

VNET = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-ml-hub"


def test_each_subject_renders_as_reports_have_always_shown_it() -> None:
    assert ZoneLink("privatelink.api.azureml.ms", VNET).text == "privatelink.api.azureml.ms → vnet-ml-hub"
    assert RecordName("*.0a1b.inference.eastus", "privatelink.api.azureml.ms").text == (
        "*.0a1b.inference.eastus.privatelink.api.azureml.ms")
    assert Resolver("system", "10.20.0.10:53").text == "system resolver"
    assert Resolver("azure", "168.63.129.16:53").text == "Azure DNS"
    assert Resolver("custom", "10.20.0.4").text == "10.20.0.4"
    assert Host("a.example").text == "a.example" and WHOLE.text == "" and not WHOLE


def test_subjects_compare_as_data_not_as_text() -> None:
    assert ZoneName("privatelink.azurecr.io") != Named("privatelink.azurecr.io")
    assert ZoneLink("z", VNET) == ZoneLink("z", VNET) and ZoneLink("z", VNET) != ZoneLink("z", VNET + "2")
    assert as_subject("ws1") == Named("ws1") and as_subject("") is WHOLE


def test_a_record_covers_the_names_it_answers_for() -> None:
    wildcard = RecordName("*.0a1b.inference.eastus", "privatelink.api.azureml.ms")
    assert wildcard.covers("ep1.0a1b.inference.eastus.privatelink.api.azureml.ms")
    assert not wildcard.covers("0a1b.workspace.eastus.privatelink.api.azureml.ms")
    assert not wildcard.covers("ep1.0a1b.inference.eastus.privatelink.azurecr.io")


def test_the_json_report_keeps_subject_and_cause_as_text_and_refs_carry_data() -> None:
    link = ZoneLink("privatelink.api.azureml.ms", VNET)
    cause = Ref("pdns.links", link)
    r = Result("dns.system", Host("ep1.eastus.inference.ml.azure.com"), 2, "t", Verdict.FAIL, "s", cause, 0, {}, None)
    data = r.to_json()
    assert data["subject"] == "ep1.eastus.inference.ml.azure.com"
    assert data["cause"] == "pdns.links@privatelink.api.azureml.ms → vnet-ml-hub"
    assert json.loads(json.dumps(cause.to_json()))["subject"] == {
        "kind": "link", "zone": "privatelink.api.azureml.ms", "vnet_id": VNET}
    assert Ref("t.a", ran=False).text == "t.a (not run)" and Ref("ctx.target").text == "ctx.target"
    assert Finding("kv1", Verdict.PASS, "ok").about == Named("kv1")
