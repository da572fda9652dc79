"""st.network_rules and st.private_endpoints: each verdict rule from hand-made facts, and what the user reads."""

from __future__ import annotations

import dataclasses

from facts import (
    RG,
    ST,
    ST_ID,
    SUBNET,
    TENANT,
    WS,
    WS_ID,
    access_rule,
    check,
    commands,
    connection,
    inventory,
    only,
    rid,
    storage,
    storage_pes,
    storage_private,
    workspace,
)

from netcheck.azure.facts import ReadError
from netcheck.model import Finding, Verdict
from netcheck.probes import storage as st_probes

UPDATE = f"az storage account update -g {RG} -n {ST} --bypass AzureServices"


def rules(**changes: object) -> list[Finding]:
    return check(st_probes.network_rules, inventory(storage=storage(**changes)))


def test_default_deny_with_the_trusted_services_bypass_passes() -> None:
    f = only(check(st_probes.network_rules))
    assert f.verdict is Verdict.PASS and f.subject == ST and "trusted Azure services" in f.summary


def test_default_allow_passes() -> None:
    assert only(rules(default_action="Allow", bypass="None")).verdict is Verdict.PASS


def test_deny_without_bypass_fails_with_both_fixes_when_the_tenant_is_known() -> None:
    inv = inventory(storage=storage(bypass="None"), workspace=workspace(tenant_id=TENANT))
    f = only(check(st_probes.network_rules, inv))
    assert f.verdict is Verdict.FAIL and "bypass is None" in f.summary and WS in f.summary
    assert commands(f) == [UPDATE, f"az storage account network-rule add -g {RG} --account-name {ST} "
                                   f"--resource-id {WS_ID} --tenant-id {TENANT}"]


def test_the_fix_keeps_the_bypasses_already_set() -> None:
    f = only(rules(bypass="Logging, Metrics"))
    assert f.verdict is Verdict.FAIL and commands(f) == [f"{UPDATE} Logging Metrics"]   # no tenant: one command


def test_a_resource_instance_rule_for_the_workspace_passes() -> None:
    assert only(rules(bypass="None", access_rules=(access_rule(),))).verdict is Verdict.PASS
    wildcard = access_rule(rid("Microsoft.MachineLearningServices/workspaces", "*"))
    assert only(rules(bypass="None", access_rules=(wildcard,))).verdict is Verdict.PASS


def test_a_rule_for_another_resource_or_an_ip_rule_does_not_let_aml_through() -> None:
    other = access_rule(rid("Microsoft.Synapse/workspaces", "syn1"))
    assert only(rules(bypass="None", access_rules=(other,), ip_rules=("203.0.113.0/24",))).verdict is Verdict.FAIL


def test_public_access_disabled_turns_the_bypass_off() -> None:
    f = only(check(st_probes.network_rules, storage_private()))
    assert f.verdict is Verdict.SKIP and "don't apply" in f.summary


def test_unreadable_account_is_an_error() -> None:
    inv = inventory(storage=None, errors=(ReadError(ST_ID, "forbidden", "no read"),))
    assert only(check(st_probes.network_rules, inv)).verdict is Verdict.ERROR
    assert {f.verdict for f in check(st_probes.private_endpoints, inv)} == {Verdict.ERROR}


def test_private_account_with_both_approved_endpoints_passes() -> None:
    fs = check(st_probes.private_endpoints, storage_private())
    assert [(f.subject, f.verdict) for f in fs] == [(f"{ST}/blob", Verdict.PASS), (f"{ST}/file", Verdict.PASS)]


def test_public_account_needs_no_private_endpoint() -> None:
    assert {f.verdict for f in check(st_probes.private_endpoints)} == {Verdict.PASS}


def test_private_account_without_a_file_endpoint_fails_with_the_create_command() -> None:
    inv = storage_private()
    inv = dataclasses.replace(inv, private_endpoints=tuple(p for p in inv.private_endpoints
                                                           if p.name != "pe-stcontosoml-file"))
    blob, file = check(st_probes.private_endpoints, inv)
    assert blob.verdict is Verdict.PASS and file.verdict is Verdict.FAIL
    assert "overrides its trusted-services bypass" in file.summary
    assert commands(file) == [f"az network private-endpoint create -g {RG} -n pe-{ST}-file --subnet {SUBNET} "
                              f"--private-connection-resource-id {ST_ID} --group-id file "
                              f"--connection-name pe-{ST}-file"]


def test_pending_connection_fails_with_approve() -> None:
    pending = connection(ST_ID, "pe-stcontosoml-blob.4c2d", status="Pending")
    inv = storage_private(connections=(pending, connection(ST_ID, "pe-stcontosoml-file.4c2d")))
    blob, _ = check(st_probes.private_endpoints, inv)
    assert blob.verdict is Verdict.FAIL and commands(blob) == [
        f"az network private-endpoint-connection approve --id {pending.id} --description Approved"]


def test_managed_vnet_needs_no_customer_endpoint() -> None:
    inv = inventory(storage=storage(public_network_access="Disabled"),
                    workspace=workspace(isolation_mode="AllowOnlyApprovedOutbound", managed_network_status="Active"))
    assert {f.verdict for f in check(st_probes.private_endpoints, inv)} == {Verdict.PASS}
    assert storage_pes()   # the builder the private variant uses


def test_an_inventory_that_did_not_read_the_account_is_a_skip() -> None:
    for probe in (st_probes.network_rules, st_probes.private_endpoints):
        f = only(check(probe, inventory(storage=None)))
        assert f.verdict is Verdict.SKIP and "not read" in f.summary
