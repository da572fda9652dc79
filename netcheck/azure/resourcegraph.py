"""Azure Resource Graph queries through azure-mgmt-resourcegraph: the one POST netcheck sends.

Per Microsoft's guidance for throttled requests: each query projects a string `id` and is ordered by it, so
`$skipToken` pages (1,000 rows) are stable; before a query, an exhausted `x-ms-user-quota-remaining` waits
out `x-ms-user-quota-resets-after`; a 429's Retry-After is waited out too, but only within the budget;
`x-ms-tenant-subscription-limit-hit` is reported, never hidden.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from netcheck.azure.errors import classify
from netcheck.azure.session import Session
from netcheck.azure.versions import GRAPH_API_VERSION

PAGE_ROWS = 1000
BUDGET_S = 60.0  # the whole query, pages and waits included
TRANSIENT = (429, 500, 502, 503, 504)
TRIES = 4  # a transient failure is retried this often per page, within the budget


class GraphError(Exception):
    """A query that failed: `reason` as ReadError's (throttled, forbidden, ...) or `invalid_query`."""

    def __init__(self, reason: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.reason, self.message, self.status = reason, message, status


@dataclass
class Result:
    rows: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    requests: int = 0  # pages plus retries
    subscription_limit_hit: bool = False
    waited_s: float = 0.0  # for the quota or a Retry-After


def _seconds(hms: str | None) -> float | None:
    """`hh:mm:ss` (x-ms-user-quota-resets-after) or plain seconds (Retry-After) -> seconds."""
    if not hms:
        return None
    try:
        if ":" in hms:
            h, m, s = hms.split(":")
            return int(h) * 3600 + int(m) * 60 + float(s)
        return float(hms)
    except ValueError:
        return None


def query_error(body: str) -> str | None:
    """Resource Graph's own words for a query that does not parse, in one line (None: not that error)."""
    try:
        error = json.loads(body).get("error") or {}
    except (ValueError, AttributeError):
        return None
    details = [d for d in error.get("details") or [] if isinstance(d, dict)]
    if not any(d.get("code") == "InvalidQuery" for d in details) and error.get("code") != "InvalidQuery":
        return None
    parts = [f"{d.get('code')}: {d.get('message')}" for d in details if d.get("code") == "InvalidQuery"]
    for d in details:
        if d.get("code") != "InvalidQuery":
            where = f" at line {d['line']}" if "line" in d else ""
            where += f", position {d['characterPositionInLine']}" if "characterPositionInLine" in d else ""
            parts.append(f"{d.get('code')}{where}" + (f" near {d['token']!r}" if "token" in d else ""))
    return "; ".join(parts) or f"{error.get('code')}: {error.get('message')}"


class Graph:
    """Resource Graph for one run: `query()` returns every row of a query over a scope."""

    def __init__(self, session: Session, budget: float = BUDGET_S, sleep: Callable[[float], None] | None = None) -> None:
        from azure.mgmt.resourcegraph import ResourceGraphClient

        kwargs = {**session.kwargs, "retry_total": 0}  # 429 and 5xx are retried here, within the budget
        self._client = ResourceGraphClient(session.credential, **kwargs)
        self.budget = budget
        self._cancel = threading.Event()
        self._sleep = sleep or self._pause
        self._quota: tuple[int, float, float] | None = None  # remaining, resets-after, when heard
        self._lock = threading.Lock()

    def _pause(self, seconds: float) -> None:
        self._cancel.wait(seconds)  # close() ends a wait at once

    def close(self) -> None:
        self._cancel.set()
        self._client.close()

    def query(self, text: str, subscriptions: Sequence[str] = (), management_groups: Sequence[str] = (),
              on_page: Callable[[list[dict[str, Any]]], object] | None = None) -> Result:
        """Every row; `on_page` is given each page's rows as they come (in this thread)."""
        deadline, result, token = time.monotonic() + self.budget, Result(), None
        while True:
            # the REST body the SDK's QueryRequest serializes to; the rows come back as the JSON objects sent
            options: dict[str, Any] = {"$top": PAGE_ROWS, "resultFormat": "objectArray", "allowPartialScopes": False}
            if token:
                options["$skipToken"] = token
            request: dict[str, Any] = {"query": text, "options": options}
            if subscriptions:
                request["subscriptions"] = list(subscriptions)
            if management_groups:
                request["managementGroups"] = list(management_groups)
            page, headers = self._page(request, deadline, result)
            result.pages += 1
            rows = page.get("data") or []
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise GraphError("malformed", "Resource Graph's 'data' is not a list of objects (resultFormat objectArray)")
            result.rows.extend(rows)
            if on_page:
                on_page(rows)
            result.subscription_limit_hit |= (headers.get("x-ms-tenant-subscription-limit-hit") or "").lower() == "true"
            token = page.get("$skipToken")
            if not token:
                return result

    def _wait(self, seconds: float, deadline: float, why: str, result: Result) -> None:
        if time.monotonic() + seconds > deadline:
            raise GraphError(
                "throttled", f"Resource Graph asked to wait {seconds:g} s ({why}), past the {self.budget:g} s budget", 429
            )
        self._sleep(seconds)
        result.waited_s += seconds

    def _page(self, request: dict[str, Any], deadline: float, result: Result) -> tuple[dict[str, Any], dict[str, str]]:
        from azure.core.exceptions import HttpResponseError

        for attempt in range(TRIES):
            with self._lock:
                quota = self._quota
            if quota and quota[0] <= 0:  # honour the quota before spending a query on a 429
                left = quota[1] - (time.monotonic() - quota[2])
                if left > 0:
                    self._wait(left, deadline, "user quota used up", result)
            result.requests += 1
            try:
                page, headers = self._send(request)
            except HttpResponseError as exc:
                status = exc.status_code or 0
                raw: Any = exc.response
                headers = {k.lower(): v for k, v in raw.headers.items()} if raw is not None else {}
                self._heard(headers)
                if status == 400 and exc.response is not None and (why := query_error(exc.response.text())):
                    raise GraphError("invalid_query", why, 400) from None
                if status not in TRANSIENT or attempt == TRIES - 1:
                    err = classify("Resource Graph", exc)
                    raise GraphError(err.reason, err.message, err.status) from None
                wait = _seconds(headers.get("retry-after")) or _seconds(headers.get("x-ms-user-quota-resets-after"))
                self._wait(wait if wait is not None else 0.5 * 2**attempt, deadline, f"HTTP {status}", result)
                continue
            except GraphError:
                raise
            except Exception as exc:  # transport failures become a reason, never a traceback
                err = classify("Resource Graph", exc, self.budget)
                raise GraphError(err.reason, err.message, err.status) from None
            self._heard(headers)
            return page, {k.lower(): v for k, v in headers.items()}
        raise AssertionError("unreachable")

    def _send(self, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """One page through the SDK client's pipeline (auth, headers, the read-only guard), its JSON parsed once:
        the SDK's model deserialisation of a thousand rows costs more than the query's latency."""
        from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError, map_error
        from azure.core.rest import HttpRequest
        from azure.mgmt.core.exceptions import ARMErrorFormat

        request = HttpRequest("POST", "/providers/Microsoft.ResourceGraph/resources", json=body,
                              params={"api-version": GRAPH_API_VERSION})
        response = self._client._send_request(request, stream=True)   # stream: the pipeline leaves the body unparsed
        try:
            response.read()
        finally:
            response.close()
        if response.status_code != 200:   # as the SDK's own operation maps them
            map_error(response.status_code, response, {401: ClientAuthenticationError, 404: ResourceNotFoundError})
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        try:
            page = json.loads(response.content)
        except ValueError as exc:
            raise GraphError("malformed", f"Resource Graph's answer is not JSON (cut off?): {exc}") from None
        if not isinstance(page, dict):
            raise GraphError("malformed", f"Resource Graph answered a JSON {type(page).__name__}, not an object")
        return page, dict(response.headers)

    def _heard(self, headers: dict[str, str]) -> None:
        low = {k.lower(): v for k, v in headers.items()}
        try:
            remaining = int(low["x-ms-user-quota-remaining"])
        except (KeyError, ValueError):
            return
        with self._lock:
            self._quota = (remaining, _seconds(low.get("x-ms-user-quota-resets-after")) or 0.0, time.monotonic())
