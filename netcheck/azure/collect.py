"""Where a check's facts come from: ARM read once (`netcheck collect`'s reading half, and ctx.target's), or a
collected file. Printing, files and exit codes are the CLI's."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING

from netcheck.azure import lists
from netcheck.azure.facts import Inventory, load_inventory
from netcheck.redact import redact
from netcheck.settings import Settings

if TYPE_CHECKING:
    from netcheck.azure.session import Session


async def gather(settings: Settings) -> Inventory:
    from netcheck.azure import credential as cred
    from netcheck.azure.discover import discover
    from netcheck.azure.session import Session

    session = Session(settings, cred.build(settings))
    try:
        return await discover(settings, session, asyncio.Semaphore(settings.concurrency))
    finally:
        session.close()


async def read_facts(settings: Settings, session: Session | None, limit: asyncio.Semaphore,
                     vnet_id: str | None) -> Inventory:
    """The --inventory file's facts (ValueError saying what is wrong with it), else ARM's, read now through
    `session` (the VNet netcheck runs in is read too)."""
    if settings.inventory:
        return await asyncio.to_thread(load_inventory, Path(settings.inventory))
    from netcheck.azure.discover import discover

    assert session is not None, "reading ARM needs a session (ctx.credential)"
    return await discover(settings, session, limit, vnet_id)


async def workspace_names(settings: Settings, session: Session) -> list[str]:
    """Workspaces in the resource group, to suggest a close name for a mistyped one."""
    path = lists.workspaces(settings.subscription or "", settings.resource_group or "")
    try:
        items = await asyncio.to_thread(session.arm().list, path)
    except Exception:  # only a hint: without it the 404 still says what was not found
        return []
    return [i.get("name", "") for i in items]


def inventory_text(inv: Inventory) -> str:
    """`netcheck.inventory/1` JSON: facts only, anything shaped like (or held as) a secret masked."""
    return json.dumps(redact(inv.to_json()), indent=2) + "\n"
