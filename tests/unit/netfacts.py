"""Hand-made facts and a scripted network for the stage 2-3 probe unit tests.

A test states what each resolver answers, which addresses accept TCP, what certificate a host
shows and how it answers HTTP; the probe runs unchanged against it through `Context.net`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from netcheck.context import Context, Network
from netcheck.model import Finding, Result, Verdict
from netcheck.net.dns import Lookup, label
from netcheck.net.http import Response
from netcheck.net.tcp import Connect
from netcheck.net.tls import Handshake, describe_cert
from netcheck.probe import Probe
from netcheck.settings import Address, Settings
from netcheck.sim import certs
from netcheck.subject import Subject
from netcheck.targets import Name, Names

SYSTEM: Address = ("10.20.0.10", 53)    # what the tests pass as --resolver
AZURE: Address = ("168.63.129.16", 53)
SCORING = "ep-fraud.eastus.inference.ml.azure.com"
PE_IP = "10.20.1.5"


def answer(name: str, *ips: str, chain: Sequence[str] = (), rcode: str = "NOERROR") -> Lookup:
    return Lookup("", name, tuple(chain), ips, rcode)


def no_answer(name: str, error: str = "timeout") -> Lookup:
    return Lookup("", name, error=error, detail="no answer within 2 s")


@dataclass
class ScriptedNet:
    """What the network does, per server / address / host. A list of lookups plays one per round."""

    dns: dict[Address, Mapping[str, Lookup | list[Lookup]]] = field(default_factory=dict)
    tcp: dict[str, str] = field(default_factory=dict)         # address -> "ok" | "timeout" | "refused"
    tls: dict[str, Handshake] = field(default_factory=dict)   # host -> handshake
    http: dict[tuple[str, int], Response | Exception] = field(default_factory=dict)  # (host, port)
    asked: list[tuple[Address, str]] = field(default_factory=list)
    sent: list[tuple[str, int, str, str, dict[str, str]]] = field(default_factory=list)

    async def lookup(self, settings: Settings, server: Address, name: str, timeout: float) -> Lookup:
        self.asked.append((server, name))
        scripted = self.dns.get(server, {}).get(name)
        if scripted is None:   # a server the test did not script does not answer
            return Lookup(label(server), name, error="timeout", detail=f"no answer within {timeout:g} s")
        if isinstance(scripted, list):
            scripted = scripted.pop(0) if len(scripted) > 1 else scripted[0]
        return Lookup(label(server), name, scripted.chain, scripted.ips, scripted.rcode, 1, scripted.error,
                      scripted.detail)

    async def connect(self, settings: Settings, ip: str, port: int, timeout: float) -> Connect:
        how = self.tcp.get(ip, "timeout")
        if how == "ok":
            return Connect(ip, port, True, 1)
        return Connect(ip, port, False, 1, how, f"no answer within {timeout:g} s" if how == "timeout" else how)

    async def handshake(self, settings: Settings, host: str, ip: str, timeout: float) -> Handshake:
        return self.tls[host]

    async def request(self, settings: Settings, host: str, port: int, method: str, path: str, **kw: Any) -> Response:
        self.sent.append((host, port, method, path, dict(kw.get("headers") or {})))
        got = self.http.get((host, port), ConnectionRefusedError(f"{host}:{port} refused"))
        if isinstance(got, Exception):
            raise got
        return got

    def network(self) -> Network:
        return Network(self.lookup, self.connect, self.handshake, self.request)


def context(net: ScriptedNet, names: Sequence[Name], *, in_azure: bool = True, **settings: Any) -> Context:
    """A context holding only what stages 2-3 read: the names, where netcheck runs, the network."""
    from netcheck.model import Where

    s = Settings(resolver=SYSTEM, azure_dns=AZURE, **settings)
    ctx = Context(s, net=net.network())
    ctx.names = Names(tuple(names), (ipaddress.ip_network("10.20.0.0/16"),))
    if in_azure:
        ctx.where = Where(True, "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
                          "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-hub",
                          None, "10.20.2.4")
    return ctx


def result(probe_id: str, subject: Subject, verdict: Verdict, stage: int = 1) -> Result:
    """An earlier probe's result, as the runner would have stored it."""
    return Result(probe_id, subject, stage, probe_id, verdict, "given", None, 0, {}, None)


def given(ctx: Context, *results: Result) -> None:
    for r in results:
        ctx.results.setdefault(r.probe, []).append(r)


def run(p: Probe, ctx: Context) -> list[Finding]:
    """Run this one probe, as the runner would once what it waits for is done."""
    async def once() -> list[Finding]:
        return list(await p.run(ctx))
    return asyncio.run(once())


def handshake(host: str, *, sans: Sequence[str] | None = None, expires_in_days: float = 365,
              not_before_days: float = -1, weak_key: bool = False, problem: str | None = None) -> Handshake:
    """A handshake with a real certificate made for the test, described as netcheck.net.tls does."""
    pem, _ = certs.make_leaf(certs.make_ca(), list(sans or [host]), expires_in_days=expires_in_days,
                             not_before_days=not_before_days, weak_key=weak_key)
    der = x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    return Handshake(host, PE_IP, 3, problem is None, problem, f"certificate verify failed: {problem}" if problem
                     else "", describe_cert(der, dt.datetime.now(dt.UTC)), "TLSv1.3")
