"""Stage 1, the workspace key vault: network rules that let AML through."""

from __future__ import annotations

from netcheck.azure.facts import group_of
from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.probe import probe
from netcheck.probes._common import cmd, fix, inventory, unreadable


@probe("kv.bypass", stage=1, title="The key vault lets Azure services through", needs=["ctx.target"])
async def bypass(ctx: Context) -> list[Finding]:
    """Reads the workspace key vault's `properties.networkAcls` and `publicNetworkAccess` (the seed's
    `az keyvault network-rule list`). With `defaultAction: Deny`, AML reaches the vault only if
    `bypass` is AzureServices; otherwise creating an endpoint with key auth fails.

    pass: default Allow, or Deny with bypass AzureServices. fail: Deny without the AzureServices
    bypass; or (beyond the seed) public access Disabled with no Approved private endpoint.
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
    if kv.default_action == "Deny" and (kv.bypass or "None") != "AzureServices":
        return [Finding(kv.name, Verdict.FAIL, f"key vault {kv.name} denies by default and bypass is "
                        f"{kv.bypass or 'None'}: endpoint creation with key auth fails", evidence,
                        fix("Let trusted Azure services through the vault firewall",
                            cmd("az", "keyvault", "update", "-g", group_of(kv.id), "-n", kv.name,
                                "--bypass", "AzureServices"), docs="keyvault"))]
    if kv.public_network_access == "Disabled" and not any(c.status == "Approved" for c in kv.connections):
        return [Finding(kv.name, Verdict.FAIL, f"key vault {kv.name} has public access disabled and no Approved "
                        "private endpoint: nothing can reach it", evidence,
                        fix("Create a private endpoint for the vault (group id vault) in the workspace's VNet",
                            docs="keyvault"))]
    return [Finding(kv.name, Verdict.PASS, f"network rules let AML through (default {kv.default_action or 'Allow'}, "
                    f"bypass {kv.bypass or 'None'})", evidence)]
