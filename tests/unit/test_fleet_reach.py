"""Which workspaces of a fleet get network checks: those whose private endpoints this machine reaches (their
VNet, or one peered with it Connected on both sides); the others name the VNet a run must be inside."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from facts import HUB, SPOKE, inventory

from netcheck.azure.facts import Vnet
from netcheck.azure.fleet import Snapshot
from netcheck.fleetrun import command, network_vnet


def _vnet(vid: str, peers: dict[str, str]) -> dict[str, Any]:
    return {"id": vid, "type": "microsoft.network/virtualnetworks", "name": vid.rsplit("/", 1)[-1], "properties": {
        "addressSpace": {"addressPrefixes": ["10.20.0.0/16" if vid == HUB else "10.30.0.0/16"]},
        "virtualNetworkPeerings": [{"id": f"{vid}/virtualNetworkPeerings/to-{r.rsplit('/', 1)[-1]}",
                                    "name": f"to-{r.rsplit('/', 1)[-1]}", "properties": {
                                        "peeringState": state, "remoteVirtualNetwork": {"id": r},
                                        "allowVirtualNetworkAccess": True}} for r, state in peers.items()]}}


def _case(hub_side: str | None, spoke_side: str | None) -> tuple[Snapshot, Any]:
    rows = [_vnet(HUB, {SPOKE: hub_side} if hub_side else {}), _vnet(SPOKE, {HUB: spoke_side} if spoke_side else {})]
    inv = inventory(vnets=(Vnet(HUB, "vnet-ml-hub"), Vnet(SPOKE, "vnet-ml-spoke")))
    return Snapshot.build("AzureCloud", {"network": rows}), inv


@pytest.mark.parametrize(("where", "hub_side", "spoke_side", "needs"), [
    (HUB, None, None, None),                        # the private endpoints' own VNet
    (SPOKE, "Connected", "Connected", None),        # peered, both sides Connected
    (SPOKE, "Connected", "Initiated", HUB),         # one side only: no traffic
    (SPOKE, "Disconnected", "Connected", HUB),
    (SPOKE, None, None, HUB),                       # not peered at all
    (None, "Connected", "Connected", HUB),          # outside Azure: nothing private is reached
])
def test_network_checks_only_where_the_private_endpoints_are_reached(where: str | None, hub_side: str | None,
                                                                    spoke_side: str | None, needs: str | None) -> None:
    snap, inv = _case(hub_side, spoke_side)
    assert network_vnet(snap, inv, where) == needs


def test_a_public_workspace_is_reached_from_anywhere() -> None:
    snap, inv = _case(None, None)
    assert network_vnet(snap, dataclasses.replace(inv, private_endpoints=()), None) is None


def test_the_command_checks_that_workspace_alone() -> None:
    ws = inventory().workspace
    assert ws is not None
    assert command(ws, "AzureCloud") == f"netcheck -s {ws.id.split('/')[2]} -g rg-mlops-prod -w mlw-contoso-prod"
    assert command(ws, "AzureChinaCloud").endswith(" --cloud AzureChinaCloud")
