"""ctx.credential, ctx.location, ctx.target: each verdict rule, from a hand-made inventory file, a real
loopback IMDS, or an environment without credentials."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from facts import EP, INSIDE, OUTSIDE, RG, WS, WS_ID, check, commands, context, inventory, only, rid

from netcheck.azure.facts import Inventory, ReadError
from netcheck.context import Context
from netcheck.model import Finding, Target, Verdict, Where
from netcheck.probes import CATALOG
from netcheck.probes import context as ctx_probes
from netcheck.runner import run, select

LOOPBACK = "127.0.0.1"
VM_ID = rid("Microsoft.Compute/virtualMachines", "vm-jumpbox")


# ---- ctx.credential ------------------------------------------------------------------------------

def test_credential_not_needed_with_an_inventory(tmp_path: Path) -> None:
    c = context(None, OUTSIDE, inventory=tmp_path / "inventory.json")
    f = only(check(ctx_probes.credential, ctx=c))
    assert f.verdict is Verdict.PASS and f.summary.startswith("not needed: facts come from --inventory")


def test_credential_from_a_given_token_passes_and_is_never_shown() -> None:
    c = context(None, OUTSIDE, arm_token="eyJ0eXAiOiJKV1QifQ.planted.token")
    f = only(check(ctx_probes.credential, ctx=c))
    assert f.verdict is Verdict.PASS and "NETCHECK_ARM_TOKEN" in f.summary
    assert "planted" not in json.dumps([f.summary, dict(f.evidence)]) and c.credential is not None


def test_no_credential_fails_with_each_reason_and_az_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))   # no az, no azd, no pwsh
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9")
    for var in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
                "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "AZURE_USERNAME"):
        monkeypatch.delenv(var, raising=False)
    f = only(check(ctx_probes.credential, ctx=context(None, OUTSIDE)))
    assert f.verdict is Verdict.ERROR and f.summary == "no ARM token: every credential in the chain failed"
    tried = {r["credential"]: r["reason"] for r in f.evidence["reasons"]}
    assert tried["AzureCliCredential"] == "Azure CLI not found on path", tried
    assert commands(f) == ["az login"]


def test_no_credential_in_a_sovereign_cloud_sets_the_cloud_first(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9")
    for var in ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "IDENTITY_ENDPOINT", "MSI_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    f = only(check(ctx_probes.credential, ctx=context(None, OUTSIDE, cloud="AzureChinaCloud")))
    assert f.verdict is Verdict.ERROR and commands(f) == ["az cloud set --name AzureChinaCloud", "az login"]


# ---- ctx.location: a real IMDS on loopback -------------------------------------------------------

def imds_document(ip: str = "10.20.0.10") -> bytes:
    return json.dumps({"compute": {"resourceId": VM_ID, "name": "vm-jumpbox"},
                       "network": {"interface": [{"ipv4": {"ipAddress": [{"privateIpAddress": ip}]}}]}}).encode()


@asynccontextmanager
async def imds(status: int, body: bytes) -> AsyncIterator[int]:
    """An IMDS on loopback that answers every request with `status` and `body`."""
    seen: list[str] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        seen.append(head)
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                     + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, LOOPBACK, 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
    assert all("Metadata: true" in h for h in seen), seen   # IMDS refuses requests without the header


def locate(status: int, body: bytes) -> tuple[Finding, Context]:
    async def go() -> tuple[Finding, Context]:
        async with imds(status, body) as port:
            c = context(None, OUTSIDE, connect_to=((ctx_probes.IMDS, (LOOPBACK, port)),))
            return only(await ctx_probes.location.run(c)), c
    return asyncio.run(go())


def test_location_on_an_azure_vm_passes_and_sets_where() -> None:
    f, c = locate(200, imds_document())
    assert f.verdict is Verdict.PASS and "Azure VM vm-jumpbox (10.20.0.10)" in f.summary
    assert "its VNet is not read: no ARM session" in f.summary   # the VNet comes later, from ctx.target
    assert c.where.in_azure and c.where.vm_id == VM_ID and c.where.private_ip == "10.20.0.10"


def test_location_imds_without_a_vm_id_warns() -> None:
    f, c = locate(404, b"{}")
    assert f.verdict is Verdict.WARN and f.evidence["imds"] == "IMDS answered 404 without a VM id"
    assert not c.where.in_azure


def test_location_without_imds_warns_outside_azure() -> None:
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind((LOOPBACK, 0))   # bound, never listening: IMDS's address refuses, as off Azure
    try:
        c = context(None, OUTSIDE, connect_to=((ctx_probes.IMDS, held.getsockname()),))
        f = only(check(ctx_probes.location, ctx=c))
    finally:
        held.close()
    assert f.verdict is Verdict.WARN and f.summary.startswith("not inside an Azure VNet")
    assert "IMDS did not answer (refused" in f.evidence["imds"]


# ---- ctx.target: facts from an inventory file ----------------------------------------------------

def target(tmp_path: Path, inv: Inventory | None, where: Where = OUTSIDE) -> tuple[Finding, Context]:
    """ctx.target on a `netcheck collect` file holding `inv` (None: a file that is not JSON)."""
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps(inv.to_json()) if inv else "not json", encoding="utf-8")
    c = context(None, where, inventory=path)
    return only(check(ctx_probes.target, ctx=c)), c


def test_target_read_passes_and_counts_what_it_found(tmp_path: Path) -> None:
    f, c = target(tmp_path, inventory())
    assert f.verdict is Verdict.PASS
    assert f.summary == f"workspace {WS} (eastus): 1 online endpoint, 1 deployment, 3 private endpoints"
    assert c.inventory == inventory()


def test_target_places_a_vm_by_its_address_when_its_nic_was_unreadable(tmp_path: Path) -> None:
    vm_only = Where(in_azure=True, vm_id=INSIDE.vm_id, private_ip="10.20.0.10")
    _, c = target(tmp_path, inventory(), vm_only)
    assert c.where.vnet_id == inventory().vnets[0].id


def test_target_missing_endpoint_fails_with_the_close_name(tmp_path: Path) -> None:
    f, _ = target(tmp_path, inventory(missing_endpoints=("ep-frod",), known_endpoints=(EP,)))
    assert f.verdict is Verdict.FAIL
    assert f.summary == f"online endpoint ep-frod not found in workspace {WS}; did you mean ep-fraud?"
    assert f.evidence["did_you_mean"] == {"ep-frod": [EP]}
    assert commands(f) == [f"az ml online-endpoint list -g {RG} -w {WS} -o table"]


def test_target_missing_workspace_fails_with_list(tmp_path: Path) -> None:
    err = ReadError(resource=WS_ID, reason="not_found", message="The Resource was not found.", status=404)
    f, _ = target(tmp_path, inventory(workspace=None, endpoints=(), errors=(err,)))
    assert f.verdict is Verdict.FAIL and f.summary == f"workspace {WS} not found in resource group {RG}"
    assert commands(f) == [f"az ml workspace list -g {RG} -o table"]


def test_target_forbidden_workspace_is_an_error_naming_the_permission(tmp_path: Path) -> None:
    err = ReadError(resource=WS_ID, reason="forbidden", message="no read", status=403,
                    action="Microsoft.MachineLearningServices/workspaces/read", scope=WS_ID)
    f, _ = target(tmp_path, inventory(workspace=None, endpoints=(), errors=(err,)))
    assert f.verdict is Verdict.ERROR and f.evidence["missing_action"] == err.action
    assert commands(f)[0].startswith(f"az role assignment create --role Reader --scope {WS_ID}")


def test_target_unusable_inventory_file_is_an_error(tmp_path: Path) -> None:
    f, _ = target(tmp_path, None)
    assert f.verdict is Verdict.ERROR and f.summary.startswith("cannot use --inventory") and "not JSON" in f.summary


STAGE_1 = [p.id for p in CATALOG if p.stage == 1]


def test_every_stage_1_probe_skips_naming_ctx_target_when_the_target_is_unreadable(tmp_path: Path) -> None:
    """The runner with `only` the stage-1 probes (plus what they wait for): ctx.target's error blocks them."""
    path = tmp_path / "inventory.json"
    path.write_text("not json", encoding="utf-8")
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind((LOOPBACK, 0))   # IMDS refuses: not on Azure
    try:
        c = context(None, OUTSIDE, inventory=path, connect_to=((ctx_probes.IMDS, held.getsockname()),))
        report = asyncio.run(run(select(CATALOG, only=STAGE_1), c, Target()))
    finally:
        held.close()
    (t,) = [r for r in report.results if r.probe == "ctx.target"]
    assert t.verdict is Verdict.ERROR
    stage_1 = [r for r in report.results if r.stage == 1]
    assert sorted({r.probe for r in stage_1}) == sorted(STAGE_1) and len(stage_1) == len(STAGE_1)
    assert all(r.verdict is Verdict.SKIP and str(r.cause) == "ctx.target" for r in stage_1), stage_1
