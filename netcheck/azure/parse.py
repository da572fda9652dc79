"""ARM wire format (camelCase JSON, as ARM sends it) -> facts. A field that doesn't fit ARM's shape
raises ShapeError naming the resource and the field (see shape.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from netcheck.azure import facts as f
from netcheck.azure.shape import Shape

Wire = dict[str, Any]


def _name(r: Shape) -> str:
    return r.text("name") or f.name_of(r.id)


def connection(d: Wire) -> f.Connection:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    state = p.obj("privateLinkServiceConnectionState")
    return f.Connection(r.id, _name(r), p.obj("privateEndpoint").text("id"), state.text("status", "Unknown"),
                        state.text("description"))


def outbound_rule(name: str, r: Shape) -> f.OutboundRule:
    """One rule as the workspace's `managedNetwork.outboundRules` map (or a rule resource's properties) holds it:
    a FQDN rule's destination is a string; a PrivateEndpoint rule's {serviceResourceId, subresourceTarget}, a
    ServiceTag rule's {serviceTag, protocol, portRanges}."""
    sub = None
    if isinstance(r.data.get("destination"), dict):
        dest = r.obj("destination")
        sub = dest.optional("subresourceTarget")
        target = dest.text("serviceResourceId") or dest.text("serviceTag")
    else:
        target = r.text("destination")
    return f.OutboundRule(name=name, type=r.text("type"), destination=target, status=r.text("status", "Inactive"),
                          category=r.text("category"), subresource=sub, error=r.optional("errorInformation"))


def outbound_rules(items: Iterable[Wire]) -> tuple[f.OutboundRule, ...]:
    """The `outboundRules` child collection (GET {workspace}/outboundRules): rule resources."""
    rules = (outbound_rule(_name(r), r.obj("properties")) for r in map(Shape.resource_of, items))
    return tuple(sorted(rules, key=lambda x: x.name))


def workspace(d: Wire) -> f.Workspace:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    mn = p.obj("managedNetwork")
    return f.Workspace(
        id=r.id, name=_name(r), location=r.text("location").lower(), guid=p.text("workspaceId"),
        v1_legacy_mode=p.flag("v1LegacyMode"), public_network_access=p.text("publicNetworkAccess", "Enabled"),
        isolation_mode=mn.optional("isolationMode"), managed_network_status=mn.obj("status").optional("status"),
        image_build_compute=p.optional("imageBuildCompute"), container_registry=p.optional("containerRegistry"),
        key_vault=p.optional("keyVault"), storage_account=p.optional("storageAccount"),
        connections=tuple(connection(c.data) for c in p.objs("privateEndpointConnections")),
        notebook_fqdn=p.obj("notebookInfo").optional("fqdn"), tenant_id=r.obj("identity").optional("tenantId"),
        kind=r.text("kind", "Default"),
        hub_id=p.optional("hubResourceId"), provision_network_now=p.flag("provisionNetworkNow"),
        firewall_sku=mn.optional("firewallSku"),
        outbound_rules=tuple(sorted((outbound_rule(str(n), mn.obj("outboundRules").obj(str(n)))
                                     for n in mn.obj("outboundRules").data), key=lambda x: x.name)))


def model_id(deployment: Wire) -> str | None:
    """The workspace model a deployment serves, when ARM can read it (not a registry or inline model)."""
    model = Shape.resource_of(deployment).obj("properties").text("model").removeprefix("azureml:")
    return model if model.lower().startswith("/subscriptions/") else None


def is_mlflow(model: Wire | None) -> bool:
    if model is None:
        return False
    p = Shape.resource_of(model).obj("properties")
    return p.text("modelType").lower() == "mlflow_model" or "mlflow" in p.obj("flavors").data


def deployment(d: Wire, model: Wire | None) -> f.Deployment:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    return f.Deployment(r.id, _name(r), p.text("provisioningState", "Unknown"),
                        p.text("endpointComputeType", "Managed"), p.text("egressPublicNetworkAccess", "Enabled"),
                        p.optional("model"), is_mlflow(model))


