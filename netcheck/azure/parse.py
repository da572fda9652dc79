"""ARM wire format (camelCase JSON, as every SDK's `as_dict()` gives it) -> facts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from netcheck.azure import facts as f

Wire = dict[str, Any]


def _props(d: Wire) -> Wire:
    return d.get("properties") or {}


def connection(d: Wire) -> f.Connection:
    p = _props(d)
    state = p.get("privateLinkServiceConnectionState") or {}
    return f.Connection(d.get("id", ""), d.get("name", f.name_of(d.get("id"))),
                        (p.get("privateEndpoint") or {}).get("id", ""), state.get("status") or "Unknown",
                        state.get("description") or "")


def workspace(d: Wire) -> f.Workspace:
    p = _props(d)
    mn = p.get("managedNetwork") or {}
    notebook = (p.get("notebookInfo") or {}).get("fqdn")
    return f.Workspace(
        id=d["id"], name=d.get("name") or f.name_of(d["id"]), location=(d.get("location") or "").lower(),
        guid=p.get("workspaceId") or "", v1_legacy_mode=bool(p.get("v1LegacyMode")),
        public_network_access=p.get("publicNetworkAccess") or "Enabled",
        isolation_mode=mn.get("isolationMode"), managed_network_status=(mn.get("status") or {}).get("status"),
        image_build_compute=p.get("imageBuildCompute") or None, container_registry=p.get("containerRegistry"),
        key_vault=p.get("keyVault"), storage_account=p.get("storageAccount"),
        connections=tuple(connection(c) for c in p.get("privateEndpointConnections") or []),
        notebook_fqdn=notebook, tenant_id=(d.get("identity") or {}).get("tenantId") or None)


def is_mlflow(model: Wire | None) -> bool:
    p = _props(model or {})
    return (p.get("modelType") or "").lower() == "mlflow_model" or "mlflow" in (p.get("flavors") or {})


def deployment(d: Wire, model: Wire | None) -> f.Deployment:
    p = _props(d)
    return f.Deployment(d["id"], d.get("name") or f.name_of(d["id"]), p.get("provisioningState") or "Unknown",
                        p.get("endpointComputeType") or "Managed", p.get("egressPublicNetworkAccess") or "Enabled",
                        p.get("model"), is_mlflow(model))


def endpoint(d: Wire, deployments: Iterable[f.Deployment]) -> f.Endpoint:
    p = _props(d)
    compute = d.get("kind") or ("Kubernetes" if p.get("compute") else "Managed")
    return f.Endpoint(
        d["id"], d.get("name") or f.name_of(d["id"]), p.get("provisioningState") or "Unknown", compute,
        p.get("scoringUri"), p.get("publicNetworkAccess") or "Enabled", p.get("authMode") or "Key",
        {str(k): int(v) for k, v in (p.get("traffic") or {}).items()},
        {str(k): int(v) for k, v in (p.get("mirrorTraffic") or {}).items()},
        tuple(deployments), p.get("compute") or None)


def cluster_id(compute: Wire) -> str | None:
    """The AKS or Arc cluster a Kubernetes compute is attached to."""
    return _props(compute).get("resourceId") or None


def node_vnets(cluster: Wire) -> tuple[str, ...]:
    """The VNets of an AKS cluster's node pools (empty when AKS made the VNet itself)."""
    pools = _props(cluster).get("agentPoolProfiles") or []
    return tuple(sorted({v for pool in pools if (v := f.vnet_of_subnet(pool.get("vnetSubnetID")))}, key=str.lower))


def network_profile(cluster: Wire) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An AKS cluster's (service CIDRs, pod CIDRs): the lists where set, else the single values."""
    p = _props(cluster).get("networkProfile") or {}
    services = p.get("serviceCidrs") or ([p["serviceCidr"]] if p.get("serviceCidr") else [])
    pods = p.get("podCidrs") or ([p["podCidr"]] if p.get("podCidr") else [])
    return tuple(services), tuple(pods)


def _dns_configs(items: Iterable[Wire]) -> tuple[f.DnsConfig, ...]:
    return tuple(f.DnsConfig(c["fqdn"].lower(), tuple(c.get("ipAddresses") or [])) for c in items if c.get("fqdn"))


def private_endpoint(d: Wire, nics: Iterable[Wire], zone_groups: Iterable[Wire]) -> f.PrivateEndpoint:
    p = _props(d)
    conns = [*(p.get("privateLinkServiceConnections") or []), *(p.get("manualPrivateLinkServiceConnections") or [])]
    cp = [_props(c) for c in conns]
    nic_dns = []
    for nic in nics:
        for cfg in _props(nic).get("ipConfigurations") or []:
            cpp = _props(cfg)
            ip = (cpp.get("privateIPAddress") or "").split("/")[0]
            for fqdn in (cpp.get("privateLinkConnectionProperties") or {}).get("fqdns") or []:
                nic_dns.append(f.DnsConfig(fqdn.lower(), (ip,) if ip else ()))
    zones = [cfg_p.get("privateDnsZoneId") for g in zone_groups
             for cfg in _props(g).get("privateDnsZoneConfigs") or [] if (cfg_p := _props(cfg))]
    return f.PrivateEndpoint(
        d["id"], d.get("name") or f.name_of(d["id"]), (p.get("subnet") or {}).get("id"),
        tuple(c.get("privateLinkServiceId", "") for c in cp), tuple(g for c in cp for g in c.get("groupIds") or []),
        next(((c.get("privateLinkServiceConnectionState") or {}).get("status") or "Unknown" for c in cp), "Unknown"),
        _dns_configs(p.get("customDnsConfigs") or []), tuple(nic_dns), tuple(z for z in zones if z))


