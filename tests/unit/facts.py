"""Hand-made facts for probe unit tests: a healthy private workspace, then one field changed.

    inv = inventory(workspace=workspace(v1_legacy_mode=True))
    (f,) = check(workspace_probes.v1_legacy_mode, inv)

Every builder takes keyword changes (applied with `dataclasses.replace`) to a healthy default, on
which every stage-0/1 probe passes. `check` runs one probe's own function, nothing else: no ARM,
no simulator; results of probes it builds on are given with `earlier=`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from typing import Any, TypeVar

from netcheck.azure.facts import (
    AccessRule,
    Connection,
    Deployment,
    DnsConfig,
    Endpoint,
    Inventory,
    OutboundRule,
    PrivateEndpoint,
    RecordSet,
    Registry,
    Storage,
    Vault,
    Vnet,
    VnetLink,
    Workspace,
    Zone,
)
from netcheck.context import Context
from netcheck.model import Finding, Result, Where
from netcheck.probe import Probe
from netcheck.settings import Settings

T = TypeVar("T")

SUB = "6b1e2f3a-8c4d-4e5f-9a0b-1c2d3e4f5a6b"
RG = "rg-mlops-prod"
REGION = "eastus"
GUID = "3f8e2a71-5b9c-4d0e-a1f2-7c6b5e4d3a29"
WS, EP, DEP = "mlw-contoso-prod", "ep-fraud", "blue"
ACR, KV, ST = "crcontosoml", "kv-contoso-ml", "stcontosoml"
WS_IP, SCORING_IP, ACR_IP, ACR_DATA_IP, KV_IP, BLOB_IP, FILE_IP = (
    "10.20.1.4", "10.20.1.5", "10.20.1.6", "10.20.1.7", "10.20.1.8", "10.20.1.9", "10.20.1.10")


def rid(kind: str, name: str, group: str = RG) -> str:
    """An ARM id: rid("Microsoft.Network/virtualNetworks", "vnet-ml-hub")."""
    return f"/subscriptions/{SUB}/resourceGroups/{group}/providers/{kind}/{name}"


WS_ID = rid("Microsoft.MachineLearningServices/workspaces", WS)
EP_ID = f"{WS_ID}/onlineEndpoints/{EP}"
ACR_ID = rid("Microsoft.ContainerRegistry/registries", ACR)
KV_ID = rid("Microsoft.KeyVault/vaults", KV)
ST_ID = rid("Microsoft.Storage/storageAccounts", ST)
HUB = rid("Microsoft.Network/virtualNetworks", "vnet-ml-hub")
SPOKE = rid("Microsoft.Network/virtualNetworks", "vnet-ml-spoke")
SUBNET = f"{HUB}/subnets/snet-pe"
SCORING_HOST = f"{EP}.{REGION}.inference.ml.azure.com"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def _pe_id(name: str) -> str:
    return rid("Microsoft.Network/privateEndpoints", name)


PE_WS_ID = _pe_id("pe-mlw-contoso-prod")


def _change(value: T, changes: dict[str, Any]) -> T:
    return dataclasses.replace(value, **changes)  # type: ignore[type-var]


def connection(owner_id: str, name: str, **changes: Any) -> Connection:
    """An Approved private endpoint connection on `owner_id`."""
    return _change(Connection(id=f"{owner_id}/privateEndpointConnections/{name}", name=name,
                              private_endpoint_id=_pe_id(name.split(".")[0]), status="Approved"), changes)


EGRESS = "Egress for Microsoft.MachineLearningServices/workspaces/onlineEndpoints"


def egress_connection(**changes: Any) -> Connection:
    """The registry connection AML makes for a deployment with egress disabled: Approved."""
    return connection(ACR_ID, f"{EP}-egress.91ac", description=EGRESS, **changes)


def workspace(**changes: Any) -> Workspace:
    """Private (public access Disabled, an Approved PE), legacy isolation, an image build compute."""
    return _change(Workspace(
        id=WS_ID, name=WS, location=REGION, guid=GUID, v1_legacy_mode=False, public_network_access="Disabled",
        isolation_mode=None, managed_network_status=None, image_build_compute="cpu-cluster",
        container_registry=ACR_ID, key_vault=KV_ID, storage_account=ST_ID,
        connections=(connection(WS_ID, "pe-mlw-contoso-prod.7c1d"),),
        notebook_fqdn=f"ml-{WS}-{REGION}-{GUID}.{REGION}.notebooks.azure.net"), changes)


HUB_WS = "hub-contoso-ai"
HUB_WS_ID = rid("Microsoft.MachineLearningServices/workspaces", HUB_WS)


def outbound_rule(name: str = "__SYS_PE_stcontosoml_blob", **changes: Any) -> OutboundRule:
    """An Active PrivateEndpoint outbound rule of the managed VNet, to the storage account's blob."""
    return _change(OutboundRule(name=name, type="PrivateEndpoint", destination=ST_ID, status="Active",
                                category="Required", subresource="blob"), changes)


