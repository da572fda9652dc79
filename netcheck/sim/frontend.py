"""The scoring front end (azureml-fe), ACR's /v2/ and IMDS, as HTTP handlers."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import urlparse

from netcheck.sim.wire import QuietHandler
from netcheck.sim.world import World

_SWAGGER = re.compile(r"^(/api/v1/endpoint/[^/]+)?/swagger\.json$")
_SCORE = re.compile(r"^(/api/v1/endpoint/[^/]+)?/score$")
# The seed's tables: what the front end says with each status.
REASONS = {200: "OK", 401: "Unauthorized", 404: "Not Found", 408: "Request Timeout", 409: "Conflict",
           424: "Failed Dependency", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}
CLIENT_PUBLIC_IP = "203.0.113.7"   # the simulated machine's address as a public front end sees it
# What Azure ML's front end says to a request from outside a workspace whose public access is Disabled.
_WS_DENIED = {"error": {"code": "UserError", "message": "Access to workspace was denied based on workspace private "
                        "link configuration.", "details": []}}


def _disabled(res: dict[str, Any] | None) -> bool:
    props = (res or {}).get("properties") or {}
    return isinstance(props, dict) and str(props.get("publicNetworkAccess", "Enabled")).lower() == "disabled"


class FrontEnd(QuietHandler):
    server: Any

    def do_GET(self) -> None:
        self._route()

    do_POST = do_HEAD = do_GET

    def _public_side(self, host: str, opts: dict[str, Any]) -> bool:
        return bool(self.server.side == "public" or opts.get("side") == "public")

    def _route(self) -> None:
        world: World = self.server.app
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        opts = world.scenario.tls.get(host, {})
        path = self.path.split("?")[0]
        if host.endswith("." + (acr := world.cloud.suffix("registry"))) or host == acr:
            return self._acr(host, opts)
        if self._public_side(host, opts) and (denied := self._ml_denied(world, host)):
            return self.send(403, json.dumps(denied).encode(), self._ids(host, world))
        if _SWAGGER.match(path) and self.command in ("GET", "HEAD"):
            status = int(opts.get("http", {}).get("swagger_status", 404)) if isinstance(opts.get("http"), dict) else 404
            return self.send(status, b'"Swagger not found"' if status == 404 else b"{}", self._ids(host, world))
        if _SCORE.match(path) and self.command == "POST":
            self.body()
            return self._score(opts.get("score") or {})
        return self.send(404, b'{"message": "not found"}', self._ids(host, world))

    def _ids(self, host: str, world: World) -> dict[str, str]:
        """A scoring host's front end (azureml-fe) names itself and tags every answer with a request id."""
        if host.endswith("." + world.cloud.suffix("scoring")):
            return {"x-request-id": str(uuid.uuid4()), "server": "azureml-frontdoor"}
        return {}

    def _ml_denied(self, world: World, host: str) -> dict[str, Any] | None:
        """The public side of a workspace or scoring host whose public network access is Disabled: 403."""
        for ep in world.of_type("Microsoft.MachineLearningServices/workspaces/onlineEndpoints"):
            uri = str((ep.get("properties") or {}).get("scoringUri") or "")
            if (urlparse(uri).hostname or "").lower() == host:
                return _WS_DENIED if _disabled(ep) else None
        for ws in world.of_type("Microsoft.MachineLearningServices/workspaces"):
            guid = str((ws.get("properties") or {}).get("workspaceId") or "").lower()
            if guid and guid in host and _disabled(ws):
                return _WS_DENIED
        return None

    def _registry(self, world: World, host: str) -> dict[str, Any] | None:
        for reg in world.of_type("Microsoft.ContainerRegistry/registries"):
            props = reg.get("properties") or {}
            names = [props.get("loginServer"), *(props.get("dataEndpointHostNames") or [])]
            if host in {str(n).lower() for n in names if n}:
                return reg
        return None

    def _acr_denied(self, world: World, host: str) -> bool:
        """Whether the registry's firewall turns away a request from the public side."""
        reg = self._registry(world, host)
        if reg is None:
            return False
        rules = (reg.get("properties") or {}).get("networkRuleSet") or {}
        allowed = {str(r.get("value", "")) for r in rules.get("ipRules") or [] if isinstance(r, dict)}
        return _disabled(reg) or (rules.get("defaultAction") == "Deny" and CLIENT_PUBLIC_IP not in allowed)

    def _acr(self, host: str, opts: dict[str, Any]) -> None:
        if not self.path.startswith("/v2"):
            return self.send(404, b"{}")
        world: World = self.server.app
        if opts.get("side") == "public" or (self.server.side == "public" and self._acr_denied(world, host)):
            msg = {"errors": [{"code": "DENIED", "message": f"client with IP '{CLIENT_PUBLIC_IP}' is not allowed "
                               "access. Refer https://aka.ms/acr/firewall to grant access."}]}
            return self.send(403, json.dumps(msg).encode())
        challenge = f'Bearer realm="https://{host}/oauth2/token",service="{host}"'
        body = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}'
        return self.send(401, body, {"WWW-Authenticate": challenge, "Docker-Distribution-Api-Version": "registry/2.0"})

    def _score(self, score: dict[str, Any]) -> None:
        auth = self.headers.get("Authorization", "")
        status = int(score.get("status", 200 if auth.startswith("Bearer ") else 401))
        headers = {"x-request-id": str(uuid.uuid4()), "server": "azureml-frontdoor", "x-ms-client-request-id":
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
