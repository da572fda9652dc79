"""What each key of a scenario file may hold: a test per field, and what to call a value that fails it."""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable
from typing import Any

from netcheck import validate
from netcheck.clouds import CLOUDS
from netcheck.sim.patching import fail as _fail
from netcheck.sim.patching import mapping as _mapping

# What a field may hold: a test, and what to call it when a value fails the test.
Rule = tuple[Callable[[Any], bool], str]


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_ip(v: Any) -> bool:
    try:
        return isinstance(v, str) and bool(validate.ip(v))
    except ValueError:
        return False


def one_of(*choices: str) -> Rule:
    return (lambda v: v in choices, " or ".join(choices))


BOOL: Rule = (lambda v: isinstance(v, bool), "true or false")
NUMBER: Rule = (lambda v: (is_int(v) or isinstance(v, float)) and math.isfinite(v), "a number")
DAYS: Rule = (lambda v: NUMBER[0](v) and abs(v) <= 36500, "a number of days (-36500 to 36500)")
COUNT: Rule = (lambda v: is_int(v) and v >= 1, "a whole number, 1 or more")
STATUS: Rule = (lambda v: is_int(v) and 100 <= v <= 599, "an HTTP status (100-599)")
TEXT: Rule = (lambda v: isinstance(v, str), "a string")
MAPPING: Rule = (lambda v: isinstance(v, dict), "a mapping")
ANY: Rule = (lambda v: True, "")
IPS: Rule = (lambda v: isinstance(v, list) and all(is_ip(x) for x in v), "a list of IP addresses")
ZONES: Rule = (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of zone names")

PORT: Rule = (lambda v: is_int(v) and 1 <= v <= 65535, "a port (1-65535)")


def is_cidr(v: Any) -> bool:
    try:
        return isinstance(v, str) and bool(validate.cidr(v))
    except ValueError:
        return False


CIDR: Rule = (is_cidr, "an address or CIDR, like 10.20.1.0/24")
FAULT = {"request": TEXT, "status": STATUS, "retry_after": NUMBER, "times": COUNT, "delay_ms": NUMBER,
          "message": TEXT, "body": one_of("truncated"),
          "next_link": one_of("repeat", "endless", "garbage", "http", "foreign", "404")}
TLS = {"expires_in_days": DAYS, "not_before_days": DAYS, "wrong_host": BOOL, "untrusted": BOOL,
        "weak_key": BOOL, "omit_intermediate": BOOL, "tcp": one_of("blackhole", "refused"),
        "side": one_of("public", "private"),
        "score": MAPPING, "http": MAPPING}
SCORE = {"status": STATUS, "headers": MAPPING, "body": ANY}
HTTP = {"swagger_status": STATUS}
# A forwarder target: azure (Azure DNS of the server's VNet, also 168.63.129.16), public or root-hints (the
# internet), or the address of another simulated server (a custom server, a resolver's inbound endpoint).
TARGET: Rule = (lambda v: v in ("azure", "public", "root-hints") or is_ip(v), "azure, public, root-hints or an IP")
FORWARD: Rule = (lambda v: ZONES[0](v) or (isinstance(v, dict) and all(
    isinstance(k, str) and TARGET[0](t) for k, t in v.items())), "a list of zones, or zone: target")
DNS_SERVER = {"forward": FORWARD, "to": TARGET, "default": TARGET, "cname": one_of("whole-answer", "chase"),
               "down": BOOL, "flapping": MAPPING}
FLAPPING = {"names": ZONES, "pattern": one_of("alternate", "every-nth", "random"), "n": COUNT,
             "seed": (is_int, "a whole number"), "p": (lambda v: isinstance(v, float) and 0 < v < 1,
                                                        "a probability between 0 and 1"), "other": TARGET}
EXPECT = {"verdict": TEXT, "cause": (lambda v: isinstance(v, str) and "." in v, "a probe id or probe@subject"),
           "fix_mentions": (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "a list of strings")}
PUBLIC_NAME = {"a": IPS, "cname": TEXT, "nxdomain": BOOL}
LATENCY = {"arm": NUMBER, "dns": NUMBER, "tls": NUMBER, "imds": NUMBER}
# Resource Graph (sim/resourcegraph.py): management group -> subscription ids, the tenant subscription limit, the quota.
# fleet: the scenario is a fleet, which `netcheck demo` checks as `netcheck fleet` does.
RESOURCE_GRAPH = {"management_groups": MAPPING, "subscription_limit": COUNT, "quota": COUNT, "window_s": NUMBER,
                   "fleet": BOOL}
# blackhole: a flow the network drops (an NSG or a route to nowhere), from one source (a VNet id, or
# `internet` for a machine outside Azure; omitted: from anywhere)
BLACKHOLE = {"from": TEXT, "to": CIDR, "port": PORT}
REPR = reprlib.Repr()
REPR.maxstring = REPR.maxother = 60   # a value in a message stays short, however big (or aliased) it is
show = REPR.repr
NAMES: Rule = (lambda v: isinstance(v, list) and all(isinstance(x, str) and x for x in v), "a list of names")
TARGET_FIELDS = {"subscription": TEXT, "resource_group": TEXT, "workspace": TEXT, "endpoints": NAMES,
                  "cloud": (lambda v: isinstance(v, str) and v in CLOUDS, "a cloud: " + ", ".join(sorted(CLOUDS)))}


def fields(source: str, path: str, value: Any, rules: dict[str, Rule]) -> dict[str, Any]:
    """A mapping whose every key is known and every value passes its rule."""
    m = _mapping(source, path, value)
    for key, v in m.items():
        if key not in rules:
            raise _fail(source, f"{path}.{key}", f"unknown key (known: {', '.join(sorted(rules))})")
        test, what = rules[key]
        if not test(v):
            raise _fail(source, f"{path}.{key}", f"{show(v)} is not {what}")
    return m


def ms(source: str, path: str, value: Any) -> float:
    try:
        return validate.milliseconds(str(value))
    except ValueError as exc:
        raise _fail(source, path, str(exc)) from None
