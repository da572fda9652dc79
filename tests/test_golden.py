"""Every shipped scenario gives the results it gave before the last deliberate change.

`tests/data/scenario_results.json` holds, per scenario, each result's probe, subject, verdict and cause
(durations, ports and wording aside). A refactoring must leave it unchanged; a change that means to alter
a verdict or a cause regenerates it (`NETCHECK_GOLDEN=write scripts/test tests/test_golden.py`) and says
why in its commit.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_run

from netcheck.model import Report
from netcheck.sim.scenario import shipped

GOLDEN = Path(__file__).parent / "data" / "scenario_results.json"


def results(report: Report) -> list[list[Any]]:
    return sorted([r.probe, r.subject.text, r.verdict.value, r.cause.text if r.cause else None] for r in report.results)


def _golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}


@pytest.mark.parametrize("name", sorted(shipped()))
def test_results_unchanged(name: str) -> None:
    report, _ = shared_run(name)
    got = results(report)
    if os.environ.get("NETCHECK_GOLDEN") == "write":
        with GOLDEN.open("a+", encoding="utf-8") as f:   # pytest-xdist's workers take turns
            fcntl.flock(f, fcntl.LOCK_EX)
            f.seek(0)
            data = json.loads(f.read() or "{}")
            data[name] = got
            f.seek(0)
            f.truncate()
            f.write(json.dumps(data, indent=0, sort_keys=True) + "\n")
        return
    want = _golden().get(name)
    assert want is not None, f"{name} has no recorded results: NETCHECK_GOLDEN=write records them"
    lost = [w for w in want if w not in got]
    new = [g for g in got if g not in want]
    assert not lost and not new, f"{name}: results changed\n  was: {lost}\n  now: {new}"
