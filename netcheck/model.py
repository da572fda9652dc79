"""The report model: verdicts, fixes, results and the report. Frozen and JSON-shaped."""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from netcheck.causes import Causes
from netcheck.subject import Ref, Subject, as_subject

REPORT_SCHEMA = "netcheck.report/2"


class Verdict(enum.Enum):
    """Ordered by how bad it is: the worst verdict of a run decides its exit code."""

    PASS = "pass"
    SKIP = "skip"
    WARN = "warn"
    ERROR = "error"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self.rank < other.rank

    @property
    def usable(self) -> bool:
        """A dependent probe may build on this result."""
        return self in (Verdict.PASS, Verdict.WARN)


_RANK = {v: i for i, v in enumerate(Verdict)}


class SkipKind(enum.Enum):
    """Why a result is `skip`: only a blocked skip is a problem (it names its cause)."""

    BLOCKED = "blocked"                # something it needs did not pass: `cause` names it
    NOT_APPLICABLE = "not_applicable"  # nothing to check here (no endpoints, outside Azure, no custom DNS)
    OPT_IN = "opt_in"                  # runs only when asked (an option, or a probe --only/--skip left out)


@dataclass(frozen=True)
class Fix:
    summary: str
    commands: tuple[str, ...] = ()
    docs: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary, "commands": list(self.commands), "docs": self.docs}


@dataclass(frozen=True)
class Finding:
    """What a probe concludes about one subject; the runner turns it into a Result.

    `subject` is data (see netcheck.subject); a plain string is a thing's own name. `cause` names the
    result that explains this one.
    """

    subject: Subject | str
    verdict: Verdict
    summary: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    fix: Fix | None = None
    cause: Ref | None = None
    skip: SkipKind | None = None   # for a skip: its kind when it is not implied (see skip_kind)

    @property
    def skip_kind(self) -> SkipKind | None:
        """A skip's kind: as the probe said, else blocked when it names a cause that ran, opt-in when that
        cause was left out of the run, else not applicable."""
        if self.verdict is not Verdict.SKIP:
            return None
        if self.skip:
            return self.skip
        if self.cause:
            return SkipKind.BLOCKED if self.cause.ran else SkipKind.OPT_IN
        return SkipKind.NOT_APPLICABLE

    @property
    def about(self) -> Subject:
        return as_subject(self.subject)


@dataclass(frozen=True)
class Result:
    probe: str
    subject: Subject
    stage: int
    title: str
    verdict: Verdict
    summary: str
    cause: Ref | None
    duration_ms: int
    evidence: Mapping[str, Any]
    fix: Fix | None
    skip: SkipKind | None = None

    @property
    def ref(self) -> Ref:
        """How other results name this one as their cause."""
        return Ref(self.probe, self.subject)

    @property
    def id(self) -> str:
        """Stable across runs: `probe@subject`, or the probe alone (the Report keeps them unique)."""
        return self.ref.text

    @property
    def problem(self) -> bool:
        """Something is wrong here or could not be decided: it is a root cause or names one."""
        return self.verdict in (Verdict.FAIL, Verdict.ERROR) or self.skip is SkipKind.BLOCKED

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "probe": self.probe,
            "subject": self.subject.text,
            "stage": self.stage,
            "title": self.title,
            "verdict": self.verdict.value,
            "summary": self.summary,
            "cause": self.cause.text if self.cause else None,
            "caused_by": None,
            "skip": self.skip.value if self.skip else None,
            "duration_ms": self.duration_ms,
            "evidence": dict(self.evidence),
            "fix": self.fix.to_json() if self.fix else None,
        }


@dataclass(frozen=True)
class Where:
    """Where netcheck ran: inside an Azure VNet or not."""

    in_azure: bool
    vm_id: str | None = None
    vnet_id: str | None = None
    subnet_id: str | None = None
    private_ip: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "in_azure": self.in_azure,
            "vm_id": self.vm_id,
            "vnet_id": self.vnet_id,
            "subnet_id": self.subnet_id,
            "private_ip": self.private_ip,
        }


@dataclass(frozen=True)
class Target:
    subscription: str | None = None
    resource_group: str | None = None
    workspace: str | None = None
    endpoints: tuple[str, ...] = ()
    cloud: str = "AzureCloud"

    def to_json(self) -> dict[str, Any]:
        return {
            "subscription": self.subscription,
            "resource_group": self.resource_group,
            "workspace": self.workspace,
            "endpoints": list(self.endpoints),
            "cloud": self.cloud,
        }


def worst(verdicts: Sequence[Verdict]) -> Verdict:
    return max(verdicts, default=Verdict.PASS, key=lambda v: v.rank)


@dataclass(frozen=True)
class Report:
    version: str
    started: str
    duration_ms: int
    where: Where
    target: Target
    results: tuple[Result, ...]

    @property
    def verdict(self) -> Verdict:
        """The worst verdict; a skip only when nothing was decided (a skip's cause carries its own)."""
        decided = [r.verdict for r in self.results if r.verdict is not Verdict.SKIP]
        return worst(decided) if decided or not self.results else Verdict.SKIP

    @property
    def counts(self) -> dict[str, int]:
        counts = {v.value: 0 for v in Verdict}
        for r in self.results:
            counts[r.verdict.value] += 1
        return counts

    @functools.cached_property
    def causes(self) -> Causes:
        """Direct and root causes and the fix plan (netcheck.causes), by position in `results`."""
        return Causes(self.results)

    def root_causes(self) -> list[Result]:
        """The problems' roots: every fail, error and blocked skip is one of them or leads to one."""
        return [self.results[i] for i in self.causes.root_causes()]

    def caused_by(self, result: Result) -> Result | None:
        """The result `result.cause` names, if it is in this report."""
        i = self.causes.direct(self.results.index(result))
        return None if i is None else self.results[i]

    def root_of(self, result: Result) -> Result:
        """Where `result`'s chain of causes ends (itself, when it names none)."""
        return self.results[self.causes.root(self.results.index(result))]

    def explains(self, root: Result) -> list[Result]:
        """The consequences of `root`: the results whose chain of causes ends there."""
        return [self.results[i] for i in self.causes.consequences(self.results.index(root))]

    def to_json(self) -> dict[str, Any]:
        c = self.causes
        results = []
        for i, r in enumerate(self.results):
            j, d = c.direct(i), r.to_json()
            d["id"] = c.ids[i]
            if r.cause:
                d["caused_by"] = {"id": None if j is None else c.ids[j], **r.cause.to_json()}
            results.append(d)
        roots = [{"id": c.ids[i], "probe": self.results[i].probe, "verdict": self.results[i].verdict.value,
                  "summary": self.results[i].summary, "explains": [c.ids[k] for k in c.consequences(i)]}
                 for i in c.root_causes()]
        return {
            "schema": REPORT_SCHEMA,
            "netcheck": self.version,
            "started": self.started,
            "duration_ms": self.duration_ms,
            "where": self.where.to_json(),
            "target": self.target.to_json(),
            "verdict": self.verdict.value,
            "counts": self.counts,
            "root_causes": roots,
            "fix_plan": [s.to_json() for s in c.fix_plan()],
            "results": results,
        }


def exit_code(report: Report, strict: bool = False) -> int:
    """0 nothing failed, 1 a probe failed, 3 nothing failed but some could not decide."""
    verdicts = {r.verdict for r in report.results}
    if Verdict.FAIL in verdicts or (strict and Verdict.WARN in verdicts):
        return 1
    if Verdict.ERROR in verdicts:
        return 3
    return 0
