"""The fix plan as a script (`--fix-plan`, `netcheck fixes --from`), and verifying after fixing (`--rerun`,
`netcheck diff`), all through the real CLI against the simulator."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env, validate_report

from netcheck.fixplan import script

HOSTILE = "$(touch PWNED) it's \"x\" `id` a;b"
EGRESS = "Egress for Microsoft.MachineLearningServices/workspaces/onlineEndpoints"


def netcheck(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "netcheck", *argv], capture_output=True, text=True,
                          env=cli_env(), timeout=180, cwd=cwd)


def bash_ok(script: Path) -> None:
    check = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def commands(script: str) -> list[str]:
    return [line for line in script.splitlines() if line and not line.startswith("#") and line != "set -euo pipefail"]


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    tmp = tmp_path_factory.mktemp("default")
    plan = tmp / "plan.sh"
    run = netcheck("demo", "--json", "--fix-plan", str(plan))
    assert run.returncode == 1, run.stderr
    (tmp / "old.json").write_text(run.stdout)
    doc = json.loads(run.stdout)
    validate_report(doc)
    return tmp, plan, doc


def test_fix_plan_is_a_reviewable_script_with_each_step_once(default_run: tuple[Path, Path, dict]) -> None:
    tmp, plan, doc = default_run
    text = plan.read_text()
    assert text.startswith("#!/usr/bin/env bash\n") and "\nset -euo pipefail\n" in text
    bash_ok(plan)
    assert oct(plan.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    lines = commands(text)
    assert len(lines) == len(set(lines)), "a command written twice"
    want = [c for step in doc["fix_plan"] for c in step["commands"]]
    assert [shlex.split(c) for c in lines] == [shlex.split(c) for c in want]   # the plan's order, argv intact
    link = [line for line in lines if line.startswith("az network private-dns link vnet create")]
    assert len(link) == 1, lines   # one step, though several results need it
    step = next(s for s in doc["fix_plan"] if any("link vnet create" in c for c in s["commands"]))
    assert len(step["resolves"]) >= 6
    first, *more = step["resolves"]
    assert "\n".join([f"# fixes: {first}", *(f"#        {i}" for i in more)]) in text
    assert "# changes: az network private-dns link vnet create (" in text
    # the same script from the saved report
    again = netcheck("fixes", "--from", str(tmp / "old.json"))
    assert again.returncode == 0, again.stderr
    assert again.stdout == text


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _hostile_scenario(folder: Path) -> Path:
    """The healthy workspace whose registry's egress connection waits for approval under a hostile name."""
    conn = ("/subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b/resourceGroups/rg-mlops-prod/providers/"
            f"Microsoft.ContainerRegistry/registries/crcontosoml/privateEndpointConnections/{HOSTILE}")
    pe = ("/subscriptions/0b7c4a1e-6d2f-4a3b-8c9d-aml00egress01/resourceGroups/azureml-rg-mlw-contoso-prod_3f8e2a71/"
          "providers/Microsoft.Network/privateEndpoints/ep-fraud-blue-acr")
    path = folder / "hostile.yaml"
    path.write_text(json.dumps({
        "scenario": 1, "name": "hostile-plan", "summary": "A pending connection with a hostile name.",
        "base": "healthy", "patch": [{"remove": "*/privateEndpointConnections/ep-fraud-egress.91ac"}],
        "arm": [{"id": conn, "name": HOSTILE, "type": "Microsoft.ContainerRegistry/registries/privateEndpointConnections",
                 "properties": {"provisioningState": "Succeeded", "privateEndpoint": {"id": pe},
                                "privateLinkServiceConnectionState": {"status": "Pending", "description": EGRESS,
                                                                      "actionsRequired": "None"}}}],
        "expect": {"acr.pe_approval": "fail"}}))
    return path


