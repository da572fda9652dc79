"""The network side: private endpoints, private DNS zones and links, VNets and peerings, the DNS Private
Resolver's rulesets and inbound endpoints, and where netcheck itself runs."""

from __future__ import annotations

from dataclasses import dataclass

from netcheck.azure.facts.ids import vnet_of_subnet


@dataclass(frozen=True)
class DnsConfig:
    fqdn: str
    ips: tuple[str, ...]


@dataclass(frozen=True)
class PrivateEndpoint:
    id: str
    name: str
    subnet_id: str | None
    resource_ids: tuple[str, ...]          # what it connects to (privateLinkServiceId)
    group_ids: tuple[str, ...]
    status: str                             # its connection's state, as the PE sees it
    custom_dns: tuple[DnsConfig, ...] = ()  # properties.customDnsConfigs
    nic_dns: tuple[DnsConfig, ...] = ()     # NIC ipConfigurations privateLinkConnectionProperties.fqdns
    zone_ids: tuple[str, ...] = ()          # from its private DNS zone groups

    @property
    def vnet_id(self) -> str | None:
        return vnet_of_subnet(self.subnet_id)

    @property
    def dns(self) -> tuple[DnsConfig, ...]:
        """The ground truth for a name's private IP: the NIC's view, else customDnsConfigs."""
        return self.nic_dns or self.custom_dns


@dataclass(frozen=True)
class RecordSet:
    name: str
    type: str
    a: tuple[str, ...] = ()
    cname: str | None = None


@dataclass(frozen=True)
class VnetLink:
    id: str
    name: str
    vnet_id: str
    state: str
    registration: bool = False
    resolution_policy: str = "Default"


@dataclass(frozen=True)
class Zone:
    id: str
    name: str
    records: tuple[RecordSet, ...] = ()
    links: tuple[VnetLink, ...] = ()


@dataclass(frozen=True)
class Vnet:
    id: str
    name: str
    address_prefixes: tuple[str, ...] = ()
    dns_servers: tuple[str, ...] = ()
    peerings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Location:
    """Where netcheck runs, from IMDS and the VM's NIC."""

    vm_id: str
    private_ip: str
    nic_id: str | None = None
    subnet_id: str | None = None

    @property
    def vnet_id(self) -> str | None:
        return vnet_of_subnet(self.subnet_id)


@dataclass(frozen=True, kw_only=True)
class Peering:
    """One side of a VNet peering (a child of `vnet_id`). Traffic flows only when both sides are Connected."""

    id: str
    name: str
    vnet_id: str
    remote_vnet_id: str
    state: str                   # peeringState: Initiated | Connected | Disconnected
    sync_level: str = ""         # peeringSyncLevel: FullyInSync | LocalNotInSync | RemoteNotInSync | ...
    allow_vnet_access: bool = True

    @property
    def connected(self) -> bool:
        return self.state == "Connected" and self.allow_vnet_access


@dataclass(frozen=True, kw_only=True)
class ForwardingRule:
    """A DNS Private Resolver forwarding rule: names under `domain` go to `targets` (address:port)."""

    id: str
    name: str
    domain: str                   # lower case, without the trailing dot
    targets: tuple[str, ...] = ()  # "10.0.0.4:53"
    state: str = "Enabled"        # forwardingRuleState

    @property
    def enabled(self) -> bool:
        return self.state == "Enabled"


@dataclass(frozen=True, kw_only=True)
class Ruleset:
    """A DNS forwarding ruleset, its rules and the VNets linked to it (whose Azure DNS applies the rules)."""

    id: str
    name: str
    rules: tuple[ForwardingRule, ...] = ()
    vnet_ids: tuple[str, ...] = ()
    link_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class InboundEndpoint:
    """A DNS Private Resolver inbound endpoint: its addresses answer as Azure DNS of the resolver's VNet."""

    id: str
    name: str
    vnet_id: str
    ips: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ZoneGroup:
    """A private endpoint's private DNS zone group: the zones it writes the endpoint's records into."""

    id: str
    name: str
    private_endpoint_id: str
    zone_ids: tuple[str, ...] = ()
