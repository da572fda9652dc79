"""policy.fix_blocked: built-in definitions assigned with Deny that block a fix, from hand-made facts."""

from __future__ import annotations

from facts import RG, SUB, WS, WS_ID, check, commands, inventory, only, workspace

from netcheck.azure import parse
from netcheck.azure.facts import Inventory, PolicyAssignment, ReadError
from netcheck.model import Finding, Verdict
from netcheck.probes import policy
from netcheck.probes import workspace as ws_probes

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


def test_a_deny_assignment_blocks_turning_v1_legacy_mode_off() -> None:
    f = only(blocked(assignment()))
    assert f.verdict is Verdict.FAIL and f.subject == "require-v1"
    assert f"blocks the fix of ws.v1_legacy_mode@{WS}" in f.summary and "Require V1LegacyMode" in f.summary
    assert commands(f) == [f"az policy exemption create --name {WS}-ws.v1_legacy_mode --policy-assignment "
                           f"{assignment().id} --exemption-category Waiver --scope {WS_ID}"]


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
