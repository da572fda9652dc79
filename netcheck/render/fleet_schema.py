"""The `netcheck.fleet/1` schema (shipped as netcheck/fleet.schema.json) and a validator for it.

Each workspace's report is a `netcheck.report/2` report: the fleet schema refers to report.schema.json by
its `$id` rather than copying it, so the two never drift; `validator()` knows both.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
from referencing import Registry, Resource

from netcheck.render.json_report import schema as report_schema


def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files("netcheck").joinpath("fleet.schema.json").read_text())
    return data


def validator() -> jsonschema.Draft202012Validator:
    report = report_schema()
    registry: Registry[Any] = Registry().with_resource(report["$id"], Resource.from_contents(report))
    return jsonschema.Draft202012Validator(schema(), registry=registry)


def validate(data: Any) -> None:
    """Raises jsonschema.ValidationError (the most relevant error) when `data` is not a valid fleet report."""
    error = jsonschema.exceptions.best_match(validator().iter_errors(data))
    if error is not None:
        raise error
