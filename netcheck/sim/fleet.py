"""The generated fleet scenario `fleet-200`: 200 workspaces, 3 online endpoints each, 20 subscriptions.

Built by code (seeded, so every run gets the same fleet) instead of a 50,000-line YAML file.

Layout: subscription 0 is also the connectivity subscription: hub VNets `vnet-hub-a` (10.0.0.0/16, custom DNS
server 10.0.0.4 forwarding the public zones to Azure DNS) and `vnet-hub-b` (10.1.0.0/16, Azure DNS), and the 6
private zones in `rg-dns`, linked to both hubs. Each subscription has one spoke VNet (10.(100+s).0.0/16), peered
with its hub: subscriptions 0-9 with hub A and its custom DNS server, 10-19 with hub B, where the spokes use Azure
DNS. The zones are linked to every spoke too (a private endpoint's own VNet sees its names whichever resolver).
Each workspace has private endpoints (workspace, registry, vault, blob, file) in its spoke with their NICs, zone
groups and A records; a registry (with AML's egress connection per deployment), a vault and a storage account.
Subscription 10 holds 40 workspaces; the other 160 are spread over the other 19.

The seeded faults (FAULTS), each a root cause the fleet check must find once:
1. `zone-not-linked`: privatelink.api.azureml.ms has no link to `vnet-spoke-10`, which uses Azure DNS: the
   workspace and scoring names of its 40 workspaces resolve to public addresses from there.
2. `acr-pe-pending`: one deployment's egress private endpoint connection to its registry waits for approval.
3. `record-stale`: one workspace's vault A record points at an address its private endpoint doesn't have.
4. `deployment-failed`: one deployment of one workspace is in state Failed.
5. `kv-no-bypass`: one workspace's vault denies public access without the trusted-services bypass.
One extra workspace of kind FeatureStore is not part of the fleet (the query selects Default, Hub and Project).
"""

from __future__ import annotations

import random
from typing import Any

from netcheck import services
from netcheck.azure.facts import group_id, resource_id

NAME = "fleet-200"
WORKSPACES, ENDPOINTS, SUBSCRIPTIONS, BIG_SUB, BIG_COUNT = 200, 3, 20, 10, 40
REGION, DNS_SERVER = "eastus", "10.0.0.4"
SEED = 17
AML_SUB = "0b7c4a1e-6d2f-4a3b-8c9d-aml00egress01"   # where AML makes a managed deployment's egress private endpoint
EGRESS = "Egress for Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
ZONES = services.required_zones("AzureCloud")
ML = "Microsoft.MachineLearningServices/workspaces"


def sub_id(s: int) -> str:
    return f"{s + 1:08x}-f1ee-4a00-8000-{s + 1:012x}"


def _net(s: int) -> str:
    return resource_id(sub_id(0 if s < 0 else s), "rg-network", "Microsoft.Network")


def hub(name: str) -> str:
    return f"{_net(0)}/virtualNetworks/vnet-hub-{name}"


def spoke(s: int) -> str:
    return f"{_net(s)}/virtualNetworks/vnet-spoke-{s:02d}"


def zone_id(zone: str) -> str:
    return resource_id(sub_id(0), "rg-dns", "Microsoft.Network/privateDnsZones", zone)


def placement(n: int = WORKSPACES, big: int = BIG_COUNT) -> list[int]:
    """The subscription of each of n workspaces: `big` in BIG_SUB, the rest spread over the others."""
    others = [s for s in range(SUBSCRIPTIONS) if s != BIG_SUB]
    return sorted([BIG_SUB] * big + [others[i % len(others)] for i in range(n - big)])


def workspace_name(i: int) -> str:
    return f"mlw-fleet-{i:03d}"


def faults(n: int = WORKSPACES, big: int = BIG_COUNT) -> dict[str, list[int]]:
    """Fault name -> the indexes of the workspaces it breaks (zone-not-linked: every workspace in BIG_SUB)."""
    subs = placement(n, big)
    singles = random.Random(SEED).sample([i for i in range(n) if subs[i] != BIG_SUB], 4)
    return {"zone-not-linked": [i for i in range(n) if subs[i] == BIG_SUB], "acr-pe-pending": [singles[0]],
            "record-stale": [singles[1]], "deployment-failed": [singles[2]], "kv-no-bypass": [singles[3]]}