def managed_workspace(**changes: Any) -> Workspace:
    """The workspace with a provisioned managed VNet (approved outbound only) and Active PE, ServiceTag, FQDN rules."""
    rules = (outbound_rule(), outbound_rule("allow-datafactory", type="ServiceTag", destination="DataFactory",
                                            category="UserDefined", subresource=None),
             outbound_rule("allow-pypi", type="FQDN", destination="pypi.org", category="UserDefined", subresource=None))
    return workspace(**{"isolation_mode": "AllowOnlyApprovedOutbound", "managed_network_status": "Active",
                        "provision_network_now": True, "firewall_sku": "Standard", "outbound_rules": rules, **changes})


def project_inventory(**changes: Any) -> Inventory:
    """The workspace as a Foundry project of hub HUB_WS, whose private endpoint and managed VNet serve it."""
    hub = managed_workspace(id=HUB_WS_ID, name=HUB_WS, kind="Hub", guid="9a4c7e21-3b5d-4f60-8e1a-2d3c4b5a6f70",
                            isolation_mode="AllowInternetOutbound", outbound_rules=(outbound_rule(),),
                            connections=(connection(HUB_WS_ID, "pe-mlw-contoso-prod.7c1d"),))
    project = workspace(kind="Project", hub_id=HUB_WS_ID, connections=())
    pes = tuple(dataclasses.replace(pe, resource_ids=(HUB_WS_ID,)) if WS_ID in pe.resource_ids else pe
                for pe in private_endpoints())
    return inventory(**{"workspace": project, "hub": hub, "private_endpoints": pes, **changes})


def deployment(**changes: Any) -> Deployment:
    return _change(Deployment(id=f"{EP_ID}/deployments/{DEP}", name=DEP, state="Succeeded", compute_type="Managed",
                              egress_public_network_access="Disabled", model="fraud-model:3", is_mlflow=False),
                   changes)


def endpoint(**changes: Any) -> Endpoint:
    """A managed endpoint, inbound public access Disabled, all traffic to one Succeeded deployment."""
    return _change(Endpoint(id=EP_ID, name=EP, state="Succeeded", compute_type="Managed",
                            scoring_uri=f"https://{SCORING_HOST}/score", public_network_access="Disabled",
                            auth_mode="key", traffic={DEP: 100}, deployments=(deployment(),)), changes)


def registry(**changes: Any) -> Registry:
    """Private (public access Disabled, no trusted-services bypass), with its own PE connection and the
    deployment's egress one."""
    return _change(Registry(id=ACR_ID, name=ACR, location=REGION, login_server=f"{ACR}.azurecr.io",
                            public_network_access="Disabled", default_action="Deny", data_endpoint_enabled=True,
                            data_endpoint_hosts=(f"{ACR}.{REGION}.data.azurecr.io",),
                            connections=(connection(ACR_ID, "pe-crcontosoml.2b7e"), egress_connection()),
                            bypass_options="None"), changes)


