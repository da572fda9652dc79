"""`netcheck demo` and `netcheck sim serve`: the check, or just the simulator, for a scenario."""

from __future__ import annotations

import argparse
import contextlib
import os
import threading
from collections.abc import Mapping

from netcheck.settings import Settings
from netcheck.sim import scenario as sc
from netcheck.sim.server import Simulator


def _load(name: str) -> sc.Scenario:
    from netcheck.cli import UsageError

    try:
        return sc.load(name)
    except sc.ScenarioError as exc:
        raise UsageError(f"argument scenario: {exc}") from None


def list_scenarios() -> int:
    names = sorted(sc.shipped())
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {_load(name).summary}")
    return 0


# The simulator's scoring front end takes any key: this one is not a secret, just a stand-in.
DEMO_SCORE_KEY = "sim-demo-key"


def apply_options(args: argparse.Namespace, scenario: sc.Scenario) -> argparse.Namespace:
    """Add the options a scenario is meant to run with, where the user did not say otherwise."""
    if scenario.options:
        from netcheck.cli import build_parser

        meant = build_parser("demo").parse_args([args.scenario, *scenario.options])
        for key, value in vars(meant).items():
            if value and not getattr(args, key, None):
                setattr(args, key, value)
    return args


def scenario_settings(sim: Simulator, args: argparse.Namespace, env: Mapping[str, str]) -> Settings:
    """The check's settings for a demo run: the user's options, pointed at the simulator."""
    from netcheck.cli import settings_from

    t = sim.target()
    for attr in ("subscription", "resource_group", "workspace"):
        if not getattr(args, attr, None):
            setattr(args, attr, t.get(attr))
    env = {k: v for k, v in env.items() if k != "AZURE_SUBSCRIPTION_ID"}
    env["AZURE_CONFIG_DIR"] = os.devnull   # the demo's target is the scenario's, not az's defaults
    if args.score and not args.score_key_file:
        env.setdefault("NETCHECK_SCORE_KEY", DEMO_SCORE_KEY)
    return sim.settings(settings_from(args, env))


def demo(args: argparse.Namespace) -> int:
    from netcheck.cli import run_check

    if args.list:
        return list_scenarios()
    scenario = _load(args.scenario)
    apply_options(args, scenario)
    with Simulator(scenario, args.latency) as sim:
        return run_check(scenario_settings(sim, args, os.environ), args)


def _print_crash(text: str) -> None:
    import sys

    print(f"netcheck simulator: a server raised (a simulator bug): {text}", file=sys.stderr, flush=True)


def serve(args: argparse.Namespace) -> int:
    from netcheck.sim.crashes import SimulatorCrash

    scenario = _load(args.scenario)
    try:
        return _serve(scenario, args)
    except SimulatorCrash:
        return 1   # each traceback was printed as it happened


def _serve(scenario: sc.Scenario, args: argparse.Namespace) -> int:
    with Simulator(scenario, args.latency, on_crash=_print_crash) as sim:
        o = sim.overrides()
        routes = " ".join(f"--connect-to {h}:{p}:{a}:{q}" for (h, p), (a, q) in o["connect_to"])
        print(f"netcheck simulator: scenario {scenario.name} ({scenario.summary})")
        print(f"ARM: {o['arm_endpoint']} (CA bundle {o['ca_bundle']})")
        print(f"system resolver: {o['resolver'][0]}:{o['resolver'][1]}; Azure DNS: "
              f"{o['azure_dns'][0]}:{o['azure_dns'][1]}")
        print("\npoint netcheck at it:")
        print(f"  NETCHECK_ARM_TOKEN={o['arm_token']} netcheck -s {o['subscription']} -g {o['resource_group']} "
              f"-w {o['workspace']} --arm-endpoint {o['arm_endpoint']} --ca-bundle {o['ca_bundle']} "
              f"--resolver {o['resolver'][0]}:{o['resolver'][1]} --azure-dns {o['azure_dns'][0]}:{o['azure_dns'][1]} "
              f"{routes}")
        print("\nor other tools:")
        print(f"  curl --cacert {o['ca_bundle']} -H 'Authorization: Bearer {o['arm_token']}' "
              f"'{o['arm_endpoint']}/subscriptions/{o['subscription']}/resourceGroups/{o['resource_group']}"
              f"/providers/Microsoft.MachineLearningServices/workspaces/{o['workspace']}?api-version=2025-12-01'")
        r = o["resolver"]
        print(f"  dig @{r[0]} -p {r[1]} <name>")
        print(f"  openssl s_client -connect 127.0.0.1:{sim.ports['tls']} -servername <scoring host> "
              f"-CAfile {o['ca_bundle']}")
        print("\nCtrl-C stops it.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0
