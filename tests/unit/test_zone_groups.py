"""How a missing A record comes back (netcheck/diagnosis/zone_groups.py decides, probes/_dnsfix.py renders the
fix): a private endpoint has one DNS zone group, so a zone is added to it, never a second group made."""

from __future__ import annotations

import dataclasses

import pytest
from facts import ACR, ACR_IP, RG, SUB, inventory, rid, zone

from netcheck.azure.facts import Inventory, ZoneGroup
from netcheck.diagnosis.zone_groups import restore_record
from netcheck.probes._dnsfix import restore_record as restore_fix

ZONE = "privatelink.azurecr.io"
ZONE_ID = rid("Microsoft.Network/privateDnsZones", ZONE)
VAULT_ZONE_ID = rid("Microsoft.Network/privateDnsZones", "privatelink.vaultcore.azure.net")
PE = rid("Microsoft.Network/privateEndpoints", "pe-crcontosoml")
ZONE_OBJ = zone(ZONE, {})
ADD_RECORD = f"az network private-dns record-set a add-record -g {RG} -z {ZONE} -n {ACR} -a {ACR_IP}"


def _group(*zone_ids: str, name: str = "acr-zones") -> Inventory:
    return dataclasses.replace(inventory(), zone_groups=(
        ZoneGroup(id=f"{PE}/privateDnsZoneGroups/{name}", name=name, private_endpoint_id=PE, zone_ids=zone_ids),))


@pytest.mark.parametrize(("inv", "action", "group", "commands"), [
    (inventory(), "create-group", None, [
        f"az network private-endpoint dns-zone-group create -g {RG} --endpoint-name pe-crcontosoml -n default "
        f"--private-dns-zone {ZONE_ID} --zone-name privatelink-azurecr-io", ADD_RECORD]),
    (_group(VAULT_ZONE_ID), "add-zone", "acr-zones", [
        f"az network private-endpoint dns-zone-group add -g {RG} --endpoint-name pe-crcontosoml -n acr-zones "
        f"--private-dns-zone {ZONE_ID} --zone-name privatelink-azurecr-io"]),
    (_group(ZONE_ID.upper()), "add-record", "acr-zones", [ADD_RECORD]),
], ids=["no group: create one", "a group without the zone: add the zone", "the group holds the zone: add the record"])
def test_the_zone_group_rule_and_its_fix(inv: Inventory, action: str, group: str | None, commands: list[str]) -> None:
    r = restore_record(inv, PE, ZONE_OBJ, ACR, (ACR_IP,))
    assert (r.action, r.group) == (action, group)
    assert list(restore_fix(r, inv.subscription).commands) == commands


def test_zone_ids_on_the_endpoint_count_as_an_unnamed_group() -> None:
    inv = inventory()
    pes = tuple(dataclasses.replace(p, zone_ids=(ZONE_ID,)) if p.id == PE else p for p in inv.private_endpoints)
    r = restore_record(dataclasses.replace(inv, private_endpoints=pes), PE, ZONE_OBJ, ACR, (ACR_IP,))
    assert (r.action, r.group) == ("add-record", None)
    assert list(restore_fix(r, SUB).commands) == [ADD_RECORD]


def test_without_a_private_endpoint_only_the_record_is_added() -> None:
    r = restore_record(inventory(), None, ZONE_OBJ, ACR, (ACR_IP,))
    assert r.action == "create-group" and list(restore_fix(r, SUB).commands) == [ADD_RECORD]


def test_an_unnamed_group_without_the_zone_is_listed_never_replaced() -> None:
    """Only the endpoint's own zone list is known (an older inventory): it has a group, whose name is unread.
    Creating `default` would replace a group of that name and the zones it holds: name it first."""
    inv = inventory()
    pes = tuple(dataclasses.replace(p, zone_ids=(VAULT_ZONE_ID,)) if p.id == PE else p for p in inv.private_endpoints)
    r = restore_record(dataclasses.replace(inv, private_endpoints=pes), PE, ZONE_OBJ, ACR, (ACR_IP,))
    assert (r.action, r.group) == ("add-zone", None)
    fix = restore_fix(r, SUB)
    assert list(fix.commands) == [f"az network private-endpoint dns-zone-group list -g {RG} --endpoint-name "
                                  "pe-crcontosoml -o table"]
    assert "dns-zone-group add -n GROUP" in fix.summary and "create" not in " ".join(fix.commands)
