"""Input rules. Each parser raises ValueError with the rule, worded for a person."""

from __future__ import annotations

import argparse
import ipaddress
import math
import re
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

FORMATS = ("text", "json", "md", "html", "junit")   # the report formats (a renderer each in netcheck.render)


class UsageError(Exception):
    """Bad usage or input, of `netcheck` or `netcheck fleet`: one clear line on stderr, exit 2."""


_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Azure's naming rules (learn.microsoft.com, "Naming rules and restrictions for Azure resources").
_GROUP = re.compile(r"^[-\w.()]{1,90}$")
_WORKSPACE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$")
_ENDPOINT = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]$")
_LABEL = re.compile(r"^(?!-)[a-zA-Z0-9-]{1,63}(?<!-)$")
_GLOB = re.compile(r"^[a-z0-9_.*?\[\]!-]+$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_DIGITS = re.compile(r"[0-9]{1,6}")
_RESOURCE_ID = re.compile(r"^/subscriptions/[^/]+(/resourceGroups/[^/]+)?(/providers/[^/]+(/[^/]+/[^/]+)+)?$",
                          re.IGNORECASE)


def subscription(value: str) -> str:
    if not _GUID.fullmatch(value):
        raise ValueError(f"{value!r} is not a subscription id (a GUID like 00000000-0000-0000-0000-000000000000)")
    return value.lower()


def resource_group(value: str) -> str:
    if not _GROUP.fullmatch(value) or value.endswith("."):
        raise ValueError(f"{value!r} is not a resource group name (1-90 letters, digits, '-', '_', '.', '(', ')';"
                         " not ending in '.')")
    return value


def workspace(value: str) -> str:
    if not _WORKSPACE.fullmatch(value):
        raise ValueError(f"{value!r} is not a workspace name (3-33 letters, digits, '-' or '_',"
                         " starting with a letter or digit)")
    return value


def endpoint(value: str) -> str:
    if not _ENDPOINT.fullmatch(value):
        raise ValueError(f"{value!r} is not an online endpoint name (3-32 letters, digits or '-',"
                         " starting with a letter, not ending with '-')")
    return value


def fqdn(value: str) -> str:
    name = value.rstrip(".").lower()
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"{value!r} is not a host name (dot-separated labels of letters, digits and '-')")
    return name


