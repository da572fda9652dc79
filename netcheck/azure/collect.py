"""`netcheck collect`: read the ARM side once (e.g. on a laptop) and write the facts to a file."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from netcheck.azure.facts import Inventory
from netcheck.redact import redact
from netcheck.settings import Settings


async def gather(settings: Settings) -> Inventory:
    from netcheck.azure import credential as cred
    from netcheck.azure.discover import discover
    from netcheck.azure.session import Session

    session = Session(settings, cred.build(settings))
    try:
        return await discover(settings, session, asyncio.Semaphore(settings.concurrency))
    finally:
        session.close()


def collect(settings: Settings, out: Path | None) -> int:
    """Writes `netcheck.inventory/1` JSON (no tokens or keys: facts only). Exit 0, or 1 if unusable."""
    if settings.no_azure or settings.inventory:
        print("netcheck: error: collect reads ARM: drop --no-azure and --inventory", file=sys.stderr)
        return 2
    try:
        inv = asyncio.run(gather(settings))
    except Exception as exc:  # a credential that can't be built, say
        print(f"netcheck: collect failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    text = json.dumps(redact(inv.to_json()), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        from netcheck.app import write_atomically

        write_atomically(out, text)
        print(f"netcheck: facts of {settings.workspace} written to {out}", file=sys.stderr)
    for err in inv.errors:
        print(f"netcheck: could not read {err.resource}: {err.reason}", file=sys.stderr)
    return 0 if inv.workspace else 1