def endpoint(d: Wire, deployments: Iterable[f.Deployment]) -> f.Endpoint:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    compute = r.text("kind") or ("Kubernetes" if p.optional("compute") else "Managed")
    return f.Endpoint(
        r.id, _name(r), p.text("provisioningState", "Unknown"), compute, p.optional("scoringUri"),
        p.text("publicNetworkAccess", "Enabled"), p.text("authMode", "Key"), p.weights("traffic"),
        p.weights("mirrorTraffic"), tuple(deployments), p.optional("compute"))


def cluster_id(compute: Wire) -> str | None:
    """The AKS or Arc cluster a Kubernetes compute is attached to."""
    return Shape.resource_of(compute).obj("properties").optional("resourceId")


def node_vnets(cluster: Wire) -> tuple[str, ...]:
    """The VNets of an AKS cluster's node pools (empty when AKS made the VNet itself)."""
    pools = Shape.resource_of(cluster).obj("properties").objs("agentPoolProfiles")
    return tuple(sorted({v for pool in pools if (v := f.vnet_of_subnet(pool.optional("vnetSubnetID")))},
                        key=str.lower))


def network_profile(cluster: Wire) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An AKS cluster's (service CIDRs, pod CIDRs): the lists where set, else the single values."""
    p = Shape.resource_of(cluster).obj("properties").obj("networkProfile")
    services = p.cidrs("serviceCidrs") or tuple(c for c in (p.text("serviceCidr"),) if c)
    pods = p.cidrs("podCidrs") or tuple(c for c in (p.text("podCidr"),) if c)
    return services, pods


def node_resource_group(cluster: Wire) -> str | None:
    return Shape.resource_of(cluster).obj("properties").optional("nodeResourceGroup")


def resource_ids(items: Iterable[Wire]) -> tuple[str, ...]:
    return tuple(sorted((Shape.resource_of(i).id for i in items), key=str.lower))


def nic_ids(pe: Wire) -> list[str]:
    return [n.text("id") for n in Shape.resource_of(pe).obj("properties").objs("networkInterfaces") if n.text("id")]


def _dns_configs(items: Iterable[Shape]) -> tuple[f.DnsConfig, ...]:
    return tuple(f.DnsConfig(c.text("fqdn").lower(), c.ips("ipAddresses")) for c in items if c.text("fqdn"))


def zone_ids(groups: Iterable[Wire]) -> tuple[str, ...]:
    """The private DNS zones a private endpoint's DNS zone groups name."""
    return tuple(z for g in groups for cfg in Shape.resource_of(g).obj("properties").objs("privateDnsZoneConfigs")
                 if (z := cfg.obj("properties").text("privateDnsZoneId")))


def private_endpoint(d: Wire, nics: Iterable[Wire], zones: Iterable[str]) -> f.PrivateEndpoint:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    cp = [c.obj("properties") for c in (*p.objs("privateLinkServiceConnections"),
                                        *p.objs("manualPrivateLinkServiceConnections"))]
    nic_dns = []
    for nic in nics:
        for cfg in Shape.resource_of(nic).obj("properties").objs("ipConfigurations"):
            cpp = cfg.obj("properties")
            raw_ip = cpp.text("privateIPAddress").split("/")[0]
            ip = cpp.address(cpp.field("privateIPAddress"), raw_ip) if raw_ip else ""
            for fqdn in cpp.obj("privateLinkConnectionProperties").texts("fqdns"):
                nic_dns.append(f.DnsConfig(fqdn.lower(), (ip,) if ip else ()))
    return f.PrivateEndpoint(
        r.id, _name(r), p.obj("subnet").optional("id"), tuple(c.text("privateLinkServiceId") for c in cp),
        tuple(g for c in cp for g in c.texts("groupIds")),
        next((c.obj("privateLinkServiceConnectionState").text("status", "Unknown") for c in cp), "Unknown"),
        _dns_configs(p.objs("customDnsConfigs")), tuple(nic_dns), tuple(zones))