def cidr(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(f"{value!r} is not a CIDR range (like 10.0.0.0/16)") from None


def ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an IP address") from None


def port(value: str) -> int:
    if not _DIGITS.fullmatch(value) or not 1 <= int(value) <= 65535:
        raise ValueError(f"{value!r} is not a port (1-65535)")
    return int(value)


def address(value: str, default_port: int = 53) -> tuple[str, int]:
    """ADDR[:PORT], with IPv6 as [ADDR]:PORT."""
    rule = f"{value!r} is not ADDR[:PORT] (like 10.0.0.4 or 10.0.0.4:53 or [::1]:5353)"
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(rule)
        p = rest[1:] if rest else str(default_port)
    elif value.count(":") > 1:
        host, p = value, str(default_port)
    else:
        host, _, p = value.partition(":")
        p = p or str(default_port)
    try:
        return ip(host), port(p)
    except ValueError:
        raise ValueError(rule) from None


def connect_to(value: str) -> tuple[tuple[str, int], tuple[str, int]]:
    """HOST:PORT:ADDR:PORT, like curl's --connect-to; an empty HOST (`:443:ADDR:PORT`) means any host."""
    parts = value.split(":")
    rule = f"{value!r} is not HOST:PORT:ADDR:PORT (like 10.0.1.5:443:127.0.0.1:8443, or :443:127.0.0.1:8443 for any host)"
    if len(parts) != 4:
        raise ValueError(rule)
    host, p1, addr, p2 = parts
    try:
        if host:
            host = ip(host) if host.replace(".", "").isdigit() else fqdn(host)
        return (host, port(p1)), (ip(addr), port(p2))
    except ValueError:
        raise ValueError(rule) from None


def glob(value: str) -> str:
    """A probe id glob, optionally `@` and a subject glob (`dns.system@*.azurecr.io`)."""
    probe_part, at, subject = value.partition("@")
    if not _GLOB.fullmatch(probe_part) or (at and (not subject or not subject.isprintable())):
        raise ValueError(f"{value!r} is not a probe id pattern (like 'dns.*', 'ws.v1_legacy_mode' or "
                         "'dns.system@HOST')")
    return value


def _number(value: str) -> float:
    """The number in value, else NaN, which fails every range check below."""
    try:
        return float(value)
    except ValueError:
        return math.nan


# Below this a probe can't finish even a loopback round trip; a tiny float (1e-300) would reach asyncio
# as a timeout that expires before a coroutine starts.
MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 600.0


def timeout(value: str) -> float:
    t = _number(value)
    if not MIN_TIMEOUT <= t <= MAX_TIMEOUT:
        raise ValueError(f"{value!r} is not a timeout (seconds, {MIN_TIMEOUT:g} to {MAX_TIMEOUT:g})")
    return t


def rounds(value: str) -> int:
    if not _DIGITS.fullmatch(value) or not 1 <= int(value) <= 20:
        raise ValueError(f"{value!r} is not a number of rounds (1-20)")
    return int(value)


def spacing(value: str) -> float:
    s = _number(value)
    if not 0 <= s <= 10:
        raise ValueError(f"{value!r} is not a spacing in seconds (0-10)")
    return s


def milliseconds(value: str) -> float:
    """A simulated delay: the CLI's --latency, a scenario's latency_ms and delay_ms."""
    ms = _number(value)
    if not 0 <= ms <= 60_000:
        raise ValueError(f"{value!r} is not a delay in milliseconds (0-60000)")
    return ms


def request_id(value: str) -> str:
    if not _REQUEST_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not a client request id (1-40 letters, digits, '-' or '_')")
    return value


def arm_endpoint(value: str) -> str:
    """An https:// base URL with a host and a valid port, nothing after the path."""
    rule = f"{value!r} is not an https:// URL with a host (like https://management.azure.com)"
    if not value.isprintable() or " " in value:
        raise ValueError(rule)
    try:
        url = urllib.parse.urlsplit(value)
        port_ = url.port
    except ValueError:
        raise ValueError(rule) from None
    if url.scheme != "https" or not url.hostname or url.username or url.query or url.fragment:
        raise ValueError(rule)
    if port_ is not None and not 1 <= port_ <= 65535:
        raise ValueError(rule)
    return value.rstrip("/")


# Longest secret accepted: an AAD access token with many group claims stays well under this.
MAX_SECRET = 16_384


def arm_token(env: Mapping[str, str]) -> str | None:
    """NETCHECK_ARM_TOKEN, when set, checked as a header value (UsageError if unusable)."""
    token = env.get("NETCHECK_ARM_TOKEN") or None
    try:
        return None if token is None else secret(token, "NETCHECK_ARM_TOKEN")
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def secret(value: str, what: str) -> str:
    """A token or key to send in an HTTP header: Latin-1 text without controls (CR/LF would split the
    header), of a sane length. The message never repeats the value."""
    if len(value) > MAX_SECRET:
        raise ValueError(f"{what} is {len(value)} characters long (at most {MAX_SECRET})")
    if not value.isascii() and not all(ord(c) < 0x100 for c in value):
        raise ValueError(f"{what} holds characters an HTTP header can't carry (not Latin-1)")
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise ValueError(f"{what} holds control characters (a line break?)")
    return value


def resource_id(value: str) -> str:
    if not _RESOURCE_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not an Azure resource id (/subscriptions/.../providers/...)")
    return value


def option(fn: Callable[[str], Any]) -> Callable[[str], Any]:
    """One of these rules as an argparse `type`: its ValueError becomes argparse's message, which names the option."""

    def parse(value: str) -> Any:
        try:
            return fn(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = fn.__name__
    return parse
