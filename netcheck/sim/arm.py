"""ARM over HTTPS: GET and list of the scenario's resources, paging, api-version, errors, faults."""

from __future__ import annotations

import fnmatch
import json
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from netcheck.sim import apiversions, armlists, resourcegraph
from netcheck.sim.resolvers import listed_by_vnet
from netcheck.sim.scenario import Fault
from netcheck.sim.wire import QuietHandler
from netcheck.sim.world import World

_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
# POSTs that only read (ARM "list" actions that return no secrets); anything else is a mutation.
_READ_ACTIONS = re.compile(r"/(list|listByResourceGroup|listDnsResolvers|listDnsForwardingRulesets)$", re.IGNORECASE)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str
    status: int

    @property
    def mutating(self) -> bool:
        """A request that could change Azure or read a secret: PUT, PATCH, DELETE, or a POST that is neither a
        Resource Graph query nor a list action. (netcheck's own guard sends no POST but the Resource Graph one.)"""
        return self.method in ("PUT", "PATCH", "DELETE") or (
            self.method == "POST" and not _READ_ACTIONS.search(self.path)
            and not resourcegraph.is_query(self.method, self.path))


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


class Arm:
    def __init__(self, world: World, token: str, latency_ms: float = 0.0) -> None:
        self.world, self.token, self.latency_ms = world, token, latency_ms
        self.requests: list[Request] = []
        self.base_url = ""
        self._fault_left = {i: f.times for i, f in enumerate(world.scenario.faults)}
        self._lock = threading.Lock()
        self.resource_graph = resourcegraph.ResourceGraph(world)
        self.closing = threading.Event()   # set on stop: a slow answer ends instead of holding shutdown
        # ARM requests (Resource Graph queries aside) being answered now, and the most there ever were at once:
        # how a test and the benchmark prove netcheck's bound on requests in flight
        self.in_flight = self.max_in_flight = 0

    def _pause(self, ms: float) -> None:
        self.closing.wait(ms / 1000)

    def _fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for i, f in enumerate(self.world.scenario.faults):
                if not fnmatch.fnmatchcase(f"{method} {path}".lower(), f.request.lower()):
                    continue
                left = self._fault_left[i]
                if left is not None:
                    if left <= 0:
                        continue
                    self._fault_left[i] = left - 1
                return f
        return None

    def handle(self, h: QuietHandler) -> None:
        url = urlsplit(h.path)
        path, query = url.path.rstrip("/"), parse_qs(url.query)
        counted = not resourcegraph.is_query(h.command, path)
        if counted:
            with self._lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            status, body, headers = self._answer(h, h.command, path, query, url.query)
        finally:
            if counted:
                with self._lock:
                    self.in_flight -= 1
        with self._lock:
            self.requests.append(Request(h.command, path, url.query, status))
        # as ARM: every answer is tagged, the caller's correlation id echoed
        ids = {"x-ms-request-id": str(uuid.uuid4()), "x-ms-correlation-request-id":
               h.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())}
        h.send(status, body, {**ids, **headers})

    def _answer(self, h: QuietHandler, method: str, path: str, query: dict[str, list[str]],
                raw_query: str) -> tuple[int, bytes, dict[str, str]]:
        # read the body before any answer, as a server does: one left unread on a keep-alive connection would
        # be taken for the start of the next request
        payload = h.body()
        if self.latency_ms:
            self._pause(self.latency_ms)
        if h.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, error_body("AuthenticationFailed", "Authentication failed. The 'Authorization' header is "
                                   "missing or not a valid bearer token."), {"WWW-Authenticate": 'Bearer'}
        if resourcegraph.is_query(method, path):
            return self.resource_graph.answer(raw_query, payload, self._fault(method, path))
        if method not in ("GET", "HEAD") and not (method == "POST" and _READ_ACTIONS.search(path)):
            return 405, error_body("NetcheckSimulatorReadOnly", f"{method} {path} would change Azure; "
                                   "netcheck must never send it."), {}
        version = query.get("api-version", [""])[0]
        if not version:
            return 400, error_body("MissingApiVersionParameter", "The api-version query parameter "
                                   "(?api-version=) is required for all requests."), {}
        type_ = apiversions.provider_type(path)
        known = apiversions.accepted(type_)
        if not _API_VERSION.match(version):
            return 400, error_body("InvalidApiVersionParameter", f"The api-version '{version}' is invalid. "
                                   f"The supported versions are '{','.join(sorted(known or ()))}'."), {}
        if known is not None and version not in known:
            namespace, _, kind = type_.partition("/")
            return 400, error_body("NoRegisteredProviderFound", (
                f"No registered resource provider found for location 'eastus' and API version '{version}' for "
                f"type '{kind or namespace}'. The supported api-versions are '{', '.join(sorted(known))}'.")), {}
        parts = path.split("/")
        if len(parts) > 2 and parts[1].lower() == "subscriptions" and \
                parts[2].lower() not in armlists.subscriptions(self.world):
            return 404, error_body("SubscriptionNotFound", f"The subscription '{parts[2]}' could not be found."), {}
        if fault := self._fault(method, path):
            if fault.delay_ms:
                self._pause(fault.delay_ms)
            if fault.status:
                return self._fault_answer(fault, path)
            return _spoil(fault, *self._read(path, query, raw_query), self.base_url, path, raw_query)
        return self._read(path, query, raw_query)

    def _fault_answer(self, fault: Fault, path: str) -> tuple[int, bytes, dict[str, str]]:
        status = int(fault.status or 500)
        headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
        if fault.message:
            return status, error_body({403: "AuthorizationFailed", 404: "ResourceNotFound"}.get(
                status, "InternalServerError"), fault.message), headers
        if status == 403:
            action = _action(path)
            return 403, error_body("AuthorizationFailed", (
                "The client 'netcheck-sim-user' with object id '11111111-2222-3333-4444-555555555555' does not "
                f"have authorization to perform action '{action}' over scope '{path}' or the scope is invalid. "
                "If access was recently granted, please refresh your credentials.")), headers
        if status == 404:
            return 404, error_body("ResourceNotFound", f"The Resource '{path}' was not found."), headers
        if status == 429:
            return 429, error_body("TooManyRequests", "The request is being throttled."), headers
        return status, error_body("InternalServerError", "Encountered internal server error. Diagnostic "
                                  "information: timestamp '20261125T000000Z'."), headers

    def _read(self, path: str, query: dict[str, list[str]], raw_query: str) -> tuple[int, bytes, dict[str, str]]:
        world = self.world
        res = world.resources.get(path.lower())
        if res is not None:
            return 200, json.dumps(world.serve(res)).encode(), {}
        if child := world.inline_child(path):
            return 200, json.dumps(child).encode(), {}
        if (listed := listed_by_vnet(world, path)) is not None:   # a VNet's DNS Private Resolver POST lists
            return 200, json.dumps(self._page(path, query, listed)).encode(), {}
        if path.count("/") == 2 and path.lower().startswith("/subscriptions/"):   # Subscriptions_Get
            sub = path.split("/")[2]
            return 200, json.dumps({"id": f"/subscriptions/{sub}", "subscriptionId": sub, "displayName": sub,
                                    "state": "Enabled", "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"}).encode(), {}
        items = _subscriptions(world) if path.lower() == "/subscriptions" else world.collection(path)
        if items is not None:
            return 200, json.dumps(self._page(path, query, [world.serve(r) for r in items])).encode(), {}
        if (listed := armlists.listing(world, path, query)) is not None:
            return 200, json.dumps(self._page(path, query, listed)).encode(), {}
        if not world.group_exists(path):
            group = path.split("/")[4] if len(path.split("/")) > 4 else ""
            return 404, error_body("ResourceGroupNotFound", f"Resource group '{group}' could not be found."), {}
        if rg := armlists.group(world, path):
            return 200, json.dumps(rg).encode(), {}
        parts = path.split("/")
        low = [p.lower() for p in parts]
        kind = "/".join(parts[low.index("providers") + 1:]) if "providers" in low else path
        return 404, error_body("ResourceNotFound", f"The Resource '{kind}' under resource group "
                               f"'{parts[4] if len(parts) > 4 else ''}' was not found. For more details please "
                               "go to https://aka.ms/ARMResourceNotFoundFix"), {}

    def _page(self, path: str, query: dict[str, list[str]], items: list[dict[str, Any]]) -> dict[str, Any]:
        size = max(1, self.world.scenario.page_size)
        token = query.get("$skipToken", ["0"])[0] or "0"
        start = int(token) if token.isdigit() else 0
        page: dict[str, Any] = {"value": items[start:start + size]}
        if start + size < len(items):
            q = {k: v[0] for k, v in query.items() if k != "$skipToken"} | {"$skipToken": str(start + size)}
            page["nextLink"] = f"{self.base_url}{path}?{urlencode(q)}"
        return page


