"""The one path netcheck reads ARM by: azure-mgmt-core's ARMPipelineClient (azure-core's retries, auth
and errors), ARM's raw JSON out, one pager pinned to the ARM host, every wait inside the read's budget.

Parsers get ARM's wire format as ARM sent it, never an SDK model's `as_dict()` (whose keys changed
across SDK releases), so the SDKs' versions can't change what netcheck sees.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from azure.core.pipeline.policies import RetryPolicy

Json = dict[str, Any]

# A list longer than this many pages is not one ARM serves (its pages hold 100-1000 items): a server
# that keeps sending nextLinks is looping.
MAX_PAGES = 200


class PagingError(Exception):
    """A list whose pages can't all be read: the whole list is unreadable, never short."""


class NotJson(ValueError):
    """ARM's answer was not the JSON object it should be (cut off, or not JSON at all)."""


class WaitTooLong(Exception):
    """A retry would have to wait past the read's budget (ARM's Retry-After, or the backoff)."""

    def __init__(self, wait: float, status: int | None, retry_after: float | None) -> None:
        super().__init__(f"a retry would wait {wait:g} s, past the read's budget")
        self.wait, self.status, self.retry_after = wait, status, retry_after


def refused(exc: BaseException | None) -> bool:
    """Whether a failure is (caused by) a refused TCP connection."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ConnectionRefusedError) or "connection refused" in str(exc).lower():
            return True
        exc = getattr(exc, "inner_exception", None) or exc.__cause__ or exc.__context__
        seen += 1
    return False


class BoundedRetryPolicy(RetryPolicy):
    """azure-core's retries, but no wait may outlive the read's budget (`timeout`): a Retry-After that
    would is not waited for, the answer (e.g. the 429) is the result. A refused connection is not
    retried: nothing listens there."""

    def configure_retries(self, options: dict[str, Any]) -> dict[str, Any]:
        settings: dict[str, Any] = super().configure_retries(options)
        settings["deadline"] = time.monotonic() + settings["timeout"]
        return settings

    def increment(self, settings: dict[str, Any], response: Any = None, error: Exception | None = None) -> bool:
        if error is not None and refused(error):
            return False
        return bool(super().increment(settings, response=response, error=error))

    def get_retry_after(self, response: Any) -> float | None:
        """Retry-After in seconds, fractions too (older azure-core releases took them for an HTTP date)."""
        value = response.http_response.headers.get("Retry-After") if response is not None else None
        try:
            return max(0.0, float(value)) if value else None
        except ValueError:
            return super().get_retry_after(response)

    def sleep(self, settings: dict[str, Any], transport: Any, response: Any = None) -> None:
        retry_after = self.get_retry_after(response) if response is not None else None
        wait = retry_after if retry_after else self.get_backoff_time(settings)
        if wait > settings["deadline"] - time.monotonic():
            status = response.http_response.status_code if response is not None else None
            raise WaitTooLong(wait, status, retry_after)
        super().sleep(settings, transport, response=response)


class ArmClient:
    """GET a resource or a whole list from ARM, as raw JSON."""

    def __init__(self, session: Any, retries: int, backoff: float, backoff_max: float) -> None:
        from azure.core.pipeline import policies
        from azure.mgmt.core import ARMPipelineClient
        from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

        kw = session.kwargs
        self.budget: float = kw["timeout"]
        pipeline = [
            policies.RequestIdPolicy(),
            policies.HeadersPolicy(),
            policies.UserAgentPolicy(sdk_moniker="netcheck"),
            BoundedRetryPolicy(retry_total=retries, retry_backoff_factor=backoff, retry_backoff_max=backoff_max,
                               timeout=self.budget),
            ARMChallengeAuthenticationPolicy(session.credential, session.scope),
            policies.CustomHookPolicy(raw_request_hook=kw["raw_request_hook"]),
        ]
        self._base = kw["base_url"]
        self._client: Any = ARMPipelineClient(
            base_url=self._base, policies=pipeline, connection_verify=kw["connection_verify"],
            session=kw["session"], session_owner=False,
            connection_timeout=kw["connection_timeout"], read_timeout=kw["read_timeout"])

    def get(self, path: str, api_version: str | None = None) -> Json:
        """One resource, or one page of a list, by its path under the ARM host (or a nextLink)."""
        from azure.core.rest import HttpRequest

        from netcheck.azure.versions import api_version as version_for

        if "://" in path:   # a nextLink carries its own query; the pager has checked its host
            request = HttpRequest("GET", path)
        else:
            request = HttpRequest("GET", f"{self._base}{path}", params={"api-version": api_version or version_for(path)})
        return self._json(self._client.send_request(request))

    @staticmethod
    def _json(response: Any) -> Json:
        from azure.core.exceptions import HttpResponseError
        from azure.mgmt.core.exceptions import ARMErrorFormat

        if response.status_code != 200:
            raise HttpResponseError(response=response, error_format=ARMErrorFormat)
        try:
            data = response.json()
        except ValueError as exc:
            raise NotJson(f"ARM's answer is not JSON (cut off?): {exc}") from None
        if not isinstance(data, dict):
            raise NotJson(f"ARM answered a JSON {type(data).__name__}, not an object")
        return data

    def list(self, path: str, api_version: str | None = None) -> list[Json]:
        """Every item of a list, following nextLink on the ARM host only (the token goes nowhere else),
        within the read's budget and MAX_PAGES; any page that fails makes the whole list fail."""
        from azure.core.exceptions import HttpResponseError

        deadline = time.monotonic() + self.budget
        base = urlsplit(self._base)
        page, items, seen = self.get(path, api_version), [], set()
        for number in range(1, MAX_PAGES + 1):
            value = page.get("value", [])
            if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
                raise NotJson(f"page {number} of the list: 'value' is not a list of objects")
            items.extend(value)
            link = page.get("nextLink")
            if not link:
                return items
            if not isinstance(link, str) or "://" not in link:
                raise PagingError(f"page {number}'s nextLink is not a link: {link!r:.80}")
            if link in seen:
                raise PagingError(f"page {number} repeats an earlier nextLink: the list never ends")
            seen.add(link)
            url = urlsplit(link)
            if (url.scheme, url.netloc.lower()) != (base.scheme, base.netloc.lower()):
                raise PagingError(f"page {number}'s nextLink leaves {base.scheme}://{base.netloc} "
                                  f"({link[:80]}): not followed, the token stays with ARM")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the list has more than {number} pages and the read's budget is spent")
            try:
                page = self.get(link)
            except HttpResponseError as exc:
                if exc.status_code == 404:
                    raise PagingError(f"page {number + 1} of the list (its nextLink) answered 404") from None
                raise
        raise PagingError(f"the list goes on past {MAX_PAGES} pages: its nextLinks never end")

    def close(self) -> None:
        self._client.close()