def _vnet(vid: str, prefix: str, dns: list[str], peers: list[str]) -> dict[str, Any]:
    peerings = [{"name": f"peer-{p.rsplit('/', 1)[-1]}", "id": f"{vid}/virtualNetworkPeerings/peer-{p.rsplit('/', 1)[-1]}",
                 "properties": {"peeringState": "Connected", "remoteVirtualNetwork": {"id": p},
                                "allowVirtualNetworkAccess": True}} for p in peers]
    return {"id": vid, "type": "Microsoft.Network/virtualNetworks", "location": REGION, "properties": {
        "provisioningState": "Succeeded", "addressSpace": {"addressPrefixes": [prefix]}, "dhcpOptions": {"dnsServers": dns},
        "subnets": [{"name": "snet-pe", "id": f"{vid}/subnets/snet-pe",
                     "properties": {"addressPrefix": prefix.replace("0.0/16", "0.0/18")}}],
        "virtualNetworkPeerings": peerings}}


def _shared() -> list[dict[str, Any]]:
    spokes_a, spokes_b = [spoke(s) for s in range(10)], [spoke(s) for s in range(10, SUBSCRIPTIONS)]
    out = [_vnet(hub("a"), "10.0.0.0/16", [DNS_SERVER], spokes_a), _vnet(hub("b"), "10.1.0.0/16", [], spokes_b)]
    out += [_vnet(spoke(s), f"10.{100 + s}.0.0/16", [DNS_SERVER] if s < 10 else [], [hub("a" if s < 10 else "b")])
            for s in range(SUBSCRIPTIONS)]
    for zone in ZONES:
        out.append({"id": zone_id(zone), "type": "Microsoft.Network/privateDnsZones", "location": "global",
                    "properties": {"provisioningState": "Succeeded"}})
        for vid in [hub("a"), hub("b"), *spokes_a, *spokes_b]:
            if zone == "privatelink.api.azureml.ms" and vid == spoke(BIG_SUB):
                continue   # fault 1: zone-not-linked
            out.append({"id": f"{zone_id(zone)}/virtualNetworkLinks/link-{vid.rsplit('/', 1)[-1]}", "location": "global",
                        "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "properties": {
                            "virtualNetwork": {"id": vid}, "registrationEnabled": False,
                            "virtualNetworkLinkState": "Completed", "provisioningState": "Succeeded"}})
    return out


def _record(zone: str, rel: str, ip: str) -> dict[str, Any]:
    return {"id": f"{zone_id(zone)}/A/{rel}", "type": "Microsoft.Network/privateDnsZones/A",
            "properties": {"ttl": 10, "fqdn": f"{rel}.{zone}.", "aRecords": [{"ipv4Address": ip}]}}


def _pe(rg: str, name: str, target: str, group: str, subnet: str, dns: list[tuple[str, str]],
        zones: list[str]) -> list[dict[str, Any]]:
    """A private endpoint, its NIC and its DNS zone group."""
    pid = f"{rg}/providers/Microsoft.Network/privateEndpoints/{name}"
    nic = f"{rg}/providers/Microsoft.Network/networkInterfaces/{name}.nic"
    state = {"status": "Approved", "description": "Auto-Approved", "actionsRequired": "None"}
    ipcs = [{"name": f"privateEndpointIpConfig.{k}", "id": f"{nic}/ipConfigurations/ipc{k}", "properties": {
        "privateIPAddress": ip, "subnet": {"id": subnet},
        "privateLinkConnectionProperties": {"groupId": group, "fqdns": [f]}}} for k, (f, ip) in enumerate(dns, 1)]
    return [
        {"id": pid, "type": "Microsoft.Network/privateEndpoints", "location": REGION, "properties": {
            "provisioningState": "Succeeded", "subnet": {"id": subnet}, "networkInterfaces": [{"id": nic}],
            "privateLinkServiceConnections": [{"name": name, "id": f"{pid}/privateLinkServiceConnections/{name}",
                                               "properties": {"privateLinkServiceId": target, "groupIds": [group],
                                                              "privateLinkServiceConnectionState": state}}],
            "manualPrivateLinkServiceConnections": [],
            "customDnsConfigs": [{"fqdn": f, "ipAddresses": [ip]} for f, ip in dns]}},
        {"id": nic, "type": "Microsoft.Network/networkInterfaces", "location": REGION, "properties": {
            "provisioningState": "Succeeded", "privateEndpoint": {"id": pid}, "ipConfigurations": ipcs}},
        {"id": f"{pid}/privateDnsZoneGroups/default", "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
         "properties": {"provisioningState": "Succeeded", "privateDnsZoneConfigs": [
             {"name": z.replace(".", "-"), "properties": {"privateDnsZoneId": zone_id(z)}} for z in zones]}}]