def _subscriptions(world: World) -> list[dict[str, Any]]:
    """Subscriptions_List: every subscription the scenario's resources live in."""
    subs = sorted({r["id"].split("/")[2] for r in world.resources.values() if r["id"].count("/") > 2})
    return [{"id": f"/subscriptions/{s}", "subscriptionId": s, "displayName": s, "state": "Enabled",
             "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47"} for s in subs]


def _spoil(fault: Fault, status: int, body: bytes, headers: dict[str, str], base: str, path: str,
           raw_query: str) -> tuple[int, bytes, dict[str, str]]:
    """A read's answer with a fault's damage: a body broken off half-way, or a bad nextLink."""
    if fault.next_link and status == 200:
        page = json.loads(body)
        query = parse_qs(raw_query)
        further = {"api-version": query["api-version"][0], "$skipToken": str(int(query.get("$skipToken", ["0"])[0]) + 1000)}
        here = f"{base}{path}?{raw_query}"
        page["nextLink"] = {
            "repeat": here,
            "endless": f"{base}{path}?{urlencode(further)}",   # a new link every page, never the last
            "garbage": "::not a link::",
            "http": here.replace("https://", "http://", 1),
            "foreign": f"https://arm.attacker.example{path}?{raw_query}",
            "404": f"{base}{path}/no-such-page?{raw_query}",
        }[fault.next_link]
        body = json.dumps(page).encode()
    if fault.body == "truncated":
        body = body[: len(body) // 2]
    return status, body, headers


def _action(path: str) -> str:
    """The RBAC action a GET needs, as ARM names it in AuthorizationFailed."""
    parts = path.strip("/").split("/")
    if "providers" not in [p.lower() for p in parts]:
        return "Microsoft.Resources/subscriptions/resourceGroups/read"
    i = [p.lower() for p in parts].index("providers")
    rest = parts[i + 1:]
    types = [rest[0], *rest[1::2]]
    return "/".join(types) + "/read"
