"""Every shipped scenario's `expect` holds, through the real check against the simulator."""

from __future__ import annotations

import pytest
from conftest import run_scenario, shared_run

from netcheck.model import Verdict
from netcheck.sim.scenario import load, shipped

SCENARIOS = sorted(shipped())


def test_enough_scenarios_ship() -> None:
    assert {"healthy", "default"} <= set(SCENARIOS)
    assert len(SCENARIOS) >= 25


@pytest.mark.parametrize("name", SCENARIOS)
def test_expectations_hold(name: str, request: pytest.FixtureRequest) -> None:
    scenario = load(name)
    if scenario.known_wrong:   # netcheck doesn't reach this diagnosis yet: strict, so reaching it is noticed
        request.applymarker(pytest.mark.xfail(reason=scenario.known_wrong, strict=True))
    report, sim = shared_run(name)
    assert scenario.expect, f"{name} pins no verdict"
    for key, want in scenario.expect.items():
        probe_id, _, subject = key.partition("@")
        got = [r for r in report.results if r.probe == probe_id and (not subject or r.subject == subject)]
        assert got, f"{name}: no result for {key}"
        assert {r.verdict for r in got} == {want}, (
            f"{name}: {key} wanted {want.value}, got " + "; ".join(f"{r.verdict.value}: {r.summary}" for r in got))
        detail = scenario.expect_detail.get(key, {})
        if "cause" in detail:
            causes = {r.cause or (r.ref if r in report.root_causes() else None) for r in got}
            assert causes == {detail["cause"]}, f"{name}: {key} wanted cause {detail['cause']}, got {causes}"
        for words in detail.get("fix_mentions", []):
            fixes = [" ".join([r.fix.summary, *r.fix.commands]) if r.fix else "" for r in got]
            assert all(words in f for f in fixes), f"{name}: {key} fix should mention {words!r}: {fixes}"
    assert sim.mutating_requests == [], f"{name}: netcheck sent {sim.mutating_requests}"


def test_healthy_fails_nothing_and_decides_everything() -> None:
    report, _ = run_scenario("healthy")
    bad = [f"{r.ref}: {r.summary}" for r in report.results if r.verdict not in (Verdict.PASS, Verdict.SKIP)]
    assert bad == []
    skipped = {r.probe for r in report.results if r.verdict is Verdict.SKIP}
    assert skipped == {"dns.custom", "http.score"}  # no custom DNS; scoring is opt-in


def test_two_independent_faults_are_two_root_causes() -> None:
    report, _ = run_scenario("two-faults")
    assert sorted(r.probe for r in report.root_causes()) == ["kv.bypass", "ws.v1_legacy_mode"]


def test_missing_zone_is_one_root_cause_and_its_records_and_links_skip() -> None:
    report, _ = run_scenario("zone-missing")
    zone = "privatelink.api.azureml.ms"
    records = [r for r in report.results if r.probe == "pdns.records" and r.subject.endswith(zone)]
    links = [r for r in report.results if r.probe == "pdns.links" and r.subject.startswith(zone)]
    assert records and links
    assert all(r.verdict is Verdict.SKIP and r.cause == f"pdns.zones@{zone}" for r in records + links)
