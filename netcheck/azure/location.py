"""Where netcheck runs, read from ARM: the VM IMDS named, its NIC, and that NIC's subnet.

Raw JSON through the session's ARM client, so no SDK model stands between ARM's wire format and
the fact. Every failure becomes a ReadError with its reason (403: the missing action and scope).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from netcheck.azure.facts import Location, ReadError, Vnet
from netcheck.model import Where

if TYPE_CHECKING:
    from netcheck.azure.session import Session


def read_location(session: Session, vm_id: str, private_ip: str) -> Location | ReadError:
    """The VM's primary NIC and the subnet of its IP configuration holding `private_ip` (else the
    primary one). Blocking: run it in a thread."""
    from netcheck.azure.errors import classify
    from netcheck.azure.versions import api_version

    arm = session.arm()
    try:
        vm = arm.get(vm_id, api_version(vm_id))
    except Exception as exc:  # classified: forbidden, not_found, timeout, ...
        return classify(vm_id, exc, session.budget)
    nic_ref = _primary(_dig(vm, "properties", "networkProfile", "networkInterfaces"))
    nic_id = nic_ref.get("id") if nic_ref else None
    if not isinstance(nic_id, str) or not nic_id:
        return ReadError(vm_id, "malformed", "the VM names no network interface "
                         "(properties.networkProfile.networkInterfaces[].id)")
    try:
        nic = arm.get(nic_id, api_version(nic_id))
    except Exception as exc:
        return classify(nic_id, exc, session.budget)
    configs = _dig(nic, "properties", "ipConfigurations") or []
    mine = [c for c in configs if _dig(c, "properties", "privateIPAddress") == private_ip] if private_ip else []
    subnet_id = _dig(_primary(mine or configs) or {}, "properties", "subnet", "id")
    if not isinstance(subnet_id, str) or not subnet_id:
        return ReadError(nic_id, "malformed", "the NIC's IP configuration names no subnet "
                         "(properties.ipConfigurations[].properties.subnet.id)")
    return Location(vm_id, private_ip, nic_id, subnet_id)


def place_by_address(where: Where, vnets: Iterable[Vnet]) -> Where:
    """Without the VM's NIC, its VNet from its IP and the VNets' address spaces (else `where` as it is)."""
    if not where.in_azure or where.vnet_id or not where.private_ip:
        return where
    ip = ipaddress.ip_address(where.private_ip)
    for vnet in vnets:
        if any(ip in ipaddress.ip_network(p, strict=False) for p in vnet.address_prefixes):
            return Where(True, where.vm_id, vnet.id, None, where.private_ip)
    return where


def _primary(items: Any) -> dict[str, Any] | None:
    """The entry marked primary (ARM marks one when there are several), else the first."""
    if not isinstance(items, list) or not items:
        return None
    dicts = [i for i in items if isinstance(i, dict)]
    return next((i for i in dicts if _dig(i, "properties", "primary") is True), dicts[0] if dicts else None)


def _dig(doc: Any, *keys: str) -> Any:
    """doc[k1][k2]..., or None where a level is missing or not an object."""
    for key in keys:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc
