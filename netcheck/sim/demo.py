"""What the simulator offers the CLI for `netcheck demo` and `netcheck sim serve`: the shipped scenarios,
which options a scenario may set, and how to point a check or other tools at a running simulator.

The CLI owns parsing, running and exiting; nothing here imports it.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from typing import Any

from netcheck.azure.versions import ML_API_VERSION
from netcheck.sim import scenario as sc
from netcheck.sim.server import Simulator

# The simulator's scoring front end takes any key: this one is not a secret, just a stand-in.
DEMO_SCORE_KEY = "sim-demo-key"

# What a scenario's `options:` may set (argparse dests): options that change what is checked or how long
# it waits, never where netcheck's traffic goes or what it reads and writes. A scenario is data someone
# may hand you; running it must keep netcheck on the simulator and write nothing.
SCENARIO_OPTIONS = frozenset({
    "endpoints", "only", "skip", "timeout", "strict", "score", "request_id", "deployment", "dns_rounds",
    "dns_spacing", "hosts", "vnet_cidrs", "no_azure",
})
# These may name loopback addresses only (the simulator's own servers).
SCENARIO_LOOPBACK_OPTIONS = frozenset({"resolver", "azure_dns", "dns_servers", "connect_to"})


def scenario_list() -> list[tuple[str, str]]:
    """(name, summary) of every shipped scenario, by name."""
    return [(name, sc.load(name).summary) for name in sorted(sc.shipped())]


def _addresses(dest: str, value: Any) -> Iterable[str]:
    if dest == "connect_to":
        return [dest_addr for _, (dest_addr, _p) in value]
    if dest == "dns_servers":
        return [addr for addr, _ in value]
    return [value[0]]


_DNS_LABELS = {"azure": "Azure DNS of the VNet", "public": "public DNS"}


def refused_options(changed: Mapping[str, Any]) -> list[str]:
    """The options (dests) among `changed` that a scenario may not set."""
    bad = []
    for dest, value in changed.items():
        if dest in SCENARIO_LOOPBACK_OPTIONS:
            if not all(ipaddress.ip_address(a).is_loopback for a in _addresses(dest, value)):
                bad.append(dest)
        elif dest not in SCENARIO_OPTIONS:
            bad.append(dest)
    return bad


def demo_env(env: Mapping[str, str], score_key_given: bool) -> dict[str, str]:
    """The environment a demo's settings are read from: the scenario's target, not az's defaults."""
    out = {k: v for k, v in env.items() if k != "AZURE_SUBSCRIPTION_ID"}
    out["AZURE_CONFIG_DIR"] = os.devnull
    if not score_key_given:
        out.setdefault("NETCHECK_SCORE_KEY", DEMO_SCORE_KEY)
    return out


def how_to_reach(sim: Simulator) -> str:
    """What `netcheck sim serve` prints: where each server listens and command lines that use them."""
    o = sim.overrides()
    s = sim.scenario
    routes = " ".join(f"--connect-to {h}:{p}:{a}:{q}" for (h, p), (a, q) in o["connect_to"])
    r, az = o["resolver"], o["azure_dns"]
    return "\n".join([
        f"netcheck simulator: scenario {s.name} ({s.summary})",
        f"ARM: {o['arm_endpoint']} (CA bundle {o['ca_bundle']})",
        f"system resolver: {r[0]}:{r[1]}; Azure DNS: {az[0]}:{az[1]}",
        "", "point netcheck at it:",
        f"  NETCHECK_ARM_TOKEN={o['arm_token']} netcheck -s {o['subscription']} -g {o['resource_group']} "
        f"-w {o['workspace']} --arm-endpoint {o['arm_endpoint']} --ca-bundle {o['ca_bundle']} "
        f"--resolver {r[0]}:{r[1]} --azure-dns {az[0]}:{az[1]} {routes}",
        "", "or other tools:",
        f"  curl --cacert {o['ca_bundle']} -H 'Authorization: Bearer {o['arm_token']}' "
        f"'{o['arm_endpoint']}/subscriptions/{o['subscription']}/resourceGroups/{o['resource_group']}"
        f"/providers/Microsoft.MachineLearningServices/workspaces/{o['workspace']}?api-version={ML_API_VERSION}'",
        f"  dig @{r[0]} -p {r[1]} <name>",
        f"  openssl s_client -connect 127.0.0.1:{sim.ports['tls']} -servername <scoring host> "
        f"-CAfile {o['ca_bundle']}",
        # Azure DNS, the internet's, each custom server and inbound endpoint
        *(f"  dig @127.0.0.1 -p {port} <name>    # {_DNS_LABELS.get(key[4:], f'the server at {key[4:]}')}"
          for key, port in sim.ports.items() if key.startswith("dns:")),
        "", "Ctrl-C stops it.",
    ])
