"""Hand-made facts and observations for the diagnosis's unit tests.

The healthy private workspace of tests/unit/facts.py, a jumpbox in its hub VNet, the names that matter
as diagnosis Targets, and answers built the way real resolvers give them: private (through the
privatelink CNAME to the private endpoint's address) or public (through it on to a public front end).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from facts import (
    ACR,
    ACR_IP,
    GUID,
    HUB,
    KV,
    KV_IP,
    PE_WS_ID,
    REGION,
    SCORING_HOST,
    SCORING_IP,
    SPOKE,
    WS_IP,
    inventory,
    rid,
)

from netcheck.azure.facts import Inventory, Location, Peering, Vnet
from netcheck.clouds import cloud
from netcheck.diagnosis import model as m
from netcheck.diagnosis.divergence import Diagnosis, diagnose
from netcheck.subject import Resolver

FORWARDED = cloud("AzureCloud").forwarded_zones
PE_ACR_ID = rid("Microsoft.Network/privateEndpoints", "pe-crcontosoml")
PE_KV_ID = rid("Microsoft.Network/privateEndpoints", "pe-kv-contoso-ml")
CUSTOM = "10.20.0.4"

SCORING = m.Target(fqdn=SCORING_HOST, private_name=f"ep-fraud.{GUID}.inference.{REGION}.privatelink.api.azureml.ms",
                   addresses=(SCORING_IP,), private_endpoint_id=PE_WS_ID)
WS_API = m.Target(fqdn=f"{GUID}.workspace.{REGION}.api.azureml.ms",
                  private_name=f"{GUID}.workspace.{REGION}.privatelink.api.azureml.ms", addresses=(WS_IP,),
                  private_endpoint_id=PE_WS_ID)
REGISTRY = m.Target(fqdn=f"{ACR}.azurecr.io", private_name=f"{ACR}.privatelink.azurecr.io", addresses=(ACR_IP,),
                    private_endpoint_id=PE_ACR_ID)
VAULT = m.Target(fqdn=f"{KV}.vault.azure.net", private_name=f"{KV}.privatelink.vaultcore.azure.net",
                 addresses=(KV_IP,), private_endpoint_id=PE_KV_ID)
TARGETS = (SCORING, WS_API, REGISTRY, VAULT)

SYSTEM = Resolver("system", "127.0.0.53:53")
AZURE = Resolver("azure", "168.63.129.16:53")
SERVER = Resolver("custom", CUSTOM)   # as dns.custom names it: the VNet's dnsServers entry

IN_HUB = Location(vm_id=rid("Microsoft.Compute/virtualMachines", "vm-jumpbox"), private_ip="10.20.0.10",
                  subnet_id=f"{HUB}/subnets/snet-jumpbox")
IN_SPOKE = dataclasses.replace(IN_HUB, private_ip="10.30.1.4", subnet_id=f"{SPOKE}/subnets/snet-jumpbox")
HUB_VNET = Vnet(id=HUB, name="vnet-ml-hub", address_prefixes=("10.20.0.0/16",))
SPOKE_VNET = Vnet(id=SPOKE, name="vnet-ml-spoke", address_prefixes=("10.30.0.0/16",))


def private(t: m.Target, ips: tuple[str, ...] | None = None) -> m.Answer:
    return m.Answer(chain=(t.private_name or "",), ips=t.addresses if ips is None else ips)


def public(t: m.Target) -> m.Answer:
    chain = (t.private_name, f"fe-1234.{t.zone}") if t.private_name else ()
    return m.Answer(chain=tuple(c for c in chain if c), ips=("20.50.60.70",))


def nx(t: m.Target) -> m.Answer:
    """NXDOMAIN from a private zone that lacks the record."""
    return m.Answer(chain=(t.private_name or "",), rcode="NXDOMAIN")


def wrong_for(*wrong: m.Target, answer: Callable[[m.Target], m.Answer] = public) -> Callable[[m.Target], m.Answer]:
    """`answer` for these targets, the private endpoint's address for the others."""
    return lambda t: answer(t) if t in wrong else private(t)


def seen(resolver: Resolver, t: m.Target, *rounds: m.Answer, name: str | None = None) -> m.Seen:
    return m.Seen(resolver=resolver, name=name or t.fqdn, rounds=rounds)


def everywhere(resolver: Resolver, answer: Callable[[m.Target], m.Answer] = private,
               targets: tuple[m.Target, ...] = TARGETS) -> list[m.Seen]:
    """The resolver's one answer for each target, made by `answer(target)`."""
    return [seen(resolver, t, answer(t)) for t in targets]


def with_custom_dns(inv: Inventory | None = None, *servers: str) -> Inventory:
    """The hub VNet uses custom DNS servers (default: one at 10.20.0.4, inside the hub)."""
    inv = inv or inventory()
    vnets = tuple(dataclasses.replace(v, dns_servers=servers or (CUSTOM,)) if v.id == HUB else v for v in inv.vnets)
    return dataclasses.replace(inv, vnets=vnets)


def peering(vnet: str, remote: str, state: str = "Connected") -> Peering:
    name = f"{vnet.rsplit('/', 1)[-1]}-to-{remote.rsplit('/', 1)[-1]}"
    return Peering(id=f"{vnet}/virtualNetworkPeerings/{name}", name=name, vnet_id=vnet, remote_vnet_id=remote,
                   state=state)


def spoke(inv: Inventory | None = None, *peerings: Peering) -> Inventory:
    """The client sits in a spoke VNet with every zone linked to it too, and these peerings."""
    inv = inv or inventory()
    zones = tuple(dataclasses.replace(z, links=(*z.links, dataclasses.replace(
        z.links[0], id=z.links[0].id.replace("link-vnet-ml-hub", "link-vnet-ml-spoke"), vnet_id=SPOKE)))
        for z in inv.zones)
    return dataclasses.replace(inv, zones=zones, vnets=(HUB_VNET, SPOKE_VNET), peerings=peerings)


def run(inv: Inventory, answers: list[m.Seen], where: Location | None = IN_HUB,
        connects: dict[str, bool] | None = None, targets: tuple[m.Target, ...] = TARGETS) -> Diagnosis:
    return diagnose(inv, where, targets, m.Observed(answers=tuple(answers), connects=connects or {}), FORWARDED)


def refs(d: Diagnosis) -> list[str]:
    return [r.ref.text for r in d.roots]
