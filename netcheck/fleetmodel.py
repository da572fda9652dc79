"""A fleet run (`netcheck fleet`): each workspace's report and the problems they share (`netcheck.fleet/1`).

A root cause found in several workspaces (a zone not linked to a spoke VNet, a custom DNS server missing a
forwarder, a policy assignment) has the same result id (`probe@subject`) and the same fix in each of them:
it is one fleet problem listing the workspaces it breaks.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from netcheck.model import Fix, Report, Verdict, exit_code, worst

FLEET_SCHEMA = "netcheck.fleet/1"


@dataclass(frozen=True)
class WorkspaceRun:
    """One workspace of the fleet: its report, or why it has none."""

    id: str                             # the workspace's ARM id
    name: str
    subscription: str
    resource_group: str
    kind: str = "Default"               # Default | Hub | Project
    report: Report | None = None        # None when it could not be checked at all (see error)
    error: str | None = None            # why not: its reads kept failing, ...
    network: str | None = None          # None when stages 2-3 ran; else why not ("needs a run inside VNet X")
    command: str | None = None          # the exact command that runs its network checks where they can be made

    @property
    def verdict(self) -> Verdict:
        return Verdict.ERROR if self.report is None else self.report.verdict

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "subscription": self.subscription,
            "resource_group": self.resource_group,
            "kind": self.kind,
            "verdict": self.verdict.value,
            "error": self.error,
            "network": self.network,
            "command": self.command,
            "report": self.report.to_json() if self.report else None,
        }


@dataclass(frozen=True)
class FleetProblem:
    """One root cause, with the workspaces it breaks and its one fix."""

    id: str                             # the root result's id, the same in every workspace it breaks
    probe: str
    verdict: Verdict
    summary: str
    fix: Fix | None
    workspaces: tuple[str, ...]         # the ids of the workspaces it breaks
    explains: int = 0                   # the results it explains across the fleet, itself excluded

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "probe": self.probe,
            "verdict": self.verdict.value,
            "summary": self.summary,
            "fix": self.fix.to_json() if self.fix else None,
            "workspaces": list(self.workspaces),
            "explains": self.explains,
        }


@dataclass(frozen=True)
class FleetReport:
    version: str
    started: str
    duration_ms: int
    cloud: str
    scope: Mapping[str, Any]            # {"subscriptions": [...], "management_groups": [...], "where": str | None}
    workspaces: tuple[WorkspaceRun, ...]
    notes: tuple[str, ...] = ()         # what limited the run: an unreadable subscription, a cut scope...
    figures: Mapping[str, Any] = field(default_factory=dict)   # queries, ARM requests, in-flight peak...

    @functools.cached_property
    def problems(self) -> tuple[FleetProblem, ...]:
        """Root causes grouped across workspaces by id and fix, most workspaces first."""
        groups: dict[tuple[str, tuple[str, ...]], list[Any]] = {}
        for ws in self.workspaces:
            if ws.report is None:
                continue
            for root in ws.report.root_causes():
                key = (root.id, root.fix.commands if root.fix else ())
                entry = groups.setdefault(key, [root, [], 0])
                if ws.id not in entry[1]:
                    entry[1].append(ws.id)
                entry[2] += len(ws.report.explains(root))
        problems = [FleetProblem(id=r.id, probe=r.probe, verdict=r.verdict, summary=r.summary, fix=r.fix,
                                 workspaces=tuple(wss), explains=n) for r, wss, n in groups.values()]
        return tuple(sorted(problems, key=lambda p: (-p.verdict.rank, -len(p.workspaces), p.id)))

    @property
    def verdict(self) -> Verdict:
        return worst([w.verdict for w in self.workspaces])

    @property
    def counts(self) -> dict[str, int]:
        """Workspaces per verdict."""
        counts = {v.value: 0 for v in Verdict}
        for w in self.workspaces:
            counts[w.verdict.value] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": FLEET_SCHEMA,
            "netcheck": self.version,
            "started": self.started,
            "duration_ms": self.duration_ms,
            "cloud": self.cloud,
            "scope": dict(self.scope),
            "verdict": self.verdict.value,
            "counts": self.counts,
            "notes": list(self.notes),
            "problems": [p.to_json() for p in self.problems],
            "workspaces": [w.to_json() for w in self.workspaces],
            "figures": dict(self.figures),
        }


def fleet_exit_code(fleet: FleetReport) -> int:
    """As a single run's: 1 when a workspace failed, 3 when nothing failed but something could not be
    decided (a workspace that could not be checked at all counts as undecided)."""
    codes = [3 if w.report is None else exit_code(w.report) for w in fleet.workspaces]
    return 1 if 1 in codes else 3 if 3 in codes else 0
