"""Every shipped scenario's `expect` holds, through the real check against the simulator."""

from __future__ import annotations

import dataclasses
import json

import pytest
from conftest import run_scenario, shared_run

from netcheck.model import Fix, Report, Result, Verdict
from netcheck.sim.scenario import Scenario, load, shipped

SCENARIOS = sorted(shipped())


def test_enough_scenarios_ship() -> None:
    assert {"healthy", "default"} <= set(SCENARIOS)
    assert len(SCENARIOS) >= 25


# Scenarios whose `expect` states what a correct diagnosis gives, which netcheck does not reach yet. Each
# must really fail today (test_known_wrong_still_fails); when one starts to pass, take it off this list.
KNOWN_WRONG = {
    "acr-no-private-endpoint": "issue 14: a public registry without a private endpoint is judged as if it "
                               "needed a private address",
    "client-vnet-not-peered": "issue 14: no reachability probe names the missing peering (net.peering)",
    "peering-disconnected": "issue 14: no reachability probe names the peering that is not Connected",
    "cert-missing-intermediate": "issue 14: tls.cert calls the issuer untrusted instead of naming the missing "
                                 "intermediate, and http.frontend names no cause",
    # issue 14 item 5: `expect` now states each failure's true cause; the diagnosis does not reach it yet
    "cert-expired": "issue 14: http.frontend names no cause (tls.cert); a managed endpoint's certificate is "
                    "Microsoft's, so the fix should name a TLS-inspecting proxy or the clock",
    "cert-not-yet-valid": "issue 14: as cert-expired",
    "cert-untrusted": "issue 14: as cert-expired",
    "cert-wrong-host": "issue 14: as cert-expired",
    "kubernetes-bad-cert": "issue 14: http.frontend names no cause (tls.cert)",
}


def mismatches(name: str) -> list[str]:
    """How the real check's results differ from the scenario's `expect` (verdicts, causes, fixes)."""
    scenario = load(name)
    report, sim = shared_run(name)
    assert scenario.expect, f"{name} pins no verdict"
    assert sim.mutating_requests == [], f"{name}: netcheck sent {sim.mutating_requests}"
    out = []
    for key, want in scenario.expect.items():
        probe_id, _, subject = key.partition("@")
        got = [r for r in report.results if r.probe == probe_id and (not subject or r.subject.text == subject)]
        if not got:
            out.append(f"no result for {key}")
        elif {r.verdict for r in got} != {want}:
            out.append(f"{key} wanted {want.value}, got " + "; ".join(f"{r.verdict.value}: {r.summary}" for r in got))
        elif (cause := scenario.expect_cause.get(key)) and {str(r.cause) for r in got} != {cause}:
            out.append(f"{key} wanted cause {cause}, got {sorted(str(r.cause) for r in got)}")
        for word in scenario.expect_fix.get(key, ()):
            if not all(r.fix and word.lower() in json.dumps(r.fix.to_json()).lower() for r in got):
                out.append(f"{key}: the fix does not mention {word!r}")
    return out


@pytest.mark.parametrize("name", [n for n in SCENARIOS if n not in KNOWN_WRONG])
def test_expectations_hold(name: str) -> None:
    assert mismatches(name) == []


@pytest.mark.parametrize("name", sorted(KNOWN_WRONG))
def test_known_wrong_still_fails(name: str) -> None:
    """Expected to fail until issue 14: the simulator answers right, netcheck's diagnosis does not yet."""
    assert name in SCENARIOS
    assert mismatches(name), f"{name} now passes its expect: take it off KNOWN_WRONG ({KNOWN_WRONG[name]})"


def _root(report: Report, r: Result) -> Result | None:
    """Follow `r`'s causes to the result that has none; None when a cause names no result (or loops)."""
    by_ref = {x.ref: x for x in report.results}
    seen = {r.ref}
    while r.cause:
        nxt = by_ref.get(r.cause)
        if nxt is None or nxt.ref in seen:
            return None
        seen.add(nxt.ref)
        r = nxt
    return r


