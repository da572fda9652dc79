"""Azure Resource Graph (`POST /providers/Microsoft.ResourceGraph/resources`), computed from the scenario's ARM state.

Answers as Resource Graph does: `objectArray` rows with the lower-cased `type`, `id`, `subscriptionId`,
`resourceGroup` and the projected columns; `totalRecords`, `count`, `resultTruncated`, `$skipToken` pages of
at most 1,000 rows; the user quota headers (15 queries per 5 s unless the scenario says otherwise); 429 with
Retry-After from the scenario's faults; `x-ms-tenant-subscription-limit-hit` when a tenant or management
group scope holds more subscriptions than the limit; its error body for a query that does not parse.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from typing import Any
from urllib.parse import parse_qs

from netcheck.azure.facts import group_of
from netcheck.sim import kql
from netcheck.sim.scenario import Fault
from netcheck.sim.world import World

PATH = "/providers/microsoft.resourcegraph/resources"
# Stable api-versions of Microsoft.ResourceGraph resources (the SDK sends 2021-03-01; the examples are 2024-04-01).
API_VERSIONS = ("2021-03-01", "2022-10-01", "2024-04-01")
MAX_PAGE = 1000
QUOTA, WINDOW_S = 15, 5.0
SUBSCRIPTION_LIMIT = 10000  # a tenant or management group scope is cut to this many subscriptions
_DNS_KINDS = {"a", "aaaa", "cname", "mx", "ptr", "soa", "srv", "txt"}
# Child resources ARM serves but Resource Graph does not index: netcheck reads them through ARM.
NOT_INDEXED = (
    "microsoft.network/privateendpoints/privatednszonegroups",
    "microsoft.machinelearningservices/workspaces/outboundrules",
    "microsoft.machinelearningservices/workspaces/privateendpointconnections",
    "microsoft.machinelearningservices/workspaces/models",
    "microsoft.machinelearningservices/workspaces/models/versions",
    "microsoft.containerregistry/registries/privateendpointconnections",
    "microsoft.keyvault/vaults/privateendpointconnections",
    "microsoft.storage/storageaccounts/privateendpointconnections",
)
COLUMNS = (
    "id",
    "name",
    "type",
    "tenantId",
    "kind",
    "location",
    "resourceGroup",
    "subscriptionId",
    "managedBy",
    "sku",
    "plan",
    "properties",
    "tags",
    "identity",
    "zones",
    "extendedLocation",
)
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
Answer = tuple[int, bytes, dict[str, str]]


def is_query(method: str, path: str) -> bool:
    return method == "POST" and path.rstrip("/").lower() == PATH


def _error(status: int, code: str, details: list[dict[str, Any]] | None = None, message: str = "") -> tuple[int, bytes]:
    body: dict[str, Any] = {
        "code": code,
        "message": message
        or (
            f"Please provide below info when asking for support: timestamp = {time.strftime('%Y-%m-%dT%H:%M:%S')}.0000000Z, "
            "correlationId = 00000000-0000-4000-8000-000000000000."
        ),
    }
    if details:
        body["details"] = details
    return status, json.dumps({"error": body}).encode()


class ResourceGraph:
    def __init__(self, world: World) -> None:
        self.world = world
        rg = world.scenario.resource_graph
        self.management_groups = {k.lower(): [s.lower() for s in v] for k, v in rg.get("management_groups", {}).items()}
        self.limit = int(rg.get("subscription_limit", SUBSCRIPTION_LIMIT))
        self.quota, self.window = int(rg.get("quota", QUOTA)), float(rg.get("window_s", WINDOW_S))
        self._lock = threading.Lock()
        self._window_start, self._used = time.monotonic(), 0
        self._rows: dict[str, list[dict[str, Any]]] | None = None
        self._index = threading.Lock()
        # a query's rows by its text and scope: its $skipToken pages are cut from one result, as Azure's are
        self._results: dict[str, tuple[list[dict[str, Any]], bool]] = {}
        self.queries: list[dict[str, Any]] = []  # every request body, for tests and the benchmark

    # ---- quota -----------------------------------------------------------------------------------
    def _spend(self) -> tuple[bool, dict[str, str]]:
        """Count a query against the user's window; (allowed, the quota headers)."""
        with self._lock:
            now = time.monotonic()
            if now - self._window_start >= self.window:
                self._window_start, self._used = now, 0
            allowed = self._used < self.quota
            if allowed:
                self._used += 1
            left = max(0.0, self.window - (now - self._window_start))
            secs = int(left + 0.999)
            return allowed, {
                "x-ms-user-quota-remaining": str(self.quota - self._used),
                "x-ms-user-quota-resets-after": f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}",
            }

    # ---- the request -----------------------------------------------------------------------------
    def answer(self, raw_query: str, body: bytes, fault: Fault | None) -> Answer:
        version = parse_qs(raw_query).get("api-version", [""])[0]
        if version not in API_VERSIONS:
            status, data = _error(
                400,
                "InvalidApiVersionParameter",
                message=(f"The api-version '{version}' is invalid. The supported versions are '{', '.join(API_VERSIONS)}'."),
            )
            return status, data, {}
        if fault and fault.status:
            return self._fault(fault)
        allowed, headers = self._spend()
        if not allowed:
            secs = headers["x-ms-user-quota-resets-after"]
            wait = sum(int(x) * m for x, m in zip(secs.split(":"), (3600, 60, 1), strict=True))
            status, data = _error(
                429,
                "RateLimiting",
                message=(
                    "Client application has been throttled and should not attempt to repeat the request until an amount "
                    "of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help."
                ),
            )
            return status, data, {**headers, "Retry-After": str(max(1, wait))}
        try:
            request = json.loads(body or b"{}")
            if not isinstance(request, dict) or not isinstance(request.get("query"), str):
                raise ValueError("the body needs a query string")
        except ValueError as exc:
            status, data = _error(400, "BadRequest", message=f"The request body is invalid: {exc}")
            return status, data, headers
        self.queries.append(request)
        # a management group the scenario doesn't name is one the caller can't read, as Azure says for both
        if unread := [g for g in request.get("managementGroups") or [] if str(g).lower() not in self.management_groups]:
            status, data = _error(403, "AuthorizationFailed", message=(
                f"The client '{TENANT}' does not have authorization to perform action "
                f"'Microsoft.ResourceGraph/resources/read' over scope "
                f"'/providers/Microsoft.Management/managementGroups/{unread[0]}' or the scope is invalid."))
            return status, data, headers
        try:
            status, page, extra = self._run(request)
        except kql.KqlError as exc:
            status, data = _error(
                400,
                "BadRequest",
                [
                    {
                        "code": "InvalidQuery",
                        "message": "Query is invalid. Please refer to the documentation for the Azure "
                        "Resource Graph service and fix the error before retrying.",
                    },
                    {
                        "code": "ParserFailure",
                        "message": "ParserFailure",
                        "line": exc.line,
                        "characterPositionInLine": exc.position,
                        "token": exc.token,
                    },
                ],
            )
            return status, data, headers
        return status, json.dumps(page).encode(), {**headers, **extra}

    def _fault(self, fault: Fault) -> Answer:
        headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        if fault.status == 429:
            status, data = _error(
                429,
                "RateLimiting",
                message=fault.message
                or (
                    "Client application has been throttled and should not attempt to repeat the request until an amount "
                    "of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help."
                ),
            )
            return status, data, {**headers, "x-ms-user-quota-remaining": "0",
                                  "x-ms-user-quota-resets-after": f"00:00:{min(59, int(fault.retry_after or 1)):02d}"}
        status, data = _error(
            int(fault.status or 500),
            {403: "AuthorizationFailed"}.get(int(fault.status or 0), "InternalServerError"),
            message=fault.message or "",
        )
        return status, data, headers

    def _scope(self, request: dict[str, Any]) -> tuple[set[str], bool]:
        """The subscriptions a request reads, and whether the subscription limit cut them."""
        every = sorted({rid.split("/")[2] for rid in self.world.resources})
        if subs := request.get("subscriptions"):
            return {str(s).lower() for s in subs}, False
        if groups := request.get("managementGroups"):
            scope = sorted({s for g in groups for s in self.management_groups.get(str(g).lower(), [])})
        else:
            scope = every
        return set(scope[: self.limit]), len(scope) > self.limit

    def index(self) -> None:
        """Resource Graph's tables, built once (when the simulator starts: Azure's index is there before the first
        query, which doesn't pay for indexing the tenant)."""
        self._table("resources")

    def _table(self, name: str) -> list[dict[str, Any]]:
        with self._index:   # built once: queries that come meanwhile wait for it
            if self._rows is None:
                rows: dict[str, list[dict[str, Any]]] = {"resources": [], "dnsresources": []}
                for res in self.world.resources.values():
                    kind = res["type"].lower()
                    if kind in NOT_INDEXED:
                        continue
                    dns = kind.startswith("microsoft.network/privatednszones/") and kind.rsplit("/", 1)[1] in _DNS_KINDS
                    rows["dnsresources" if dns else "resources"].append(self._row(res))
                self._rows = rows
        return self._rows.get(name.lower(), [])

    def _row(self, res: dict[str, Any]) -> dict[str, Any]:
        served = self.world.serve(res)
        rid = served["id"]
        row: dict[str, Any] = {c: None for c in COLUMNS}
        row.update({k: v for k, v in served.items() if k in COLUMNS})
        row.update(
            type=served["type"].lower(),
            subscriptionId=rid.split("/")[2].lower(),
            resourceGroup=group_of(rid).lower(),
            tenantId=TENANT,
            location=(served.get("location") or "").lower(),
            kind=served.get("kind") or "",
            managedBy=served.get("managedBy") or "",
            tags=served.get("tags") or {},
            properties=served.get("properties") or {},
        )
        return row

    def _run(self, request: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        query = kql.parse(request["query"])
        if query.table not in ("resources", "dnsresources"):
            raise kql.KqlError(query.table, 1, 0)
        for col in query.project or []:
            if col not in COLUMNS:
                raise kql.KqlError(col, 1, request["query"].find(col))
        key = json.dumps([request["query"], request.get("subscriptions"), request.get("managementGroups")])
        if (found := self._results.get(key)) is None:
            found = self._results[key] = self._rows_of(query, request)
        rows, cut = found
        options = request.get("options") or {}
        top = min(MAX_PAGE, int(options.get("$top") or MAX_PAGE))
        start = self._skip(options)
        page = rows[start : start + top]
        more = start + top < len(rows)
        body: dict[str, Any] = {
            "totalRecords": len(rows),
            "count": len(page),
            "data": page,
            "facets": [],
            "resultTruncated": "true" if more and query.project and "id" not in query.project else "false",
        }
        if more and (not query.project or "id" in query.project):
            body["$skipToken"] = base64.b64encode(json.dumps({"$skip": start + top}).encode()).decode()
        return 200, body, {"x-ms-tenant-subscription-limit-hit": "true"} if cut else {}

    def _rows_of(self, query: kql.Query, request: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        """Every row a query gives over the request's scope, and whether the subscription limit cut the scope."""
        subs, cut = self._scope(request)
        rows = [r for r in self._table(query.table) if r["subscriptionId"] in subs and all(w(r) for w in query.where)]
        if order := query.order:
            rows.sort(key=lambda r: str(r.get(order) or ""))
        if query.project:
            rows = [{c: r.get(c) for c in query.project} for r in rows]
        if query.limit is not None:
            rows = rows[: query.limit]
        return rows, cut

    @staticmethod
    def _skip(options: dict[str, Any]) -> int:
        token = options.get("$skipToken")
        if not token:
            return int(options.get("$skip") or 0)
        try:
            return int(json.loads(base64.b64decode(str(token), validate=True))["$skip"])
        except (binascii.Error, ValueError, KeyError, TypeError):
            raise kql.KqlError(str(token)[:20], 1, 0) from None
