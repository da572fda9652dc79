"""Problems first: every report's root causes, the fix plan, and the plain text built from them."""

from __future__ import annotations

import re

import pytest
from conftest import shared_run

from netcheck.model import SkipKind, Verdict
from netcheck.render import render
from netcheck.render.common import data as clean_data
from netcheck.sim.scenario import shipped

_PROBLEM = re.compile(r"^  (\d+)\. \S+ (\S+)(?: (.+?))?: ")
_COMMAND = re.compile(r"^\s+\$ (.+)$")


def problem_lines(text: str) -> list[str]:
    """The numbered problem lines of the text: `probe` or `probe@subject`, in order."""
    lines = text.split("\n\n")[1].splitlines()   # header, blank, the problems block
    return [line for line in lines if _PROBLEM.match(line)]


@pytest.mark.parametrize("name", sorted(shipped()))
def test_every_problem_is_a_root_or_names_one_and_the_text_lists_the_roots(name: str) -> None:
    report, _ = shared_run(name)
    data = clean_data(report)   # as the text shows it: hostile names made safe
    roots = [c["id"] for c in data["root_causes"]]
    by_id = {r["id"]: r for r in data["results"]}
    assert len(by_id) == len(data["results"]), "result ids are unique"
    for r in report.results:
        if r.problem:   # a root, or its chain ends at one
            assert report.root_of(r) in report.root_causes(), r
        if r.verdict is Verdict.SKIP:
            assert r.skip is not None and (r.skip is not SkipKind.BLOCKED or r.cause), r
    covered = {i for step in data["fix_plan"] for i in step["resolves"]}
    assert {i for i in roots if by_id[i]["fix"]} <= covered
    text = render("text", report)
    listed = problem_lines(text)
    assert len(listed) == len(roots), text
    for line, root in zip(listed, roots, strict=True):
        r = by_id[root]
        head = f"{r['probe']} {r['subject']}:" if r["subject"] else f"{r['probe']}:"
        assert head in line, (line, root)
    commands = [m.group(1) for line in text.splitlines() if (m := _COMMAND.match(line))]
    assert len(commands) == len(set(commands)), "a command printed twice"
    assert text.rstrip().splitlines()[-1].startswith(f"{len(roots)} problem")


def test_default_demo_shows_its_two_problems_first_and_each_fix_once() -> None:
    report, _ = shared_run("default")
    assert [r.probe for r in report.root_causes()] == ["acr.pe_approval", "pdns.links"]
    text = render("text", report)
    head = text.splitlines()[:10]
    assert "2 problems" in head
    assert sum(bool(_PROBLEM.match(line)) for line in head) == 2, "\n".join(head)
    assert re.search(r"explains \d+ results", text) and "explains 0" not in text   # no count when it explains none
    assert text.count("az network private-dns link vnet create") == 1
    link = next(r for r in report.results if r.probe == "pdns.links" and r.verdict is Verdict.FAIL)
    assert len(report.explains(link)) >= 6   # dns.*, net.tcp, tls.cert, http.frontend of the unlinked zone
    quiet = render("text", report, detail="quiet")
    assert "stage 2" not in quiet and quiet.count("$ ") == 2
    verbose = render("text", report, detail="verbose")
    assert "pdns.zones 6/6" in text and "pdns.zones 6/6" not in verbose and verbose.count("✓") > text.count("✓")


def test_a_refused_read_is_one_root_and_what_needed_it_names_it() -> None:
    report, _ = shared_run("arm-forbidden-registry")
    data = report.to_json()
    registry = "ctx.reads@Microsoft.ContainerRegistry/registries/crcontosoml"
    assert all(c["probe"] == "ctx.reads" for c in data["root_causes"]), data["root_causes"]
    explained = next(c["explains"] for c in data["root_causes"] if c["id"] == registry)
    for probe in ("ws.image_build", "dep.egress", "pdns.zones", "dns.system", "net.tcp", "tls.cert", "acr.path"):
        assert any(i.startswith(probe + "@") for i in explained), probe   # present, not vanished
    skipped = [r for r in data["results"] if r["verdict"] == "skip" and r["skip"] == "blocked"]
    assert skipped and all(r["caused_by"]["id"] == registry for r in skipped if r["subject"] == "crcontosoml")
    grants = [s for s in data["fix_plan"] if any("role assignment create" in c for c in s["commands"])]
    assert registry in grants[0]["resolves"] and len(data["fix_plan"]) == len(data["root_causes"])


def test_target_lists_the_endpoints_checked() -> None:
    report, _ = shared_run("default")
    assert report.to_json()["target"]["endpoints"] == ["ep-fraud"]


def test_docs_describe_every_report_field_and_every_probe() -> None:
    from pathlib import Path

    from netcheck.probes import CATALOG
    from netcheck.render.json_report import schema

    doc = (Path(__file__).parent.parent / "docs" / "report.md").read_text(encoding="utf-8")
    s = schema()
    fields = [*s["properties"], *s["$defs"]["result"]["properties"], *s["properties"]["where"]["properties"],
              *s["properties"]["target"]["properties"], *s["properties"]["fix_plan"]["items"]["properties"],
              *s["properties"]["root_causes"]["items"]["properties"]]
    for name in fields:
        assert f"| `{name}` |" in doc, name
    for p in CATALOG:
        assert f"`{p.id}`" in doc, p.id

    def described(node: object, path: str) -> None:   # the schema describes every field too
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                assert "description" in sub, f"{path}.{key}"
                described(sub, f"{path}.{key}")
            for key in ("items", "oneOf", "$defs"):
                subs = node.get(key)
                for sub in (subs.values() if isinstance(subs, dict) and key == "$defs" else
                            subs if isinstance(subs, list) else [subs] if subs else []):
                    described(sub, path)

    described(s, "report")
