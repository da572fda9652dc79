"""A private endpoint's DNS zone groups (they write its A records into the private zones), and how a
record they should have written comes back: a private endpoint has one zone group, so a zone is added to
the group it has, never a new group made over the zones it holds."""

from __future__ import annotations

from netcheck.azure.facts import Inventory, Zone
from netcheck.diagnosis import remedy as fx


def zone_groups(inv: Inventory, pe_id: str | None) -> list[tuple[str | None, tuple[str, ...]]]:
    """(group name, zone ids) of a private endpoint's DNS zone groups."""
    low = (pe_id or "").lower()
    groups: list[tuple[str | None, tuple[str, ...]]] = [
        (g.name, g.zone_ids) for g in inv.zone_groups if pe_id and g.private_endpoint_id.lower() == low]
    if not groups:   # zone groups read by name are newer facts: the endpoint's own list of zone ids still counts
        pe = next((p for p in inv.private_endpoints if pe_id and p.id.lower() == low), None)
        groups = [(None, pe.zone_ids)] if pe and pe.zone_ids else []
    return groups


def restore_record(inv: Inventory, pe_id: str | None, zone: Zone, record: str, addresses: tuple[str, ...]
                   ) -> fx.ZoneGroupFix:
    """`add-record` when a group holds the zone already (it lost the record), `add-zone` to the endpoint's
    group (`group` None: it has one, whose name was not read), else `create-group`."""
    groups = zone_groups(inv, pe_id)
    holding = [g for g, ids in groups if zone.id.lower() in (z.lower() for z in ids)]
    action, group = (("add-record", holding[0]) if holding else ("add-zone", groups[0][0]) if groups
                     else ("create-group", None))
    return fx.ZoneGroupFix(action=action, private_endpoint_id=pe_id, zone_id=zone.id, zone=zone.name, record=record,
                           group=group, addresses=addresses)
