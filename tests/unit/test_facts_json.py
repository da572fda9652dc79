"""Inventory.from_json rebuilds the facts from their type hints: every fact type an Inventory holds must
resolve where its dataclass is defined, so a field added in one facts module and named in another can't
leave `--inventory` unable to read a file."""

from __future__ import annotations

import dataclasses
import typing

from netcheck.azure.facts import Inventory


def _fact_types() -> set[type]:
    seen: set[type] = set()
    todo: list[typing.Any] = [Inventory]
    while todo:
        tp = todo.pop()
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            if tp in seen:
                continue
            seen.add(tp)
            todo += typing.get_type_hints(tp).values()   # NameError: a type its module can't see at run time
        todo += typing.get_args(tp)
    return seen


def test_every_fact_type_an_inventory_holds_resolves() -> None:
    names = {t.__name__ for t in _fact_types()}
    assert {"Workspace", "Endpoint", "Deployment", "PrivateEndpoint", "Zone", "RecordSet", "VnetLink",
            "ReadError", "Peering", "Ruleset", "ForwardingRule"} <= names

