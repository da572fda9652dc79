"""Loopback servers for the simulator: threaded HTTP(S) with clean shutdown, UDP+TCP DNS, a black hole."""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from netcheck.sim.crashes import Crashes

LOOPBACK = "127.0.0.1"
# What a client may do to a connection at any time: go away, reset it, refuse our certificate, stall.
_CLIENT_GONE = (ConnectionError, TimeoutError, ssl.SSLError)


class HttpServer(ThreadingHTTPServer):
    """Threaded HTTP server on loopback, TLS when given a context; stop() closes every connection."""

    daemon_threads = False
    block_on_close = True
    # socketserver's default backlog of 5 drops SYNs when a check connects to every host at once, and
    # the kernel retries a dropped SYN only after a second: a stall a real front end would not cause.
    request_queue_size = 128
    side = "private"   # a front end: which side of the service it is (routing.Routes sends each address)

    def __init__(self, handler: type[BaseHTTPRequestHandler], app: Any, crashes: Crashes,
                 tls: ssl.SSLContext | None = None, handshake_delay: Callable[[], float] = lambda: 0.0) -> None:
        super().__init__((LOOPBACK, 0), handler)
        self.app, self.tls, self.handshake_delay, self.crashes = app, tls, handshake_delay, crashes
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._open.add(request)
        # as a real front end: a response's headers and body don't wait on each other for the client's delayed ACK
        # (Nagle's algorithm holds a small second write back until the first is acknowledged: ~40 ms a request)
        with contextlib.suppress(OSError):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = request
        try:
            if self.tls is not None:
                if delay := self.handshake_delay():
                    time.sleep(delay)
                try:
                    conn = self.tls.wrap_socket(request, server_side=True)
                except (OSError, ssl.SSLError):
                    return  # the client went away or refused our certificate: as a real server, carry on
                with self._lock:
                    self._open.add(conn)
            super().finish_request(conn, client_address)
        except _CLIENT_GONE:
            pass
        except OSError as exc:
            if not self.stopping:   # a socket shut by stop() is not a bug; anything else is
                self.crashes.record(f"{type(self.app).__name__} server", exc)
        finally:
            with self._lock:
                self._open.discard(request)
                self._open.discard(conn)
            if conn is not request:
                with contextlib.suppress(OSError):
                    conn.close()

    stopping = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        if exc is not None:
            self.crashes.record(f"{type(self.app).__name__} server, a request from {client_address}", exc)

    def stop(self) -> None:
        self.stopping = True
        self.shutdown()
        with self._lock:
            for s in list(self._open):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
        self.server_close()
        self._thread.join()


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_response(self, code: int, message: str | None = None) -> None:
        """As http.server's, without its `Server: BaseHTTP/... Python/...`: Azure's servers don't say that."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
             content_type: str = "application/json; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""


DnsAnswer = Callable[[bytes, bool], bytes | None]   # (query wire, over_tcp) -> response wire or None (drop)


class DnsServer:
    """One DNS server on loopback, UDP and TCP on the same port."""

    def __init__(self, answer: DnsAnswer, crashes: Crashes) -> None:
        self.answer, self.crashes = answer, crashes
        for _ in range(20):
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((LOOPBACK, 0))
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                udp.bind((LOOPBACK, tcp.getsockname()[1]))
                break
            except OSError:
                tcp.close()
                udp.close()
        else:  # pragma: no cover
            raise OSError("no free port pair for a DNS server")
        tcp.listen(16)
        self.port = int(tcp.getsockname()[1])
        self._udp, self._tcp = udp, tcp
        self._stop = threading.Event()
        self._conns: set[socket.socket] = set()
        self._threads = [threading.Thread(target=self._serve_udp, daemon=True),
                         threading.Thread(target=self._serve_tcp, daemon=True)]
        self._workers: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self) -> DnsServer:
        for t in self._threads:
            t.start()
        return self

    def _spawn(self, fn: Callable[..., None], *args: Any) -> None:
        t = threading.Thread(target=fn, args=args, daemon=True)
        with self._lock:
            self._workers = [w for w in self._workers if w.is_alive()]
            self._workers.append(t)
        t.start()

    def _serve_udp(self) -> None:
        self._udp.settimeout(0.05)
        while not self._stop.is_set():
            try:
                data, peer = self._udp.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._reply_udp, data, peer)

    def _reply_udp(self, data: bytes, peer: Any) -> None:
        try:
            wire = self.answer(data, False)
        except Exception as exc:
            self.crashes.record(f"DNS server :{self.port}, a UDP query", exc)
            return
        if wire is not None and not self._stop.is_set():
            with contextlib.suppress(OSError):   # the socket closed under us while stopping
                self._udp.sendto(wire, peer)

    def _serve_tcp(self) -> None:
        self._tcp.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._reply_tcp, conn)

    def _reply_tcp(self, conn: socket.socket) -> None:
        with self._lock:
            self._conns.add(conn)
        try:
            conn.settimeout(5)
            while not self._stop.is_set():
                head = _recv_exact(conn, 2)
                if head is None:
                    return
                query = _recv_exact(conn, struct.unpack("!H", head)[0])
                if query is None:
                    return
                try:
                    wire = self.answer(query, True)
                except Exception as exc:
                    self.crashes.record(f"DNS server :{self.port}, a TCP query", exc)
                    return
                if wire is None:
                    continue
                conn.sendall(struct.pack("!H", len(wire)) + wire)
        except OSError:
            return   # the client went away or stop() shut the connection
        finally:
            with self._lock:
                self._conns.discard(conn)
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            for c in list(self._conns):
                with contextlib.suppress(OSError):
                    c.shutdown(socket.SHUT_RDWR)
        for t in self._threads:
            t.join()
        with self._lock:
            workers = list(self._workers)
        for w in workers:
            w.join()
        self._udp.close()
        self._tcp.close()


def _recv_exact(conn: socket.socket, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


class BlackHole:
    """A loopback port whose SYNs go unanswered: the accept queue is full and never drained."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((LOOPBACK, 0))
        self._sock.listen(0)
        self.port = int(self._sock.getsockname()[1])
        self._fillers: list[socket.socket] = []
        for _ in range(2):  # Linux queues backlog+1; more connects then stall, as behind a dropping NSG
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                s.connect((LOOPBACK, self.port))
            self._fillers.append(s)
        time.sleep(0.01)

    def stop(self) -> None:
        for s in self._fillers:
            s.close()
        self._sock.close()


class Refuser:
    """A loopback port nothing listens on, held for the simulator's life: connects are refused (RST),
    and no other program can take the port meanwhile, as it could after a bind-and-close."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((LOOPBACK, 0))   # bound, never listening
        self.port = int(self._sock.getsockname()[1])

    def stop(self) -> None:
        self._sock.close()
