"""The runner: concurrency, timeouts, exceptions, skip propagation, order, the concurrency bound."""

from __future__ import annotations

import asyncio

from netcheck.context import Context
from netcheck.model import Finding, Target, Verdict
from netcheck.probe import Probe, probe
from netcheck.runner import Done, Finished, Started, run, select, stream
from netcheck.settings import Settings

events: list[tuple[str, str, float]] = []


def sleeper(pid: str, verdict: Verdict = Verdict.PASS, delay: float = 0.05, needs: tuple[str, ...] = (),
            subjects: tuple[str, ...] = ("",), stage: int = 2) -> Probe:
    @probe(pid, stage=stage, title=f"{pid} is fine", needs=needs)
    async def run_(ctx: Context) -> list[Finding]:
        """A test probe."""
        loop = asyncio.get_running_loop()
        events.append(("start", pid, loop.time()))
        await asyncio.sleep(delay)
        events.append(("end", pid, loop.time()))
        return [Finding(s, verdict, f"{pid} says {verdict.value}") for s in subjects]
    return run_


def ctx(**kw: object) -> Context:
    return Context(Settings(**kw))  # type: ignore[arg-type]


def test_independent_probes_overlap_in_time() -> None:
    events.clear()
    probes = [sleeper("t.a"), sleeper("t.b"), sleeper("t.c")]
    asyncio.run(run(probes, ctx(), Target()))
    starts = {p: t for kind, p, t in events if kind == "start"}
    ends = {p: t for kind, p, t in events if kind == "end"}
    # every probe started before any other finished: they ran concurrently, not one after another
    assert max(starts.values()) < min(ends.values())


def test_dependent_probe_starts_after_its_dependency() -> None:
    events.clear()
    probes = [sleeper("t.a"), sleeper("t.b", needs=("t.a",))]
    asyncio.run(run(probes, ctx(), Target()))
    times = {(k, p): t for k, p, t in events}
    assert times[("start", "t.b")] >= times[("end", "t.a")]


def test_timeout_becomes_error_with_reason() -> None:
    report = asyncio.run(run([sleeper("t.slow", delay=5)], ctx(timeout=0.1), Target()))
    (r,) = report.results
    assert r.verdict is Verdict.ERROR
    assert r.evidence["reason"] == "timeout"
    assert "0.1 s" in r.summary


def test_exception_becomes_error_naming_probe_and_exception() -> None:
    @probe("t.boom", stage=1, title="never raises")
    async def boom(c: Context) -> list[Finding]:
        """Raises."""
        raise KeyError("nope")

    report = asyncio.run(run([boom], ctx(), Target()))
    (r,) = report.results
    assert r.verdict is Verdict.ERROR
    assert "t.boom" in r.summary and "KeyError" in r.summary


def test_failed_dependency_skips_dependents_with_root_cause() -> None:
    probes = [sleeper("t.root", Verdict.FAIL, subjects=("x",), stage=0), sleeper("t.mid", needs=("t.root",), stage=1),
              sleeper("t.leaf", needs=("t.mid",))]
    report = asyncio.run(run(probes, ctx(), Target()))
    by = {r.probe: r for r in report.results}
    assert by["t.mid"].verdict is Verdict.SKIP and str(by["t.mid"].cause) == "t.root@x"
    assert by["t.leaf"].verdict is Verdict.SKIP and str(by["t.leaf"].cause) == "t.root@x"  # the root, not t.mid
    assert report.root_causes() == [by["t.root"]]


def test_partial_failure_does_not_skip_dependents() -> None:
    @probe("t.mixed", stage=1, title="mixed")
    async def mixed(c: Context) -> list[Finding]:
        """Two subjects."""
        return [Finding("a", Verdict.FAIL, "a fails"), Finding("b", Verdict.PASS, "b passes")]

    report = asyncio.run(run([mixed, sleeper("t.after", needs=("t.mixed",))], ctx(), Target()))
    assert {r.probe: r.verdict for r in report.results if r.probe == "t.after"} == {"t.after": Verdict.PASS}


def test_results_in_stable_order_whatever_finishes_first() -> None:
    probes = [sleeper("t.z", delay=0.0, stage=3, subjects=("b", "a")), sleeper("t.y", delay=0.08, stage=1),
              sleeper("t.x", delay=0.02, stage=3)]
    report = asyncio.run(run(probes, ctx(), Target(), catalog=probes))
    assert [(r.probe, r.subject.text) for r in report.results] == [("t.y", ""), ("t.z", "a"), ("t.z", "b"), ("t.x", "")]


def test_concurrency_bound_is_respected() -> None:
    live = peak = 0

    def netprobe(pid: str) -> Probe:
        @probe(pid, stage=2, title="bounded")
        async def run_(c: Context) -> list[Finding]:
            """Uses the shared network bound."""
            nonlocal live, peak
            async with c.limit:
                live += 1
                peak = max(peak, live)
                await asyncio.sleep(0.02)
                live -= 1
            return [Finding("", Verdict.PASS, "ok")]
        return run_

    asyncio.run(run([netprobe(f"t.n{i}") for i in range(12)], ctx(concurrency=3), Target()))
    assert peak == 3


def test_stream_yields_started_finished_then_done() -> None:
    async def collect() -> list[object]:
        return [e async for e in stream([sleeper("t.a"), sleeper("t.b", needs=("t.a",))], ctx(), Target())]

    evs = asyncio.run(collect())
    kinds = [type(e) for e in evs]
    assert kinds[-1] is Done and kinds.count(Started) == 2 and kinds.count(Finished) == 2
    assert kinds.index(Finished) > kinds.index(Started)


def test_select_pulls_in_what_only_needs_and_drops_skip() -> None:
    cat = [sleeper("t.a", stage=0), sleeper("t.b", needs=("t.a",)), sleeper("t.c")]
    assert [p.id for p in select(cat, only=["t.b"])] == ["t.a", "t.b"]
    assert [p.id for p in select(cat, skip=["t.a"])] == ["t.b", "t.c"]


def test_skipped_dependency_by_option_names_it() -> None:
    cat = [sleeper("t.a", stage=0), sleeper("t.b", needs=("t.a",))]
    report = asyncio.run(run(select(cat, skip=["t.a"]), ctx(), Target()))
    (r,) = report.results
    assert r.verdict is Verdict.SKIP and str(r.cause) == "t.a (not run)"
