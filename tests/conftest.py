"""Shared fixtures: the simulator, the real CLI, the report schema."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from netcheck.app import check
from netcheck.model import Report
from netcheck.render.json_report import schema
from netcheck.settings import Settings
from netcheck.sim.scenario import Scenario, load
from netcheck.sim.server import Simulator

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_az(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's az config or environment credentials."""
    monkeypatch.setenv("AZURE_CONFIG_DIR", str(tmp_path_factory.mktemp("azconfig")))
    for var in ("AZURE_SUBSCRIPTION_ID", "NETCHECK_ARM_TOKEN", "NETCHECK_SCORE_KEY", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)


def validate_report(data: dict[str, Any]) -> None:
    jsonschema.validate(data, schema())


def run_scenario(scenario: str | Scenario, **extra: Any) -> tuple[Report, Simulator]:
    """Run the real check in-process against a scenario; returns the report and the stopped simulator."""
    sc = load(scenario) if isinstance(scenario, str) else scenario
    with Simulator(sc) as sim:
        settings = sim.settings(Settings(), **extra)
        report = asyncio.run(check(settings))
    validate_report(json.loads(json.dumps(report.to_json())))
    return report, sim


@pytest.fixture
def sim_factory() -> Iterator[Any]:
    started: list[Simulator] = []

    def make(name: str, **kw: Any) -> Simulator:
        sim = Simulator(load(name), **kw).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",)}
    env.update(extra)
    return env
