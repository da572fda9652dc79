"""ARM resource ids built and taken apart: a group's resources, a child's parent, a resource's name and group."""

from __future__ import annotations


def group_id(subscription: str, group: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}"


def resource_id(subscription: str, group: str, type_: str, name: str = "") -> str:
    """`.../providers/Namespace/type/name`; without a name, the group's collection of that type."""
    return f"{group_id(subscription, group)}/providers/{type_}" + (f"/{name}" if name else "")


def parent(resource_id: str, levels: int = 2) -> str:
    """`/a/b/c/d` -> `/a/b` for levels=2: the id of the resource a child belongs to."""
    return "/".join(resource_id.split("/")[: -levels]) if resource_id else ""


def name_of(resource_id: str | None) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1] if resource_id else ""


def group_of(resource_id: str) -> str:
    parts = resource_id.split("/")
    lower = [p.lower() for p in parts]
    return parts[lower.index("resourcegroups") + 1] if "resourcegroups" in lower else ""


def vnet_of_subnet(subnet_id: str | None) -> str | None:
    return parent(subnet_id) if subnet_id else None
