"""Stage 1, Azure Policy: a built-in definition assigned with Deny that blocks a fix netcheck gives."""

from __future__ import annotations

from dataclasses import dataclass

from netcheck.azure import lists
from netcheck.azure.facts import Inventory, PolicyAssignment
from netcheck.context import Context
from netcheck.model import Finding, Fix, Verdict
from netcheck.probe import probe
from netcheck.probes._common import cmd, inventory, unreadable
from netcheck.subject import Named


@dataclass(frozen=True)
class Blocker:
    probe: str            # the probe whose fix the definition denies
    denies: str           # what it denies, as the user reads it
    default_effect: str   # the definition's effect parameter default
    alternative: str = ""   # a change the definition allows that reaches the same end, if any


# Built-in definitions (by GUID) whose Deny stops a fix netcheck suggests.
BLOCKERS = {
    "e413671a-dd10-4cc1-a943-45b598596cb7": Blocker(
        "ws.v1_legacy_mode", "workspaces must enable V1LegacyMode: turning v1 legacy mode off is denied", "Audit"),
    "6ddb1705-c8cf-450e-aa4b-19ad6703c440": Blocker(
        "dep.mlflow_legacy", "workspaces must use the AllowOnlyApprovedOutbound managed VNet: any other isolation "
        "mode (allow_internet_outbound) is denied", "Audit",
        "or, with no exemption, switch to allow_only_approved_outbound, which it allows, and add outbound rules for "
        "what the deployment reaches"),
}


def _blocker(a: PolicyAssignment) -> Blocker | None:
    return BLOCKERS.get(a.definition_id.rsplit("/", 1)[-1].lower())


def denying(inv: Inventory, probe_id: str) -> list[tuple[PolicyAssignment, Blocker]]:
    """Assignments in force whose effective effect is Deny and whose definition denies `probe_id`'s fix."""
    return [(a, b) for a in inv.policies or () if (b := _blocker(a)) and b.probe == probe_id
            and a.enforcement != "DoNotEnforce" and (a.effect or b.default_effect).lower() == "deny"]


def guarded(inv: Inventory, probe_id: str, remedy: Fix) -> Fix:
    """`remedy` as `probe_id` gives it; where a policy assignment denies it, the fix names the assignment
    and starts with the exemption its owner must grant (ARM refuses the change until then)."""
    blocking, ws = denying(inv, probe_id), inv.workspace
    if not blocking or not ws:
        return remedy
    named = "; ".join(f"policy assignment '{a.display_name or a.name}' ({a.name}, Deny at {a.scope}) blocks this "
                      "change" + (f" ({b.alternative})" if b.alternative else "") for a, b in blocking)
    exempt = tuple(cmd("az", "policy", "exemption", "create", "--name", f"{ws.name}-{probe_id}",
                       "--policy-assignment", a.id, "--exemption-category", "Waiver", "--scope", ws.id)
                   for a, _ in blocking)
    return Fix(f"{named[0].upper()}{named[1:]}. Ask its owner for an exemption for workspace {ws.name} first; then: "
               f"{remedy.summary}", exempt + remedy.commands, remedy.docs)


@probe("policy.fix_blocked", stage=1, title="No policy assignment denies the fixes netcheck gives",
       needs=["ctx.target"], after=list(dict.fromkeys(b.probe for b in BLOCKERS.values())))
async def fix_blocked(ctx: Context) -> list[Finding]:
    """Lists the policy assignments that apply to the workspace (its subscription's list, kept where
    the workspace is in scope and not in notScopes; GET only) and matches them by built-in definition
    id and effective effect (the assignment's `effect` parameter, else the definition's default;
    `enforcementMode: DoNotEnforce` never denies): e413671a-... (workspaces should enable
    V1LegacyMode) denies turning v1 legacy mode off (ws.v1_legacy_mode's fix); 6ddb1705-... (managed
    VNet in AllowOnlyApprovedOutbound mode) denies allow_internet_outbound (dep.mlflow_legacy's fix).
    The blocked fix itself names the assignment and starts with the exemption.

    pass: no such assignment denies, or the fix it would deny is not needed. skip: the inventory
    holds no policy assignments (a collect file from an older netcheck). fail: a failing probe's
    fix is denied; this result names that failure as its cause and shows its fix (the exemption,
    then the change). error: the assignments could not be read.
    """
    inv = inventory(ctx)
    ws = inv.workspace
    assert ws
    if err := unreadable(inv, lists.policy_assignments(inv.subscription), ws.name):
        return [err]
    if inv.policies is None:   # an inventory that did not read them (a collect file from an older netcheck)
        return [Finding(Named(ws.name), Verdict.SKIP, "the policy assignments were not read")]
    out = []
    for probe_id in dict.fromkeys(b.probe for b in BLOCKERS.values()):
        failed = [r for r in ctx.results_of(probe_id) if r.verdict is Verdict.FAIL]
        for a, b in denying(inv, probe_id):
            evidence = {"assignment": a.id, "scope": a.scope, "policyDefinitionId": a.definition_id,
                        "effect": a.effect or f"{b.default_effect} (default)", "enforcementMode": a.enforcement,
                        "blocks": failed[0].ref.text if failed else None}
            label = a.display_name or a.name
            if not failed:
                out.append(Finding(Named(a.name), Verdict.PASS, f"policy assignment {label} denies a change "
                                   f"({b.denies}) that {probe_id} does not need now", evidence))
                continue
            out.append(Finding(Named(a.name), Verdict.FAIL, f"policy assignment {label} (scope {a.scope}) blocks the "
                               f"fix of {failed[0].ref.text}: {b.denies}", evidence, failed[0].fix,
                               cause=failed[0].ref))
    return out or [Finding(Named(ws.name), Verdict.PASS, "no policy assignment denies a fix netcheck gives",
                           {"assignments": [a.id for a in inv.policies]})]
