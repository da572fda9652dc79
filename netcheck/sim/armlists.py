"""ARM's Microsoft.Resources reads over a scenario: subscriptions, resource groups, and the `resources`
listings of a subscription or a group (what `az resource list` and `az acr ...` use to find a resource's
group), with the `$filter` forms they send."""

from __future__ import annotations

import re
from typing import Any

from netcheck.azure.facts import group_of
from netcheck.sim.world import World

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"   # the scenarios' tenant
_CLAUSE = re.compile(r"^\s*(resourceType|name)\s+eq\s+'([^']*)'\s*$", re.IGNORECASE)


def subscriptions(world: World) -> frozenset[str]:
    """The subscriptions ARM knows: those that hold a resource of the scenario, and its target's (found once per
    world, whose resources don't change: every ARM request asks)."""
    if (subs := world.memo.get("subscriptions")) is None:
        target = world.scenario.target.get("subscription")
        subs = world.memo["subscriptions"] = frozenset({rid.split("/")[2] for rid in world.resources} |
                                                       ({str(target).lower()} if target else set()))
    return subs


def _groups(world: World, sub: str) -> dict[str, dict[str, Any]]:
    """Resource groups of a subscription (lower-case name -> ARM body), from the resources they hold."""
    out: dict[str, dict[str, Any]] = {}
    for res in sorted(world.resources.values(), key=lambda r: str(r["id"]).lower()):
        rid = str(res["id"])
        if rid.split("/")[2].lower() != sub.lower() or not (name := group_of(rid)):
            continue
        out.setdefault(name.lower(), {
            "id": f"/subscriptions/{rid.split('/')[2]}/resourceGroups/{name}", "name": name,
            "type": "Microsoft.Resources/resourceGroups", "location": res.get("location", "eastus"),
            "properties": {"provisioningState": "Succeeded"}})
    return out


def group(world: World, path: str) -> dict[str, Any] | None:
    """GET /subscriptions/S/resourceGroups/G."""
    parts = path.strip("/").split("/")
    if len(parts) == 4 and parts[0].lower() == "subscriptions" and parts[2].lower() == "resourcegroups":
        return _groups(world, parts[1]).get(parts[3].lower())
    return None


def _generic(res: dict[str, Any]) -> dict[str, Any]:
    """A resource as the `resources` listing shows it: no properties unless expanded."""
    return {k: res[k] for k in ("id", "name", "type", "location", "kind", "sku", "identity", "tags") if k in res}


def _matches(res: dict[str, Any], flt: str) -> bool:
    for clause in re.split(r"\s+and\s+", flt, flags=re.IGNORECASE) if flt else []:
        m = _CLAUSE.match(clause)
        if not m:
            return False
        field = "type" if m.group(1).lower() == "resourcetype" else "name"
        if str(res.get(field, "")).lower() != m.group(2).lower():
            return False
    return True


def listing(world: World, path: str, query: dict[str, list[str]]) -> list[dict[str, Any]] | None:
    """/subscriptions, /subscriptions/S/resourcegroups, /subscriptions/S[/resourceGroups/G]/resources."""
    parts = [p.lower() for p in path.strip("/").split("/")]
    if parts == ["subscriptions"]:
        return [{"id": f"/subscriptions/{s}", "subscriptionId": s, "displayName": s, "state": "Enabled",
                 "tenantId": TENANT} for s in sorted(subscriptions(world))]
    if len(parts) == 3 and parts[0] == "subscriptions" and parts[2] == "resourcegroups":
        return list(_groups(world, parts[1]).values())
    if parts[-1:] != ["resources"] or parts[0] != "subscriptions" or len(parts) not in (3, 5):
        return None
    scope = "/".join(parts[:-1]) + "/"
    flt = query.get("$filter", [""])[0]
    top = [r for rid, r in world.resources.items()
           if rid.startswith("/" + scope) and rid.count("/") == 8 and _matches(r, flt)]
    return [_generic(r) for r in sorted(top, key=lambda r: str(r["id"]).lower())]