def _connection(owner: str, pe_id: str, status: str = "Approved", description: str = "") -> dict[str, Any]:
    name = pe_id.rsplit("/", 1)[-1]
    return {"id": f"{owner}/privateEndpointConnections/{name}", "name": name, "properties": {
        "privateEndpoint": {"id": pe_id}, "provisioningState": "Succeeded",
        "privateLinkServiceConnectionState": {"status": status, "description": description, "actionsRequired": "None"}}}


def _ml(i: int, s: int, ws: str, guid: str, deps: dict[str, str], pe: str, fault: str | None) -> list[dict[str, Any]]:
    """The workspace, its endpoints and their deployments."""
    name, nb = workspace_name(i), f"ml-{workspace_name(i)}-{REGION}-{guid}.{REGION}.notebooks.azure.net"
    out: list[dict[str, Any]] = [{
        "id": ws, "type": ML, "location": REGION, "kind": "Hub" if i % 20 == 0 else "Default",
        "tags": {"team": f"team-{s:02d}", "env": "prod" if i % 2 else "dev"},
        "identity": {"type": "SystemAssigned"}, "sku": {"name": "Basic", "tier": "Basic"},
        "properties": {"friendlyName": name, "provisioningState": "Succeeded", "workspaceId": guid, "v1LegacyMode": False,
                       "publicNetworkAccess": "Disabled", "imageBuildCompute": "cpu-build", **deps,
                       "managedNetwork": {"isolationMode": "Disabled"},
                       "notebookInfo": {"fqdn": nb, "isPrivateLinkEnabled": True},
                       "privateEndpointConnections": [_connection(ws, pe)]}}]
    for k in range(1, ENDPOINTS + 1):
        ep = f"{ws}/onlineEndpoints/ep-{i:03d}-{k}"
        out.append({"id": ep, "type": f"{ML}/onlineEndpoints", "location": REGION, "kind": "Managed", "properties": {
            "authMode": "Key", "provisioningState": "Succeeded", "publicNetworkAccess": "Disabled",
            "scoringUri": f"https://ep-{i:03d}-{k}.{REGION}.inference.ml.azure.com/score",
            "traffic": {"blue": 100}, "mirrorTraffic": {}}})
        out.append({"id": f"{ep}/deployments/blue", "type": f"{ML}/onlineEndpoints/deployments", "location": REGION,
                    "kind": "Managed", "sku": {"name": "Default", "capacity": 1}, "properties": {
                        "endpointComputeType": "Managed", "instanceType": "Standard_DS3_v2",
                        "provisioningState": "Failed" if fault == "deployment-failed" and k == 2 else "Succeeded",
                        "egressPublicNetworkAccess": "Disabled",
                        "model": "azureml://registries/azureml/models/fleet-model/versions/1"}})
    return out