def record_set(d: Wire) -> f.RecordSet:
    p = _props(d)
    kind = (d.get("type") or "").rsplit("/", 1)[-1].upper()
    return f.RecordSet(d.get("name", "").lower(), kind, tuple(a["ipv4Address"] for a in p.get("aRecords") or []),
                       ((p.get("cnameRecord") or {}).get("cname") or "").rstrip(".").lower() or None)


def link(d: Wire) -> f.VnetLink:
    p = _props(d)
    return f.VnetLink(d["id"], d.get("name") or f.name_of(d["id"]), (p.get("virtualNetwork") or {}).get("id", ""),
                      p.get("virtualNetworkLinkState") or "Unknown", bool(p.get("registrationEnabled")),
                      p.get("resolutionPolicy") or "Default")


def zone(zone_id: str, records: Iterable[Wire], links: Iterable[Wire]) -> f.Zone:
    return f.Zone(zone_id, f.name_of(zone_id).lower(), tuple(record_set(r) for r in records),
                  tuple(link(lk) for lk in links))


def vnet(d: Wire) -> f.Vnet:
    p = _props(d)
    return f.Vnet(d["id"], d.get("name") or f.name_of(d["id"]),
                  tuple((p.get("addressSpace") or {}).get("addressPrefixes") or []),
                  tuple((p.get("dhcpOptions") or {}).get("dnsServers") or []),
                  tuple((_props(x).get("remoteVirtualNetwork") or {}).get("id", "")
                        for x in p.get("virtualNetworkPeerings") or []
                        if _props(x).get("peeringState", "Connected") == "Connected"))   # only these carry traffic


def registry(d: Wire, connections: Iterable[Wire]) -> f.Registry:
    p = _props(d)
    rules = p.get("networkRuleSet") or {}
    return f.Registry(d["id"], d.get("name") or f.name_of(d["id"]), (d.get("location") or "").lower(),
                      (p.get("loginServer") or "").lower(), p.get("publicNetworkAccess") or "Enabled",
                      rules.get("defaultAction") or "Allow", bool(p.get("dataEndpointEnabled")),
                      tuple(h.lower() for h in p.get("dataEndpointHostNames") or []),
                      tuple(connection(c) for c in connections),
                      bypass_options=p.get("networkRuleBypassOptions") or "AzureServices",
                      tasks_bypass=bool(p.get("networkRuleBypassAllowedForTasks")))


def vault(d: Wire) -> f.Vault:
    p = _props(d)
    acls = p.get("networkAcls") or {}
    return f.Vault(d["id"], d.get("name") or f.name_of(d["id"]), p.get("vaultUri") or "",
                   p.get("publicNetworkAccess") or "Enabled", acls.get("defaultAction"), acls.get("bypass"),
                   tuple(connection(c) for c in p.get("privateEndpointConnections") or []))


def storage(d: Wire) -> f.Storage:
    p = _props(d)
    acls = p.get("networkAcls") or {}
    return f.Storage(
        id=d["id"], name=d.get("name") or f.name_of(d["id"]),
        public_network_access=p.get("publicNetworkAccess") or "Enabled",
        default_action=acls.get("defaultAction") or "Allow", bypass=acls.get("bypass") or "AzureServices",
        ip_rules=tuple(r.get("value", "") for r in acls.get("ipRules") or [] if r.get("value")),
        access_rules=tuple(f.AccessRule(resource_id=r.get("resourceId", ""), tenant_id=r.get("tenantId") or "")
                           for r in acls.get("resourceAccessRules") or [] if r.get("resourceId")),
        connections=tuple(connection(c) for c in p.get("privateEndpointConnections") or []))


def policy_assignment(d: Wire) -> f.PolicyAssignment:
    p = _props(d)
    effect = ((p.get("parameters") or {}).get("effect") or {}).get("value")
    return f.PolicyAssignment(
        id=d.get("id", ""), name=d.get("name") or f.name_of(d.get("id")), display_name=p.get("displayName") or "",
        scope=p.get("scope") or d.get("id", "").split("/providers/Microsoft.Authorization/")[0],
        definition_id=p.get("policyDefinitionId") or "", effect=effect if isinstance(effect, str) else None,
        enforcement=p.get("enforcementMode") or "Default", not_scopes=tuple(p.get("notScopes") or []))
