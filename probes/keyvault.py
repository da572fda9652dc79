"""Stage 1, the workspace key vault: network rules that let AML through."""

from __future__ import annotations

from netcheck.azure.facts import group_of
from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.probe import probe
from netcheck.probes._common import cmd, fix, inventory, unreadable


@probe("kv.bypass", stage=1, title="The key vault lets Azure services through", needs=["ctx.target"])
async def bypass(ctx: Context) -> list[Finding]:
    """Reads the workspace key vault's `properties.networkAcls` and `publicNetworkAccess` (like
    `az keyvault network-rule list`). With `defaultAction: Deny`, AML reaches the vault only if
    `bypass` is AzureServices (an absent `bypass` means AzureServices); otherwise creating an
    endpoint with key auth fails. With public access Disabled, trusted services such as AML still
    get through when bypass is AzureServices; only clients outside the vault's private endpoints
    are cut off.

    pass: default Allow, or Deny with bypass AzureServices; public access Disabled with an Approved
    private endpoint. warn: public access Disabled, bypass AzureServices and no Approved private
    endpoint (AML gets through, clients in the VNets don't). fail: Deny without the AzureServices
    bypass, or public access Disabled with neither the bypass nor an Approved private endpoint.
    error: the vault could not be read.
    """
    inv = inventory(ctx)
    ws = inv.workspace
    assert ws
    if not ws.key_vault:
        return [Finding(ws.name, Verdict.SKIP, "the workspace names no key vault")]
    if err := unreadable(inv, ws.key_vault, ws.key_vault.rsplit("/", 1)[-1]):
        return [err]
    kv = inv.vault
    assert kv
    evidence = {"vault": kv.id, "defaultAction": kv.default_action, "bypass": kv.bypass,
                "publicNetworkAccess": kv.public_network_access,
                "private_endpoint_connections": [{"name": c.name, "status": c.status} for c in kv.connections]}
    bypass = kv.bypass or "AzureServices"   # the Key Vault API's default when networkAcls omits it
    trusted = bypass == "AzureServices"
    approved = any(c.status == "Approved" for c in kv.connections)
    let_through = fix("Let trusted Azure services through the vault firewall",
                      cmd("az", "keyvault", "update", "-g", group_of(kv.id), "-n", kv.name, "--bypass", "AzureServices"),
                      docs="keyvault")
    if kv.default_action == "Deny" and not trusted:
        return [Finding(kv.name, Verdict.FAIL, f"key vault {kv.name} denies by default and bypass is {bypass}: "
                        "endpoint creation with key auth fails", evidence, let_through)]
    if kv.public_network_access == "Disabled" and not approved:
        if not trusted:
            return [Finding(kv.name, Verdict.FAIL, f"key vault {kv.name} has public access disabled, bypass {bypass} "
                            "and no Approved private endpoint: nothing can reach it", evidence, let_through)]
        return [Finding(kv.name, Verdict.WARN, f"key vault {kv.name} has public access disabled and no Approved "
                        "private endpoint: AML gets through as a trusted service (bypass AzureServices), but clients "
                        "in your VNets can't reach the vault", evidence,
                        fix("If clients in your VNets need the vault, create a private endpoint for it (group id "
                            "vault) in their VNet", docs="keyvault"))]
    return [Finding(kv.name, Verdict.PASS, f"network rules let AML through (default {kv.default_action or 'Allow'}, "
                    f"bypass {bypass})", evidence)]
