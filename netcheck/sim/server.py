"""The simulator: starts every loopback server for a scenario and says how to point netcheck at it."""

from __future__ import annotations

import concurrent.futures
import secrets
import shutil
import ssl
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netcheck.azure.facts import group_of, name_of
from netcheck.settings import Address, Settings
from netcheck.sim import certs
from netcheck.sim.arm import Arm
from netcheck.sim.crashes import Crashes, SimulatorCrash
from netcheck.sim.dns import Resolver
from netcheck.sim.frontend import FrontEnd, Imds
from netcheck.sim.routing import Routes
from netcheck.sim.scenario import Scenario
from netcheck.sim.wire import LOOPBACK, BlackHole, DnsServer, HttpServer, QuietHandler, Refuser
from netcheck.sim.world import World

IMDS_ADDR = ("169.254.169.254", 80)


class _ArmHandler(QuietHandler):
    server: Any

    def do_GET(self) -> None:
        self.server.app.handle(self)

    do_PUT = do_PATCH = do_DELETE = do_POST = do_HEAD = do_GET


class Simulator:
    """`with Simulator(scenario) as sim: settings = sim.settings()` runs netcheck against it."""

    def __init__(self, scenario: Scenario, latency_ms: float | None = None,
                 on_crash: Callable[[str], None] | None = None) -> None:
        self.scenario = scenario
        self.crashes = Crashes(on_crash)
        self.world = World(scenario)
        self.routes = Routes(self.world)
        lat = dict(scenario.latency_ms)
        if latency_ms is not None:
            lat = {k: latency_ms for k in ("arm", "dns", "tls", "imds")}
        self.latency = lat
        self.token = "sim-" + secrets.token_hex(16)
        self.arm = Arm(self.world, self.token, lat.get("arm", 0.0))
        self._tmp = Path(tempfile.mkdtemp(prefix="netcheck-sim-"))
        try:   # the directory will hold TLS keys: an interrupt while it is filled must not leave it behind
            self.ca = certs.make_ca()
            # as Azure's: leaves come from an issuing CA the server sends, under a root the client trusts
            self.issuing = certs.make_ca("netcheck simulator TLS Issuing CA 03", under=self.ca)
            self._rogue = certs.make_ca("Untrusted Issuing CA")
            self.ca_bundle = self._tmp / "ca.pem"
            self.ca_bundle.write_bytes(self.ca.pem)
        except BaseException:
            shutil.rmtree(self._tmp, ignore_errors=True)
            raise
        self._host_ctx: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self.dns: dict[str, Resolver] = {}
        self._servers: list[Any] = []
        self.ports: dict[str, int] = {}

    # ---- lifecycle -------------------------------------------------------------------------------
    def start(self) -> Simulator:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        crashes = self.crashes
        self.arm.resource_graph.index()
        arm_ctx = self._server_ctx(certs.make_leaf(self.issuing, [LOOPBACK, "localhost"]), "arm")
        arm = HttpServer(_ArmHandler, self.arm, crashes, arm_ctx).start()
        self.arm.base_url = f"https://{LOOPBACK}:{arm.port}"
        imds = HttpServer(Imds, self, crashes).start()
        self._servers += [arm, imds]
        self.ports.update(arm=arm.port, imds=imds.port)
        fe_ctx = self._server_ctx(certs.make_leaf(self.issuing, ["frontend.invalid"]), "frontend")
        fe_ctx.sni_callback = self._sni
        for side in ("private", "public"):   # the service's private endpoint side, and its public side
            tls = HttpServer(FrontEnd, self.world, crashes, fe_ctx, lambda: self.latency.get("tls", 0.0) / 1000)
            http = HttpServer(FrontEnd, self.world, crashes)
            tls.side = http.side = side
            self._servers += [tls.start(), http.start()]
            suffix = "" if side == "private" else "-public"
            self.ports.update({f"tls{suffix}": tls.port, f"http{suffix}": http.port})
        lat = self.latency.get("dns", 0.0)
        self.dns["azure"] = Resolver(self.world, "azure", latency_ms=lat)
        self.dns["public"] = Resolver(self.world, "public", latency_ms=lat)
        for addr in self.world.network().addresses():   # custom servers, resolver inbound endpoints
            self.dns[addr] = Resolver(self.world, "custom", addr, lat)
        for key, resolver in self.dns.items():
            server = DnsServer(resolver, crashes).start()
            self._servers.append(server)
            self.ports[f"dns:{key}"] = server.port
        hole, refuser = BlackHole(), Refuser()
        self._servers += [hole, refuser]
        self.ports.update(blackhole=hole.port, refused=refuser.port)

    def stop(self) -> None:
        """Stop every server; raise SimulatorCrash if any of them raised while serving."""
        self.arm.closing.set()
        servers, self._servers = self._servers, []
        # all at once: each one's loop notices the stop only at its next poll (50 ms)
        with concurrent.futures.ThreadPoolExecutor(max(len(servers), 1), thread_name_prefix="sim-stop") as pool:
            for done in [pool.submit(s.stop) for s in servers]:
                done.result()
        shutil.rmtree(self._tmp, ignore_errors=True)
        if self.crashes.tracebacks:
            found, self.crashes.tracebacks = self.crashes.tracebacks, []
            raise SimulatorCrash(f"the simulator raised {len(found)} time(s) while serving:\n" + "\n".join(found))

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- TLS -------------------------------------------------------------------------------------
    def _server_ctx(self, pair: tuple[bytes, bytes], stem: str) -> ssl.SSLContext:
        cert, key = certs.write_pair(self._tmp, stem, pair)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")  # so a weak-key certificate can be served at all
        ctx.load_cert_chain(cert, key)
        return ctx

    def _sni(self, sock: ssl.SSLObject, server_name: str | None, _: ssl.SSLContext) -> int | None:
        try:
            if server_name:
                sock.context = self.host_context(server_name.lower())
        except Exception as exc:   # OpenSSL would only abort the handshake: record it as the bug it is
            self.crashes.record(f"TLS front end, the certificate for {server_name!r}", exc)
            return ssl.ALERT_DESCRIPTION_INTERNAL_ERROR
        return None

    def host_context(self, host: str) -> ssl.SSLContext:
        with self._lock:
            if host not in self._host_ctx:
                opts = self.scenario.tls.get(host, {})
                issuer = self._rogue if opts.get("untrusted") else self.issuing
                names = [f"wrong-host.{host.split('.', 1)[-1]}"] if opts.get("wrong_host") else self._names(host)
                expires = float(opts.get("expires_in_days", 365))
                not_before = float(opts.get("not_before_days", min(-1.0, expires - 90)))
                pair = certs.make_leaf(issuer, names, not_before_days=not_before, expires_in_days=expires,
                                       weak_key=bool(opts.get("weak_key")),
                                       send_chain=not opts.get("omit_intermediate"))
                self._host_ctx[host] = self._server_ctx(pair, f"host-{len(self._host_ctx)}")
            return self._host_ctx[host]

    def _names(self, host: str) -> list[str]:
        """The names on a host's certificate: Azure's wildcards for scoring hosts and registries."""
        scoring, acr = self.world.cloud.suffix("scoring"), self.world.cloud.suffix("registry")
        if host.endswith("." + scoring) and len(host.split(".")) == len(scoring.split(".")) + 2:
            return ["*." + host.split(".", 1)[1]]   # *.<region>.inference.ml.azure.com
        if host.endswith("." + acr) and ".privatelink." not in f".{host}":
            return sorted({f"*.{acr}", "*." + host.split(".", 1)[1]})   # *.azurecr.io, *.<region>.data.azurecr.io
        return [host]

    # ---- how to reach it -------------------------------------------------------------------------
    def imds_document(self) -> dict[str, Any]:
        vm_id = self.scenario.where_vm or ""
        vm = self.world.resources.get(vm_id.lower(), {})
        ip = self.world.where_ip() or ""
        return {
            "compute": {"resourceId": vm.get("id", vm_id), "name": name_of(vm_id), "location": vm.get("location", ""),
                        "subscriptionId": vm_id.split("/")[2] if vm_id else "", "resourceGroupName": group_of(vm_id),
                        "vmId": "7f3b1c2d-0000-4000-8000-00000000a11e", "azEnvironment": "AzurePublicCloud"},
            "network": {"interface": [{"ipv4": {"ipAddress": [{"privateIpAddress": ip, "publicIpAddress": ""}],
                                                "subnet": [{"address": "", "prefix": ""}]},
                                       "macAddress": "000D3A1B2C3D"}]},
        }

    def _host_behaviour(self) -> dict[str, str]:
        """Private IP -> 'blackhole' | 'refused' for hosts whose scenario says so."""
        out = {}
        for host, opts in self.scenario.tls.items():
            if tcp := opts.get("tcp"):
                for ip in self.world.resolve(host, self.world.where_vnet).ips:
                    out[ip] = tcp
        return out

    def connect_to(self) -> list[tuple[Address, Address]]:
        """IMDS, the hosts that drop or refuse, the custom DNS servers; each address the scenario names to
        where the network carries it (its front end's private side, its public side, or nowhere); then any
        other address to the public side (rules without a host, after the specific ones)."""
        routes: list[tuple[Address, Address]] = []
        imds_port = self.ports["imds"] if self.world.where_vnet else self.ports["refused"]
        routes.append((IMDS_ADDR, (LOOPBACK, imds_port)))
        special = self._host_behaviour()
        for ip, behaviour in sorted(special.items()):
            routes.append(((ip, 443), (LOOPBACK, self.ports[behaviour])))
            routes.append(((ip, 80), (LOOPBACK, self.ports["refused"])))
        for addr in self.world.network().addresses():
            routes.append(((addr, 53), (LOOPBACK, self.ports[f"dns:{addr}"])))
        for ip in sorted(self.routes.addresses() - set(special)):
            for port, server in ((443, "tls"), (80, "http")):
                landing = self.routes.landing(ip, port)
                dest = "blackhole" if landing == "blackhole" else server + ("-public" if landing == "public" else "")
                routes.append(((ip, port), (LOOPBACK, self.ports[dest])))
        routes.append((("", 443), (LOOPBACK, self.ports["tls-public"])))
        routes.append((("", 80), (LOOPBACK, self.ports["http-public"])))
        return routes

    def system_resolver(self) -> Address:
        """What /etc/resolv.conf would name on the simulated machine."""
        if (own := self.scenario.where_resolver) and f"dns:{own}" in self.ports:   # an override of the VNet's DNS
            return LOOPBACK, self.ports[f"dns:{own}"]
        if not self.world.where_vnet:
            return LOOPBACK, self.ports["dns:public"]
        custom = self.world.vnet_dns_servers(self.world.where_vnet)
        if custom and f"dns:{custom[0]}" in self.ports:
            return LOOPBACK, self.ports[f"dns:{custom[0]}"]
        return LOOPBACK, self.ports["dns:azure"]

    def target(self) -> dict[str, Any]:
        t = dict(self.scenario.target)
        ws = next(iter(self.world.of_type("Microsoft.MachineLearningServices/workspaces")), None)
        if ws is not None:
            t.setdefault("subscription", ws["id"].split("/")[2])
            t.setdefault("resource_group", group_of(ws["id"]))
            t.setdefault("workspace", ws["name"])
        return t

    def overrides(self) -> dict[str, Any]:
        """Settings fields that point netcheck at this simulator."""
        t = self.target()
        return {
            "subscription": t.get("subscription"), "resource_group": t.get("resource_group"),
            "workspace": t.get("workspace"), "endpoints": tuple(t.get("endpoints", ())),
            "cloud": t.get("cloud", "AzureCloud"), "arm_endpoint": self.arm.base_url, "arm_token": self.token,
            "ca_bundle": self.ca_bundle, "resolver": self.system_resolver(),
            "azure_dns": (LOOPBACK, self.ports["dns:azure"]), "connect_to": tuple(self.connect_to()),
        }

    def settings(self, base: Settings | None = None, **extra: Any) -> Settings:
        import dataclasses

        fields = self.overrides()
        base = base or Settings()
        merged = {**fields, **extra}
        # the user's own network options win; lists are joined so theirs come first
        if base.connect_to:
            merged["connect_to"] = base.connect_to + fields["connect_to"]
        for key in ("resolver", "endpoints", "only", "skip", "dns_servers", "hosts", "vnet_cidrs"):
            value = getattr(base, key)
            if value and key not in extra:
                merged[key] = value
        return dataclasses.replace(base, **merged)

    @property
    def mutating_requests(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self.arm.requests if r.mutating]
