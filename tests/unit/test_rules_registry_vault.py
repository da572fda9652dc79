"""acr.pe_approval and kv.bypass: each verdict rule from hand-made facts, and what the user reads."""

from __future__ import annotations

import pytest
from facts import (
    ACR,
    ACR_ID,
    DEP,
    EP,
    KV,
    KV_ID,
    RG,
    WS,
    check,
    commands,
    connection,
    deployment,
    egress_connection,
    endpoint,
    inventory,
    only,
    registry,
    vault,
    workspace,
)

from netcheck.azure.facts import ReadError
from netcheck.model import Verdict
from netcheck.probes import acr, keyvault

EGRESS_NAME = egress_connection().name
RECREATE = f"az ml online-deployment update -g {RG} -w {WS} -e {EP} -n {DEP}"


def test_approved_egress_connection_passes() -> None:
    f = only(check(acr.pe_approval))
    assert f.verdict is Verdict.PASS and f.about.text == EGRESS_NAME and f.summary == "egress connection Approved"


@pytest.mark.parametrize(("changes", "why"), [
    ({"workspace": workspace(isolation_mode="AllowOnlyApprovedOutbound", managed_network_status="Active")},
     "workspace managed VNet"),
    ({"endpoints": (endpoint(deployments=(deployment(egress_public_network_access="Enabled"),)),)},
     "no managed deployment has egress disabled"),
])
def test_no_egress_connection_needed_passes(changes: dict[str, object], why: str) -> None:
    f = only(check(acr.pe_approval, inventory(**changes)))
    assert f.verdict is Verdict.PASS and f.summary == f"no egress connection needed: {why}"


def test_no_registry_attached_passes() -> None:
    f = only(check(acr.pe_approval, inventory(workspace=workspace(container_registry=None), registry=None)))
    assert f.verdict is Verdict.PASS and f.summary == "no registry attached"


def test_pending_egress_connection_fails_with_approve() -> None:
    pending = egress_connection(status="Pending")
    f = only(check(acr.pe_approval, inventory(registry=registry(connections=(pending,)))))
    assert f.verdict is Verdict.FAIL and f"egress connection {EGRESS_NAME} is Pending" in f.summary
    assert commands(f) == [f"az network private-endpoint-connection approve --id {pending.id} --description Approved"]


@pytest.mark.parametrize("status", ["Rejected", "Disconnected"])
def test_rejected_egress_connection_fails_and_recreates_the_deployment(status: str) -> None:
    conn = egress_connection(status=status)
    f = only(check(acr.pe_approval, inventory(registry=registry(connections=(conn,)))))
    assert f.verdict is Verdict.FAIL and f"is {status}: recreate the deployment" in f.summary
    assert commands(f) == [RECREATE]


def test_missing_egress_connection_fails_naming_the_deployments() -> None:
    own = connection(ACR_ID, "pe-crcontosoml.2b7e")   # the registry's own PE connection is not an egress one
    f = only(check(acr.pe_approval, inventory(registry=registry(connections=(own,)))))
    assert f.verdict is Verdict.FAIL and f.about.text == ACR and "egress is disabled for 1 deployment" in f.summary
    assert f.evidence["deployments"] == [f"{EP}/{DEP}"] and commands(f) == [RECREATE]


@pytest.mark.parametrize("resource", [ACR_ID, f"{ACR_ID}/privateEndpointConnections"])
def test_unreadable_registry_or_its_connections_is_an_error(resource: str) -> None:
    err = ReadError(resource=resource, reason="forbidden", message="no read", status=403,
                    action="Microsoft.ContainerRegistry/registries/privateEndpointConnections/read", scope=ACR_ID)
    f = only(check(acr.pe_approval, inventory(errors=(err,))))
    assert f.verdict is Verdict.ERROR and f.evidence["scope"] == ACR_ID


def test_vault_deny_with_the_bypass_passes() -> None:
    f = only(check(keyvault.bypass))
    assert f.verdict is Verdict.PASS and f.about.text == KV
    assert f.summary == "network rules let AML through (default Deny, bypass AzureServices)"


def test_vault_default_allow_passes() -> None:
    f = only(check(keyvault.bypass, inventory(vault=vault(default_action="Allow", bypass=None))))
    assert f.verdict is Verdict.PASS and "default Allow" in f.summary


@pytest.mark.parametrize("bypass", ["None", None])
def test_vault_deny_without_the_bypass_fails_with_keyvault_update(bypass: str | None) -> None:
    f = only(check(keyvault.bypass, inventory(vault=vault(bypass=bypass))))
    assert f.verdict is Verdict.FAIL and "bypass is None: endpoint creation with key auth fails" in f.summary
    assert commands(f) == [f"az keyvault update -g {RG} -n {KV} --bypass AzureServices"]


def test_vault_public_access_disabled_without_an_approved_pe_fails() -> None:
    pending = connection(KV_ID, "pe-kv-contoso-ml.5d2a", status="Pending")
    f = only(check(keyvault.bypass, inventory(vault=vault(public_network_access="Disabled", connections=(pending,)))))
    assert f.verdict is Verdict.FAIL and "public access disabled and no Approved private endpoint" in f.summary
    assert f.fix is not None and "group id vault" in f.fix.summary


def test_vault_public_access_disabled_with_an_approved_pe_passes() -> None:
    f = only(check(keyvault.bypass, inventory(vault=vault(public_network_access="Disabled"))))
    assert f.verdict is Verdict.PASS


def test_no_vault_named_skips() -> None:
    f = only(check(keyvault.bypass, inventory(workspace=workspace(key_vault=None), vault=None)))
    assert f.verdict is Verdict.SKIP and f.summary == "the workspace names no key vault"


def test_unreadable_vault_is_an_error_with_the_reason() -> None:
    err = ReadError(resource=KV_ID, reason="timeout", message="no answer from ARM within 1 s")
    f = only(check(keyvault.bypass, inventory(vault=None, errors=(err,))))
    assert f.verdict is Verdict.ERROR and f.about.text == KV and "no answer from ARM within 1 s" in f.summary
