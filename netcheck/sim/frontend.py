"""The scoring front end (azureml-fe), ACR's /v2/ and IMDS, as HTTP handlers."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from netcheck.sim.wire import QuietHandler
from netcheck.sim.world import World

_SWAGGER = re.compile(r"^(/api/v1/endpoint/[^/]+)?/swagger\.json$")
_SCORE = re.compile(r"^(/api/v1/endpoint/[^/]+)?/score$")
# The seed's tables: what the front end says with each status.
REASONS = {200: "OK", 401: "Unauthorized", 404: "Not Found", 408: "Request Timeout", 409: "Conflict",
           424: "Failed Dependency", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}


class FrontEnd(QuietHandler):
    server: Any

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        world: World = self.server.app
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        opts = world.scenario.tls.get(host, {})
        path = self.path.split("?")[0]
        if host.endswith("." + (acr := world.cloud.suffix("registry"))) or host == acr:
            return self._acr(host, opts)
        if _SWAGGER.match(path) and self.command == "GET":
            status = int(opts.get("http", {}).get("swagger_status", 404)) if isinstance(opts.get("http"), dict) else 404
            return self.send(status, b'"Swagger not found"' if status == 404 else b"{}")
        if _SCORE.match(path) and self.command == "POST":
            self.body()
            return self._score(opts.get("score") or {})
        return self.send(404, b'{"message": "not found"}')

    def _acr(self, host: str, opts: dict[str, Any]) -> None:
        if not self.path.startswith("/v2"):
            return self.send(404, b"{}")
        if opts.get("side") == "public":
            msg = {"errors": [{"code": "DENIED", "message": "client with IP '203.0.113.7' is not allowed access. "
                               "Refer https://aka.ms/acr/firewall to grant access."}]}
            return self.send(403, json.dumps(msg).encode())
        challenge = f'Bearer realm="https://{host}/oauth2/token",service="{host}"'
        body = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}'
        return self.send(401, body, {"WWW-Authenticate": challenge, "Docker-Distribution-Api-Version": "registry/2.0"})

    def _score(self, score: dict[str, Any]) -> None:
        auth = self.headers.get("Authorization", "")
        status = int(score.get("status", 200 if auth.startswith("Bearer ") else 401))
        headers = {"x-request-id": str(uuid.uuid4()), "x-ms-client-request-id":
                   self.headers.get("x-ms-client-request-id", "")}
        headers.update({str(k): str(v) for k, v in (score.get("headers") or {}).items()})
        body = json.dumps(score.get("body", [0.5] if status == 200 else {"message": REASONS.get(status, "")}))
        self.send(status, body.encode(), headers)


class Imds(QuietHandler):
    server: Any

    def do_GET(self) -> None:
        sim = self.server.app
        if self.headers.get("Metadata") != "true":
            return self.send(400, b'{"error": "Bad request. Required metadata header not specified"}')
        if not self.path.startswith("/metadata/instance"):
            return self.send(404, b'{"error": "Not found"}')
        return self.send(200, json.dumps(sim.imds_document()).encode())
