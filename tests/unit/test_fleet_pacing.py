"""The fleet's per-subscription pacing: ARM's read bucket per subscription, refilled at its rate."""

from __future__ import annotations

import asyncio

from netcheck.fleetarm import Pacer


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
