"""Private DNS zones that hide the private endpoints' records from a VNet although the right zone exists:
a second zone of the same name linked instead, or a zone named like the public zone (pdns.zones)."""

from __future__ import annotations

from netcheck.azure.facts import Inventory, Zone, group_of, name_of
from netcheck.clouds import cloud
from netcheck.diagnosis.zone_groups import zone_groups
from netcheck.model import Finding, Verdict
from netcheck.probes import _az_privatedns as az
from netcheck.probes._common import fix
from netcheck.subject import ZoneName
from netcheck.targets import required_zones


def duplicate(inv: Inventory, name: str, vnet_id: str) -> Finding | None:
    """Two zones of one name: the VNet resolves from one, the private endpoints' DNS zone groups write into
    another, so its records are never seen there."""
    same = [z for z in inv.zones if z.name == name]
    linked = [(z, lk) for z in same for lk in z.links if lk.vnet_id.lower() == vnet_id.lower() and lk.state == "Completed"]
    writes = {z.lower() for pe in inv.private_endpoints for _, ids in zone_groups(inv, pe.id) for z in ids
              if name_of(z).lower() == name}
    good = next((z for z in same if z.id.lower() in writes), None)
    if not linked or good is None or any(z.id.lower() in writes for z, _ in linked):
        return None
    (bad, link), vname = linked[0], name_of(vnet_id)
    bad_rg, good_rg = group_of(bad.id), group_of(good.id)
    return Finding(ZoneName(name), Verdict.FAIL, f"two zones {name}: VNet {vname} resolves from the one in {bad_rg}, "
                   f"but the private endpoints' DNS zone groups write their records into the one in {good_rg}",
                   {"resolves_from": bad.id, "writes_to": good.id, "vnet": vnet_id},
                   fix(f"Unlink the zone in {bad_rg} from {vname} (or delete it) and link the one the private "
                       "endpoints write into", az.link_delete(bad.id, name, link.name, inv.subscription),
                       az.link_create(good.id, name, az.new_link_name(vnet_id, (lk.name for lk in good.links)), vnet_id,
                                      inv.subscription),
                       docs="pe_dns"))


def shadowing(inv: Inventory, zone: Zone, clients: list[str]) -> Finding | None:
    """A private zone named like a public zone (azurecr.io for privatelink.azurecr.io) and linked to a client's
    VNet answers every name under it there from its own records: NXDOMAIN for the registry and all others."""
    ids = {v.lower() for v in clients}
    links = [lk for lk in zone.links if lk.vnet_id.lower() in ids]
    if zone.name not in cloud(inv.cloud).forwarded_zones or not links:
        return None
    right = next((z for z in required_zones(inv) if z.endswith("." + zone.name) and z.startswith("privatelink.")), None)
    return Finding(ZoneName(zone.name), Verdict.FAIL, f"private zone {zone.name} is linked to "
                   f"{', '.join(name_of(lk.vnet_id) for lk in links)}: it answers every *.{zone.name} name there from "
                   "its own records, shadowing the public zone" + (f" (the private endpoints' zone is {right})"
                                                                    if right else ""),
                   {"zone": zone.id, "links": [lk.id for lk in links]},
                   fix(f"Delete the misnamed zone {zone.name} (or unlink it from these VNets); the private endpoints' "
                       f"records belong in {right or 'its privatelink zone'}",
                       *(az.link_delete(zone.id, zone.name, lk.name, inv.subscription) for lk in links),
                       az.zone_delete(zone.id, zone.name, inv.subscription),
                       docs="pe_dns"))