def vault(**changes: Any) -> Vault:
    """Firewall on (default Deny) with the AzureServices bypass, and an Approved PE."""
    return _change(Vault(id=KV_ID, name=KV, uri=f"https://{KV}.vault.azure.net/", public_network_access="Enabled",
                         default_action="Deny", bypass="AzureServices",
                         connections=(connection(KV_ID, "pe-kv-contoso-ml.5d2a"),)), changes)


def storage(**changes: Any) -> Storage:
    """Firewall on (default Deny) with the AzureServices bypass, public access on, no private endpoint."""
    return _change(Storage(id=ST_ID, name=ST, default_action="Deny", bypass="AzureServices"), changes)


def storage_private(**changes: Any) -> Inventory:
    """The healthy inventory with a private storage account: public access Disabled, Approved blob and file PEs."""
    st = storage(**{"public_network_access": "Disabled", "connections": (
        connection(ST_ID, "pe-stcontosoml-blob.4c2d"), connection(ST_ID, "pe-stcontosoml-file.4c2d")), **changes})
    inv = inventory(storage=st)
    return dataclasses.replace(inv, private_endpoints=inv.private_endpoints + storage_pes())


def access_rule(resource_id: str = WS_ID) -> AccessRule:
    return AccessRule(resource_id=resource_id, tenant_id=TENANT)


def private_endpoint(name: str, target: str, group: str, dns: dict[str, str], **changes: Any) -> PrivateEndpoint:
    """A PE in the hub's subnet, Approved, with `dns` ({fqdn: ip}) as its customDnsConfigs."""
    return _change(PrivateEndpoint(id=_pe_id(name), name=name, subnet_id=SUBNET, resource_ids=(target,),
                                   group_ids=(group,), status="Approved",
                                   custom_dns=tuple(DnsConfig(fqdn=f, ips=(ip,)) for f, ip in dns.items())), changes)


def private_endpoints() -> tuple[PrivateEndpoint, ...]:
    ws = workspace()
    api = f"{GUID}.workspace.{REGION}.api.azureml.ms"
    return (
        private_endpoint("pe-mlw-contoso-prod", WS_ID, "amlworkspace", {
            api: WS_IP, f"{GUID}.workspace.{REGION}.cert.api.azureml.ms": WS_IP,
            f"*.{GUID}.inference.{REGION}.api.azureml.ms": SCORING_IP, str(ws.notebook_fqdn): WS_IP}),
        private_endpoint("pe-crcontosoml", ACR_ID, "registry", {
            f"{ACR}.azurecr.io": ACR_IP, f"{ACR}.{REGION}.data.azurecr.io": ACR_DATA_IP}),
        private_endpoint("pe-kv-contoso-ml", KV_ID, "vault", {f"{KV}.vault.azure.net": KV_IP}),
    )


def storage_pes() -> tuple[PrivateEndpoint, ...]:
    """The storage account's blob and file private endpoints (storage_private() has their connections)."""
    return (private_endpoint("pe-stcontosoml-blob", ST_ID, "blob", {f"{ST}.blob.core.windows.net": BLOB_IP}),
            private_endpoint("pe-stcontosoml-file", ST_ID, "file", {f"{ST}.file.core.windows.net": FILE_IP}))


def link(zone_name: str, vnet_id: str = HUB, **changes: Any) -> VnetLink:
    vname = vnet_id.rsplit("/", 1)[-1]
    return _change(VnetLink(id=f"{rid('Microsoft.Network/privateDnsZones', zone_name)}/virtualNetworkLinks/"
                               f"link-{vname}", name=f"link-{vname}", vnet_id=vnet_id, state="Completed"), changes)


def zone(name: str, records: dict[str, str], **changes: Any) -> Zone:
    """A private zone with A records ({record name: ip}), linked to the hub (Completed)."""
    return _change(Zone(id=rid("Microsoft.Network/privateDnsZones", name), name=name,
                        records=tuple(RecordSet(name=n, type="A", a=(ip,)) for n, ip in records.items()),
                        links=(link(name),)), changes)