def record_set(d: Wire) -> f.RecordSet:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    kind = r.text("type").rsplit("/", 1)[-1].upper()
    a = tuple(p.address(x.field("ipv4Address"), x.text("ipv4Address")) for x in p.objs("aRecords"))
    return f.RecordSet(r.text("name").lower(), kind, a, p.obj("cnameRecord").text("cname").rstrip(".").lower() or None)


def link(d: Wire) -> f.VnetLink:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    return f.VnetLink(r.id, _name(r), p.obj("virtualNetwork").text("id"), p.text("virtualNetworkLinkState", "Unknown"),
                      p.flag("registrationEnabled"), p.text("resolutionPolicy", "Default"))


def subscription_id(d: Wire) -> str:
    """A subscription as /subscriptions lists it."""
    r = Shape.resource_of(d)
    return r.text("subscriptionId") or f.name_of(r.id)


def zone_list(items: Iterable[Wire]) -> list[tuple[str, str]]:
    """(name, id) of each zone in a list of private DNS zones."""
    return [(r.text("name").lower(), r.id) for r in map(Shape.resource_of, items)]


def vnet(d: Wire) -> f.Vnet:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    peerings = [x.obj("properties") for x in p.objs("virtualNetworkPeerings")]
    return f.Vnet(r.id, _name(r), p.obj("addressSpace").cidrs("addressPrefixes"), p.obj("dhcpOptions").ips("dnsServers"),
                  tuple(x.obj("remoteVirtualNetwork").text("id") for x in peerings
                        if x.text("peeringState", "Connected") == "Connected"))   # only these carry traffic


def registry(d: Wire, connections: Iterable[f.Connection] | None) -> f.Registry:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    if connections is None:   # the list was not read: the registry's own view of them
        connections = [connection(c.data) for c in p.objs("privateEndpointConnections")]
    return f.Registry(r.id, _name(r), r.text("location").lower(), p.text("loginServer").lower(),
                      p.text("publicNetworkAccess", "Enabled"), p.obj("networkRuleSet").text("defaultAction", "Allow"),
                      p.flag("dataEndpointEnabled"), tuple(h.lower() for h in p.texts("dataEndpointHostNames")),
                      tuple(connections), bypass_options=p.text("networkRuleBypassOptions", "AzureServices"),
                      tasks_bypass=p.flag("networkRuleBypassAllowedForTasks"))


def linked(service: str, d: Wire) -> f.Linked:
    """A dependency read through the service registry: its private endpoint connections."""
    r = Shape.resource_of(d)
    return f.Linked(service=service, id=r.id, name=_name(r),
                    connections=tuple(connection(c.data) for c in r.obj("properties").objs("privateEndpointConnections")))


def vault(d: Wire) -> f.Vault:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    acls = p.obj("networkAcls")
    return f.Vault(r.id, _name(r), p.text("vaultUri"), p.text("publicNetworkAccess", "Enabled"),
                   acls.optional("defaultAction"), acls.optional("bypass"),
                   tuple(connection(c.data) for c in p.objs("privateEndpointConnections")))


def storage(d: Wire) -> f.Storage:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    acls = p.obj("networkAcls")
    return f.Storage(
        id=r.id, name=_name(r), public_network_access=p.text("publicNetworkAccess", "Enabled"),
        default_action=acls.text("defaultAction", "Allow"), bypass=acls.text("bypass", "AzureServices"),
        ip_rules=tuple(v for x in acls.objs("ipRules") if (v := x.text("value"))),
        access_rules=tuple(f.AccessRule(resource_id=x.text("resourceId"), tenant_id=x.text("tenantId"))
                           for x in acls.objs("resourceAccessRules") if x.text("resourceId")),
        connections=tuple(connection(c.data) for c in p.objs("privateEndpointConnections")))


