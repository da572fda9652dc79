"""DNS and TLS faults against real loopback servers: a dropped datagram, a truncated answer whose TCP
retry fails, and a TLS handshake that is reset, cut off, never answered or answered in plain HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
import typing
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import dns.flags
import dns.message
import dns.rrset
import pytest

from netcheck.net import http, tls
from netcheck.net.dns import UDP_TRIES, Lookup, lookup
from netcheck.net.errors import TlsError
from netcheck.settings import Settings
from netcheck.sim import certs

LOOPBACK = "127.0.0.1"
NAME = "ws.example.test"
IP = "10.20.1.4"
TIMEOUT = 1.0

Answer = Callable[[dns.message.Message, int], dns.message.Message | None]   # (query, nth datagram) -> reply


def reply(query: dns.message.Message, truncated: bool = False) -> dns.message.Message:
    resp = dns.message.make_response(query)
    if truncated:   # what a server sends when the answer does not fit in UDP: the TC bit, no records
        resp.flags |= dns.flags.TC
    else:
        resp.answer.append(dns.rrset.from_text(f"{NAME}.", 60, "IN", "A", IP))
    return resp


class UdpServer(asyncio.DatagramProtocol):
    def __init__(self, answer: Answer) -> None:
        self.answer, self.datagrams = answer, 0
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = typing.cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.datagrams += 1
        if (resp := self.answer(dns.message.from_wire(data), self.datagrams)) is not None:
            assert self.transport is not None
            self.transport.sendto(resp.to_wire(), addr)


def _port_pair() -> tuple[socket.socket, socket.socket]:
    """A TCP and a UDP socket bound to one loopback port, both held: nobody else can take it."""
    for _ in range(20):
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.bind((LOOPBACK, 0))
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind(tcp.getsockname())
            return tcp, udp
        except OSError:   # that UDP port is taken: try another pair
            tcp.close()
            udp.close()
    raise OSError("no free loopback port pair")


@contextlib.asynccontextmanager
async def dns_server(answer: Answer, tcp: str) -> AsyncIterator[tuple[UdpServer, int]]:
    """UDP on a loopback port; on TCP the same port `answers`, `refuses` (bound, never listening: every
    connect gets a RST) or stays `silent`."""
    tcp_sock, udp_sock = _port_pair()
    port = tcp_sock.getsockname()[1]
    transport, udp = await asyncio.get_running_loop().create_datagram_endpoint(lambda: UdpServer(answer),
                                                                               sock=udp_sock)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        (size,) = struct.unpack("!H", await reader.readexactly(2))
        query = dns.message.from_wire(await reader.readexactly(size))
        if tcp == "answers":
            wire = reply(query).to_wire()
            writer.write(struct.pack("!H", len(wire)) + wire)
            await writer.drain()
        else:
            await reader.read()   # silent until the client gives up
        writer.close()

    server = None if tcp == "refuses" else await asyncio.start_server(serve, sock=tcp_sock)
    try:
        yield udp, port
    finally:
        transport.close()
        if server is not None:
            server.close()   # closes tcp_sock too
        else:
            tcp_sock.close()


def ask(answer: Answer, tcp: str = "answers") -> tuple[Lookup, UdpServer]:
    """One lookup against a server that answers the nth datagram as `answer` says."""
    async def run() -> tuple[Lookup, UdpServer]:
        async with dns_server(answer, tcp) as (udp, port):
            found = await asyncio.wait_for(lookup(Settings(), (LOOPBACK, port), NAME, TIMEOUT), 10 * TIMEOUT)
            return found, udp
    return asyncio.run(run())


def test_one_dropped_datagram_is_retried_not_an_error() -> None:
    found, udp = ask(lambda q, n: None if n == 1 else reply(q))
    assert found.answered and found.ips == (IP,)
    assert udp.datagrams == 2 and found.tries == 2 and found.to_json()["udp_tries"] == 2


def test_a_dead_server_gets_every_try_then_times_out() -> None:
    found, udp = ask(lambda q, n: None)
    assert not found.answered and found.error == "timeout"
    assert udp.datagrams == len(UDP_TRIES) == found.tries


def test_a_healthy_server_is_asked_once() -> None:
    found, udp = ask(lambda q, n: reply(q))
    assert found.answered and udp.datagrams == 1 and "udp_tries" not in found.to_json()


def test_truncated_answer_is_asked_again_over_tcp() -> None:
    found, _ = ask(lambda q, n: reply(q, truncated=True))
    assert found.answered and found.over_tcp and found.ips == (IP,)


@pytest.mark.parametrize(("tcp", "error"), [("refuses", "refused"), ("silent", "timeout")])
def test_truncated_answer_whose_tcp_retry_fails_says_so(tcp: str, error: str) -> None:
    found, _ = ask(lambda q, n: reply(q, truncated=True), tcp)
    assert not found.answered and found.over_tcp and found.error == error
    assert "the UDP answer was truncated and the retry over TCP failed" in found.detail
    assert str(found.to_json()["error"]).startswith(f"{error}: the UDP answer was truncated")


# ---- TLS: what happened at the TLS layer ---------------------------------------------------------

HOST = "ep-fraud.eastus.inference.ml.azure.com"
PE_IP = "10.20.1.5"


async def _reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)   # the ClientHello has arrived
    writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()   # with SO_LINGER 0: a RST, as a firewall that kills TLS sends


async def _eof(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)
    writer.close()


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()   # holds the connection until the client gives up
    writer.close()


async def _plain_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1)
    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    await writer.drain()
    writer.close()


SERVERS = {"reset": _reset, "eof": _eof, "timeout": _silent, "not_tls": _plain_http}
WORDS = {"reset": "reset the connection", "eof": "closed the connection during the TLS handshake",
         "timeout": f"no TLS handshake within {TIMEOUT:g} s", "not_tls": "not with TLS"}


async def _against(kind: str, client: Callable[[Settings], Awaitable[object]]) -> object:
    server = await asyncio.start_server(SERVERS[kind], LOOPBACK, 0)
    port = server.sockets[0].getsockname()[1]
    try:
        settings = Settings(connect_to=(((PE_IP, 443), (LOOPBACK, port)),))
        return await asyncio.wait_for(client(settings), 10 * TIMEOUT)
    finally:
        server.close()


@pytest.mark.parametrize("kind", sorted(SERVERS))
def test_handshake_says_what_happened_at_the_tls_layer(kind: str) -> None:
    hs = asyncio.run(_against(kind, lambda s: tls.handshake(s, HOST, PE_IP, TIMEOUT)))
    assert isinstance(hs, tls.Handshake) and not hs.verified
    assert hs.problem == kind and WORDS[kind] in hs.detail, hs


@pytest.mark.parametrize("kind", sorted(SERVERS))
def test_https_request_raises_the_classified_tls_failure(kind: str) -> None:
    async def get(s: Settings) -> object:
        try:
            await http.request(s, HOST, 443, "GET", "/swagger.json", timeout=TIMEOUT, connect_host=PE_IP,
                               tls=tls.client_context(s))
        except TlsError as exc:
            return exc
        return None

    exc = asyncio.run(_against(kind, get))
    assert isinstance(exc, TlsError) and exc.problem == kind and not exc.certificate
    # what http.frontend prints after "HTTPS fails but plain HTTP answers: " is this, never "a certificate problem"
    assert WORDS[kind] in tls.explain(exc) and "certificate" not in tls.explain(exc)


def test_a_refused_tcp_connect_is_not_called_a_tls_failure() -> None:
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind((LOOPBACK, 0))   # bound, never listening: connects are refused, the port stays ours
    try:
        settings = Settings(connect_to=(((PE_IP, 443), held.getsockname()),))
        hs = asyncio.run(tls.handshake(settings, HOST, PE_IP, TIMEOUT))
    finally:
        held.close()
    assert hs.problem == "refused"


@pytest.mark.parametrize(("names", "trusted", "problem"), [
    ([HOST], False, "untrusted"), (["other.example.com"], True, "wrong_host")])
def test_a_refused_certificate_is_still_called_a_certificate_problem(tmp_path: Path, names: list[str], trusted: bool,
                                                                    problem: str) -> None:
    ca = certs.make_ca()
    cert, key = certs.write_pair(tmp_path, "leaf", certs.make_leaf(ca, names))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    bundle = tmp_path / "ca.pem"
    bundle.write_bytes(ca.pem if trusted else certs.make_ca("Someone else").pem)

    async def go() -> tuple[tls.Handshake, BaseException | None]:
        server = await asyncio.start_server(_eof, LOOPBACK, 0, ssl=server_ctx)
        s = Settings(ca_bundle=bundle, connect_to=(((PE_IP, 443), (LOOPBACK, server.sockets[0].getsockname()[1])),))
        try:
            hs = await tls.handshake(s, HOST, PE_IP, TIMEOUT)
            try:
                await http.request(s, HOST, 443, "GET", "/", timeout=TIMEOUT, connect_host=PE_IP,
                                   tls=tls.client_context(s))
            except TlsError as exc:
                return hs, exc
            return hs, None
        finally:
            server.close()

    hs, exc = asyncio.run(go())
    assert hs.problem == problem and hs.cert["sans"] == names   # the certificate is still described
    assert isinstance(exc, TlsError) and exc.certificate and tls.explain(exc).startswith("a certificate problem (")
