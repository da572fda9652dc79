"""Scenario files (`scenario: 1`): load, validate with the file and key path in every message."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from netcheck.model import Verdict
from netcheck.sim import armshape, yamlsafe
from netcheck.sim import scenariorules as rules
from netcheck.sim.patching import ScenarioError, patched
from netcheck.sim.patching import as_list as _list
from netcheck.sim.patching import fail as _fail
from netcheck.sim.patching import mapping as _mapping

__all__ = ["Fault", "Scenario", "ScenarioError", "load", "parse", "shipped"]

_ID = re.compile(r"^/subscriptions/[^/]+/(resourceGroups/[^/]+/)?providers/[^/]+/[^/]+/[^/]+(/[^/]+/[^/]+)*$",
                 re.IGNORECASE)
_TOP = {"scenario", "name", "summary", "where", "arm", "public_dns", "dns_servers", "tls", "faults", "expect",
        "latency_ms", "target", "page_size", "options", "base", "patch", "blackhole", "resource_graph"}

@dataclass(frozen=True)
class Fault:
    request: str
    status: int | None = None
    retry_after: float | None = None
    times: int | None = None
    delay_ms: float = 0
    message: str | None = None   # the error body's message, instead of ARM's usual one
    body: str | None = None        # truncated: the answer breaks off half-way
    next_link: str | None = None   # a list page's nextLink: repeat, endless, garbage, http, foreign or 404


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    source: str
    arm: tuple[dict[str, Any], ...]
    where_vm: str | None = None
    where_resolver: str | None = None   # the machine's resolver, when it is not its VNet's DNS (a dns_servers key)
    public_dns: dict[str, dict[str, Any]] = field(default_factory=dict)
    dns_servers: dict[str, dict[str, Any]] = field(default_factory=dict)
    tls: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: tuple[Fault, ...] = ()
    expect: dict[str, Verdict] = field(default_factory=dict)
    # the long form {verdict, cause, fix_mentions}: the root cause (probe@subject) and words the fix must hold
    expect_cause: dict[str, str] = field(default_factory=dict)
    expect_fix: dict[str, tuple[str, ...]] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)
    target: dict[str, Any] = field(default_factory=dict)
    page_size: int = 2
    options: tuple[str, ...] = ()   # extra command-line options the scenario is meant to run with
    blackhole: tuple[dict[str, Any], ...] = ()
    resource_graph: dict[str, Any] = field(default_factory=dict)


def parse(data: Any, source: str) -> Scenario:
    if not isinstance(data, dict):
        raise _fail(source, "(top)", "a scenario is a YAML mapping")
    if data.get("scenario") != 1:
        raise _fail(source, "scenario", "must be 1 (the format version)")
    if unknown := set(data) - _TOP:
        raise _fail(source, sorted(unknown)[0], f"unknown key (known: {', '.join(sorted(_TOP))})")
    for key in ("name", "summary"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _fail(source, key, "required, a non-empty string")
    arm = data.get("arm")
    if not isinstance(arm, list):
        raise _fail(source, "arm", "required, a list of ARM resources")
    ids: set[str] = set()
    for i, res in enumerate(arm):
        path = f"arm[{i}]"
        if not isinstance(res, dict):
            raise _fail(source, path, "must be a mapping (an ARM resource)")
        rid = res.get("id")
        if not isinstance(rid, str) or not _ID.match(rid):
            raise _fail(source, f"{path}.id", f"{rules.show(rid)} is not an ARM resource id")
        if not isinstance(res.get("type"), str) or res["type"].count("/") < 1:
            raise _fail(source, f"{path}.type", "required, like Microsoft.Network/privateEndpoints")
        if "properties" in res and not isinstance(res["properties"], dict):
            raise _fail(source, f"{path}.properties", "must be a mapping")
        if rid.lower() in ids:
            raise _fail(source, f"{path}.id", f"duplicate resource {rid}")
        if problem := armshape.check(res):
            raise _fail(source, f"{path}.{problem[0]}", problem[1])
        ids.add(rid.lower())
    where = _mapping(source, "where", data.get("where"))
    vm = where.get("vm")
    if where and (not isinstance(vm, str) or vm.lower() not in ids):
        raise _fail(source, "where.vm", f"{rules.show(vm)} must be the id of a VM among the arm resources")
    rules.fields(source, "where", where, {"vm": rules.TEXT, "resolver": rules.TEXT})
    resolver = where.get("resolver")
    tls = _mapping(source, "tls", data.get("tls"))
    for host, opts in tls.items():
        opts = rules.fields(source, f"tls.{host}", opts, rules.TLS)
        rules.fields(source, f"tls.{host}.score", opts.get("score"), rules.SCORE)
        rules.fields(source, f"tls.{host}.http", opts.get("http"), rules.HTTP)
    servers = _mapping(source, "dns_servers", data.get("dns_servers"))
    for addr, opts in servers.items():
        if not rules.is_ip(addr):
            raise _fail(source, f"dns_servers.{addr}", "must be keyed by the server's IP address")
        opts = rules.fields(source, f"dns_servers.{addr}", opts, rules.DNS_SERVER)
        if not set(opts) & {"forward", "default", "down", "flapping"}:
            raise _fail(source, f"dns_servers.{addr}", "needs forward: [zones], default: TARGET, down: true "
                        "or flapping: {...}")
        rules.fields(source, f"dns_servers.{addr}.flapping", opts.get("flapping"), rules.FLAPPING)
    public_dns = _mapping(source, "public_dns", data.get("public_dns"))
    for name, entry in public_dns.items():
        rules.fields(source, f"public_dns.{name}", entry, rules.PUBLIC_NAME)
    faults = []
    for i, f in enumerate(_list(source, "faults", data.get("faults"))):
        f = rules.fields(source, f"faults[{i}]", f, rules.FAULT)
        if " " not in f.get("request", ""):
            raise _fail(source, f"faults[{i}].request", "required, like 'GET */privateEndpointConnections*'")
        faults.append(Fault(f["request"], f.get("status"), f.get("retry_after"), f.get("times"),
                            rules.ms(source, f"faults[{i}].delay_ms", f.get("delay_ms", 0)), f.get("message"),
                            f.get("body"), f.get("next_link")))
    expect: dict[str, Verdict] = {}
    causes: dict[str, str] = {}
    fixes: dict[str, tuple[str, ...]] = {}
    for key, value in _mapping(source, "expect", data.get("expect")).items():
        if isinstance(value, dict):
            long = rules.fields(source, f"expect.{key}", value, rules.EXPECT)
            value = long.get("verdict")
            if "cause" in long:
                causes[str(key)] = long["cause"]
            if "fix_mentions" in long:
                fixes[str(key)] = tuple(long["fix_mentions"])
        try:
            expect[str(key)] = Verdict(value)
        except (ValueError, TypeError):
            raise _fail(source, f"expect.{key}",
                        f"{rules.show(value)} is not a verdict (pass, warn, fail, error, skip)") from None
    latency = {k: rules.ms(source, f"latency_ms.{k}", v)
               for k, v in rules.fields(source, "latency_ms", data.get("latency_ms"), rules.LATENCY).items()}
    page_size = data.get("page_size", 2)
    if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
        raise _fail(source, "page_size", f"{rules.show(page_size)} is not a page size (a whole number, 1 or more)")
    blackhole = [rules.fields(source, f"blackhole[{i}]", rule, rules.BLACKHOLE)
                 for i, rule in enumerate(_list(source, "blackhole", data.get("blackhole")))]
    for i, rule in enumerate(blackhole):
        if "to" not in rule:
            raise _fail(source, f"blackhole[{i}].to", "required, the address or CIDR whose traffic is dropped")
    options = data.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise _fail(source, "options", "must be a list of command-line options")
    return Scenario(
        name=data["name"], summary=data["summary"], source=source, arm=tuple(arm), where_vm=vm,
        where_resolver=str(resolver) if resolver else None,
        public_dns=public_dns, dns_servers=servers, tls=tls,
        faults=tuple(faults), expect=expect, expect_cause=causes, expect_fix=fixes, latency_ms=latency,
        target=rules.fields(source, "target", data.get("target"), rules.TARGET_FIELDS), page_size=page_size,
        options=tuple(options), blackhole=tuple(blackhole),
        resource_graph=rules.fields(source, "resource_graph", data.get("resource_graph"), rules.RESOURCE_GRAPH))


def _generated(name: str) -> Any | None:
    """Scenarios made by code (too large to ship as YAML): their data, or None."""
    from netcheck.sim import fleet

    if name in fleet.GENERATED:
        return fleet.scenario(name)
    return None


def _read(name_or_path: str) -> tuple[Any, str]:
    path = Path(name_or_path)
    if (data := _generated(name_or_path)) is not None:
        return data, f"scenario {name_or_path}"
    if name_or_path in shipped():
        text = resources.files("netcheck.sim").joinpath("scenarios", shipped()[name_or_path]).read_text("utf-8")
        source = f"scenario {name_or_path}"
    elif path.suffix in (".yaml", ".yml") or path.exists():
        try:
            with path.open("rb") as f:   # bounded: /dev/zero or a huge file is refused, not read whole
                raw = f.read(yamlsafe.MAX_BYTES + 1)
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{path}: cannot read: {exc}") from None
        source = str(path)
    else:
        raise ScenarioError(f"{name_or_path!r} is neither a shipped scenario nor a YAML file "
                            f"(see `netcheck demo --list`)")
    try:
        return yamlsafe.load(text), source
    except yamlsafe.YamlError as exc:
        raise ScenarioError(f"{source}: {exc}") from None


def shipped() -> dict[str, str]:
    """Shipped scenario names -> file names."""
    folder = resources.files("netcheck.sim").joinpath("scenarios")
    return {Path(f.name).stem: f.name for f in folder.iterdir() if f.name.endswith(".yaml")}


def load(name_or_path: str) -> Scenario:
    data, source = _read(name_or_path)
    if isinstance(data, dict):
        data = patched(data, source, _read)
    return parse(data, source)
