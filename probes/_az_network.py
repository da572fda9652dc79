"""The az commands that fix the network resources the probes judge: VNet peerings (`az network vnet
peering`), private endpoints and their connections (`az network private-endpoint`,
`az network private-endpoint-connection`), and the fix of the diagnosis's route remedy
(netcheck.diagnosis.remedy.PeeringFix) built from them. One place for their parameters, used by every
probe whose fix touches them."""

from __future__ import annotations

from collections.abc import Iterable

from netcheck.azure.facts import Peering, group_of, name_of
from netcheck.diagnosis import remedy as fx
from netcheck.model import Fix
from netcheck.probes._common import cmd, elsewhere, fix


def _peering(verb: str, vnet_id: str, name: str, home: str, *args: str) -> str:
    """`az network vnet peering VERB` on a peering of `vnet_id`; `--subscription` when the VNet is not in `home`
    (the subscription az is logged into: the workspace's)."""
    return cmd("az", "network", "vnet", "peering", verb, "-g", group_of(vnet_id), "--vnet-name", name_of(vnet_id),
               "-n", name, *args, *elsewhere(vnet_id, home))


def _side(s: fx.PeeringSide, home: str) -> list[str]:
    """Create one side of a peering; a side that exists but is not Connected is deleted first: Azure
    re-establishes a Disconnected peering only by creating it again (an Initiated one waits for its other
    side, which the other side's commands create); a Connected one without VNet access is updated."""
    p, a, b = s.existing, s.vnet_id, s.remote_vnet_id
    if p and p.state == "Connected":
        return [_peering("update", a, p.name, home, "--set", "allowVirtualNetworkAccess=true")]
    if p and p.state == "Initiated":
        return []
    create = _peering("create", a, p.name if p else f"peer-{name_of(a)}-to-{name_of(b)}", home,
                      "--remote-vnet", b, "--allow-vnet-access")
    return [_peering("delete", a, p.name, home), create] if p else [create]


def _broken(sides: Iterable[fx.PeeringSide]) -> list[fx.PeeringSide]:
    """The sides that carry no traffic: missing, not Connected, or Connected without VNet access."""
    return [s for s in sides if not (s.existing and s.existing.connected)]


def connect(sides: Iterable[fx.PeeringSide], home: str) -> list[str]:
    """The commands that make a peering carry traffic, for each side that does not."""
    return [c for s in _broken(sides) for c in _side(s, home)]


def peering_text(r: fx.PeeringFix) -> str:
    """What is wrong with each side of the peering that carries no traffic."""
    def state(p: Peering | None) -> str:
        return ("no peering" if p is None else f"{p.name} is {p.state}" if p.state != "Connected"
                else f"{p.name} is Connected but does not allow VNet access")
    return "; ".join(f"{name_of(s.vnet_id)} → {name_of(s.remote_vnet_id)}: {state(s.existing)}" for s in _broken(r.sides))


def peering_fix(r: fx.PeeringFix, home: str) -> Fix:
    """Peer the two VNets both ways: create the missing sides, re-create a Disconnected one."""
    again = "".join(f"; {s.existing.name} is {s.existing.state}: delete it and create it again"
                    for s in r.sides if s.existing and s.existing.state == "Disconnected")
    return fix(f"Peer {name_of(r.client_vnet_id)} and {name_of(r.pe_vnet_id)} in both directions (a peering carries "
               f"traffic only when both sides are Connected){again}", *connect(r.sides, home), docs="peering")


def sync_fix(stale: Iterable[Peering], home: str) -> Fix:
    return fix("Sync the peering with the address spaces as they are now",
               *(_peering("sync", p.vnet_id, p.name, home) for p in stale), docs="peering")


def private_endpoint(resource_id: str, group: str, subnet_id: str) -> str:
    """Create a private endpoint `pe-<resource>-<group>` for one sub-resource (group id) of a resource, in its
    resource group, in the subnet given."""
    name = f"pe-{name_of(resource_id)}-{group}"
    return cmd("az", "network", "private-endpoint", "create", "-g", group_of(resource_id), "-n", name, "--subnet",
               subnet_id, "--private-connection-resource-id", resource_id, "--group-id", group, "--connection-name", name)


def approve(*connection_ids: str) -> list[str]:
    """Approve Pending private endpoint connections (the target resource's owner's step)."""
    return [cmd("az", "network", "private-endpoint-connection", "approve", "--id", i, "--description", "Approved")
            for i in connection_ids]


def delete_connection(connection_id: str) -> str:
    return cmd("az", "network", "private-endpoint-connection", "delete", "--id", connection_id, "--yes")
