"""Stage 1, the workspace storage account: its firewall lets AML through, and its blob and file private
endpoints are Approved where it has no public side."""

from __future__ import annotations

from netcheck.azure.facts import Inventory, Storage
from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.probe import probe
from netcheck.probes import _az_network as net
from netcheck.probes._common import cmd, fix, group_of, inventory, legacy_isolation, unreadable

GROUPS = ("blob", "file")   # what AML reads and writes: datastores (blob) and code, snapshots (file)


def _account(inv: Inventory) -> tuple[Storage | None, Finding | None]:
    ws = inv.workspace
    assert ws
    if not ws.storage_account:
        return None, Finding(ws.name, Verdict.SKIP, "the workspace names no storage account")
    if err := unreadable(inv, ws.storage_account, ws.storage_account.rsplit("/", 1)[-1]):
        return None, err
    if inv.storage is None:   # an inventory that did not read it (an older collect file, a fleet run)
        return None, Finding(ws.name, Verdict.SKIP, "the storage account was not read")
    return inv.storage, None


def _evidence(st: Storage) -> dict[str, object]:
    return {"storage_account": st.id, "publicNetworkAccess": st.public_network_access,
            "defaultAction": st.default_action, "bypass": st.bypass, "ipRules": list(st.ip_rules),
            "resourceAccessRules": [{"resourceId": a.resource_id, "tenantId": a.tenant_id} for a in st.access_rules],
            "private_endpoint_connections": [{"name": c.name, "status": c.status} for c in st.connections]}


@probe("st.network_rules", stage=1, title="The storage account's firewall lets the workspace through",
       needs=["ctx.target"])
async def network_rules(ctx: Context) -> list[Finding]:
    """Reads the workspace storage account's `properties.networkAcls` (`defaultAction`, `bypass`,
    `resourceAccessRules`, `ipRules`) and `publicNetworkAccess`. With `defaultAction: Deny`, AML's
    own services reach the account's public side only as a trusted service (`bypass` holds
    AzureServices) or through a resource instance rule naming the workspace; IP rules don't help,
    AML's addresses are not the customer's.

    pass: default Allow; or Deny with the AzureServices bypass or a resource instance rule for the
    workspace. fail: Deny with neither (datastore, code and model access fail). skip: public network
    access is Disabled: unlike Key Vault's, that turns the bypass and the instance rules off too,
    and AML's access goes through private endpoints only (st.private_endpoints judges those); the
    inventory holds no account (an older collect file, a fleet run). error: the account could not be read.
    """
    inv = inventory(ctx)
    st, early = _account(inv)
    if early or not st:
        return [early] if early else []
    ws = inv.workspace
    assert ws
    evidence = _evidence(st)
    if st.public_network_access == "Disabled":
        return [Finding(st.name, Verdict.SKIP, "public network access is Disabled: the bypass and resource instance "
                        "rules don't apply, AML reaches the account through its private endpoints only", evidence)]
    if st.default_action != "Deny":
        return [Finding(st.name, Verdict.PASS, "the firewall allows by default", evidence)]
    bypass = [b.strip() for b in st.bypass.split(",") if b.strip() and b.strip() != "None"]
    if "AzureServices" in bypass:
        return [Finding(st.name, Verdict.PASS, "denies by default and lets trusted Azure services (AML) through",
                        evidence)]
    if st.lets_through(ws.id):
        return [Finding(st.name, Verdict.PASS, f"denies by default and a resource instance rule lets workspace "
                        f"{ws.name} through", evidence)]
    commands = [cmd("az", "storage", "account", "update", "-g", group_of(st.id), "-n", st.name,
                    "--bypass", "AzureServices", *bypass)]
    if ws.tenant_id:
        commands.append(cmd("az", "storage", "account", "network-rule", "add", "-g", group_of(st.id),
                            "--account-name", st.name, "--resource-id", ws.id, "--tenant-id", ws.tenant_id))
    return [Finding(st.name, Verdict.FAIL, f"storage account {st.name} denies by default, its bypass is "
                    f"{st.bypass or 'None'} and no resource instance rule names workspace {ws.name}: AML can't reach "
                    "its datastores, code and models", evidence,
                    fix("Let trusted Azure services through the storage firewall (or, narrower, add a resource "
                        "instance rule for the workspace: either command)", *commands, docs="storage_firewall"))]


@probe("st.private_endpoints", stage=1, title="The storage account's blob and file private endpoints are Approved",
       needs=["ctx.target"])
async def private_endpoints(ctx: Context) -> list[Finding]:
    """Reads the storage account's private endpoint connections and the private endpoints behind them
    (their `groupIds`: blob, file). With public network access Disabled, AML and the compute reach the
    account only through a blob and a file private endpoint whose connection is Approved (the trusted
    services bypass no longer applies). A workspace managed VNet makes its own managed private endpoints.

    pass per sub-resource: an Approved private endpoint, or none needed (public access on, or a
    workspace managed VNet). fail: public access Disabled and no private endpoint for blob or file;
    a connection Pending (approve it), Rejected or Disconnected (recreate the private endpoint).
    skip: the inventory holds no account (an older collect file, a fleet run). error: the account
    could not be read.
    """
    inv = inventory(ctx)
    st, early = _account(inv)
    if early or not st:
        return [early] if early else []
    ws = inv.workspace
    assert ws
    status = {c.private_endpoint_id.lower(): c for c in st.connections}
    subnet = next((pe.subnet_id for pe in inv.pes_for(ws.id) if pe.subnet_id), None)
    out = []
    for group in GROUPS:
        pes = [pe for pe in inv.pes_for(st.id) if group in pe.group_ids]
        conns = [c for pe in pes if (c := status.get(pe.id.lower()))]
        subject, evidence = f"{st.name}/{group}", {**_evidence(st), "group": group,
                                                     "private_endpoints": [pe.id for pe in pes]}
        if good := [c for c in conns if c.status == "Approved"]:
            out.append(Finding(subject, Verdict.PASS, f"{group} private endpoint connection {good[0].name} is Approved",
                               evidence))
        elif pending := [c for c in conns if c.status == "Pending"]:
            out.append(Finding(subject, Verdict.FAIL, f"the {group} private endpoint connection {pending[0].name} is "
                               "Pending: nothing reaches the account through it until it is approved", evidence,
                               fix("Approve the connection", *net.approve(*(c.id for c in pending)), docs="storage_pe")))
        elif conns:
            out.append(Finding(subject, Verdict.FAIL, f"the {group} private endpoint connection {conns[0].name} is "
                               f"{conns[0].status}: recreate the private endpoint", evidence,
                               fix(f"Delete and recreate the {group} private endpoint", docs="storage_pe")))
        elif st.public_network_access != "Disabled" or not legacy_isolation(inv):
            why = "public network access is on" if st.public_network_access != "Disabled" else \
                "the workspace managed VNet makes its own managed private endpoint"
            out.append(Finding(subject, Verdict.PASS, f"no {group} private endpoint needed: {why}", evidence))
        else:
            create = [net.private_endpoint(st.id, group, subnet)] if subnet else []
            out.append(Finding(subject, Verdict.FAIL, f"storage account {st.name} has public network access Disabled "
                               f"(which overrides its trusted-services bypass) and no {group} private endpoint: AML "
                               f"and the compute can't reach its {group} service", evidence,
                               fix(f"Create a {group} private endpoint for the account in the workspace's VNet",
                                   *create, docs="storage_pe")))
    return out
