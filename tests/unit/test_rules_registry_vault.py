"""acr.pe_approval and kv.bypass: each verdict rule from hand-made facts, and what the user reads."""

from __future__ import annotations

import pytest
from facts import (
    ACR,
    ACR_ID,
    DEP,
    EGRESS,
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
AML_PE = ("/subscriptions/0b7c4a1e-6d2f-4a3b-8c9d-aml00egress01/resourceGroups/azureml-rg-mlw-contoso-prod_3f8e2a71"
          "/providers/Microsoft.Network/privateEndpoints")


def recreate(ep: str, dep: str) -> list[str]:
    args = f"-g {RG} -w {WS} -e {ep} -n {dep}"
    return [f"az ml online-deployment delete {args} --yes",
            f"az ml online-deployment create {args} -f '<deployment.yml>'"]


RECREATE = recreate(EP, DEP)


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


def _deployment(name: str) -> object:
    return deployment(name=name, id=deployment().id.replace(DEP, name))


@pytest.mark.parametrize("status", ["Rejected", "Disconnected"])
def test_rejected_egress_connection_recreates_only_the_deployment_its_private_endpoint_names(status: str) -> None:
    """AML names a deployment's egress private endpoint <endpoint>-<deployment>-acr: green's connection is
    rejected, blue's and blue-2's are fine, so only green is deleted and created."""
    conns = tuple(connection(ACR_ID, f"{EP}-egress.{i}", description=EGRESS, private_endpoint_id=f"{AML_PE}/{EP}-{d}-acr",
                             status=status if d == "green" else "Approved")
                  for i, d in enumerate((DEP, "green", "blue-2")))
    deps = (deployment(), _deployment("green"), _deployment("blue-2"))
    findings = check(acr.pe_approval, inventory(endpoints=(endpoint(deployments=deps),),
                                                registry=registry(connections=conns)))
    f = only([f for f in findings if f.verdict is Verdict.FAIL])
    assert f.about.text == f"{EP}-egress.1" and f"of deployment {EP}/green is {status}" in f.summary
    assert commands(f) == recreate(EP, "green") and f.evidence["deployment"] == f"{EP}/green"
    assert f.fix is not None and "<deployment.yml> stands for the YAML file" in f.fix.summary


@pytest.mark.parametrize(("pe", "owner"), [
    (f"{EP}-blue-acr", (EP, "blue")), (f"{EP}-blue-2-acr", (EP, "blue-2")), (f"{EP}-blue-2", (EP, "blue-2")),
    ("ep-other-blue-acr", None), (None, None),
])
def test_the_egress_private_endpoint_name_maps_to_its_deployment(pe: str | None, owner: tuple[str, str] | None) -> None:
    pe_id = f"{AML_PE}/{pe}" if pe else None
    assert acr.owner(pe_id, [(EP, "blue"), (EP, "blue-2"), ("ep-other", "green")]) == owner


def test_rejected_connection_of_no_known_deployment_says_so_and_offers_to_delete_it() -> None:
    conn = egress_connection(status="Rejected", private_endpoint_id=f"{AML_PE}/ep-gone-old-acr")
    f = only(check(acr.pe_approval, inventory(registry=registry(connections=(conn,)))))
    assert f.verdict is Verdict.FAIL and "its private endpoint ep-gone-old-acr names no deployment" in f.summary
    assert commands(f)[-1] == f"az network private-endpoint-connection delete --id {conn.id} --yes"
    assert "'<deployment>'" in commands(f)[0] and "ep-fraud" not in " ".join(commands(f)[:2])


def test_missing_egress_connection_fails_naming_the_deployments() -> None:
    own = connection(ACR_ID, "pe-crcontosoml.2b7e")   # the registry's own PE connection is not an egress one
    f = only(check(acr.pe_approval, inventory(registry=registry(connections=(own,)))))
    assert f.verdict is Verdict.FAIL and f.about.text == ACR and "egress is disabled for 1 deployment" in f.summary
    assert f.evidence["deployments"] == [f"{EP}/{DEP}"] and commands(f) == RECREATE


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
    f = only(check(keyvault.bypass, inventory(vault=vault(default_action="Allow", bypass="None"))))
    assert f.verdict is Verdict.PASS and "default Allow" in f.summary


def test_vault_deny_without_the_bypass_fails_with_keyvault_update() -> None:
    f = only(check(keyvault.bypass, inventory(vault=vault(bypass="None"))))
    assert f.verdict is Verdict.FAIL and "bypass is None: endpoint creation with key auth fails" in f.summary
    assert commands(f) == [f"az keyvault update -g {RG} -n {KV} --bypass AzureServices"]


def test_vault_deny_with_bypass_absent_passes_as_azure_services() -> None:
    """The Key Vault API: a networkAcls without `bypass` means AzureServices."""
    f = only(check(keyvault.bypass, inventory(vault=vault(bypass=None))))
    assert f.verdict is Verdict.PASS and "bypass AzureServices" in f.summary


@pytest.mark.parametrize("bypass", ["AzureServices", None])
def test_vault_public_access_disabled_without_a_pe_warns_trusted_services_pass(bypass: str | None) -> None:
    """Public access Disabled still lets trusted services (AML) through with the bypass: only VNet clients
    are cut off."""
    pending = connection(KV_ID, "pe-kv-contoso-ml.5d2a", status="Pending")
    inv = inventory(vault=vault(public_network_access="Disabled", bypass=bypass, connections=(pending,)))
    f = only(check(keyvault.bypass, inv))
    assert f.verdict is Verdict.WARN and "AML gets through as a trusted service" in f.summary
    assert f.fix is not None and "group id vault" in f.fix.summary and not f.fix.commands


def test_vault_public_access_disabled_without_bypass_or_pe_fails() -> None:
    inv = inventory(vault=vault(public_network_access="Disabled", default_action="Allow", bypass="None",
                                connections=()))
    f = only(check(keyvault.bypass, inv))
    assert f.verdict is Verdict.FAIL and "no Approved private endpoint: nothing can reach it" in f.summary
    assert commands(f) == [f"az keyvault update -g {RG} -n {KV} --bypass AzureServices"]


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
