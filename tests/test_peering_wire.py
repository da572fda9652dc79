"""net.peering through the real check against the simulator: the peerings read from ARM (inline in a VNet's
GET, or created as child resources), the client's VNet in another subscription, and the verdict agreeing
with whether the simulator routes the traffic."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_scenario

from netcheck.model import Report, Result, Verdict

SUB = "6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b"
RG = f"/subscriptions/{SUB}/resourceGroups/rg-mlops-prod/providers"
HUB = f"{RG}/Microsoft.Network/virtualNetworks/vnet-ml-hub"
SPOKE = f"{RG}/Microsoft.Network/virtualNetworks/vnet-ml-spoke"
SCORING = "ep-fraud.eastus.inference.ml.azure.com"


def scenario(tmp_path: Path, text: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text("scenario: 1\nname: t\nsummary: t\n" + text)
    return str(path)


def one(report: Report, probe: str, subject: str) -> Result:
    (r,) = [r for r in report.results if r.probe == probe and r.subject.text == subject]
    return r


def child(owner: str, remote: str, state: str) -> str:
    """A peering created as its own ARM resource (as `az network vnet peering create` does)."""
    return (f"  - id: {owner}/virtualNetworkPeerings/p\n    name: p\n"
            f"    type: Microsoft.Network/virtualNetworks/virtualNetworkPeerings\n"
            f"    properties: {{peeringState: {state}, allowVirtualNetworkAccess: true, "
            f"remoteVirtualNetwork: {{id: {remote}}}}}\n")


@pytest.mark.parametrize(("spoke", "hub", "passes"), [
    ("Connected", "Connected", True),
    ("Connected", None, False),           # one side only carries nothing
    ("Disconnected", "Connected", False),
    ("Initiated", None, False),
])
def test_the_verdict_follows_both_sides_and_agrees_with_the_route(
        tmp_path: Path, spoke: str, hub: str | None, passes: bool) -> None:
    arm = child(SPOKE, HUB, spoke) + (child(HUB, SPOKE, hub) if hub else "")
    report, sim = run_scenario(scenario(tmp_path, f"base: client-vnet-not-peered\narm:\n{arm}"))
    assert sim.mutating_requests == []
    peering, tcp = one(report, "net.peering", "vnet-ml-hub"), one(report, "net.tcp", SCORING)
    assert peering.verdict is (Verdict.PASS if passes else Verdict.FAIL)
    assert tcp.verdict is (Verdict.PASS if passes else Verdict.FAIL)   # the simulator routes as ARM says
    if not passes:
        assert tcp.cause == peering.ref and tcp.fix == peering.fix


def test_a_client_vnet_in_another_subscription_is_read_and_judged(tmp_path: Path) -> None:
    other = "/subscriptions/0c9d8e7f-1111-2222-3333-444455556666/resourceGroups/rg-conn/providers"
    app = f"{other}/Microsoft.Network/virtualNetworks/vnet-app"
    nic_cfg = (f"[{{name: ipconfig1, id: {RG}/Microsoft.Network/networkInterfaces/nic-jumpbox/ipConfigurations/"
               f"ipconfig1, properties: {{primary: true, privateIPAddress: 10.40.1.4, privateIPAllocationMethod: "
               f"Dynamic, subnet: {{id: {app}/subnets/snet}}}}}}]")
    text = (f"base: client-vnet-not-peered\npatch:\n  - id: '*/networkInterfaces/nic-jumpbox'\n    set:\n"
            f"      properties.ipConfigurations: {nic_cfg}\narm:\n"
            f"  - id: {app}\n    name: vnet-app\n    type: Microsoft.Network/virtualNetworks\n    location: eastus\n"
            f"    properties: {{addressSpace: {{addressPrefixes: [10.40.0.0/16]}}, subnets: [{{name: snet, id: "
            f"{app}/subnets/snet, properties: {{addressPrefix: 10.40.1.0/24}}}}]}}\n"
            + child(HUB, app, "Initiated"))
    report, sim = run_scenario(scenario(tmp_path, text))
    assert any(r.method == "GET" and r.path.lower() == app.lower() for r in sim.arm.requests)
    peering = one(report, "net.peering", "vnet-ml-hub")
    assert peering.verdict is Verdict.FAIL and "vnet-ml-hub-to-vnet-app" not in str(peering.fix)   # hub side exists
    assert peering.fix is not None and peering.fix.commands == (
        f"az network vnet peering create -g rg-conn --vnet-name vnet-app -n peer-vnet-app-to-vnet-ml-hub "
        f"--remote-vnet {HUB} --allow-vnet-access --subscription 0c9d8e7f-1111-2222-3333-444455556666",)
