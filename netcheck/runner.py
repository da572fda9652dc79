"""Runs the probe graph: each probe starts as soon as what it waits for is done.

The runner streams events; the text tree, JSON, reports and the TUI are consumers of them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import fnmatch
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass

from netcheck import __version__
from netcheck.context import Context
from netcheck.model import Finding, Report, Result, Target, Verdict
from netcheck.probe import Probe
from netcheck.subject import Ref


@dataclass(frozen=True)
class Started:
    probe: Probe


@dataclass(frozen=True)
class Finished:
    result: Result


@dataclass(frozen=True)
class Done:
    report: Report


Event = Started | Finished | Done


def select(catalog: Sequence[Probe], only: Iterable[str] = (), skip: Iterable[str] = ()) -> list[Probe]:
    """The probes to run: `--only` globs plus everything they wait for, less `--skip` globs."""
    only, skip = [g.partition("@")[0] for g in only], [g.partition("@")[0] for g in skip]
    by_id = {p.id: p for p in catalog}
    wanted = {p.id for p in catalog if not only or any(fnmatch.fnmatchcase(p.id, g) for g in only)}
    todo = list(wanted)
    while todo:
        for dep in by_id[todo.pop()].waits_for:
            if dep not in wanted:
                wanted.add(dep)
                todo.append(dep)
    return [p for p in catalog if p.id in wanted and not any(fnmatch.fnmatchcase(p.id, g) for g in skip)]


def _result(p: Probe, f: Finding, duration_ms: int) -> Result:
    return Result(p.id, f.about, p.stage, p.title, f.verdict, f.summary, f.cause, duration_ms,
                  f.evidence, f.fix, f.skip_kind)


def _error(p: Probe, summary: str, duration_ms: int, **evidence: object) -> Result:
    return _result(p, Finding("", Verdict.ERROR, summary, evidence), duration_ms)


async def _run_one(p: Probe, ctx: Context, timeout: float) -> list[Result]:
    t0 = ctx.clock()

    def ms() -> int:
        return round((ctx.clock() - t0) * 1000)

    try:
        findings = await asyncio.wait_for(p.run(ctx), timeout)
    except TimeoutError:
        return [_error(p, f"{p.id} did not finish within {timeout:g} s (--timeout)", ms(),
                       reason="timeout", timeout_s=timeout)]
    except Exception as exc:  # a probe bug or an unmapped failure: report it, never crash
        return [_error(p, f"{p.id} raised {type(exc).__name__}: {exc}", ms(),
                       reason="exception", exception=type(exc).__name__, message=str(exc))]
    if not findings:
        return []
    duration = ms()
    return [_result(p, f, duration) for f in findings]


def _order(catalog_index: dict[str, int]) -> Callable[[Result], tuple[int, int, str]]:
    def key(r: Result) -> tuple[int, int, str]:
        return r.stage, catalog_index.get(r.probe, 1 << 30), r.subject.text
    return key


async def stream(probes: Sequence[Probe], ctx: Context, target: Target,
                 catalog: Sequence[Probe] | None = None) -> AsyncIterator[Event]:
    """Run `probes` and yield Started/Finished events, then Done with the ordered report."""
    started_at = dt.datetime.now(dt.UTC)
    t0 = ctx.clock()
    present = {p.id for p in probes}
    done = {p.id: asyncio.Event() for p in probes}
    queue: asyncio.Queue[Event | None] = asyncio.Queue()
    all_results: list[Result] = []

    async def one(p: Probe) -> None:
        try:
            for dep in p.waits_for:
                if dep in done:
                    await done[dep].wait()
            cause = next((c for dep in p.needs if (c := _blocking(ctx, dep, present))), None)
            if cause:
                results = [_result(p, Finding("", Verdict.SKIP, f"not checked: {cause.text} did not pass",
                                              cause=cause), 0)]
            else:
                await queue.put(Started(p))
                results = await _run_one(p, ctx, ctx.settings.timeout)
            ctx.results[p.id] = results
            for r in results:
                all_results.append(r)
                await queue.put(Finished(r))
        finally:
            done[p.id].set()

    async def all_done() -> None:
        try:
            await asyncio.gather(*tasks)
        finally:
            queue.put_nowait(None)

    tasks = [asyncio.create_task(one(p), name=p.id) for p in probes]
    closer = asyncio.ensure_future(all_done())
    try:
        while (event := await queue.get()) is not None:
            yield event
        await closer
    finally:
        for t in tasks:
            t.cancel()
        closer.cancel()
        await asyncio.gather(closer, *tasks, return_exceptions=True)
    index = {p.id: i for i, p in enumerate(catalog or probes)}
    ordered = tuple(sorted(filter(_wanted(ctx.settings.only), all_results), key=_order(index)))
    if not target.endpoints and ctx.inventory and ctx.inventory.endpoints:   # "all": name the ones checked
        target = dataclasses.replace(target, endpoints=tuple(ep.name for ep in ctx.inventory.endpoints))
    yield Done(Report(__version__, started_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
                      round((ctx.clock() - t0) * 1000), ctx.where, target, ordered))


def _wanted(only: Sequence[str]) -> Callable[[Result], bool]:
    """`--only probe@subject`: that probe's results for matching subjects only (what it waits for, all)."""
    by_subject = [g.partition("@") for g in only if "@" in g]

    def keep(r: Result) -> bool:
        mine = [s for p, _, s in by_subject if fnmatch.fnmatchcase(r.probe, p)]
        plain = any(fnmatch.fnmatchcase(r.probe, g) for g in only if "@" not in g)
        return not mine or plain or any(fnmatch.fnmatchcase(r.subject.text, s) for s in mine)
    return keep


def _blocking(ctx: Context, dep: str, present: set[str]) -> Ref | None:
    if dep not in present:
        return Ref(dep, ran=False)
    results = ctx.results_of(dep)
    if not results or any(r.verdict.usable for r in results):
        return None
    r = results[0]
    return r.cause if r.verdict is Verdict.SKIP and r.cause else r.ref


async def run(probes: Sequence[Probe], ctx: Context, target: Target,
              catalog: Sequence[Probe] | None = None) -> Report:
    async for event in stream(probes, ctx, target, catalog):
        if isinstance(event, Done):
            return event.report
    raise AssertionError("runner ended without a report")
