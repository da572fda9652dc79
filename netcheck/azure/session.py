"""SDK clients for one run, built lazily so a check imports only the SDKs it uses."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from netcheck.azure import credential as cred
from netcheck.settings import Settings

if TYPE_CHECKING:
    from netcheck.azure.arm import ArmClient

# Retries: azure-core honours Retry-After on 429/503; three tries with short backoff keep a run to
# seconds while riding out a brief throttle.
RETRY_TOTAL = 3
RETRY_BACKOFF = 0.2
RETRY_BACKOFF_MAX = 4
# Connect and read timeouts per ARM request, seconds.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 15
# Discovery reads a few levels deep within one probe's timeout: each read, retries included, gets at
# most this share of it, so one slow resource costs the probes that need it, not the whole run.
READ_SHARE_OF_PROBE_TIMEOUT = 1 / 3


def read_budget(settings: Settings) -> float:
    """Seconds one ARM read may take, retries included."""
    return min(READ_TIMEOUT, settings.timeout * READ_SHARE_OF_PROBE_TIMEOUT)


SDKS = {
    "network": ("azure.mgmt.network", "NetworkManagementClient"),
    "privatedns": ("azure.mgmt.privatedns", "PrivateDnsManagementClient"),
    "keyvault": ("azure.mgmt.keyvault", "KeyVaultManagementClient"),
    "acr": ("azure.mgmt.containerregistry", "ContainerRegistryManagementClient"),
}


class Session:
    def __init__(self, settings: Settings, credential: Any) -> None:
        self.settings = settings
        self.credential = credential
        self.base_url = cred.arm_endpoint(settings)
        self.scope = cred.scope(settings)
        self.budget = read_budget(settings)
        self._clients: dict[str, Any] = {}
        self._lock = threading.RLock()  # a client's factory asks for the shared HTTP session
        self._http: Any = None

    def http(self) -> Any:
        """One requests session for every client, its pool as large as the run's concurrency (the
        default 10 makes urllib3 drop connections and warn). Retries are azure-core's, not urllib3's."""
        with self._lock:
            if self._http is None:
                import requests
                from requests.adapters import HTTPAdapter
                from urllib3.util.retry import Retry

                self._http = requests.Session()
                adapter = HTTPAdapter(pool_maxsize=self.settings.concurrency,
                                      max_retries=Retry(total=False, redirect=False, raise_on_status=False))
                self._http.mount("https://", adapter)
                self._http.mount("http://", adapter)
            return self._http

    @property
    def kwargs(self) -> dict[str, Any]:
        return {
            "session": self.http(),
            "session_owner": False,
            "base_url": self.base_url,
            "credential_scopes": [self.scope],
            "connection_verify": str(self.settings.ca_bundle) if self.settings.ca_bundle else True,
            "retry_total": RETRY_TOTAL,
            "retry_backoff_factor": RETRY_BACKOFF,
            "retry_backoff_max": RETRY_BACKOFF_MAX,
            "timeout": self.budget,   # azure-core's RetryPolicy: no retry starts past it
            "connection_timeout": min(CONNECT_TIMEOUT, self.budget),
            "read_timeout": self.budget,
            "logging_enable": False,
            "raw_request_hook": read_only_guard,
        }

    def _client(self, name: str, make: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._clients:
                self._clients[name] = make()
            return self._clients[name]

    def sdk(self, kind: str, subscription: str | None = None) -> Any:
        """The management SDK client of `kind` (see SDKS) for a subscription, made on first use. netcheck
        reads through arm(), never these (their models' shapes and pagers vary by release): they are here
        for the tests that check the simulator answers the SDKs as Azure does."""
        sub = subscription or self.settings.subscription or ""

        def make() -> Any:
            module, cls = SDKS[kind]
            return getattr(importlib.import_module(module), cls)(self.credential, sub, **self.kwargs)
        return self._client(f"{kind}:{sub}", make)

    def arm(self) -> ArmClient:
        """The client every read goes through (see azure/arm.py)."""
        from netcheck.azure.arm import ArmClient

        client: ArmClient = self._client("arm", lambda: ArmClient(self, RETRY_TOTAL, RETRY_BACKOFF, RETRY_BACKOFF_MAX))
        return client

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        if self._http is not None:
            self._http.close()


# The one POST netcheck sends: a Resource Graph query, which only reads (azure/resourcegraph.py).
RESOURCE_GRAPH_PATH = "/providers/microsoft.resourcegraph/resources"


def read_only_guard(request: Any) -> None:
    """netcheck never changes Azure: refuse to send anything but a GET or a Resource Graph query."""
    method, url = request.http_request.method, request.http_request.url
    if method == "POST" and urlsplit(url).path.rstrip("/").lower() == RESOURCE_GRAPH_PATH:
        return
    if method != "GET":
        raise PermissionError(f"netcheck is read-only; refusing {method} {url}")
