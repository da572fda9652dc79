"""Cause and effect between the results of one run: direct causes, root causes, and one fix plan.

A result names its direct cause as a `Ref` (probe + subject, as data); here each Ref is matched to the
result it names, chains are followed to their root, and the roots' fixes become the fix plan: one step per
distinct fix, each naming every result it resolves. Pure: results in, answers out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from netcheck.subject import Ref, Subject


class _Fix(Protocol):
    @property
    def summary(self) -> str: ...
    @property
    def commands(self) -> tuple[str, ...]: ...
    @property
    def docs(self) -> str: ...


class _Verdict(Protocol):
    @property
    def value(self) -> str: ...


class Result(Protocol):
    """What this module reads of a netcheck.model.Result (a protocol: model imports this module)."""

    @property
    def probe(self) -> str: ...
    @property
    def subject(self) -> Subject: ...
    @property
    def cause(self) -> Ref | None: ...
    @property
    def verdict(self) -> _Verdict: ...
    @property
    def fix(self) -> _Fix | None: ...
    @property
    def id(self) -> str: ...
    @property
    def problem(self) -> bool: ...


@dataclass(frozen=True)
class Step:
    """One step of the fix plan: a fix, and the ids of the results it resolves (its root cause first)."""

    summary: str
    commands: tuple[str, ...]
    docs: str
    resolves: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary, "commands": list(self.commands), "docs": self.docs,
                "resolves": list(self.resolves)}


class Causes:
    """The causal structure of a run's results (in report order); results are known by position."""

    def __init__(self, results: Sequence[Result]) -> None:
        self.results = list(results)
        self.ids: list[str] = []
        seen: dict[str, int] = {}
        for r in self.results:   # ids are `probe@subject`; a repeat (should not happen) gets `#2`, `#3`
            n = seen[r.id] = seen.get(r.id, 0) + 1
            self.ids.append(r.id if n == 1 else f"{r.id}#{n}")
        self._direct = [self._find(r.cause, i) if r.cause else None for i, r in enumerate(self.results)]
        self._root = [self._walk(i) for i in range(len(self.results))]

    def _find(self, ref: Ref, me: int) -> int | None:
        """The result `ref` names: the same probe and subject; else, for a probe-wide or unmatched ref, the
        probe's result without a subject, or its first problem."""
        if not ref.ran:
            return None
        same = [i for i, r in enumerate(self.results) if r.probe == ref.probe and i != me]
        exact = [i for i in same if self.results[i].subject == ref.subject]
        whole = [i for i in same if not self.results[i].subject]
        problems = [i for i in same if self.results[i].problem or self.results[i].verdict.value == "warn"]
        found = exact or whole or (problems if not ref.subject else [])
        return found[0] if found else None

    def _walk(self, i: int) -> int:
        """Follow direct causes while they are not passes; a cycle stops where it closes."""
        seen = {i}
        while (nxt := self._direct[i]) is not None and nxt not in seen \
                and self.results[nxt].verdict.value != "pass":
            seen.add(nxt)
            i = nxt
        return i

    def direct(self, i: int) -> int | None:
        return self._direct[i]

    def root(self, i: int) -> int:
        return self._root[i]

    def root_causes(self) -> list[int]:
        """The roots of every problem (fail, error, blocked skip), in report order, each once."""
        roots = {self._root[i] for i, r in enumerate(self.results) if r.problem}
        return sorted(roots)

    def consequences(self, root: int) -> list[int]:
        """The results whose chain ends at `root` (not `root` itself)."""
        return [i for i, r in enumerate(self._root) if r == root and i != root]

    def fix_plan(self) -> list[Step]:
        """The root causes' fixes in report order (configuration before the network), each distinct fix
        once and each command once; a step resolves its root and everything that root explains."""
        steps: list[Step] = []
        owner: dict[str, int] = {}      # command -> the step that prints it
        advice: dict[str, int] = {}     # summary of a fix without commands -> its step
        for root in self.root_causes():
            fix = self.results[root].fix
            if not fix:
                continue
            resolves = tuple(self.ids[i] for i in (root, *self.consequences(root)))
            new = tuple(c for c in dict.fromkeys(fix.commands) if c not in owner)
            k = owner[fix.commands[0]] if fix.commands and not new else (
                advice.get(fix.summary) if not fix.commands else None)
            if k is not None:   # the same fix again: the step that has it resolves these too
                s = steps[k]
                steps[k] = Step(s.summary, s.commands, s.docs, tuple(dict.fromkeys(s.resolves + resolves)))
                continue
            owner.update((c, len(steps)) for c in new)
            if not fix.commands:
                advice[fix.summary] = len(steps)
            steps.append(Step(fix.summary, new, fix.docs, resolves))
        return steps
