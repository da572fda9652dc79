"""ARM resource ids taken apart: a child's parent, a resource's name and resource group."""

from __future__ import annotations


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
