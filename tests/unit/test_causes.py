"""Root causes and the fix plan from hand-made results (netcheck.causes, through the Report)."""

from __future__ import annotations

from netcheck.model import Fix, Report, Result, SkipKind, Target, Verdict, Where
from netcheck.subject import WHOLE, Host, Ref, Subject, ZoneLink

LINK = ZoneLink("privatelink.api.azureml.ms", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/"
                "virtualNetworks/vnet-spoke")
HOST = Host("ep.eastus.inference.ml.azure.com")
LINK_FIX = Fix("Link the zone", ("az network private-dns link vnet create -z privatelink.api.azureml.ms",))


def result(probe: str, subject: Subject, verdict: Verdict, cause: Ref | None = None, fix: Fix | None = None,
           skip: SkipKind | None = None) -> Result:
    return Result(probe, subject, 1, probe, verdict, f"{probe} says", cause, 0, {}, fix, skip)


def report(*results: Result) -> Report:
    return Report("0", "2026-01-01T00:00:00Z", 0, Where(False), Target(), results)


def test_a_chain_is_followed_to_its_root_and_the_root_explains_every_link() -> None:
    link = result("pdns.links", LINK, Verdict.FAIL, fix=LINK_FIX)
    dns = result("dns.system", HOST, Verdict.FAIL, Ref("pdns.links", LINK), fix=LINK_FIX)
    tcp = result("net.tcp", HOST, Verdict.SKIP, Ref("dns.system", HOST), skip=SkipKind.BLOCKED)
    r = report(link, dns, tcp)
    assert r.root_causes() == [link]
    assert r.root_of(tcp) == link and r.caused_by(tcp) == dns
    assert r.explains(link) == [dns, tcp]
    data = r.to_json()
    assert data["results"][2]["caused_by"]["id"] == "dns.system@ep.eastus.inference.ml.azure.com"
    assert data["results"][2]["skip"] == "blocked"
    (step,) = data["fix_plan"]   # the consequence's identical fix is not a second step
    assert step["resolves"] == [link.id, dns.id, tcp.id] and step["commands"] == list(LINK_FIX.commands)


def test_a_failure_traced_to_a_warning_makes_the_warning_its_root() -> None:
    flaky = result("dns.stability", WHOLE, Verdict.WARN)
    dns = result("dns.system", HOST, Verdict.FAIL, Ref("dns.stability"))
    ok = result("dns.azure", HOST, Verdict.WARN)   # a warning nothing failed on is not a problem
    assert report(flaky, dns, ok).root_causes() == [flaky]


def test_a_cause_that_did_not_run_or_passed_leaves_the_result_its_own_root() -> None:
    passed = result("pdns.links", LINK, Verdict.PASS)
    dns = result("dns.system", HOST, Verdict.FAIL, Ref("pdns.links", LINK))
    left_out = result("net.tcp", HOST, Verdict.SKIP, Ref("dns.system", HOST, ran=False), skip=SkipKind.OPT_IN)
    r = report(passed, dns, left_out)
    assert r.root_causes() == [dns]   # an opt-in skip is not a problem
    assert r.to_json()["results"][2]["caused_by"]["id"] is None


def test_a_cycle_stops_where_it_closes() -> None:
    a = result("dns.system", HOST, Verdict.FAIL, Ref("dns.azure", HOST))
    b = result("dns.azure", HOST, Verdict.FAIL, Ref("dns.system", HOST))
    r = report(a, b)
    assert r.root_of(a) == b and r.root_of(b) == a and len(r.root_causes()) == 2


def test_one_fix_shared_by_several_roots_is_one_step_naming_them_all() -> None:
    grant = Fix("Grant Reader", ("az role assignment create --role Reader --scope /x",))
    a = result("ws.image_build", WHOLE, Verdict.ERROR, fix=grant)
    b = result("acr.pe_approval", WHOLE, Verdict.ERROR, fix=grant)
    c = result("kv.bypass", WHOLE, Verdict.FAIL, fix=Fix("Allow trusted services"))
    d = result("dns.custom", WHOLE, Verdict.FAIL, fix=Fix("Allow trusted services"))
    plan = report(a, b, c, d).to_json()["fix_plan"]
    assert [s["resolves"] for s in plan] == [["ws.image_build", "acr.pe_approval"], ["kv.bypass", "dns.custom"]]


def test_ids_are_unique_even_when_a_probe_repeats_a_subject() -> None:
    data = report(result("net.tcp", HOST, Verdict.PASS), result("net.tcp", HOST, Verdict.PASS)).to_json()
    assert [x["id"] for x in data["results"]] == [f"net.tcp@{HOST.fqdn}", f"net.tcp@{HOST.fqdn}#2"]
