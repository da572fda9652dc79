"""Map every failure of an ARM call to a ReadError with a reason a person can act on. One place."""

from __future__ import annotations

import re
from typing import Any

from netcheck.azure.facts import ReadError

_AUTHZ = re.compile(r"action '([^']+)' over scope '([^']+)'")
_PRINCIPAL = re.compile(r"object id '([0-9a-fA-F-]{36})'")
_TIMED_OUT = re.compile(r"time ?out|timed out", re.IGNORECASE)


def classify(resource: str, exc: BaseException, budget: float | None = None) -> ReadError:
    """`budget`: the seconds the read had; a timeout says it, whichever timer ran out first (ours or
    the transport's).

    reasons: forbidden, not_found, throttled, server, http (other statuses), auth, timeout, refused,
    network, malformed (an answer or resource that doesn't fit ARM's shape: the field is named),
    paging (a list whose pages can't all be read), exception."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
    )

    from netcheck.azure.arm import NotJson, PagingError, WaitTooLong, refused
    from netcheck.azure.shape import ShapeError

    if isinstance(exc, ShapeError | NotJson):
        return ReadError(resource, "malformed", str(exc))
    if isinstance(exc, PagingError):
        return ReadError(resource, "paging", f"the list can't be read whole: {exc}")
    if isinstance(exc, WaitTooLong):
        return _wait_too_long(resource, exc, budget)
    if isinstance(exc, ClientAuthenticationError) and getattr(exc, "status_code", None) in (None, 401):
        return ReadError(resource, "auth", f"authentication failed: {_first_line(exc)}", 401)
    if isinstance(exc, HttpResponseError) and exc.status_code is not None:
        status = int(exc.status_code)
        code = getattr(exc.error, "code", None) or ""
        message = getattr(exc.error, "message", None) or _first_line(exc)
        if status == 403:
            m, who = _AUTHZ.search(message), _PRINCIPAL.search(message)
            return ReadError(resource, "forbidden", f"{code or 'Forbidden'}: {message}", 403,
                             m.group(1) if m else None, m.group(2) if m else resource, who.group(1) if who else None)
        if status == 404:
            return ReadError(resource, "not_found", f"{code or 'NotFound'}: {message}", 404)
        after = _retry_after(exc)
        if status == 429:
            return ReadError(resource, "throttled", f"ARM throttled the read (429{after}) and still did "
                             f"after retries: {message}", 429)
        if status >= 500:
            return ReadError(resource, "server", f"ARM answered {status}{after} after retries: {code} {message}"
                             .strip(), status)
        return ReadError(resource, "http", f"ARM answered {status}: {code} {message}".strip(), status)
    if isinstance(exc, TimeoutError) or (isinstance(exc, ServiceResponseError) and _TIMED_OUT.search(str(exc))):
        return ReadError(resource, "timeout", f"no answer from ARM within {budget:g} s" if budget
                         else f"no answer from ARM in time: {_first_line(exc)}")
    if refused(exc):
        return ReadError(resource, "refused", f"ARM refused the connection: {_first_line(exc)}")
    if isinstance(exc, ServiceResponseError):   # sent, but the answer broke off or could not be read
        return ReadError(resource, "network", f"ARM's answer broke off: {_first_line(exc)}")
    if isinstance(exc, ServiceRequestError | OSError):
        return ReadError(resource, "network", f"cannot reach ARM: {_first_line(exc)}")
    return ReadError(resource, "exception", f"{type(exc).__name__}: {_first_line(exc)}")


def _retry_after(exc: BaseException) -> str:
    """`, Retry-After 60 s` when ARM's answer asked for a wait."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    value = headers.get("Retry-After")
    return f", Retry-After {value} s" if value else ""


def _wait_too_long(resource: str, exc: Any, budget: float | None) -> ReadError:
    within = f"the read's budget of {budget:g} s" if budget else "the read's budget"
    if exc.status == 429:
        return ReadError(resource, "throttled", f"ARM throttled the read (429, Retry-After {exc.wait:g} s): "
                         f"not waited for, it is past {within}", 429)
    if exc.status:
        wait = (f"asked for a wait of {exc.retry_after:g} s, past {within}" if exc.retry_after
                else f"{within} has no time left for another try")
        return ReadError(resource, "server" if exc.status >= 500 else "http", f"ARM answered {exc.status} and "
                         f"{wait}", exc.status)
    cause = exc.__cause__ or exc.__context__
    return classify(resource, cause, budget) if cause else ReadError(resource, "timeout", f"no answer within {within}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def describe(err: ReadError) -> str:
    """One sentence for a result's summary, naming what to grant on a 403."""
    if err.reason == "forbidden":
        return (f"no permission to read {err.resource}: missing {err.action or 'read access'}; "
                f"grant Reader on {err.scope or err.resource}")
    return f"could not read {err.resource}: {err.message}"
