"""The az commands of private DNS (zones, their VNet links and A records, a private endpoint's DNS zone
group), as every fix builds them: one place for their parameters."""

from __future__ import annotations

from collections.abc import Iterable

from netcheck.azure.facts import group_of, name_of
from netcheck.probes._common import cmd, elsewhere

_DNS = ("az", "network", "private-dns")
_ZONE_GROUP = ("az", "network", "private-endpoint", "dns-zone-group")


def zone_create(rg: str, zone: str) -> str:
    """In the workspace's resource group (and subscription)."""
    return cmd(*_DNS, "zone", "create", "-g", rg, "-n", zone)


def zone_delete(zone_id: str, zone: str, home: str) -> str:
    return cmd(*_DNS, "zone", "delete", "-g", group_of(zone_id), "-n", zone, "--yes", *elsewhere(zone_id, home))


def link_create(zone_id: str, zone: str, link: str, vnet_id: str, home: str) -> str:
    """A link without auto-registration (`-e false`): the private endpoints' zone groups write the records."""
    return cmd(*_DNS, "link", "vnet", "create", "-g", group_of(zone_id), "-z", zone, "-n", link, "-v", vnet_id,
               "-e", "false", *elsewhere(zone_id, home))


def link_delete(zone_id: str, zone: str, link: str, home: str) -> str:
    return cmd(*_DNS, "link", "vnet", "delete", "-g", group_of(zone_id), "-z", zone, "-n", link, "--yes",
               *elsewhere(zone_id, home))


def new_link_name(vnet_id: str, taken: Iterable[str]) -> str:
    """`link-VNET`, else `link-VNET-2`, `-3`...: the first name no other link of the zone has."""
    names, base = {t.lower() for t in taken}, f"link-{name_of(vnet_id)}"
    return next(n for i in range(1, len(names) + 2) if (n := base + (f"-{i}" if i > 1 else "")) not in names)


def record_add(zone_id: str, zone: str, record: str, ip: str, home: str) -> str:
    return cmd(*_DNS, "record-set", "a", "add-record", "-g", group_of(zone_id), "-z", zone, "-n", record, "-a", ip,
               *elsewhere(zone_id, home))


def record_remove(zone_id: str, zone: str, record: str, ip: str, home: str) -> str:
    return cmd(*_DNS, "record-set", "a", "remove-record", "-g", group_of(zone_id), "-z", zone, "-n", record,
               "-a", ip, *elsewhere(zone_id, home))


def record_list(zone_id: str, zone: str, home: str) -> str:
    return cmd(*_DNS, "record-set", "list", "-g", group_of(zone_id), "-z", zone, "-o", "table", *elsewhere(zone_id, home))


def zone_group_add(pe_id: str, group: str, zone_id: str, zone: str, home: str) -> str:
    """Add a zone to a private endpoint's existing DNS zone group (it keeps the zones it holds)."""
    return cmd(*_ZONE_GROUP, "add", *_zone_group_args(pe_id, group, zone_id, zone), *elsewhere(pe_id, home))


def zone_group_list(pe_id: str, home: str) -> str:
    return cmd(*_ZONE_GROUP, "list", "-g", group_of(pe_id), "--endpoint-name", name_of(pe_id), "-o", "table",
               *elsewhere(pe_id, home))


def zone_group_create(pe_id: str, zone_id: str, zone: str, home: str) -> str:
    return cmd(*_ZONE_GROUP, "create", *_zone_group_args(pe_id, "default", zone_id, zone), *elsewhere(pe_id, home))


def _zone_group_args(pe_id: str, group: str, zone_id: str, zone: str) -> tuple[str, ...]:
    return ("-g", group_of(pe_id), "--endpoint-name", name_of(pe_id), "-n", group, "--private-dns-zone", zone_id,
            "--zone-name", zone.replace(".", "-"))
