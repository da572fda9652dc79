"""`netcheck collect`'s reading half: the ARM side read once, as facts. Printing, files and exit codes are
the CLI's."""

from __future__ import annotations

import asyncio
import json

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


def inventory_text(inv: Inventory) -> str:
    """`netcheck.inventory/1` JSON: facts only, anything shaped like (or held as) a secret masked."""
    return json.dumps(redact(inv.to_json()), indent=2) + "\n"
