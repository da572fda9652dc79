"""Reads into ARM: bounded, memoized, each failure recorded as a ReadError with its reason."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from netcheck.azure import facts as f
from netcheck.azure.errors import classify
from netcheck.azure.session import Session

T = TypeVar("T")


class Reader:
    """Bounded, memoized, failure-recording reads. A read gives its value, or None with a ReadError in
    `errors` under the resource (or list) path: a list is items, empty, or unreadable, never short."""

    def __init__(self, session: Session, limit: asyncio.Semaphore, workers: int) -> None:
        self.session = session
        self.limit = limit
        self.errors: dict[str, f.ReadError] = {}
        self.tasks: dict[str, asyncio.Task[Any]] = {}
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="arm")

    async def call(self, resource: str, fn: Callable[[], T]) -> T | None:
        """Run `fn` (a read, and the parsing of what it read) in a thread within the read's budget."""
        async with self.limit:
            budget = self.session.budget
            try:  # the transport's own timeouts end the thread soon after; this ends the wait on time
                return await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(self._pool, fn), budget)
            except Exception as exc:  # every failure becomes a ReadError with its reason
                self.fail(resource, exc)
                return None

    def get(self, path: str, parse_as: Callable[[dict[str, Any]], T],
            api_version: str | None = None) -> Coroutine[Any, Any, T | None]:
        """One resource, parsed in the read's thread (api-version: its provider's, unless given)."""
        arm = self.session.arm()
        return self.call(path, lambda: parse_as(arm.get(path, api_version)))

    def list(self, path: str, parse_as: Callable[[dict[str, Any]], T]) -> Coroutine[Any, Any, list[T] | None]:
        arm = self.session.arm()
        return self.call(path, lambda: [parse_as(item) for item in arm.list(path)])

    def fail(self, resource: str, exc: BaseException) -> None:
        self.errors.setdefault(resource, classify(resource, exc, self.session.budget))

    def parse(self, resource: str, fn: Callable[[], T]) -> T | None:
        """Parse what was read; a shape that doesn't fit is the resource's ReadError."""
        try:
            return fn()
        except Exception as exc:
            self.fail(resource, exc)
            return None

    def once(self, resource: str, make: Callable[[], Coroutine[Any, Any, T]]) -> asyncio.Task[T | None]:
        """Start the follow-up of a resource once (by its path, in any case)."""
        if resource.lower() not in self.tasks:
            self.tasks[resource.lower()] = asyncio.ensure_future(self._guarded(resource, make))
        return self.tasks[resource.lower()]

    async def _guarded(self, resource: str, make: Callable[[], Coroutine[Any, Any, T]]) -> T | None:
        try:   # a failure in a follow-up is that resource's error, never "Task exception was never retrieved"
            return await make()
        except Exception as exc:
            self.fail(resource, exc)
            return None

    async def settle(self) -> None:
        """Wait until every read, including those started by other reads, is done."""
        while pending := [t for t in self.tasks.values() if not t.done()]:
            await asyncio.gather(*pending)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