def diagnosis_gaps(scenario: Scenario, report: Report) -> list[str]:
    """Each failing result is a root cause whose fix the scenario's `expect` names (fix_mentions), or a
    consequence whose cause `expect` states and which leads to a failing root; a consequence shows no fix,
    or exactly its root's (a consequence repeating a different fix sends the user somewhere wrong)."""
    out = []
    for r in report.results:
        if r.verdict is not Verdict.FAIL:
            continue
        ref = r.ref.text
        key = ref if ref in scenario.expect else r.probe
        if not r.cause:
            if not scenario.expect_fix.get(key):
                out.append(f"{ref}: a root cause; expect names no fix_mentions for it")
            continue
        if scenario.expect_cause.get(key) != r.cause.text:
            out.append(f"{ref}: expect does not state its cause {r.cause.text}")
        root = _root(report, r)
        # the root is a failure, or a warning that explains it (ctx.location: netcheck runs outside Azure)
        if root is None or root.verdict not in (Verdict.FAIL, Verdict.WARN):
            out.append(f"{ref}: its cause {r.cause.text} leads to no failing root")
        elif r.fix is not None and r.fix != root.fix:
            out.append(f"{ref}: its fix ({r.fix.summary}) differs from its root {root.ref.text}'s ({root.fix})")
    return out


@pytest.mark.parametrize("name", [n for n in SCENARIOS if n not in KNOWN_WRONG])
def test_every_failure_is_a_root_with_its_fix_or_names_its_root(name: str) -> None:
    assert diagnosis_gaps(load(name), shared_run(name)[0]) == []


def test_diagnosis_gaps_finds_a_consequence_with_its_own_fix_and_an_unstated_cause() -> None:
    """The check above can fail: a dns.system result naming its root but carrying a fix of its own."""
    report, _ = shared_run("zone-missing")
    r = next(x for x in report.results if x.probe == "dns.system" and x.cause)
    root = _root(report, r)
    assert root is not None and root.probe == "pdns.zones" and r.fix == root.fix
    own = dataclasses.replace(r, fix=Fix("Add the record", ("az network private-dns record-set a add-record",), ""))
    wrong = dataclasses.replace(report, results=tuple(own if x is r else x for x in report.results))
    assert [g for g in diagnosis_gaps(load("zone-missing"), wrong) if g.startswith(r.ref.text + ":")] == [
        f"{r.ref.text}: its fix (Add the record) differs from its root {root.ref.text}'s ({root.fix})"]
    unstated = dataclasses.replace(load("zone-missing"), expect_cause={})
    assert f"{r.ref.text}: expect does not state its cause {root.ref.text}" in diagnosis_gaps(unstated, report)


def test_healthy_fails_nothing_and_decides_everything() -> None:
    report, _ = run_scenario("healthy")
    bad = [f"{r.ref.text}: {r.summary}" for r in report.results if r.verdict not in (Verdict.PASS, Verdict.SKIP)]
    assert bad == []
    skipped = {r.probe for r in report.results if r.verdict is Verdict.SKIP}
    # no custom DNS; scoring is opt-in; the storage account's public side is off, so its firewall rules don't
    # apply; no Kubernetes endpoint
    assert skipped == {"dns.custom", "http.score", "st.network_rules", "kube.router"}


def test_two_independent_faults_are_two_root_causes() -> None:
    report, _ = run_scenario("two-faults")
    assert sorted(r.probe for r in report.root_causes()) == ["kv.bypass", "ws.v1_legacy_mode"]


def test_missing_zone_is_one_root_cause_and_its_records_and_links_skip() -> None:
    report, _ = run_scenario("zone-missing")
    zone = "privatelink.api.azureml.ms"
    records = [r for r in report.results if r.probe == "pdns.records" and r.subject.text.endswith(zone)]
    links = [r for r in report.results if r.probe == "pdns.links" and r.subject.text.startswith(zone)]
    assert records and links
    assert all(r.verdict is Verdict.SKIP and str(r.cause) == f"pdns.zones@{zone}" for r in records + links)
