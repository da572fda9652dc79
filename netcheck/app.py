"""One check, start to finish, for every front end: settings in, events and a report out."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Sequence

from netcheck.context import Context
from netcheck.model import Report, Target
from netcheck.probe import Probe
from netcheck.runner import Done, Event, Finished, Started, select, stream
from netcheck.settings import Settings


def target_of(settings: Settings) -> Target:
    return Target(settings.subscription, settings.resource_group, settings.workspace, settings.endpoints,
                  settings.cloud)


def planned(settings: Settings, catalog: Sequence[Probe]) -> list[Probe]:
    """The probes a run of `settings` starts (the TUI counts them: checked 34/40)."""
    probes = select(catalog, settings.only, settings.skip)
    if settings.no_azure:  # nothing to read in ARM: the configuration stage is left out, not failed
        probes = [p for p in probes if p.stage != 1 and p.id not in ("ctx.credential", "ctx.target", "ctx.reads")]
    return probes


async def events(settings: Settings, catalog: Sequence[Probe]) -> AsyncIterator[Event]:
    """Run the probes of `catalog` that the settings select (the CLI passes netcheck.probes.CATALOG)."""
    ctx = Context(settings)
    probes = planned(settings, catalog)
    try:
        async for event in stream(probes, ctx, target_of(settings), catalog):
            yield event
    finally:
        if ctx.credential is not None:  # the ARM session ctx.credential opened: its HTTP pool
            ctx.credential.close()


async def check(settings: Settings, catalog: Sequence[Probe], progress: bool = False) -> Report:
    running: set[str] = set()
    async for event in events(settings, catalog):
        if isinstance(event, Done):
            if progress:
                sys.stderr.write("\r\x1b[K")
            return event.report
        if isinstance(event, Started):
            running.add(event.probe.id)
        elif isinstance(event, Finished):
            running.discard(event.result.probe)
        if progress:   # the probes running now, on one line that each event rewrites
            now = f"checking {', '.join(sorted(running))[:70]}" if running else ""
            sys.stderr.write(f"\r\x1b[K{now}")
            sys.stderr.flush()
    raise AssertionError("no report")
