"""Scenario files' errors, and `base: NAME` with `patch:`: a scenario as a small change to another."""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Callable
from typing import Any

Reader = Callable[[str], tuple[Any, str]]   # a scenario name or path -> (its YAML data, its source name)


class ScenarioError(Exception):
    """A scenario file that can't be used: says which file, which key and what is wrong."""


def fail(source: str, path: str, message: str) -> ScenarioError:
    return ScenarioError(f"{source}: {path}: {message}")


def mapping(source: str, path: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(source, path, f"must be a mapping, not {type(value).__name__}")
    return value


def as_list(source: str, path: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(source, path, f"must be a list, not {type(value).__name__}")
    return value


def patched(data: dict[str, Any], source: str, read: Reader, depth: int = 0) -> dict[str, Any]:
    """Resolve `base: NAME` and `patch: [...]`: a scenario as a small change to another."""
    if "base" not in data:
        return data
    if depth > 4:
        raise fail(source, "base", "too many levels of base scenarios")
    if not isinstance(data["base"], str) or not data["base"]:
        raise fail(source, "base", "must be the name of a shipped scenario or a YAML file")
    base_data, base_source = read(data["base"])
    if not isinstance(base_data, dict):
        raise fail(base_source, "(top)", "a scenario is a YAML mapping")
    base = patched(base_data, base_source, read, depth + 1)
    merged = {**base, **{k: v for k, v in data.items() if k not in ("base", "patch")}}
    for key in ("public_dns", "dns_servers", "tls"):
        merged[key] = {**mapping(base_source, key, base.get(key)), **mapping(source, key, data.get(key))}
    for key in ("expect", "faults"):
        merged[key] = data.get(key)
    arm = [copy.deepcopy(r) for r in as_list(base_source, "arm", base.get("arm"))]
    for i, op in enumerate(as_list(source, "patch", data.get("patch"))):
        arm = _apply(arm, op, source, f"patch[{i}]")
    merged["arm"] = arm + as_list(source, "arm", data.get("arm"))
    return merged


def _apply(arm: list[dict[str, Any]], op: Any, source: str, path: str) -> list[dict[str, Any]]:
    if not isinstance(op, dict):
        raise fail(source, path, "a patch is {id: GLOB, set: {...}}, {id: GLOB, delete: [...]} or {remove: GLOB}")
    if "remove" in op:
        pattern = str(op["remove"]).lower()
        kept = [r for r in arm if not (fnmatch.fnmatchcase(str(r.get("id", "")).lower(), pattern)
                                       or str(r.get("id", "")).lower().startswith(pattern + "/"))]
        if len(kept) == len(arm):
            raise fail(source, f"{path}.remove", f"no resource matches {op['remove']!r}")
        return kept
    pattern = str(op.get("id", "")).lower()
    hits = [r for r in arm if fnmatch.fnmatchcase(str(r.get("id", "")).lower(), pattern)]
    if len(hits) != 1:
        raise fail(source, f"{path}.id", f"{op.get('id')!r} matches {len(hits)} resources, not exactly one")
    res = hits[0]
    for dotted, value in mapping(source, f"{path}.set", op.get("set")).items():
        *parents, leaf = str(dotted).split(".")
        _walk(res, parents, source, f"{path}.set.{dotted}", create=True)[leaf] = value
    for i, dotted in enumerate(as_list(source, f"{path}.delete", op.get("delete"))):
        *parents, leaf = str(dotted).split(".")
        _walk(res, parents, source, f"{path}.delete[{i}]", create=False).pop(leaf, None)
    return arm


def _walk(node: dict[str, Any], keys: list[str], source: str, path: str, create: bool) -> dict[str, Any]:
    """The mapping at `keys` under `node` (made on the way when `create`); a scalar on the way is an error."""
    for key in keys:
        nxt = node.setdefault(key, {}) if create else node.get(key, {})
        if not isinstance(nxt, dict):
            raise fail(source, path, f"{key!r} holds {type(nxt).__name__}, not a mapping to set inside")
        node = nxt
    return node
