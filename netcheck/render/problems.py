"""The problems-first structure the HTML and Markdown reports share, built from the cleaned report data.

Each root cause becomes a Problem: the result, what breaks and who owns the change (netcheck.probes.impact),
the flows involved (client address -> private endpoint address:443, from the evidence), its fix from the
fix plan (or a pointer to the problem that already carries the same fix), and the consequences it explains.
Passes are summarised per probe. Everything here comes from `common.data()`, so every string is clean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netcheck.probes.impact import Impact, impact
from netcheck.render.common import stage_name


@dataclass(frozen=True)
class Problem:
    n: int
    result: dict[str, Any]
    impact: Impact
    flows: tuple[str, ...]
    fix: dict[str, Any] | None      # its fix plan step, when this problem is the step's first
    same_fix_as: int | None         # else the problem that carries the same fix
    consequences: tuple[dict[str, Any], ...]


_KINDS = {"registries": "registry", "vaults": "key vault", "storageAccounts": "storage account", "workspaces": "workspace"}


def anchor(result_id: str) -> str:
    """An HTML id / Markdown-safe fragment for a result: letters, digits and dashes only."""
    return "r-" + "".join(c if c.isalnum() and c.isascii() else "-" for c in result_id).strip("-").lower()


def _vnet(d: dict[str, Any]) -> str | None:
    vnet = d["where"]["vnet_id"]
    return str(vnet).rsplit("/", 1)[-1] if vnet else None


def flows(d: dict[str, Any], results: list[dict[str, Any]]) -> tuple[str, ...]:
    """Client address -> private endpoint address:443 for every host these results looked at."""
    client = d["where"]["private_ip"] or "this machine"
    out: list[str] = []
    for r in results:
        ev = r["evidence"]
        addrs = [str(a) for a in ev.get("expected") or [] if isinstance(a, str)]
        addrs += [f"{c['address']}" for c in ev.get("connections") or [] if isinstance(c, dict) and "address" in c]
        for a in dict.fromkeys(addrs):
            out.append(f"{client} → {r['subject']} {a}:443")
        pe, conn = ev.get("private_endpoint"), ev.get("connection")
        if isinstance(pe, str) and pe:   # a deployment's egress: its private endpoint to the resource's link
            parts = conn.split("/") if isinstance(conn, str) else []
            to = f"{_KINDS.get(parts[-4], parts[-4])} {parts[-3]}" if len(parts) > 4 else r["subject"]
            out.append(f"deployment egress → private endpoint {pe.rsplit('/', 1)[-1]} → {to}:443")
    return tuple(dict.fromkeys(out))


def _impact(d: dict[str, Any], results: list[dict[str, Any]]) -> Impact:
    """The root's owner; what breaks: the root's operation and every consequence's, each once."""
    each = [impact(r["probe"], r["subject"], cloud=d["target"]["cloud"], vnet=_vnet(d)) for r in results]
    return Impact("; ".join(dict.fromkeys(i.breaks for i in each)), each[0].owner)


def problems(d: dict[str, Any]) -> list[Problem]:
    by_id = {r["id"]: r for r in d["results"]}
    step_of = {rid: s for s in d["fix_plan"] for rid in s["resolves"]}
    first: dict[int, int] = {}   # fix plan step (by position) -> the problem that shows it
    out: list[Problem] = []
    for n, c in enumerate(d["root_causes"], 1):
        r = by_id[c["id"]]
        kids = [by_id[k] for k in c["explains"]]
        step = step_of.get(r["id"])
        key = None if step is None else d["fix_plan"].index(step)
        shown = key is not None and first.setdefault(key, n) == n
        out.append(Problem(n, r, _impact(d, [r, *kids]),
                           flows(d, [r, *kids]), step if shown else None,
                           None if shown or key is None else first[key], tuple(kids)))
    return out


def passes(d: dict[str, Any]) -> list[tuple[str, list[tuple[str, int, int]]]]:
    """Per stage: (probe, passes, results) for every probe, so a reader sees what was checked."""
    stages: dict[int, dict[str, list[int]]] = {}
    for r in d["results"]:
        counts = stages.setdefault(r["stage"], {}).setdefault(r["probe"], [0, 0])
        counts[0] += r["verdict"] == "pass"
        counts[1] += 1
    return [(stage_name(s), [(p, ok, n) for p, (ok, n) in probes.items()]) for s, probes in stages.items()]


def others(d: dict[str, Any]) -> list[dict[str, Any]]:
    """Results that are neither a pass nor part of a problem: warnings and skips that are not blocked."""
    in_problem = {c["id"] for c in d["root_causes"]} | {k for c in d["root_causes"] for k in c["explains"]}
    return [r for r in d["results"] if r["verdict"] != "pass" and r["id"] not in in_problem]
