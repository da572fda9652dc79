"""What the network probes share: the names to test, the resolvers to ask, named timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

from netcheck import targets
from netcheck.azure.facts import name_of
from netcheck.context import Context
from netcheck.model import Finding, Verdict
from netcheck.net.dns import Lookup, system_resolver
from netcheck.probes._common import client_vnets
from netcheck.settings import Address

T = TypeVar("T")

# The dns.* probes run after the private DNS checks, so a wrong answer can name the configuration
# fault that explains it.
# kube.router: a Kubernetes scoring host with no record is its finding, which the dns.* answers name
AFTER_PRIVATE_DNS = ("ctx.location", "ctx.target", "pdns.zones", "pdns.records", "pdns.links", "kube.router")

# One DNS query: resolvers answer in milliseconds; 2 s is a slow forwarder, more is a dead one.
DNS_TIMEOUT = 2.0
# A TCP connect that has not completed in 3 s is being dropped (NSG, firewall, route).
TCP_TIMEOUT = 3.0
# A TLS handshake or one HTTP exchange with the front end.
TLS_TIMEOUT = 5.0
HTTP_TIMEOUT = 8.0


def names(ctx: Context) -> targets.Names | None:
    """The names to test: from the facts (plus --host), or --host alone; None when there are none."""
    if ctx.names is None:
        inv = ctx.inventory
        if inv is not None and inv.workspace is not None:
            found = targets.from_inventory(inv, ctx.settings)
            extra = targets.from_settings(ctx.settings).names
            ctx.names = targets.Names(found.names + extra, found.ranges)
        elif ctx.settings.hosts:
            ctx.names = targets.from_settings(ctx.settings)
    return ctx.names


def no_names(ctx: Context) -> list[Finding]:
    cause = ctx.blocked("ctx.target") if ctx.settings.hosts == () else None
    return [Finding("", Verdict.SKIP, "no names to test: the target was not read and no --host was given",
                    cause=cause)]


def resolver(ctx: Context) -> Address | None:
    return ctx.settings.resolver or system_resolver()


async def bounded(ctx: Context, work: Awaitable[T]) -> T:
    async with ctx.limit:
        return await work


async def lookups(ctx: Context, server: Address, fqdns: Iterable[str]) -> dict[str, Lookup]:
    """Ask one server for every name, concurrently: a dead server costs one timeout, not one per name."""
    fqdns = list(fqdns)
    found = await asyncio.gather(*(bounded(ctx, ctx.net.lookup(ctx.settings, server, n, DNS_TIMEOUT)) for n in fqdns))
    return dict(zip(fqdns, found, strict=True))


def custom_servers(ctx: Context) -> list[str]:
    """The VNet's custom DNS servers (dhcpOptions.dnsServers), plus any --dns-server."""
    out: list[str] = []
    inv = ctx.inventory
    if inv is not None:
        for vid in client_vnets(ctx, inv):
            if v := inv.vnet(vid):
                out.extend(v.dns_servers)
    out.extend(f"{a}:{p}" if p != 53 else a for a, p in ctx.settings.dns_servers)
    return list(dict.fromkeys(out))


def no_custom_servers(ctx: Context) -> Finding:
    """Why there is no custom DNS server to ask, saying only what netcheck knows."""
    inv = ctx.inventory
    vnets = [name_of(v) for v in client_vnets(ctx, inv) if inv.vnet(v)] if inv is not None else []
    if not vnets:
        return Finding("", Verdict.SKIP, "no custom DNS servers known: the VNet was not read and no --dns-server "
                       "was given", cause=ctx.blocked("ctx.target"))
    return Finding("", Verdict.SKIP, f"no custom DNS servers: {', '.join(vnets)} "
                   f"{'uses' if len(vnets) == 1 else 'use'} Azure DNS")


def parse_server(text: str) -> Address:
    from netcheck.validate import address

    return address(text)