def zones() -> tuple[Zone, ...]:
    """Every zone the healthy inventory needs, holding the records its private endpoints serve."""
    return (
        zone("privatelink.api.azureml.ms", {f"{GUID}.workspace.{REGION}": WS_IP,
                                            f"{GUID}.workspace.{REGION}.cert": WS_IP,
                                            f"*.{GUID}.inference.{REGION}": SCORING_IP}),
        zone("privatelink.notebooks.azure.net", {f"ml-{WS}-{REGION}-{GUID}.{REGION}": WS_IP}),
        zone("privatelink.azurecr.io", {ACR: ACR_IP, f"{ACR}.{REGION}.data": ACR_DATA_IP}),
        zone("privatelink.vaultcore.azure.net", {KV: KV_IP}),
        zone("privatelink.blob.core.windows.net", {ST: BLOB_IP}),
        zone("privatelink.file.core.windows.net", {ST: FILE_IP}),
    )


def inventory(**changes: Any) -> Inventory:
    """The healthy private workspace: every stage-0/1 probe passes on it."""
    return _change(Inventory(
        cloud="AzureCloud", subscription=SUB, resource_group=RG, workspace=workspace(), endpoints=(endpoint(),),
        private_endpoints=private_endpoints(), zones=zones(),
        vnets=(Vnet(id=HUB, name="vnet-ml-hub", address_prefixes=("10.20.0.0/16",)),),
        registry=registry(), vault=vault(), storage=storage(), policies=()), changes)


def replace_zone(inv: Inventory, name: str, **changes: Any) -> Inventory:
    """`inv` with one zone changed (or removed, with `drop=True`)."""
    drop = changes.pop("drop", False)
    zs = tuple(z for z in inv.zones if z.name != name) if drop else tuple(
        _change(z, changes) if z.name == name else z for z in inv.zones)
    return dataclasses.replace(inv, zones=zs)


INSIDE = Where(in_azure=True, vm_id=rid("Microsoft.Compute/virtualMachines", "vm-jumpbox"), vnet_id=HUB,
               subnet_id=f"{HUB}/subnets/snet-jumpbox", private_ip="10.20.0.10")
OUTSIDE = Where(in_azure=False)


def context(inv: Inventory | None = None, where: Where = INSIDE, **settings: Any) -> Context:
    """What a probe sees: these facts, from a jumpbox in the hub VNet unless `where` says otherwise."""
    ctx = Context(Settings(subscription=SUB, resource_group=RG, workspace=WS, **settings))
    ctx.inventory, ctx.where = inv, where
    return ctx


def check(p: Probe, inv: Inventory | None = None, *, where: Where = INSIDE, earlier: Sequence[Probe] = (),
          ctx: Context | None = None) -> list[Finding]:
    """Run probe `p` alone on `inv` (default: healthy). `earlier` probes run first on the same facts,
    their results recorded as the runner would, for a probe that names them as a cause."""
    ctx = ctx or context(inventory() if inv is None else inv, where)

    async def go() -> list[Finding]:
        for e in earlier:
            ctx.results[e.id] = [Result(e.id, f.about, e.stage, e.title, f.verdict, f.summary, f.cause, 0,
                                        f.evidence, f.fix) for f in await e.run(ctx)]
        return list(await p.run(ctx))

    return asyncio.run(go())


def only(findings: Sequence[Finding], subject: str | None = None) -> Finding:
    """The one finding (for `subject`, as reports show it, if given)."""
    found = [f for f in findings if subject is None or f.about.text == subject]
    assert len(found) == 1, [(f.about.text, f.verdict.value, f.summary) for f in findings]
    return found[0]


def commands(f: Finding) -> list[str]:
    assert f.fix is not None, f
    return list(f.fix.commands)
