"""SDK clients for one run, built lazily so a check imports only the SDKs it uses."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from netcheck.azure import credential as cred
from netcheck.settings import Settings

# A current stable Microsoft.MachineLearningServices api-version (see DESIGN.md: no current mgmt SDK).
ML_API_VERSION = "2025-12-01"
COMPUTE_API_VERSION = "2024-07-01"
STORAGE_API_VERSION = "2026-09-01"   # Microsoft.Storage storageAccounts (tests/data/arm-examples/storage)
POLICY_API_VERSION = "2025-11-01"    # Microsoft.Authorization policyAssignments (tests/data/arm-examples/policy)
ACR_API_VERSION = "2025-11-01"       # the SDK's default; the first with networkRuleBypassAllowedForTasks GA
AKS_API_VERSION = "2024-09-01"   # Microsoft.ContainerService managedClusters, read through ArmClient
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
        """The management SDK client of `kind` (see SDKS) for a subscription, made on first use."""
        sub = subscription or self.settings.subscription or ""

        def make() -> Any:
            module, cls = SDKS[kind]
            return getattr(importlib.import_module(module), cls)(self.credential, sub, **self.kwargs)
        return self._client(f"{kind}:{sub}", make)

    def arm(self) -> ArmClient:
        client: ArmClient = self._client("arm", lambda: ArmClient(self))
        return client

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        if self._http is not None:
            self._http.close()


def read_only_guard(request: Any) -> None:
    """netcheck never changes Azure: refuse to send anything but a GET, whatever a policy wants."""
    method = request.http_request.method
    if method != "GET":
        raise PermissionError(f"netcheck is read-only; refusing {method} {request.http_request.url}")


class ArmClient:
    """A thin ARM client on azure-mgmt-core for what has no current SDK (ML resources, a VM)."""

    def __init__(self, session: Session) -> None:
        from azure.core.pipeline import policies
        from azure.mgmt.core import ARMPipelineClient
        from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

        kw = session.kwargs
        pipeline = [
            policies.RequestIdPolicy(),
            policies.HeadersPolicy(),
            policies.UserAgentPolicy(sdk_moniker="netcheck"),
            policies.ContentDecodePolicy(),
            policies.RetryPolicy(retry_total=RETRY_TOTAL, retry_backoff_factor=RETRY_BACKOFF,
                                 retry_backoff_max=RETRY_BACKOFF_MAX, timeout=kw["timeout"]),
            ARMChallengeAuthenticationPolicy(session.credential, session.scope),
            policies.CustomHookPolicy(raw_request_hook=read_only_guard),
            policies.SensitiveHeaderCleanupPolicy(),
        ]
        self._base = kw["base_url"]
        self._client: Any = ARMPipelineClient(
            base_url=self._base, policies=pipeline, connection_verify=kw["connection_verify"],
            session=kw["session"], session_owner=False,
            connection_timeout=kw["connection_timeout"], read_timeout=kw["read_timeout"])

    def get(self, path_or_link: str, api_version: str) -> dict[str, Any]:
        from azure.core.exceptions import HttpResponseError
        from azure.core.rest import HttpRequest
        from azure.mgmt.core.exceptions import ARMErrorFormat

        if "://" in path_or_link:  # a nextLink carries its own query
            request = HttpRequest("GET", path_or_link)
        else:
            request = HttpRequest("GET", f"{self._base}{path_or_link}", params={"api-version": api_version})
        response = self._client.send_request(request)
        if response.status_code != 200:
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        data: dict[str, Any] = response.json()
        return data

    def list(self, path: str, api_version: str) -> list[dict[str, Any]]:
        page = self.get(path, api_version)
        items: list[dict[str, Any]] = list(page.get("value", []))
        seen: set[str] = set()
        while (link := page.get("nextLink")) and link not in seen:
            seen.add(link)
            if urlsplit(link).netloc != urlsplit(self._base).netloc:
                break  # follow nextLink only to the ARM we were pointed at
            page = self.get(link, api_version)
            items.extend(page.get("value", []))
        return items

    def close(self) -> None:
        self._client.close()
