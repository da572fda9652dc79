"""Which unreadable ARM lists a stage-1 probe depends on. A list ARM refused, throttled or broke off
is not an empty one: a probe that needs it says `error` with the read's reason (and, on a 403, the
grant), never `pass` and never a fix that creates something that may already exist."""

from __future__ import annotations

import dataclasses
import re

from netcheck.azure import lists
from netcheck.azure.facts import Endpoint, Inventory, ReadError, name_of, parent
from netcheck.model import Finding
from netcheck.probes._common import error_finding
from netcheck.subject import ZoneName

_ZONE_LIST = re.compile(r"^/subscriptions/[^/]+/providers/microsoft\.network/privatednszones$", re.IGNORECASE)


def endpoint_errors(inv: Inventory) -> list[Finding]:
    """The workspace's endpoint list, or a named endpoint, that could not be read (a named endpoint
    that does not exist is ctx.target's failure, not an error here)."""
    assert inv.workspace
    base = lists.endpoints(inv.workspace.id).lower()
    out = []
    for e in inv.errors:
        if e.resource.lower() == base:
            out.append(error_finding(e, inv.workspace.name))
        elif parent(e.resource, 1).lower() == base and e.reason != "not_found":
            out.append(error_finding(e, name_of(e.resource)))
    return out


def deployments_error(inv: Inventory, ep: Endpoint) -> Finding | None:
    err = inv.error_for(lists.deployments(ep.id))
    return error_finding(err, ep.name) if err else None


def zone_search_errors(inv: Inventory) -> list[ReadError]:
    """Reads that could have named a private DNS zone: the subscriptions, their zone lists, the private
    endpoints and their DNS zone groups."""
    pe_ids = {p.lower() for p in _connections(inv)}
    return [e for e in inv.errors if e.resource.lower() == lists.SUBSCRIPTIONS or _ZONE_LIST.match(e.resource)
            or e.resource.lower().endswith("/privatednszonegroups") or e.resource.lower() in pe_ids]


def _connections(inv: Inventory) -> list[str]:
    conns = [*(inv.workspace.connections if inv.workspace else ()), *(inv.registry.connections if inv.registry else ()),
             *(inv.vault.connections if inv.vault else ())]
    return [c.private_endpoint_id for c in conns if c.private_endpoint_id]


def pe_errors(inv: Inventory) -> list[Finding]:
    """The private endpoints (of the workspace and its dependencies) that could not be read: their
    names, addresses, zones and VNets are unknown. One that no longer exists is no error here."""
    seen: set[str] = set()
    out = []
    for pe_id in _connections(inv):
        err = inv.error_for(pe_id)
        if err and err.reason != "not_found" and pe_id.lower() not in seen:
            seen.add(pe_id.lower())
            out.append(error_finding(err, name_of(pe_id)))
    return out


def not_searched(errors: list[ReadError], zone: str) -> Finding:
    """A zone not found where netcheck could look, while some places could not be looked in."""
    first = error_finding(errors[0], ZoneName(zone))
    return dataclasses.replace(
        first, summary=f"zone {zone} was not found, but the search was incomplete: {first.summary}",
        evidence={**first.evidence, "unreadable": [f"{e.resource}: {e.reason}" for e in errors]})
