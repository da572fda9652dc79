"""TCP connect, timed, with timeout and refusal told apart."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from netcheck.net.errors import reason
from netcheck.settings import Settings


@dataclass(frozen=True)
class Connect:
    address: str
    port: int
    ok: bool
    ms: int
    error: str | None = None
    detail: str = ""

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"address": self.address, "port": self.port, "ms": self.ms,
                                  "result": "connected" if self.ok else self.error}
        if self.detail:
            out["detail"] = self.detail
        return out


async def connect(settings: Settings, ip: str, port: int, timeout: float) -> Connect:
    addr, real_port = settings.route(ip, port)
    t0 = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(addr, real_port)
    except Exception as exc:
        why = reason(exc)
        detail = f"no answer within {timeout:g} s" if why == "timeout" else (str(exc) or type(exc).__name__)
        return Connect(ip, port, False, round((time.monotonic() - t0) * 1000), why, detail)
    ms = round((time.monotonic() - t0) * 1000)
    writer.close()
    return Connect(ip, port, True, ms)
