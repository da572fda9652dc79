"""The CLI as a user runs it: exit codes, bad input, JSON on stdout, colour, az defaults."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env, validate_report

from netcheck import azconfig, cli
from netcheck.model import Finding, Report, Result, Target, Verdict, Where, exit_code
from netcheck.sim.scenario import ScenarioError, load
from netcheck.subject import WHOLE


def netcheck(*argv: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "netcheck", *argv], capture_output=True, text=True,
                          env=env or cli_env(), timeout=timeout)


def without_az_defaults(empty_dir: Path) -> dict[str, str]:
    """The environment of someone who never ran `az configure --defaults` or `az login`."""
    env = cli_env(AZURE_CONFIG_DIR=str(empty_dir))
    env.pop("AZURE_SUBSCRIPTION_ID", None)
    return env


def report_of(*verdicts: Verdict) -> Report:
    results = tuple(Result(f"t.p{i}", WHOLE, 1, "t", v, "s", None, 0, {}, None) for i, v in enumerate(verdicts))
    return Report("0", "2026-01-01T00:00:00Z", 0, Where(False), Target(), results)


@pytest.mark.parametrize(("verdicts", "strict", "code"), [
    ((Verdict.PASS,), False, 0),
    ((Verdict.PASS, Verdict.SKIP), False, 0),
    ((Verdict.PASS, Verdict.WARN), False, 0),
    ((Verdict.PASS, Verdict.WARN), True, 1),
    ((Verdict.PASS, Verdict.ERROR), False, 3),
    ((Verdict.WARN, Verdict.ERROR), True, 1),
    ((Verdict.ERROR, Verdict.FAIL), False, 1),
    ((Verdict.FAIL,), False, 1),
    ((), False, 0),
])
def test_exit_code_for_each_mix(verdicts: tuple[Verdict, ...], strict: bool, code: int) -> None:
    assert exit_code(report_of(*verdicts), strict) == code


def test_exit_codes_end_to_end() -> None:
    assert netcheck("demo", "healthy", "--output", "text").returncode == 0
    assert netcheck("demo", "kv-no-bypass", "--output", "text").returncode == 1
    assert netcheck("demo", "cert-expiring-soon", "--output", "text").returncode == 0
    assert netcheck("demo", "cert-expiring-soon", "--output", "text", "--strict").returncode == 1
    assert netcheck("demo", "arm-vault-unavailable", "--output", "text").returncode == 3


BAD_INPUTS = [
    (["-s", "not-a-guid", "-g", "rg", "-w", "ws1"], "--subscription"),
    (["-s", "00000000-0000-0000-0000-00000000000g", "-g", "rg", "-w", "ws1"], "--subscription"),
    (["-g", "bad/group", "-w", "ws1"], "--resource-group"),
    (["-g", "ends.", "-w", "ws1"], "--resource-group"),
    (["-g", "x" * 91, "-w", "ws1"], "--resource-group"),
    (["-g", "rg", "-w", "-bad"], "--workspace"),
    (["-g", "rg", "-w", "ab"], "--workspace"),
    (["-g", "rg", "-w", "ws1", "-e", "1starts-with-digit"], "--endpoint"),
    (["-g", "rg", "-w", "ws1", "-e", "ends-with-"], "--endpoint"),
    (["--no-azure", "--host", "not a host"], "--host"),
    (["--no-azure", "--host", "-bad.example.com"], "--host"),
    (["--no-azure", "--host", "a.example.com", "--vnet-cidr", "10.0.0.0/33"], "--vnet-cidr"),
    (["--no-azure", "--host", "a.example.com", "--resolver", "10.0.0.300"], "--resolver"),
    (["--no-azure", "--host", "a.example.com", "--resolver", "10.0.0.4:99999"], "--resolver"),
    (["--no-azure", "--host", "a.example.com", "--azure-dns", "dns.example.com"], "--azure-dns"),
    (["--no-azure", "--host", "a.example.com", "--dns-server", "[::1"], "--dns-server"),
    (["--no-azure", "--host", "a.example.com", "--connect-to", "a:443:b"], "--connect-to"),
    (["--no-azure", "--host", "a.example.com", "--connect-to", "h.example.com:443:notip:443"], "--connect-to"),
    (["--no-azure", "--host", "a.example.com", "--connect-to", ":0:127.0.0.1:443"], "--connect-to"),
    (["--no-azure", "--host", "a.example.com", "--only", "DNS.*;rm"], "--only"),
    (["--no-azure", "--host", "a.example.com", "--skip", "nosuch.*"], "--skip"),
    (["--no-azure", "--host", "a.example.com", "--timeout", "0"], "--timeout"),
    (["--no-azure", "--host", "a.example.com", "--timeout", "abc"], "--timeout"),
    (["--no-azure", "--host", "a.example.com", "--timeout", "601"], "--timeout"),
    (["--no-azure", "--host", "a.example.com", "--output", "pdf"], "--output"),
    (["--no-azure", "--host", "a.example.com", "--dns-rounds", "0"], "--dns-rounds"),
    (["--no-azure", "--host", "a.example.com", "--dns-spacing", "-1"], "--dns-spacing"),
    (["--no-azure", "--host", "a.example.com", "--score", "--request-id", "has space"], "--request-id"),
    (["--no-azure", "--host", "a.example.com", "--request-id", "abc"], "--request-id"),
    (["--no-azure", "--host", "a.example.com", "--score"], "--score"),
    (["--no-azure"], "--no-azure"),
    (["--inventory", "/nonexistent/inventory.json"], "--inventory"),
    (["--no-azure", "--host", "a.example.com", "--ca-bundle", "/nonexistent.pem"], "--ca-bundle"),
    (["-g", "rg", "-w", "ws1"], "--subscription"),
    (["--bogus-option"], "--bogus-option"),
    (["demo", "no-such-scenario"], "scenario"),
    (["demo", "healthy", "--out", "/tmp/netcheck-report.pdf"], "--out"),   # no format to guess: not text in a .pdf
    (["explain", "dns.sytem"], "dns.system"),
]


@pytest.mark.parametrize(("argv", "named"), BAD_INPUTS)
def test_bad_input_exits_2_with_one_clear_line(argv: list[str], named: str, tmp_path: Path) -> None:
    r = netcheck(*argv, env=without_az_defaults(tmp_path))
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert named in r.stderr
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", [["-s", "6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b", "-g", "rg", "-w", "mlw-x", "--no-tui"],
                                  ["fleet", "--no-tui"]])
def test_an_arm_token_a_header_cannot_carry_exits_2_for_a_check_and_a_fleet(argv: list[str]) -> None:
    done = netcheck(*argv, env=cli_env(NETCHECK_ARM_TOKEN="eyJ-token\r\nX-Injected: 1"))
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        "netcheck: error: NETCHECK_ARM_TOKEN holds control characters (a line break?)"], done.stderr
    assert "eyJ-token" not in done.stderr   # the message never repeats the value


def test_bad_scenario_file_names_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: 1\nname: x\nsummary: y\narm:\n  - id: /not/an/id\n    type: A/b\n")
    r = netcheck("demo", str(bad))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert str(bad) in r.stderr and "arm[0].id" in r.stderr


@pytest.mark.parametrize(("extra", "says"), [
    ('faults:\n  - {request: "GET *", status: abc}', "faults[0].status: 'abc' is not an HTTP status"),
    ('faults:\n  - {request: "GET *", delay_ms: -1}', "faults[0].delay_ms: '-1' is not a delay in milliseconds"),
    ("latency_ms: {arm: abc}", "latency_ms.arm: 'abc' is not a number"),
    ("latency_ms: {arm: -5}", "latency_ms.arm: '-5' is not a delay in milliseconds"),
    ("latency_ms: {amr: 5}", "latency_ms.amr: unknown key"),
    ("page_size: zero", "page_size: 'zero' is not a page size"),
    ("public_dns: {a.example.com: {a: [10.0.0.300]}}", "public_dns.a.example.com.a: ['10.0.0.300'] is not a list"),
    ("tls: {a.example.com: {expires_in_days: soon}}", "tls.a.example.com.expires_in_days: 'soon' is not a number"),
    ("tls: {a.example.com: {score: {status: 99}}}", "tls.a.example.com.score.status: 99 is not an HTTP status"),
    ("dns_servers: {10.0.0.9: {down: maybe}}", "dns_servers.10.0.0.9.down: 'maybe' is not true or false"),
    ("dns_servers: {dns1: {down: true}}", "dns_servers.dns1: must be keyed by the server's IP address"),
])
def test_a_bad_scenario_value_names_its_key(tmp_path: Path, extra: str, says: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"scenario: 1\nname: x\nsummary: y\nbase: healthy\n{extra}\n")
    with pytest.raises(ScenarioError) as caught:
        load(str(bad))
    assert str(caught.value).startswith(f"{bad}: ") and says in str(caught.value), caught.value


@pytest.mark.parametrize(("content", "says"), [
    ("", "not JSON"),
    ("[1, 2]", "not a netcheck.inventory/1 file"),
    ('{"schema": "netcheck.report/1"}', "schema is 'netcheck.report/1'"),
    ('{"schema": "netcheck.inventory/1", "cloud": "AzureCloud"}', "Inventory lacks subscription"),
    ('{"schema": "netcheck.inventory/1", "cloud": "AzureCloud", "subscription": "s", "resource_group": "g", '
     '"workspace": {"id": "x"}}', "Workspace lacks name"),
    ('{"schema": "netcheck.inventory/1", "cloud": "AzureCloud", "subscription": "s", "resource_group": "g", '
     '"workspace": null, "endpoints": [7]}', "Endpoint must be an object"),
])
def test_a_bad_inventory_file_exits_2_before_any_work(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "inventory.json"
    path.write_text(content)
    r = netcheck("--inventory", str(path), "--json")
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert "--inventory" in r.stderr and says in r.stderr, r.stderr


def test_the_target_of_an_inventory_run_is_the_inventorys(tmp_path: Path) -> None:
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps({"schema": "netcheck.inventory/1", "cloud": "AzureChinaCloud",
                                "subscription": "6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b", "resource_group": "rg-x",
                                "workspace": None}))
    env = {"AZURE_CONFIG_DIR": str(tmp_path)}   # no az defaults
    s = cli.settings_from(cli.build_parser("").parse_args(["--inventory", str(path)]), env)
    assert (s.subscription, s.resource_group, s.cloud) == ("6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b", "rg-x",
                                                            "AzureChinaCloud")
    with pytest.raises(cli.UsageError, match="--resource-group: 'rg-y', but the inventory describes 'rg-x'"):
        cli.settings_from(cli.build_parser("").parse_args(["--inventory", str(path), "-g", "rg-y"]), env)


def test_json_stdout_is_only_the_schema_valid_report() -> None:
    r = netcheck("demo", "healthy", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)   # nothing else on stdout
    validate_report(data)
    assert data["verdict"] == "pass" and data["counts"]["fail"] == 0
    assert data["where"]["in_azure"] is True and data["target"]["workspace"] == "mlw-contoso-prod"


def test_out_file_gets_the_report_and_stdout_stays_empty(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    r = netcheck("demo", "kv-no-bypass", "--out", str(out))
    assert r.returncode == 1 and r.stdout == ""
    data = json.loads(out.read_text())
    validate_report(data)
    assert [x["probe"] for x in data["results"] if x["verdict"] == "fail"] == ["kv.bypass"]
    assert "1 problem" in r.stderr and "kv.bypass" in r.stderr   # the problems still reach the terminal
    assert r.stderr.count("$ az keyvault") == 1 and "stage 1" not in r.stderr


def test_text_tree_shows_failure_evidence_and_fix_without_colour_when_piped() -> None:
    r = netcheck("demo", "kv-no-bypass", "--output", "text")
    assert "\x1b[" not in r.stdout
    assert "1. ✗ kv.bypass kv-contoso-ml" in r.stdout and "  ✗ kv.bypass kv-contoso-ml" in r.stdout
    assert "$ az keyvault update -g rg-mlops-prod -n kv-contoso-ml --bypass AzureServices" in r.stdout


def test_no_color_is_honoured_on_a_terminal() -> None:
    from netcheck.render.text import render

    report = report_of(Verdict.FAIL)
    assert "\x1b[" in render(report, color=True)
    assert "\x1b[" not in render(report, color=False)
    # the CLI decides colour from the terminal and NO_COLOR
    coloured = on_a_terminal("demo", "kv-no-bypass", "--no-tui", env=cli_env())
    plain = on_a_terminal("demo", "kv-no-bypass", "--no-tui", env=cli_env(NO_COLOR="1"))
    assert "\x1b[31m" in coloured
    assert "\x1b[31m" not in plain and "kv.bypass" in plain


def test_ci_on_a_terminal_gets_the_plain_tree_not_the_tui() -> None:
    # a pipeline that gives its steps a pseudo-terminal must not sit in the TUI waiting for keys
    out = on_a_terminal("demo", "kv-no-bypass", env=cli_env(CI="true"))
    assert "\x1b[?1049h" not in out   # the TUI's alternate screen never opened
    assert "✗ kv.bypass kv-contoso-ml" in re.sub(r"\x1b\[[0-9;]*m", "", out)   # the tree, in colour


def on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """What netcheck writes when its stdout is a terminal (a pseudo-terminal)."""
    script = ("import os, sys, pty; pid, fd = pty.fork()\n"
              "if pid == 0:\n"
              "    os.execvp(sys.executable, [sys.executable, '-m', 'netcheck', *sys.argv[1:]])\n"
              "out = b''\n"
              "while True:\n"
              "    try: chunk = os.read(fd, 65536)\n"
              "    except OSError: break\n"
              "    if not chunk: break\n"
              "    out += chunk\n"
              "os.waitpid(pid, 0); sys.stdout.write(out.decode('utf-8', 'replace'))\n")
    return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
                          timeout=120).stdout


def test_az_config_defaults_from_azure_config_dir(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[defaults]\ngroup = rg-from-az\nworkspace = ws-from-az\n")
    (tmp_path / "azureProfile.json").write_text(
        '\ufeff{"subscriptions": [{"id": "11111111-2222-3333-4444-555555555555", "isDefault": true}]}',
        encoding="utf-8")
    env = {"AZURE_CONFIG_DIR": str(tmp_path)}
    assert azconfig.defaults(env) == {"group": "rg-from-az", "workspace": "ws-from-az",
                                      "subscription": "11111111-2222-3333-4444-555555555555"}
    env["AZURE_SUBSCRIPTION_ID"] = "22222222-2222-3333-4444-555555555555"
    assert azconfig.defaults(env)["subscription"] == "22222222-2222-3333-4444-555555555555"
    args = cli.build_parser("").parse_args([])
    settings = cli.settings_from(args, env)
    assert (settings.subscription, settings.resource_group, settings.workspace) == (
        "22222222-2222-3333-4444-555555555555", "rg-from-az", "ws-from-az")
    # an option beats the default
    args = cli.build_parser("").parse_args(["-g", "rg-explicit"])
    assert cli.settings_from(args, env).resource_group == "rg-explicit"


def test_bad_az_default_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("[defaults]\ngroup = bad/group\nworkspace = ws1\n")
    r = netcheck("-s", "11111111-2222-3333-4444-555555555555", env=cli_env(AZURE_CONFIG_DIR=str(tmp_path)))
    assert r.returncode == 2 and "az CLI default" in r.stderr and "Traceback" not in r.stderr


def test_demo_list_names_every_scenario_with_its_summary() -> None:
    from netcheck.sim.scenario import load, shipped

    r = netcheck("demo", "--list")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert len(lines) == len(shipped())
    assert any(line.startswith("healthy ") and load("healthy").summary in line for line in lines)


def test_sim_serve_prints_a_command_line_that_works() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "netcheck", "sim", "serve", "healthy"], stdout=subprocess.PIPE,
                            text=True, env=cli_env())
    try:
        assert proc.stdout is not None
        head = "".join(iter(proc.stdout.readline, "Ctrl-C stops it.\n"))
        assert "dig @127.0.0.1 -p" in head and "openssl s_client -connect 127.0.0.1:" in head
        line = next(x for x in head.splitlines() if "NETCHECK_ARM_TOKEN=" in x)
        assign, program, *argv = shlex.split(line)
        assert program == "netcheck" and "--connect-to" in argv and ":443:127.0.0.1:" in line   # any host's HTTPS
        key, _, token = assign.partition("=")
        run = subprocess.run([sys.executable, "-m", "netcheck", *argv, "--json"], capture_output=True, text=True,
                             env=cli_env(**{key: token}), timeout=120)
    finally:
        proc.send_signal(2)
        proc.wait(timeout=20)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    validate_report(report)
    assert {r["verdict"] for r in report["results"]} <= {"pass", "skip"}
    assert proc.returncode == 0


def test_stability_rounds_and_spacing_are_options() -> None:
    r = netcheck("demo", "dns-flapping", "--json", "--dns-rounds", "2", "--dns-spacing", "0")
    data = json.loads(r.stdout)
    (stab,) = [x for x in data["results"] if x["probe"] == "dns.stability" and x["subject"] == "10.20.0.4"]
    assert stab["evidence"]["rounds"] == 2 and stab["evidence"]["spacing_s"] == 0


def test_version() -> None:
    r = netcheck("--version")
    assert r.returncode == 0 and r.stdout.startswith("netcheck ")


def test_finding_is_frozen() -> None:
    f = Finding("s", Verdict.PASS, "ok")
    with pytest.raises(AttributeError):
        f.summary = "changed"  # type: ignore[misc]


def test_without_a_credential_each_one_says_why_and_stderr_stays_quiet(tmp_path: Path) -> None:
    env = without_az_defaults(tmp_path)
    env.update(HOME=str(tmp_path), PATH=str(Path(sys.executable).parent),   # no az, no token caches
               AZURE_POD_IDENTITY_AUTHORITY_HOST="http://127.0.0.1:9")   # managed identity's IMDS: closed
    for var in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
                "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "NETCHECK_ARM_TOKEN"):
        env.pop(var, None)
    r = netcheck("--json", "-s", "11111111-2222-3333-4444-555555555555", "-g", "rg-x", "-w", "ws-x",
                 "--connect-to", ":80:127.0.0.1:9", "--connect-to", ":443:127.0.0.1:9",
                 "--resolver", "127.0.0.1:9", "--azure-dns", "127.0.0.1:9", "--timeout", "30", env=env)
    # no credential: the configuration could not be decided (error, exit 3), since no network probe failed
    assert r.returncode == 3 and r.stderr == "", r.stderr   # azure-identity's warning does not spill
    data = json.loads(r.stdout)
    validate_report(data)
    assert data["counts"]["fail"] == 0
    (cred,) = [x for x in data["results"] if x["probe"] == "ctx.credential"]
    reasons = cred["evidence"]["reasons"]
    assert cred["verdict"] == "error" and cred["fix"]["commands"] == ["az login"]
    assert data["root_causes"][0]["id"] == "ctx.credential"
    tried = {x["credential"]: x["reason"] for x in reasons}
    assert tried["AzureCliCredential"] == "Azure CLI not found on path", reasons
    assert "ManagedIdentityCredential" in tried and "EnvironmentCredential" in tried, reasons
    assert all(k.endswith("Credential") for k in tried), reasons   # no headers, no troubleshooting links
    (custom,) = [x for x in data["results"] if x["probe"] == "dns.custom"]
    assert custom["summary"].startswith("no custom DNS servers known: the VNet was not read"), custom


def test_help_names_every_command_and_the_exit_codes() -> None:
    r = netcheck("--help")
    assert r.returncode == 0
    for command in ("netcheck demo", "netcheck explain [ID]", "netcheck collect --out FILE", "netcheck sim serve"):
        assert command in r.stdout
    assert "--timeout SECONDS" in r.stdout
    for code, meaning in (("0", "nothing failed"), ("1", "at least one probe failed"), ("2", "does not exist"),
                          ("3", "could not decide"), ("130", "interrupted")):
        assert re.search(rf"^  {code} +.*{meaning}", r.stdout, re.M), code
    assert "(default 168.63.129.16:53)" in r.stdout and "('168" not in r.stdout   # as people write it


def test_a_workspace_or_endpoint_that_does_not_exist_exits_2_with_the_close_names() -> None:
    r = netcheck("demo", "workspace-not-found", "--output", "text")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1] == ("netcheck: error: workspace mlw-contoso-prd not found in resource "
                                                 "group rg-mlops-prod; did you mean mlw-contoso-prod?")
    r = netcheck("demo", "healthy", "-e", "ep-frad", "--json")
    assert r.returncode == 2 and "did you mean ep-fraud?" in r.stderr.strip().splitlines()[-1]
    validate_report(json.loads(r.stdout))   # the report is still written


def test_explain_without_an_id_lists_every_probe_with_its_title() -> None:
    from netcheck.probes import CATALOG

    r = netcheck("explain")
    assert r.returncode == 0, r.stderr
    for p in CATALOG:
        assert re.search(rf"^{re.escape(p.id)} +{re.escape(p.title)}$", r.stdout, re.M), p.id


@pytest.mark.parametrize("argv", [("explain",), ("explain", "dns.system"), ("demo", "healthy")])
def test_a_reader_that_goes_away_ends_netcheck_quietly(argv: tuple[str, ...]) -> None:
    """`netcheck explain | head -1`: the pipe is closed before netcheck writes, so every write fails."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        r = subprocess.run([sys.executable, "-m", "netcheck", *argv], stdout=write_end, stderr=subprocess.PIPE,
                           text=True, env=cli_env(), timeout=120)
    finally:
        os.close(write_end)
    assert (r.returncode, r.stderr) == (141, "")


def test_only_takes_a_probe_and_a_subject() -> None:
    r = netcheck("demo", "--json", "--only", "dns.system@ep-fraud.*")
    data = json.loads(r.stdout)
    validate_report(data)
    mine = [x for x in data["results"] if x["probe"] == "dns.system"]
    assert [x["subject"] for x in mine] == ["ep-fraud.eastus.inference.ml.azure.com"]
    assert {x["probe"] for x in data["results"]} >= {"ctx.target", "pdns.links"}   # what it waits for
    assert netcheck("demo", "--only", "dns.system@").returncode == 2


def test_a_missing_target_says_where_its_default_would_come_from(tmp_path: Path) -> None:
    env = without_az_defaults(tmp_path)
    r = netcheck(env=env)
    assert r.returncode == 2 and "--subscription: required" in r.stderr and "az account set" in r.stderr
    r = netcheck("-s", "11111111-2222-3333-4444-555555555555", "-g", "rg-x", env=env)
    assert r.returncode == 2 and "--workspace: required" in r.stderr
    assert "az configure --defaults workspace=NAME" in r.stderr and "--no-azure" in r.stderr
