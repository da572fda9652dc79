"""The names that matter, as the diagnosis sees them: each public name with the privatelink name public
DNS points it at (only when its resource has a private endpoint), the endpoint's NIC addresses and the
endpoint itself. Names and zones come from the service registry (netcheck.services)."""

from __future__ import annotations

from netcheck import services
from netcheck.azure.facts import Inventory, PrivateEndpoint
from netcheck.diagnosis.model import Target
from netcheck.targets import Name, Names


def _owner(inv: Inventory, role: str) -> str | None:
    """The resource whose private endpoint serves a name of this role."""
    ws = inv.workspace
    owners = {"scoring": ws and ws.id, "workspace": ws and ws.id, "notebooks": ws and ws.id,
              "registry": inv.registry and inv.registry.id, "vault": inv.vault and inv.vault.id,
              "storage": ws and ws.storage_account}
    return owners.get(role) or None


def _serving(inv: Inventory, name: Name) -> PrivateEndpoint | None:
    """The private endpoint whose DNS configs name the host (or, for a scoring host, the workspace's
    wildcard); else any private endpoint of its resource (its NIC may not have been readable)."""
    ws = inv.workspace
    wanted = {name.fqdn}
    if name.role == "scoring" and ws:
        wanted.add(f"*.{ws.guid}.inference.{ws.location}.{services.get('workspace').suffix_in(inv.cloud)}")
    found = next((pe for pe in inv.private_endpoints if any(c.fqdn in wanted for c in pe.dns)), None)
    return found or next(iter(inv.pes_for(_owner(inv, name.role))), None)


def _private_name(inv: Inventory, name: Name) -> str | None:
    ws = inv.workspace
    if name.role == "scoring" and ws and name.endpoint:
        return services.get("scoring").private_host(inv.cloud, endpoint=name.endpoint, guid=ws.guid,
                                                    region=ws.location).lower()
    return services.private_name(name.fqdn, inv.cloud)


def _registered(inv: Inventory, private_name: str | None) -> bool:
    """A record for the privatelink name exists in a zone of that name: a private endpoint netcheck did not
    read (a storage account's, say) registered it."""
    if not private_name or "privatelink." not in private_name:
        return False
    zone = private_name[private_name.index("privatelink."):]
    target = Target(fqdn="", private_name=private_name)
    rel = target.record or ""
    return any(z.name == zone and any(r.name == rel or (r.name.startswith("*.") and rel.endswith(r.name[1:]))
                                      for r in z.records) for z in inv.zones)


def targets(inv: Inventory, names: Names) -> tuple[Target, ...]:
    """Every name of `names` the diagnosis can follow: a Kubernetes endpoint's own host and --host names
    have no private-link path to compare with, and are left out. A name has a privatelink name when a
    private endpoint serves it, or when its record exists (an endpoint netcheck does not read)."""
    out = []
    for name in names.names:
        if name.kubernetes or name.role == "host":
            continue
        pe = _serving(inv, name)
        private = _private_name(inv, name)
        out.append(Target(fqdn=name.fqdn, private_name=private if pe or _registered(inv, private) else None,
                          addresses=name.expected, private_endpoint_id=pe.id if pe else None))
    return tuple(out)
