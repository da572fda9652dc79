"""`scripts/bench fleet`: the generated 200-workspace fleet against one workspace's check, both with the same
latency injected into every ARM request, Resource Graph query, DNS query and TLS handshake (default 80 ms).

Prints the four figures and the ratio: wall time fleet / single (at most 3), the most ARM requests the
simulator saw in flight (at most --arm-concurrency), Resource Graph queries and ARM requests per workspace,
and the peak RSS (netcheck's and the simulator's, each in its own process as Azure is, together: under 300 MB).

The fleet's floor is its ARM reads one bound-full at a time: fleet-200's 1,060 reads (1,000 of them private
endpoints' DNS zone groups, which Resource Graph doesn't hold) x 80 ms / 16 in flight = 5.3 s, against one
check's ~2.2 s critical path: a ratio of ~2.4 at best. Last figures on an idle 2-core machine: fleet-200
6.4-6.6 s, one check 2.2-2.35 s, ratio 2.7-2.9 (2.6-2.85 beside other test runs); 16 in flight; 0.04 Resource
Graph requests and 5.3 ARM requests per workspace; peak RSS ~210 MB.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from netcheck.app import check
from netcheck.cli import run_async
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


def _serve(conn: Connection) -> None:
    """The simulator in its own process, as Azure is: its CPU doesn't compete with netcheck's for one GIL.
    Sends the settings of a fleet run and of one workspace's check, then, when told the run is over, its counts."""
    with Simulator(load(NAME), LATENCY_MS) as sim:
        rid = next(r["id"] for r in sim.scenario.arm if r["type"] == gen.ML and r.get("kind") != "FeatureStore")
        one = Settings(subscription=rid.split("/")[2], resource_group=rid.split("/")[4], workspace=rid.split("/")[-1])
        conn.send({"fleet": sim.settings(Settings()), "single": sim.settings(one)})
        conn.recv()
        arm = sim.arm
        conn.send((arm.max_in_flight, len(arm.resource_graph.queries), sum(1 for r in arm.requests if r.method == "GET")))


def against_simulator(kind: str, run: Callable[[Settings], Any]) -> tuple[float, Any, tuple[int, int, int]]:
    """Wall time of `run(settings)` (settings for `kind`: fleet or single) against a fresh simulator in its own
    process, and what the simulator counted."""
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(target=_serve, args=(theirs,))
    server.start()
    settings = ours.recv()[kind]
    t0 = time.monotonic()
    result = run(settings)
    wall = time.monotonic() - t0
    ours.send("over")
    counts = ours.recv()
    server.join()
    return wall, result, counts


def single() -> float:
    """One workspace of the fleet, checked alone (`netcheck -s -g -w`), all its stages. Both runs in the CLI's event
    loop runner (asyncio.run's SIGINT handling reprs the finished task, a whole fleet's reports, on Python 3.11)."""
    return against_simulator("single", lambda settings: run_async(check(settings, CATALOG)))[0]


def fleet() -> tuple[float, int, int, int, int, str]:
    wall, report, (in_flight, queries, arm) = against_simulator(
        "fleet", lambda settings: run_async(run_fleet(settings, Options(arm_concurrency=BOUND), CATALOG)))
    verdict = f"{report.verdict.value}, {report.figures['resource_graph_queries']} queries"
    return wall, in_flight, queries, arm, len(report.workspaces), verdict


def main() -> int:
    single()   # warm-up: the first check in a process also pays for importing the SDKs
    one = single()
    wall, in_flight, queries, arm, n, verdict = fleet()
    peaks = (resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    rss_mb = sum(peaks) / 1024   # netcheck's peak and the simulator's (its process has ended)
    print(f"latency {LATENCY_MS:g} ms per ARM request, Resource Graph query, DNS query and TLS handshake; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a busy machine stretches every request of the fleet's "
          f"many: it raises the ratio); the fleet's floor, its ARM reads {BOUND} at a time: "
          f"{arm * LATENCY_MS / 1000 / BOUND:.2f} s")
    print(f"1. wall time: {NAME} ({n} workspaces, {verdict}) {wall:.2f} s; one workspace's check {one:.2f} s; "
          f"ratio {wall / one:.2f} (bound 3)")
    print(f"2. ARM requests in flight at most: {in_flight} (bound {BOUND})")
    print(f"3. per workspace: {queries / n:.3f} Resource Graph requests ({queries} pages in all), "
          f"{arm / n:.2f} ARM requests ({arm} in all)")
    print(f"4. peak RSS: {rss_mb:.0f} MB (netcheck and the simulator, each in its own process, together; bound 300)")
    ok = wall / one <= 3 and in_flight <= BOUND and rss_mb < 300
    print("within bounds" if ok else "OUT OF BOUNDS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
