"""ws.outbound_rules, ws.hub_project, and the managed VNet / hub rules of ws.*, from hand-made facts."""

from __future__ import annotations

import dataclasses

from facts import (
    HUB_WS,
    HUB_WS_ID,
    RG,
    ST_ID,
    WS,
    check,
    commands,
    inventory,
    managed_workspace,
    only,
    outbound_rule,
    project_inventory,
    workspace,
)

from netcheck.azure.facts import ReadError
from netcheck.model import Verdict
from netcheck.probes import managednet
from netcheck.probes import workspace as ws
from netcheck.subject import Named, Ref


def test_no_managed_vnet_gives_no_rule_results() -> None:
    assert check(managednet.outbound_rules) == []


def test_active_rules_of_each_type_pass() -> None:
    found = check(managednet.outbound_rules, inventory(workspace=managed_workspace()))
    assert {f.subject: f.verdict for f in found} == {
        f"{WS}/__SYS_PE_stcontosoml_blob": Verdict.PASS, f"{WS}/allow-datafactory": Verdict.PASS,
        f"{WS}/allow-pypi": Verdict.PASS}


def test_inactive_private_endpoint_rule_fails_naming_rule_destination_and_error() -> None:
    rule = outbound_rule("datalake-dfs", status="Inactive", subresource="dfs", error="connection Pending approval")
    inv = inventory(workspace=managed_workspace(outbound_rules=(rule,)))
    f = only(check(managednet.outbound_rules, inv))
    assert f.verdict is Verdict.FAIL and f.subject == f"{WS}/datalake-dfs" and f.cause is None
    assert "datalake-dfs" in f.summary and "stcontosoml (dfs)" in f.summary and "Pending approval" in f.summary
    assert commands(f) == [f"az network private-endpoint-connection list --id {ST_ID}",
                           f"az ml workspace provision-network -g {RG} -n {WS}"]


def test_inactive_fqdn_rule_fails_with_provision_network() -> None:
    rule = outbound_rule("allow-pypi", type="FQDN", destination="pypi.org", status="Inactive", subresource=None)
    f = only(check(managednet.outbound_rules, inventory(workspace=managed_workspace(outbound_rules=(rule,)))))
    assert f.verdict is Verdict.FAIL and "pypi.org" in f.summary
    assert commands(f) == [f"az ml workspace provision-network -g {RG} -n {WS}"]


def test_fqdn_and_service_tag_rules_under_internet_outbound_fail_as_azure_refuses_them() -> None:
    inv = inventory(workspace=managed_workspace(isolation_mode="AllowInternetOutbound"))
    found = {f.subject: f for f in check(managednet.outbound_rules, inv)}
    assert found[f"{WS}/__SYS_PE_stcontosoml_blob"].verdict is Verdict.PASS
    for name in ("allow-pypi", "allow-datafactory"):
        f = found[f"{WS}/{name}"]
        assert f.verdict is Verdict.FAIL and "Azure refuses" in f.summary and "AllowOnlyApprovedOutbound" in f.summary
        assert commands(f) == [f"az ml workspace outbound-rule remove -g {RG} -w {WS} --rule {name}",
                               f"az ml workspace update -g {RG} -n {WS} --managed-network allow_only_approved_outbound"]


def test_rules_inactive_because_the_network_is_not_provisioned_name_ws_managed_network() -> None:
    rules = (outbound_rule(status="Inactive"),)
    inv = inventory(workspace=managed_workspace(managed_network_status="Inactive", provision_network_now=False,
                                                outbound_rules=rules))
    f = only(check(managednet.outbound_rules, inv, earlier=[ws.managed_network]))
    assert f.verdict is Verdict.FAIL and f.cause == Ref("ws.managed_network", Named(WS))
    assert "not provisioned" in f.summary   # the fix is its cause's, the same provision-network
    assert commands(f) == [f"az ml workspace provision-network -g {RG} -n {WS}"]


def test_managed_network_inactive_without_provision_now_says_first_compute() -> None:
    inv = inventory(workspace=managed_workspace(managed_network_status="Inactive", provision_network_now=False))
    f = only(check(ws.managed_network, inv))
    assert f.verdict is Verdict.FAIL and "first compute" in f.summary and "provisionNetworkNow" in f.summary
    assert commands(f) == [f"az ml workspace provision-network -g {RG} -n {WS}"]


def test_v1_legacy_mode_says_v1_is_retired_with_dates() -> None:
    f = only(check(ws.v1_legacy_mode, inventory(workspace=workspace(v1_legacy_mode=True))))
    assert f.fix is not None
    for text in (f.summary, f.fix.summary):
        assert "30 September 2025" in text and "30 June 2026" in text


def test_not_a_project_gives_no_hub_result() -> None:
    assert check(managednet.hub_project) == []


def test_project_takes_network_from_hub_and_reports_it_as_the_hubs() -> None:
    inv = project_inventory()
    assert only(check(managednet.hub_project, inv)).verdict is Verdict.PASS
    mn = only(check(ws.managed_network, inv))
    assert mn.subject == HUB_WS and mn.verdict is Verdict.PASS and f"hub {HUB_WS}" in mn.summary
    assert only(check(ws.public_access, inv)).subject == HUB_WS
    assert [f.subject for f in check(managednet.outbound_rules, inv)] == [f"{HUB_WS}/__SYS_PE_stcontosoml_blob"]


def test_project_hub_not_provisioned_fix_names_the_hub() -> None:
    inv = project_inventory()
    assert inv.hub
    inv = dataclasses.replace(inv, hub=dataclasses.replace(inv.hub, managed_network_status="Inactive"))
    f = only(check(ws.managed_network, inv))
    assert f.verdict is Verdict.FAIL and commands(f) == [f"az ml workspace provision-network -g {RG} -n {HUB_WS}"]


def test_project_with_its_own_managed_network_fails() -> None:
    inv = project_inventory()
    assert inv.workspace
    inv = dataclasses.replace(inv, workspace=dataclasses.replace(inv.workspace, isolation_mode="AllowInternetOutbound"))
    f = only(check(managednet.hub_project, inv))
    assert f.verdict is Verdict.FAIL and "Azure refuses" in f.summary and HUB_WS in f.summary


def test_project_whose_hub_is_unreadable_is_an_error() -> None:
    err = ReadError(HUB_WS_ID, "forbidden", "AuthorizationFailed", 403)
    f = only(check(managednet.hub_project, project_inventory(hub=None, errors=(err,))))
    assert f.verdict is Verdict.ERROR
