"""Everything the user chose, validated, in one frozen object. The CLI builds it; nothing else parses."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from netcheck import redact

Address = tuple[str, int]

AZURE_DNS = ("168.63.129.16", 53)
# Per probe: long enough for ARM discovery with a couple of 429 retries, short enough to keep a
# hung service from stalling the whole run.
DEFAULT_PROBE_TIMEOUT = 30.0
# Concurrent network operations (DNS queries, TCP/TLS connects, ARM reads) across all probes: enough
# that every name of a workspace can be asked of two resolvers at once (a dead server costs one
# timeout), few enough to stay polite to ARM and to a jumpbox's resolver.
DEFAULT_CONCURRENCY = 32


@dataclass(frozen=True)
class ScoreRequest:
    """`--score`: one scoring request. The credential is held here only, never reported."""

    credential: str = field(repr=False)
    body: bytes = b"{}"
    request_id: str | None = None
    deployment: str | None = None

    def __post_init__(self) -> None:
        redact.hold(self.credential)


@dataclass(frozen=True)
class Settings:
    subscription: str | None = None
    resource_group: str | None = None
    workspace: str | None = None
    endpoints: tuple[str, ...] = ()
    cloud: str = "AzureCloud"
    no_azure: bool = False
    inventory: Path | None = None
    hosts: tuple[str, ...] = ()
    vnet_cidrs: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    resolver: Address | None = None
    azure_dns: Address = AZURE_DNS
    dns_servers: tuple[Address, ...] = ()
    connect_to: tuple[tuple[Address, Address], ...] = ()
    ca_bundle: Path | None = None
    arm_endpoint: str | None = None
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    timeout: float = DEFAULT_PROBE_TIMEOUT
    concurrency: int = DEFAULT_CONCURRENCY
    strict: bool = False
    stability_rounds: int = 4
    stability_spacing: float = 0.2
    score: ScoreRequest | None = None
    # A bearer token for ARM from NETCHECK_ARM_TOKEN (or the simulator); never reported.
    arm_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        redact.hold(self.arm_token)   # masked by value wherever a server echoes it

    def route(self, host: str, port: int) -> Address:
        """Where a connection to host:port really goes (`--connect-to`, like curl's: the first rule that
        matches; a rule without a host matches any)."""
        for (h, p), dest in self.connect_to:
            if p == port and (not h or h.lower() == host.lower()):
                return dest
        return host, port
