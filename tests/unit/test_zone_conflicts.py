"""probes/_zone_conflicts.py from hand-made facts: a second zone of one name linked instead of the one the
zone groups write into, and a zone named like the public zone linked to a client's VNet."""

from __future__ import annotations

import dataclasses

from facts import HUB, RG, SPOKE, inventory, link, rid, zone

from netcheck.azure.facts import Inventory
from netcheck.model import Verdict
from netcheck.probes import _az_privatedns as az
from netcheck.probes._zone_conflicts import duplicate, shadowing

ACR_ZONE = "privatelink.azurecr.io"
OLD_RG = "rg-dns-old"
OLD_ID = rid("Microsoft.Network/privateDnsZones", ACR_ZONE, OLD_RG)
NEW_ID = rid("Microsoft.Network/privateDnsZones", ACR_ZONE)


def _two_zones(*new_links: str) -> Inventory:
    """The hub resolves privatelink.azurecr.io from the zone in rg-dns-old; the registry's private endpoint
    writes into the one in rg-mlops-prod, which has links of the names given (to the spoke)."""
    inv = inventory()
    old = zone(ACR_ZONE, {}, id=OLD_ID, links=(link(ACR_ZONE, name="hub-old"),))
    new = zone(ACR_ZONE, {}, links=tuple(link(ACR_ZONE, SPOKE, name=n) for n in new_links))
    pes = tuple(dataclasses.replace(pe, zone_ids=(NEW_ID,)) if pe.name == "pe-crcontosoml" else pe
                for pe in inv.private_endpoints)
    return dataclasses.replace(inv, zones=(*(z for z in inv.zones if z.name != ACR_ZONE), old, new),
                               private_endpoints=pes)


def test_a_vnet_resolving_from_the_zone_nobody_writes_into_fails() -> None:
    f = duplicate(_two_zones(), ACR_ZONE, HUB)
    assert f is not None and f.verdict is Verdict.FAIL
    assert f.summary == (f"two zones {ACR_ZONE}: VNet vnet-ml-hub resolves from the one in {OLD_RG}, but the private "
                         f"endpoints' DNS zone groups write their records into the one in {RG}")
    assert f.fix is not None and list(f.fix.commands) == [
        f"az network private-dns link vnet delete -g {OLD_RG} -z {ACR_ZONE} -n hub-old --yes",
        f"az network private-dns link vnet create -g {RG} -z {ACR_ZONE} -n link-vnet-ml-hub -v {HUB} -e false"]


def test_the_new_link_takes_a_name_no_other_link_has() -> None:
    f = duplicate(_two_zones("link-vnet-ml-hub", "LINK-vnet-ml-hub-2"), ACR_ZONE, HUB)
    assert f is not None and f.fix is not None and " -n link-vnet-ml-hub-3 " in f.fix.commands[1]


def test_one_zone_or_the_written_zone_linked_is_no_duplicate() -> None:
    assert duplicate(inventory(), ACR_ZONE, HUB) is None
    inv = _two_zones()
    pes = tuple(dataclasses.replace(pe, zone_ids=(OLD_ID,)) if pe.name == "pe-crcontosoml" else pe
                for pe in inv.private_endpoints)
    assert duplicate(dataclasses.replace(inv, private_endpoints=pes), ACR_ZONE, HUB) is None


def test_a_zone_named_like_the_public_zone_linked_to_a_client_shadows_it() -> None:
    inv = inventory()
    public = zone("azurecr.io", {}, links=(link("azurecr.io"),))
    f = shadowing(inv, public, [HUB])
    assert f is not None and f.verdict is Verdict.FAIL
    assert f.summary.endswith(f"shadowing the public zone (the private endpoints' zone is {ACR_ZONE})")
    assert f.fix is not None and list(f.fix.commands) == [
        f"az network private-dns link vnet delete -g {RG} -z azurecr.io -n link-vnet-ml-hub --yes",
        f"az network private-dns zone delete -g {RG} -n azurecr.io --yes"]


def test_a_public_named_zone_linked_elsewhere_or_a_privatelink_zone_shadows_nothing() -> None:
    inv = inventory()
    assert shadowing(inv, zone("azurecr.io", {}, links=(link("azurecr.io", SPOKE),)), [HUB]) is None
    assert all(shadowing(inv, z, [HUB]) is None for z in inv.zones)


def test_link_names_skip_the_taken_ones_whatever_their_case() -> None:
    assert az.new_link_name(HUB, []) == "link-vnet-ml-hub"
    assert az.new_link_name(HUB, ["Link-Vnet-Ml-Hub"]) == "link-vnet-ml-hub-2"
    assert az.new_link_name(HUB, ["other", "link-vnet-ml-hub-2", "link-vnet-ml-hub"]) == "link-vnet-ml-hub-3"

