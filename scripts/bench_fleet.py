"""`scripts/bench fleet`: the generated 200-workspace fleet against one workspace's check, both with the same
latency injected into every ARM request, Resource Graph query, DNS query and TLS handshake (default 80 ms).

Prints the four figures and the ratio: wall time fleet / single (at most 3), the most ARM requests the
simulator saw in flight (at most --arm-concurrency), Resource Graph queries and ARM requests per workspace,
and the peak RSS (netcheck and the simulator together, one process: under 300 MB).
"""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import time

from netcheck.app import check
from netcheck.fleetarm import DEFAULT_ARM_CONCURRENCY
from netcheck.fleetrun import Options, run_fleet
from netcheck.probes import CATALOG
from netcheck.settings import Settings
from netcheck.sim import fleet as gen
from netcheck.sim.scenario import load
from netcheck.sim.server import Simulator

LATENCY_MS = float(os.environ.get("BENCH_LATENCY_MS", "80"))
NAME = sys.argv[1] if len(sys.argv) > 1 else gen.NAME
BOUND = DEFAULT_ARM_CONCURRENCY


def single() -> float:
    """One workspace of the fleet, checked alone (`netcheck -s -g -w`), all its stages."""
    with Simulator(load(NAME), LATENCY_MS) as sim:
        rid = next(r["id"] for r in sim.scenario.arm if r["type"] == gen.ML and r.get("kind") != "FeatureStore")
        target = Settings(subscription=rid.split("/")[2], resource_group=rid.split("/")[4], workspace=rid.split("/")[-1])
        settings = sim.settings(target)
        t0 = time.monotonic()
        asyncio.run(check(settings, CATALOG))
        return time.monotonic() - t0


def fleet() -> tuple[float, int, int, int, int, str]:
    with Simulator(load(NAME), LATENCY_MS) as sim:
        settings = sim.settings(Settings())
        t0 = time.monotonic()
        report = asyncio.run(run_fleet(settings, Options(arm_concurrency=BOUND), CATALOG))
        wall = time.monotonic() - t0
        queries = len(sim.arm.resource_graph.queries)
        arm = sum(1 for r in sim.arm.requests if r.method == "GET")
        verdict = f"{report.verdict.value}, {report.figures['resource_graph_queries']} queries"
        return wall, sim.arm.max_in_flight, queries, arm, len(report.workspaces), verdict


single()   # warm-up: the first check in a process also pays for importing the SDKs
one = single()
wall, in_flight, queries, arm, n, verdict = fleet()
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"latency {LATENCY_MS:g} ms per ARM request, Resource Graph query, DNS query and TLS handshake; load average "
      f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (the fleet is CPU-bound, one check latency-bound: a busy "
      "machine raises the ratio)")
print(f"1. wall time: {NAME} ({n} workspaces, {verdict}) {wall:.2f} s; one workspace's check {one:.2f} s; "
      f"ratio {wall / one:.2f} (bound 3)")
print(f"2. ARM requests in flight at most: {in_flight} (bound {BOUND})")
print(f"3. per workspace: {queries / n:.3f} Resource Graph requests ({queries} pages in all), "
      f"{arm / n:.2f} ARM requests ({arm} in all)")
print(f"4. peak RSS: {rss_mb:.0f} MB (netcheck and the simulator together; bound 300)")
ok = wall / one <= 3 and in_flight <= BOUND and rss_mb < 300
print("within bounds" if ok else "OUT OF BOUNDS")
sys.exit(0 if ok else 1)
