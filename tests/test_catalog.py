"""The shipped catalog: ids unique, dependencies exist, no cycles, no dependency on a later stage."""

from __future__ import annotations

import re

from netcheck.probes import CATALOG


def test_ids_unique_and_well_formed() -> None:
    ids = [p.id for p in CATALOG]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+\.[a-z0-9_]+", i) for i in ids)


def test_dependencies_exist_and_point_back_in_stage() -> None:
    by_id = {p.id: p for p in CATALOG}
    for p in CATALOG:
        for dep in p.waits_for:
            assert dep in by_id, f"{p.id} waits for unknown {dep}"
            assert by_id[dep].stage <= p.stage, f"{p.id} depends on later-stage {dep}"


def test_no_cycles() -> None:
    by_id = {p.id: p for p in CATALOG}
    state: dict[str, int] = {}

    def visit(pid: str) -> None:
        assert state.get(pid) != 1, f"cycle through {pid}"
        if state.get(pid) == 2:
            return
        state[pid] = 1
        for dep in by_id[pid].waits_for:
            visit(dep)
        state[pid] = 2

    for p in CATALOG:
        visit(p.id)


def test_every_probe_explains_itself_and_says_what_verdicts_mean() -> None:
    for p in CATALOG:
        assert len(p.explain) > 80, p.id
        assert "pass" in p.explain, p.id
        assert p.title and not p.title.endswith("."), p.id
