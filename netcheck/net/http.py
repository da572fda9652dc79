"""A small HTTP/1.1 client over asyncio streams: one request, optional TLS, honours --connect-to.

Enough for IMDS, the front end's swagger, ACR's /v2/ and one scoring request; no redirects, no pooling.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass, field

from netcheck.net.tls import open_tls
from netcheck.settings import Settings


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


async def request(settings: Settings, host: str, port: int, method: str, path: str, *, timeout: float,
                  headers: dict[str, str] | None = None, body: bytes = b"", tls: ssl.SSLContext | None = None,
                  connect_host: str | None = None, max_body: int = 1 << 20) -> Response:
    """`connect_host`: the address to dial (a resolved IP) when it differs from the Host header.
    A failed TLS handshake raises `TlsError`, saying what happened at the TLS layer."""
    addr, real_port = settings.route(connect_host or host, port)
    deadline = asyncio.get_running_loop().time() + timeout
    if tls is not None:
        reader, writer = await open_tls(addr, real_port, host, tls, timeout)
    else:
        async with asyncio.timeout_at(deadline):
            reader, writer = await asyncio.open_connection(addr, real_port)
    async with asyncio.timeout_at(deadline):
        try:
            head = {"Host": host, "User-Agent": "netcheck", "Accept": "*/*", "Connection": "close",
                    **(headers or {})}
            if body or method in ("POST", "PUT"):
                head["Content-Length"] = str(len(body))
            lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in head.items()), "", ""]
            writer.write("\r\n".join(lines).encode("latin-1") + body)
            await writer.drain()
            status_line = (await reader.readline()).decode("latin-1").strip()
            parts = status_line.split(" ", 2)
            if len(parts) < 2 or not parts[1].isdigit():
                raise ConnectionError(f"not an HTTP answer: {status_line[:80]!r}")
            resp_headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode("latin-1").strip()):
                k, _, v = line.partition(":")
                resp_headers[k.strip().lower()] = v.strip()
            length = resp_headers.get("content-length")
            data = await (reader.readexactly(min(int(length), max_body)) if length and length.isdigit()
                          else reader.read(max_body))
            return Response(int(parts[1]), parts[2] if len(parts) > 2 else "", resp_headers, data)
        finally:
            writer.close()
            with contextlib.suppress(OSError, ssl.SSLError):
                await writer.wait_closed()
