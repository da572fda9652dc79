"""ctx.location reads the VM and its NIC through ARM: a refused read is an error with its reason, never a pass."""

from __future__ import annotations

from pathlib import Path

from conftest import run_scenario

from netcheck.model import Verdict

NIC = ("/subscriptions/6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b/resourceGroups/rg-mlops-prod/providers/"
       "Microsoft.Network/networkInterfaces/nic-jumpbox")


def _with_fault(tmp_path: Path, fault: str) -> Path:
    scenario = tmp_path / "location-fault.yaml"
    scenario.write_text(f"""scenario: 1
name: location-fault
summary: the jumpbox's NIC cannot be read
base: healthy
faults:
  - {fault}
""")
    return scenario


def test_location_names_the_vnet_from_the_vms_nic() -> None:
    report, sim = run_scenario("healthy")
    (loc,) = [r for r in report.results if r.probe == "ctx.location"]
    assert loc.verdict is Verdict.PASS and loc.evidence["nic"] == NIC
    assert report.where.vnet_id and report.where.vnet_id.endswith("/virtualNetworks/vnet-ml-hub")
    assert any(r.path.lower() == NIC.lower() for r in sim.arm.requests)


def test_a_forbidden_nic_read_is_an_error_naming_the_missing_action(tmp_path: Path) -> None:
    report, _ = run_scenario(str(_with_fault(tmp_path, "{request: 'GET */networkInterfaces/nic-jumpbox', status: 403}")))
    (loc,) = [r for r in report.results if r.probe == "ctx.location"]
    assert loc.verdict is Verdict.ERROR
    assert loc.evidence["missing_action"] == "Microsoft.Network/networkInterfaces/read"
    assert "vm-jumpbox" in loc.summary and "Microsoft.Network/networkInterfaces/read" in loc.summary
    assert loc.fix is not None and any("az role assignment create" in c for c in loc.fix.commands)
    # ctx.target still places the VM in its VNet by its address
    assert report.where.vnet_id and report.where.vnet_id.endswith("/virtualNetworks/vnet-ml-hub")


def test_a_missing_vm_is_an_error_saying_not_found(tmp_path: Path) -> None:
    report, _ = run_scenario(str(_with_fault(tmp_path, "{request: 'GET */virtualMachines/vm-jumpbox', status: 404}")))
    (loc,) = [r for r in report.results if r.probe == "ctx.location"]
    assert loc.verdict is Verdict.ERROR and loc.evidence["reason"] == "not_found"