def _workspace(i: int, s: int, j: int, fault: str | None) -> list[dict[str, Any]]:
    rng = random.Random(SEED * 1000 + i)
    name, slug, rg = workspace_name(i), f"fleet{i:03d}", group_id(sub_id(s), f"rg-ml-{i:03d}")
    guid = (f"{rng.getrandbits(32):08x}-{i:04x}-4{rng.getrandbits(12):03x}-8{rng.getrandbits(12):03x}-"
            f"{rng.getrandbits(48):012x}")
    ws = f"{rg}/providers/{ML}/{name}"
    acr = f"{rg}/providers/Microsoft.ContainerRegistry/registries/cr{slug}"
    kv = f"{rg}/providers/Microsoft.KeyVault/vaults/kv-{slug}"
    st = f"{rg}/providers/Microsoft.Storage/storageAccounts/st{slug}"
    net, subnet = f"10.{100 + s}.{j}", f"{spoke(s)}/subnets/snet-pe"
    pe = {k: f"{rg}/providers/Microsoft.Network/privateEndpoints/pe-{k}-{slug}" for k in ("ws", "acr", "kv", "blob", "file")}
    out = _ml(i, s, ws, guid, {"containerRegistry": acr, "keyVault": kv, "storageAccount": st}, pe["ws"], fault)
    out.append({"id": acr, "type": "Microsoft.ContainerRegistry/registries", "location": REGION,
                "sku": {"name": "Premium", "tier": "Premium"}, "properties": {
                    "loginServer": f"cr{slug}.azurecr.io", "provisioningState": "Succeeded",
                    "publicNetworkAccess": "Disabled", "networkRuleSet": {"defaultAction": "Deny"},
                    "networkRuleBypassOptions": "AzureServices",
                    "dataEndpointEnabled": True, "dataEndpointHostNames": [f"cr{slug}.{REGION}.data.azurecr.io"]}})
    # AML's egress connection per managed deployment, its private endpoint in a Microsoft-managed subscription
    egress = resource_id(AML_SUB, f"azureml-rg-{name}_{guid[:8]}", "Microsoft.Network")
    conns = [_connection(acr, pe["acr"])] + [
        _connection(acr, f"{egress}/privateEndpoints/ep-{i:03d}-{k}-blue-acr",
                    "Pending" if fault == "acr-pe-pending" and k == 1 else "Approved", EGRESS)
        for k in range(1, ENDPOINTS + 1)]
    out += [{**c, "type": "Microsoft.ContainerRegistry/registries/privateEndpointConnections"} for c in conns]
    out.append({"id": kv, "type": "Microsoft.KeyVault/vaults", "location": REGION, "properties": {
        "vaultUri": f"https://kv-{slug}.vault.azure.net/", "provisioningState": "Succeeded",
        "publicNetworkAccess": "Disabled",
        "networkAcls": {"bypass": "None" if fault == "kv-no-bypass" else "AzureServices", "defaultAction": "Deny"},
        "privateEndpointConnections": [_connection(kv, pe["kv"])]}})
    out.append({"id": st, "type": "Microsoft.Storage/storageAccounts", "location": REGION, "kind": "StorageV2",
                "properties": {"publicNetworkAccess": "Disabled",
                               "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
                               "privateEndpointConnections": [_connection(st, pe["blob"]), _connection(st, pe["file"])]}})
    nb = f"ml-{name}-{REGION}-{guid}.{REGION}.notebooks.azure.net"
    served = {  # private endpoint -> (the names it serves, their address), its target, group id and zones
        "ws": ([(f"{guid}.workspace.{REGION}.api.azureml.ms", f"{net}.4"), (f"{guid}.workspace.{REGION}.cert.api.azureml.ms",
                                                                          f"{net}.4"),
                (f"*.{guid}.inference.{REGION}.api.azureml.ms", f"{net}.5"), (nb, f"{net}.6")],
               ws, "amlworkspace", ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"]),
        "acr": ([(f"cr{slug}.azurecr.io", f"{net}.10"), (f"cr{slug}.{REGION}.data.azurecr.io", f"{net}.11")],
                acr, "registry", ["privatelink.azurecr.io"]),
        "kv": ([(f"kv-{slug}.vault.azure.net", f"{net}.12")], kv, "vault", ["privatelink.vaultcore.azure.net"]),
        "blob": ([(f"st{slug}.blob.core.windows.net", f"{net}.13")], st, "blob", ["privatelink.blob.core.windows.net"]),
        "file": ([(f"st{slug}.file.core.windows.net", f"{net}.14")], st, "file", ["privatelink.file.core.windows.net"]),
    }
    for key, (names, target, group, zones) in served.items():
        out += _pe(rg, pe[key].rsplit("/", 1)[-1], target, group, subnet, names, zones)
        for fqdn, ip in names:
            zname, rel = services.split(fqdn, "AzureCloud") or (zones[0], fqdn)
            out.append(_record(zname, rel, f"{net}.99" if fault == "record-stale" and key == "kv" else ip))
    return out


# The generated fleets by name: (workspaces, of them in BIG_SUB, netcheck on a jumpbox in hub A).
# fleet-24 is fleet-200's small sibling for the tests: the same layout and faults, checked from inside hub A,
# so the workspaces of spokes 0-9 (peered with it) get the network checks and the others name their VNet.
GENERATED = {NAME: (WORKSPACES, BIG_COUNT, False), "fleet-24": (24, 4, True)}
JUMPBOX_IP = "10.0.1.4"


def _jumpbox() -> list[dict[str, Any]]:
    rg = f"/subscriptions/{sub_id(0)}/resourceGroups/rg-network/providers"
    vm, nic = f"{rg}/Microsoft.Compute/virtualMachines/vm-jumpbox", f"{rg}/Microsoft.Network/networkInterfaces/nic-jumpbox"
    return [{"id": vm, "type": "Microsoft.Compute/virtualMachines", "location": REGION, "properties": {
                "provisioningState": "Succeeded", "networkProfile": {"networkInterfaces": [{"id": nic}]}}},
            {"id": nic, "type": "Microsoft.Network/networkInterfaces", "location": REGION, "properties": {
                "provisioningState": "Succeeded", "virtualMachine": {"id": vm}, "ipConfigurations": [{
                    "name": "ipconfig1", "id": f"{nic}/ipConfigurations/ipconfig1", "properties": {
                        "primary": True, "privateIPAddress": JUMPBOX_IP, "privateIPAllocationMethod": "Dynamic",
                        "subnet": {"id": f"{hub('a')}/subnets/snet-pe"}}}]}}]


def scenario(name: str = NAME) -> dict[str, Any]:
    """The scenario as `sim.scenario.parse` takes it."""
    n, big, jumpbox = GENERATED[name]
    broken = {i: fault for fault, idx in faults(n, big).items() if fault != "zone-not-linked" for i in idx}
    subs, arm, seen = placement(n, big), _shared(), dict.fromkeys(range(SUBSCRIPTIONS), 0)
    for i, s in enumerate(subs):
        arm += _workspace(i, s, seen[s], broken.get(i))
        seen[s] += 1
    arm.append({"id": f"/subscriptions/{sub_id(1)}/resourceGroups/rg-features/providers/{ML}/fs-fleet-features",
                "type": ML, "location": REGION, "kind": "FeatureStore",
                "properties": {"workspaceId": "00000000-feed-4000-8000-000000000001", "publicNetworkAccess": "Enabled"}})
    where = {"where": {"vm": _jumpbox()[0]["id"]}} if jumpbox else {}
    summary = (f"The generated fleet {name}: {n} workspaces, {ENDPOINTS} online endpoints each, {SUBSCRIPTIONS} "
               f"subscriptions, 5 seeded faults" + (", checked from a jumpbox in hub A" if jumpbox else ""))
    return {"scenario": 1, "name": name, "summary": summary,
            "arm": arm + (_jumpbox() if jumpbox else []), **where,
            "dns_servers": {DNS_SERVER: {"forward": list(services.forwarded_zones("AzureCloud")), "to": "azure"}},
            "page_size": 100, "resource_graph": {"fleet": True, "management_groups": {
                "mg-platform": [sub_id(s) for s in range(SUBSCRIPTIONS)],
                "mg-landing-b": [sub_id(s) for s in range(10, SUBSCRIPTIONS)]}}}
