"""The fleet's per-subscription pacing: ARM's read bucket per subscription, refilled at its rate; and which zone
group reads the fleet starts while Resource Graph still pages."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from netcheck.fleetarm import Early, FleetArm, Pacer


def test_each_subscription_has_its_own_bucket_and_waits_only_when_it_is_empty() -> None:
    now = [0.0]
    pacer = Pacer(size=2, rate=100.0, clock=lambda: now[0])

    async def take(sub: str, n: int) -> None:
        for _ in range(n):
            await pacer.take(sub)

    asyncio.run(take("a", 2))
    assert pacer.waited_s == 0   # a full bucket: no wait
    asyncio.run(take("b", 2))
    assert pacer.waited_s == 0   # another subscription's bucket is its own
    asyncio.run(take("a", 1))
    assert abs(pacer.waited_s - 0.01) < 1e-9   # empty: one token at 100 a second is 10 ms away


def test_the_bucket_refills_with_time_up_to_its_size() -> None:
    now = [0.0]
    pacer = Pacer(size=3, rate=1.0, clock=lambda: now[0])

    async def take(n: int) -> None:
        for _ in range(n):
            await pacer.take("a")

    asyncio.run(take(3))
    now[0] = 100.0   # long enough to refill many times over: still only `size` tokens
    asyncio.run(take(3))
    assert pacer.waited_s == 0


def _row(rid: str, type_: str, **props: object) -> dict[str, object]:
    return {"id": rid, "name": rid.rsplit("/", 1)[-1], "type": type_, "location": "eastus", "properties": props}


def _conn(owner: str, pe: str) -> dict[str, object]:
    return {"id": f"{owner}/privateEndpointConnections/{pe.rsplit('/', 1)[-1]}", "properties": {
        "privateEndpoint": {"id": pe}, "privateLinkServiceConnectionState": {"status": "Approved"}}}


def test_early_zone_group_reads_start_once_an_endpoints_row_and_an_owners_connection_have_come() -> None:
    """Whatever order the pages come in: a workspace's and its registry's endpoints, not another resource's."""
    rg = "/subscriptions/s1/resourceGroups/rg/providers"
    ws, acr, other = (f"{rg}/Microsoft.MachineLearningServices/workspaces/ws", f"{rg}/Microsoft.ContainerRegistry/"
                      "registries/acr", f"{rg}/Microsoft.Storage/storageAccounts/unrelated")
    pe = {n: f"{rg}/Microsoft.Network/privateEndpoints/{n}" for n in ("PE-ws", "pe-acr", "pe-other")}
    started: list[str] = []
    early = Early(started.append)
    early.rows("workspace_side", [_row(p, "microsoft.network/privateendpoints") for p in pe.values()] + [
        _row(acr, "microsoft.containerregistry/registries", privateEndpointConnections=[_conn(acr, pe["pe-acr"])]),
        _row(other, "microsoft.storage/storageaccounts", privateEndpointConnections=[_conn(other, pe["pe-other"])])])
    assert started == []   # no workspace yet: nothing of these is known to be needed
    early.rows("workspaces", [_row(ws, "microsoft.machinelearningservices/workspaces", containerRegistry=acr,
                                   privateEndpointConnections=[_conn(ws, pe["PE-ws"].lower())])])
    assert sorted(started) == sorted(f"{pe[n]}/privateDnsZoneGroups" for n in ("PE-ws", "pe-acr"))   # as rows spell them
    early.rows("workspace_side", [_row(pe["PE-ws"], "microsoft.network/privateendpoints")])
    assert len(started) == 2   # each once


def test_early_reads_skip_any_number_of_paths_workspaces_started_first_and_none_start_after_close() -> None:
    """Thousands of queued endpoints whose workspaces read them first are passed over in one go (a loop, not a
    recursion as deep as the queue), and a closed run starts no more early reads."""
    async def scenario() -> tuple[int, int, list[str], list[Any]]:
        loop, errors = asyncio.get_running_loop(), list[Any]()
        loop.set_exception_handler(lambda _, context: errors.append(context.get("exception")))
        gates: dict[str, asyncio.Event] = {}

        async def items(path: str) -> list[dict[str, Any]]:
            await gates.setdefault(path, asyncio.Event()).wait()
            return []

        arm = FleetArm(cast(Any, None), concurrency=4)
        arm.items = items   # type: ignore[method-assign]
        paths = [f"/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/privateEndpoints/pe{i}"
                 f"/privateDnsZoneGroups" for i in range(5000)]
        for p in paths:
            arm.early.start(p)
        first = [p for p in paths if p.lower() in arm.reader.tasks]
        for p in paths[4:]:
            arm.zone_groups(p)   # the workspaces' own reads start the rest first
        gates.setdefault(first[0], asyncio.Event()).set()
        await asyncio.sleep(0.05)
        waiting = len(arm._waiting)
        arm.close()
        arm.early.start(paths[0] + "-late")
        started_late = [p for p in arm.reader.tasks if p.endswith("-late")]
        for g in gates.values():
            g.set()
        await asyncio.wait_for(asyncio.gather(*arm.reader.tasks.values()), 20)
        return len(first), waiting, started_late, errors

    first, waiting, late, errors = asyncio.run(scenario())
    assert (first, waiting, late, errors) == (4, 0, [], [])
