"""Shared fixtures: the simulator, the real CLI, the report schema."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from netcheck.app import check
from netcheck.cli import apply_options, scenario_settings
from netcheck.model import Report
from netcheck.probes import CATALOG
from netcheck.render.json_report import schema
from netcheck.sim.crashes import SimulatorCrash
from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_az(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's az config or environment credentials."""
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path_factory.mktemp("azconfig")))
    for var in ("AZURE_SUBSCRIPTION_ID", "NETCHECK_ARM_TOKEN", "NETCHECK_SCORE_KEY", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)


@functools.cache
def _report_validator() -> jsonschema.protocols.Validator:
    """Checked once: jsonschema.validate() checks the schema itself on every call, a second a report."""
    cls = jsonschema.validators.validator_for(schema())
    cls.check_schema(schema())
    return cls(schema())


def validate_report(data: dict[str, Any]) -> None:
    _report_validator().validate(data)


def demo_args(scenario: str, *argv: str) -> argparse.Namespace:
    from netcheck.cli import build_parser

    return build_parser("demo").parse_args([scenario, *argv])


def run_scenario(scenario: str, *argv: str, latency_ms: float | None = None) -> tuple[Report, Simulator]:
    """Run the real check in-process, as `netcheck demo SCENARIO ARGV` would; returns the report and the
    (stopped) simulator with its request log."""
    sc = load(scenario)
    args = apply_options(demo_args(scenario, *argv), sc)
    with Simulator(sc, latency_ms) as sim:
        settings = scenario_settings(sim, args, os.environ)
        report = asyncio.run(check(settings, CATALOG))
    validate_report(json.loads(json.dumps(report.to_json())))
    return report, sim


@functools.cache
def shared_run(scenario: str, *argv: str) -> tuple[Report, Simulator]:
    """One run per scenario and options for the session (of one pytest-xdist worker): several test files
    judge the same run."""
    return run_scenario(scenario, *argv)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist's --dist loadgroup (scripts/test), the tests that judge one shipped scenario run
    on one worker, so its shared_run happens once, not once per worker."""
    from netcheck.sim.scenario import shipped

    names = set(shipped())
    for item in items:
        params = getattr(item, "callspec", None)
        name = params.params.get("name") if params else None
        if isinstance(name, str) and name in names:
            item.add_marker(pytest.mark.xdist_group(f"scenario-{name}"))


@pytest.fixture
def sim_factory() -> Iterator[Any]:
    started: list[Simulator] = []

    def make(name: str, **kw: Any) -> Simulator:
        sim = Simulator(load(name), **kw).start()
        started.append(sim)
        return sim

    yield make
    crashed = []
    for sim in started:   # stop them all; then fail the test with the first simulator bug it caused
        try:
            sim.stop()
        except SimulatorCrash as exc:
            crashed.append(exc)
    if crashed:
        raise crashed[0]


# What the caller's environment may hold that changes how netcheck looks: CI turns the TUI off, NO_COLOR
# the colours, COLUMNS/LINES the size Rich assumes. Tests start from a person's plain terminal.
_CALLER_LOOK = ("CI", "NO_COLOR", "COLUMNS", "LINES")


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CALLER_LOOK}
    env.update(extra)
    return env
