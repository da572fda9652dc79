"""Hostile and malformed scenario files: one line naming the file and the key, exit 2, never a traceback."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import cli_env

from netcheck.sim.scenario import ScenarioError, load

HEAD = "scenario: 1\nname: x\nsummary: y\n"
BASED = HEAD + "base: healthy\n"
JUMPBOX = "*/networkInterfaces/nic-jumpbox"
EP = ("/subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b/resourceGroups/rg-mlops-prod/providers/"
      "Microsoft.MachineLearningServices/workspaces/mlw-contoso-prod/onlineEndpoints/ep-fraud")
PE = ("/subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b/resourceGroups/rg-mlops-prod/providers/"
      "Microsoft.Network/privateEndpoints/pe-mlw-contoso-prod")
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


@pytest.mark.parametrize(("text", "says"), [
    (BASED + "faults: 5", "faults: must be a list, not int"),
    (HEAD + "arm: 7", "arm: required, a list"),
    (BASED + "arm: 7", "arm: must be a list, not int"),
    (HEAD + "base: [healthy]", "base: must be the name of a shipped scenario"),
    (BASED + "public_dns: [a.example.com]", "public_dns: must be a mapping, not list"),
    (BASED + f'patch:\n  - {{id: "{JUMPBOX}", set: [a, b]}}', "patch[0].set: must be a mapping, not list"),
    (BASED + f'patch:\n  - {{id: "{JUMPBOX}", set: {{name.x: 1}}}}', "patch[0].set.name.x: 'name' holds str"),
    (BASED + f'patch:\n  - {{id: "{JUMPBOX}", delete: 5}}', "patch[0].delete: must be a list"),
    (BASED + 'patch:\n  - {id: "*/onlineEndpoints/ep-fraud", set: {properties.scoringUri: 12}}',
     "properties.scoringUri: must be a string, not int"),
    (BASED + 'patch:\n  - {id: "*/privateEndpoints/pe-mlw-contoso-prod", set: {properties.customDnsConfigs: 7}}',
     "properties.customDnsConfigs: must be a list, not int"),
    (BASED + "tls: {a.example.com: {expires_in_days: .inf}}", "tls.a.example.com.expires_in_days: inf is not"),
    (BASED + "tls: {a.example.com: {not_before_days: 1.0e+9}}", "not_before_days: 1000000000.0 is not"),
    (BASED + f"arm:\n  - {{id: '{EP}/deployments/green', name: blue, type: Microsoft.X/y}}",
     "arm[", ),
    (BASED + f"arm:\n  - {{id: '{EP}/deployments/green', name: a/green, type: Microsoft.X/y}}", "holds a '/'"),
    (BASED + "blackhole: [{to: 10.0.0.0/33}]", "blackhole[0].to: '10.0.0.0/33' is not an address or CIDR"),
    (BASED + "blackhole: [{from: internet}]", "blackhole[0].to: required"),
    (BASED + "expect: {net.tcp: {verdict: fail, cause: 5}}", "expect.net.tcp.cause: 5 is not"),
    (HEAD + "arm: []\n" + "x: " + "[" * 5000 + "]" * 5000, "nested deeper than"),
    (HEAD + "arm: []\n" + LAUGHS + "i: [*i, *i, *i, *i, *i, *i, *i, *i, *i]", "through its aliases"),
    (HEAD + "arm: [\n  - id: x\n", "not valid YAML"),
    (HEAD + "arm: []\nexpect: {a: ", "not valid YAML"),
    (HEAD + "arm: []\n\tbad: tab", "not valid YAML"),
])
def test_a_malformed_file_is_one_line_naming_file_and_key(tmp_path: Path, text: str, says: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load(str(bad))
    message = str(caught.value)
    assert message.startswith(f"{bad}: ") and says in message, message
    assert "\n" not in message and len(message) < 400, message


def test_a_name_is_its_ids_last_segment(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASED + f"arm:\n  - {{id: '{EP}/deployments/green', name: blue, type: Microsoft.X/y}}\n")
    with pytest.raises(ScenarioError, match=r"arm\[\d+\]\.name: 'blue' is not the last segment of the id"):
        load(str(bad))


def test_a_huge_or_endless_file_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    huge.write_text(HEAD + "arm: []\n" + "# padding\n" * 300_000)
    with pytest.raises(ScenarioError, match="larger than"):
        load(str(huge))
    with pytest.raises(ScenarioError, match=r"larger than|cannot read"):
        load("/dev/zero")


@pytest.mark.parametrize("text", [
    HEAD + "arm: []\n" + LAUGHS + "i: [*i, *i, *i, *i, *i, *i, *i, *i, *i]",
    HEAD + "arm: []\n" + "x: " + "[" * 5000 + "]" * 5000,
    HEAD + "arm: [\n",
    BASED + "faults: 5",
])
def test_netcheck_demo_exits_2_with_one_line(tmp_path: Path, text: str) -> None:
    import subprocess

    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    r = subprocess.run([sys.executable, "-m", "netcheck", "demo", str(bad)], capture_output=True, text=True,
                       env=cli_env(), timeout=120)
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert str(bad) in r.stderr


@pytest.mark.parametrize(("text", "says"), [
    (BASED + "target: {endpoints: 5}", "target.endpoints: 5 is not a list of names"),
    (BASED + "target: {cloud: Mars}", "target.cloud: 'Mars' is not a cloud"),
    (BASED + "target: [a]", "target: must be a mapping, not list"),
])
def test_target_values_are_checked(tmp_path: Path, text: str, says: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(ScenarioError, match=re.escape(says)):
        load(str(bad))
