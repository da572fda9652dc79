"""The network fix commands (probes/_az_network.py) from hand-made peering sides: what each side's state
asks for, and --subscription only for a VNet outside the workspace's subscription."""

from __future__ import annotations

from facts import HUB, RG, SUB

from netcheck.azure.facts import Peering
from netcheck.diagnosis import remedy as fx
from netcheck.probes import _az_network as net

OTHER = "0c9d8e7f-1111-2222-3333-444455556666"
APP = f"/subscriptions/{OTHER}/resourceGroups/rg-app/providers/Microsoft.Network/virtualNetworks/vnet-app"


def peering(vnet: str, remote: str, state: str, *, access: bool = True, sync: str = "") -> Peering:
    name = f"{vnet.rsplit('/', 1)[-1]}-to-{remote.rsplit('/', 1)[-1]}"
    return Peering(id=f"{vnet}/virtualNetworkPeerings/{name}", name=name, vnet_id=vnet, remote_vnet_id=remote,
                   state=state, allow_vnet_access=access, sync_level=sync)


def side(vnet: str, remote: str, state: str | None, *, access: bool = True) -> fx.PeeringSide:
    existing = peering(vnet, remote, state, access=access) if state else None
    return fx.PeeringSide(vnet_id=vnet, remote_vnet_id=remote, existing=existing)


def test_each_state_asks_for_its_own_commands() -> None:
    assert net.connect([side(HUB, APP, "Connected")], SUB) == []
    assert net.connect([side(HUB, APP, "Initiated")], SUB) == []   # it waits for the other side
    assert net.connect([side(HUB, APP, "Connected", access=False)], SUB) == [
        f"az network vnet peering update -g {RG} --vnet-name vnet-ml-hub -n vnet-ml-hub-to-vnet-app "
        "--set allowVirtualNetworkAccess=true"]
    assert net.connect([side(HUB, APP, "Disconnected")], SUB) == [
        f"az network vnet peering delete -g {RG} --vnet-name vnet-ml-hub -n vnet-ml-hub-to-vnet-app",
        f"az network vnet peering create -g {RG} --vnet-name vnet-ml-hub -n vnet-ml-hub-to-vnet-app "
        f"--remote-vnet {APP} --allow-vnet-access"]


def test_a_vnet_in_another_subscription_is_addressed_there() -> None:
    (create,) = net.connect([side(APP, HUB, None)], SUB)
    assert create == (f"az network vnet peering create -g rg-app --vnet-name vnet-app -n peer-vnet-app-to-vnet-ml-hub "
                      f"--remote-vnet {HUB} --allow-vnet-access --subscription {OTHER}")
    stale = peering(APP, HUB, "Connected", sync="LocalNotInSync")
    assert net.sync_fix([stale], SUB).commands == (
        f"az network vnet peering sync -g rg-app --vnet-name vnet-app -n vnet-app-to-vnet-ml-hub --subscription {OTHER}",)


def test_the_text_names_only_the_sides_that_carry_no_traffic() -> None:
    r = fx.PeeringFix(client_vnet_id=APP, pe_vnet_id=HUB, sides=(side(APP, HUB, None), side(HUB, APP, "Connected")))
    assert net.peering_text(r) == "vnet-app → vnet-ml-hub: no peering"
