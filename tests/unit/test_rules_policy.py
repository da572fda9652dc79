"""policy.fix_blocked: built-in definitions assigned with Deny that block a fix, from hand-made facts."""

from __future__ import annotations

from facts import RG, SUB, WS, WS_ID, check, commands, inventory, only, workspace

from netcheck.azure import parse
from netcheck.azure.facts import Inventory, PolicyAssignment, ReadError
from netcheck.model import Finding, Fix, Verdict
from netcheck.probes import policy
from netcheck.probes import workspace as ws_probes
from netcheck.subject import Named

V1 = "/providers/Microsoft.Authorization/policyDefinitions/e413671a-dd10-4cc1-a943-45b598596cb7"
RG_SCOPE = f"/subscriptions/{SUB}/resourceGroups/{RG}"


def assignment(**changes: object) -> PolicyAssignment:
    fields: dict[str, object] = {"id": f"{RG_SCOPE}/providers/Microsoft.Authorization/policyAssignments/require-v1",
                                 "name": "require-v1", "display_name": "Require V1LegacyMode", "scope": RG_SCOPE,
                                 "definition_id": V1, "effect": "Deny", **changes}
    return PolicyAssignment(**fields)  # type: ignore[arg-type]


def blocked(a: PolicyAssignment, v1: bool = True) -> list[Finding]:
    inv = inventory(workspace=workspace(v1_legacy_mode=v1), policies=(a,))
    return check(policy.fix_blocked, inv, earlier=[ws_probes.v1_legacy_mode])


def test_no_assignment_passes() -> None:
    assert only(check(policy.fix_blocked)).verdict is Verdict.PASS


EXEMPTION = (f"az policy exemption create --name {WS}-ws.v1_legacy_mode --policy-assignment {assignment().id} "
             f"--exemption-category Waiver --scope {WS_ID}")


def test_the_blocked_fix_names_the_assignment_and_starts_with_its_exemption() -> None:
    inv = inventory(workspace=workspace(v1_legacy_mode=True), policies=(assignment(),))
    f = only(check(ws_probes.v1_legacy_mode, inv))
    assert f.verdict is Verdict.FAIL and f.fix is not None
    assert f.fix.summary.startswith("Policy assignment 'Require V1LegacyMode' (require-v1, Deny at ")
    assert commands(f)[0] == EXEMPTION and "v1LegacyMode" in commands(f)[1]


def test_an_unblocked_fix_is_left_as_it_is() -> None:
    f = only(check(ws_probes.v1_legacy_mode, inventory(workspace=workspace(v1_legacy_mode=True))))
    assert f.fix is not None and "policy" not in f.fix.summary.lower() and len(commands(f)) == 1


def test_a_deny_assignment_is_a_consequence_of_the_failure_whose_fix_it_blocks() -> None:
    inv = inventory(workspace=workspace(v1_legacy_mode=True), policies=(assignment(),))
    (root,) = check(ws_probes.v1_legacy_mode, inv)
    f = only(check(policy.fix_blocked, inv, earlier=[ws_probes.v1_legacy_mode]))
    assert f.verdict is Verdict.FAIL and f.about == Named("require-v1")
    assert f"blocks the fix of ws.v1_legacy_mode@{WS}" in f.summary and "Require V1LegacyMode" in f.summary
    assert f.cause is not None and f.cause.text == f"ws.v1_legacy_mode@{WS}" and f.fix == root.fix


def test_a_managed_vnet_policy_names_itself_in_the_mlflow_fix() -> None:
    a = assignment(definition_id=f"{V1.rsplit('/', 1)[0]}/6ddb1705-c8cf-450e-aa4b-19ad6703c440", name="aoa-only",
                   display_name="Approved outbound only")
    inv = inventory(policies=(a,))
    blocked_fix = policy.guarded(inv, "dep.mlflow_legacy", Fix("Use a managed VNet", ("az ml workspace update",)))
    assert "Policy assignment 'Approved outbound only' (aoa-only" in blocked_fix.summary
    assert blocked_fix.commands[0].startswith("az policy exemption create --name mlw-contoso-prod-dep.mlflow_legacy")
    assert policy.guarded(inv, "ws.v1_legacy_mode", Fix("x")) == Fix("x")   # it blocks nothing else


def test_an_inventory_that_did_not_read_the_assignments_is_a_skip_not_a_pass() -> None:
    f = only(check(policy.fix_blocked, inventory(policies=None)))
    assert f.verdict is Verdict.SKIP and "not read" in f.summary


def test_the_definitions_default_effect_audit_denies_nothing() -> None:
    assert only(blocked(assignment(effect=None))).verdict is Verdict.PASS


def test_do_not_enforce_denies_nothing() -> None:
    assert only(blocked(assignment(enforcement="DoNotEnforce"))).verdict is Verdict.PASS


def test_a_deny_with_nothing_to_fix_passes_and_says_so() -> None:
    f = only(blocked(assignment(), v1=False))
    assert f.verdict is Verdict.PASS and "does not need now" in f.summary


def test_scope_and_not_scopes_decide_whether_it_applies() -> None:
    assert assignment().applies_to(WS_ID)
    assert not assignment(scope=f"/subscriptions/{SUB}/resourceGroups/rg-other").applies_to(WS_ID)
    assert not assignment(not_scopes=(RG_SCOPE,)).applies_to(WS_ID)
    assert assignment(scope="/providers/Microsoft.Management/managementGroups/corp").applies_to(WS_ID)


def test_the_effect_comes_from_the_assignment_parameters() -> None:
    a = parse.policy_assignment({"id": assignment().id, "properties": {
        "policyDefinitionId": V1, "scope": RG_SCOPE, "parameters": {"effect": {"value": "Deny"}}}})
    assert (a.name, a.effect, a.enforcement) == ("require-v1", "Deny", "Default")


def test_unreadable_assignments_are_an_error() -> None:
    listing = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/policyAssignments"
    inv: Inventory = inventory(errors=(ReadError(listing, "forbidden", "no read"),))
    assert only(check(policy.fix_blocked, inv)).verdict is Verdict.ERROR