def policy_assignment(d: Wire) -> f.PolicyAssignment:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    return f.PolicyAssignment(
        id=r.id, name=_name(r), display_name=p.text("displayName"),
        scope=p.text("scope") or r.id.split("/providers/Microsoft.Authorization/")[0],
        definition_id=p.text("policyDefinitionId"), effect=p.obj("parameters").obj("effect").optional("value"),
        enforcement=p.text("enforcementMode", "Default"), not_scopes=p.texts("notScopes"))


def peerings(d: Wire) -> tuple[f.Peering, ...]:
    """Every peering of a VNet, whatever its state, from the VNet's inline `virtualNetworkPeerings`."""
    r = Shape.resource_of(d)
    return tuple(peering(x.data, r.id) for x in r.obj("properties").objs("virtualNetworkPeerings"))


def peering(d: Wire, vnet_id: str | None = None) -> f.Peering:
    """A `virtualNetworks/*/virtualNetworkPeerings` resource (its VNet is its id's parent)."""
    r = Shape.resource_of(d)
    p = r.obj("properties")
    access = p.maybe_flag("allowVirtualNetworkAccess")
    return f.Peering(id=r.id, name=_name(r), vnet_id=vnet_id or f.parent(r.id),
                     remote_vnet_id=p.obj("remoteVirtualNetwork").text("id"),
                     state=p.text("peeringState", "Unknown"), sync_level=p.text("peeringSyncLevel"),
                     allow_vnet_access=access is not False)


def forwarding_rule(d: Wire) -> f.ForwardingRule:
    r = Shape.resource_of(d)
    p = r.obj("properties")
    targets = []
    for t in p.objs("targetDnsServers"):
        port = t.integer("port", 53)
        if ip := t.text("ipAddress"):
            targets.append(f"{t.address(t.field('ipAddress'), ip)}:{port}")
    return f.ForwardingRule(id=r.id, name=_name(r), domain=p.text("domainName").strip().rstrip(".").lower(),
                            targets=tuple(targets), state=p.text("forwardingRuleState", "Enabled"))


def ruleset(d: Wire, rules: Iterable[Wire], links: Iterable[Wire]) -> f.Ruleset:
    """A ruleset with its `forwardingRules` and `virtualNetworkLinks` lists."""
    r = Shape.resource_of(d)
    read = [Shape.resource_of(lk) for lk in links]
    return f.Ruleset(id=r.id, name=_name(r), rules=tuple(forwarding_rule(x) for x in rules),
                     vnet_ids=tuple(lk.obj("properties").obj("virtualNetwork").text("id") for lk in read),
                     link_ids=tuple(lk.id for lk in read))


def inbound_endpoint(d: Wire, resolver: Wire | None = None) -> f.InboundEndpoint:
    """An inbound endpoint; its VNet is its resolver's (`properties.virtualNetwork`), else its subnet's."""
    r = Shape.resource_of(d)
    cfgs = r.obj("properties").objs("ipConfigurations")
    subnet_vnet = next((v for c in cfgs if (v := f.vnet_of_subnet(c.obj("subnet").text("id") or None))), "")
    own = Shape.resource_of(resolver).obj("properties").obj("virtualNetwork").text("id") if resolver else ""
    return f.InboundEndpoint(id=r.id, name=_name(r), vnet_id=own or subnet_vnet,
                             ips=tuple(c.address(c.field("privateIpAddress"), ip)
                                       for c in cfgs if (ip := c.text("privateIpAddress"))))


def zone_group(d: Wire) -> f.ZoneGroup:
    """A `privateEndpoints/*/privateDnsZoneGroups` resource."""
    r = Shape.resource_of(d)
    cfgs = r.obj("properties").objs("privateDnsZoneConfigs")
    return f.ZoneGroup(id=r.id, name=_name(r), private_endpoint_id=f.parent(r.id),
                       zone_ids=tuple(z for c in cfgs if (z := c.obj("properties").text("privateDnsZoneId"))))