@pytest.mark.parametrize("scenario", ["dollar-paren", "hostile-names"])
def test_fix_plan_keeps_hostile_names_inert(tmp_path: Path, scenario: str) -> None:
    """Names holding `$(...)`, quotes, backticks, a semicolon, a newline, an ANSI escape: the script parses,
    and run against a fake `az` it passes each name whole and runs nothing inside it."""
    source = str(_hostile_scenario(tmp_path)) if scenario == "dollar-paren" else scenario
    plan = tmp_path / "plan.sh"
    run = netcheck("demo", source, "--json", "--fix-plan", str(plan))
    assert run.returncode == 1, run.stderr
    text = plan.read_text()
    bash_ok(plan)
    for line in text.splitlines():   # a comment stays one line; nothing raw reaches the reader's terminal
        assert "\x1b" not in line and "\r" not in line
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "az").write_text('#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done >> "$ARGV_LOG"\n')
    (fake / "az").chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    env = {**cli_env(), "PATH": f"{fake}:{os.environ['PATH']}", "ARGV_LOG": str(tmp_path / "argv")}
    ran = subprocess.run(["bash", str(plan)], cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert not list(work.iterdir()) and not (tmp_path / "PWNED").exists()
    args = (tmp_path / "argv").read_text().split("\0")
    doc = json.loads(run.stdout)
    want = [a for step in doc["fix_plan"] for c in step["commands"] for a in shlex.split(c)]
    assert args[:-1] == [a for a in want if a != "az"]   # every argument reached az exactly as netcheck meant it
    name = HOSTILE if scenario == "dollar-paren" else "second line \x1b[31mRED"
    assert any(a.endswith("/" + HOSTILE) if scenario == "dollar-paren" else name in a for a in args), args


def _default_fixed(folder: Path) -> Path:
    """The default demo after its fix plan ran: the zone linked to the spoke VNet, the connection approved."""
    rg = "/subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b/resourceGroups/rg-mlops-prod/providers"
    path = folder / "default-fixed.yaml"
    path.write_text(json.dumps({
        "scenario": 1, "name": "default-fixed", "summary": "The default demo with its two fixes made.",
        "base": "default",
        "patch": [{"id": "*/privateEndpointConnections/ep-fraud-egress.91ac",
                   "set": {"properties.privateLinkServiceConnectionState.status": "Approved"}}],
        "arm": [{"id": f"{rg}/Microsoft.Network/privateDnsZones/privatelink.api.azureml.ms/virtualNetworkLinks/"
                       "link-vnet-ml-spoke",
                 "name": "link-vnet-ml-spoke", "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                 "location": "global",
                 "properties": {"virtualNetwork": {"id": f"{rg}/Microsoft.Network/virtualNetworks/vnet-ml-spoke"},
                                "registrationEnabled": False, "resolutionPolicy": "Default",
                                "virtualNetworkLinkState": "Completed", "provisioningState": "Succeeded"}}]}))
    return path


@pytest.mark.parametrize("failing", ["default", "acr-pe-pending"])
def test_rerun_then_diff_after_fixing(tmp_path: Path, failing: str) -> None:
    """Run a failing scenario, fix it (the scenario with the fix made), re-check only what did not pass, diff."""
    fixed = str(_default_fixed(tmp_path)) if failing == "default" else "healthy"
    first = netcheck("demo", failing, "--json")
    assert first.returncode == 1, first.stderr
    (tmp_path / "old.json").write_text(first.stdout)
    old = json.loads(first.stdout)
    not_passed = {r["id"] for r in old["results"] if r["verdict"] != "pass"}
    failing_ids = {r["id"] for r in old["results"] if r["verdict"] in ("fail", "error") or r["skip"] == "blocked"}
    new_run = netcheck("demo", fixed, "--rerun", str(tmp_path / "old.json"), "--json")
    assert new_run.returncode == 0, new_run.stderr
    new = json.loads(new_run.stdout)
    validate_report(new)
    assert new["target"]["workspace"] == old["target"]["workspace"]
    assert not_passed <= {r["id"] for r in new["results"]}
    assert len(new["results"]) < len(old["results"])   # only what did not pass, and what it waits for
    (tmp_path / "new.json").write_text(new_run.stdout)
    d = netcheck("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"))
    assert d.returncode == 0, d.stdout + d.stderr
    assert d.stdout.splitlines()[-1] == f"{len(failing_ids)} fixed, 0 still failing, 0 new"
    dj = netcheck("diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--json")
    assert dj.returncode == 0
    data = json.loads(dj.stdout)
    assert {r["id"] for r in data["fixed"]} == failing_ids and not data["still_failing"] and not data["new"]
    # not fixed yet: re-checking the failing scenario again
    still_run = netcheck("demo", failing, "--rerun", str(tmp_path / "old.json"), "--json")
    assert still_run.returncode == 1
    (tmp_path / "still.json").write_text(still_run.stdout)
    s = netcheck("diff", str(tmp_path / "old.json"), str(tmp_path / "still.json"), "--json")
    assert s.returncode == 1
    assert {r["id"] for r in json.loads(s.stdout)["still_failing"]} == failing_ids
    # the other way round: everything fixed in NEW fails in OLD, so there it is new
    back = netcheck("diff", str(tmp_path / "new.json"), str(tmp_path / "old.json"))
    assert back.returncode == 1 and f"new ({len(failing_ids)}):" in back.stdout


def test_rerun_of_a_report_that_passed_checks_nothing(tmp_path: Path) -> None:
    run = netcheck("demo", "healthy", "--json")
    doc = json.loads(run.stdout)
    doc["results"] = [r for r in doc["results"] if r["verdict"] == "pass"]
    (tmp_path / "ok.json").write_text(json.dumps(doc))
    again = netcheck("demo", "healthy", "--rerun", str(tmp_path / "ok.json"))
    assert again.returncode == 0 and "nothing to re-check" in again.stderr


@pytest.mark.parametrize("content", ["not json", '{"schema": "other/1"}', "[]", '{"schema": "netcheck.report/2"}'])
def test_diff_and_fixes_refuse_what_is_not_a_report(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    for argv in (("diff", str(bad), str(bad)), ("fixes", "--from", str(bad)), ("--rerun", str(bad))):
        r = netcheck(*argv)
        assert r.returncode == 2, (argv, r.stderr)
        assert r.stdout == "" and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert "Traceback" not in r.stderr


def test_a_command_with_a_placeholder_or_that_does_not_parse_stays_commented_out(tmp_path: Path) -> None:
    plan = {"target": {}, "started": "2026-01-01T00:00:00Z", "fix_plan": [
        {"summary": "Grant read\naccess", "docs": "", "resolves": ["ctx.reads@x", "pdns.zones"],
         "commands": ["az role assignment create --role Reader --scope /s --assignee '<object-id-of-the-identity>'",
                      "az x 'unbalanced", "az network vnet show -n 'a b'"]}]}
    text = script(plan)
    (tmp_path / "plan.sh").write_text(text)
    bash_ok(tmp_path / "plan.sh")
    assert commands(text) == ["az network vnet show -n 'a b'"]
    assert "# Step 1: Grant read access\n# fixes: ctx.reads@x\n#        pdns.zones\n" in text
    assert "# az role assignment create --role Reader --scope /s --assignee '<object-id-of-the-identity>'" in text
    assert "# changes: az role assignment create (role 'Reader', scope '/s', assignee" in text
