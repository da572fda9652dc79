"""Map every failure of an ARM call to a ReadError with a reason a person can act on. One place."""

from __future__ import annotations

import re

from netcheck.azure.facts import ReadError

_AUTHZ = re.compile(r"action '([^']+)' over scope '([^']+)'")
_PRINCIPAL = re.compile(r"object id '([0-9a-fA-F-]{36})'")
_TIMED_OUT = re.compile(r"time ?out|timed out", re.IGNORECASE)


def classify(resource: str, exc: BaseException, budget: float | None = None) -> ReadError:
    """`budget`: the seconds the read had; a timeout says it, whichever timer ran out first (ours or
    the transport's)."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
    )

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
        if status == 429:
            return ReadError(resource, "throttled", f"still throttled after retries: {message}", 429)
        if status >= 500:
            return ReadError(resource, "server", f"ARM answered {status} after retries: {code} {message}".strip(),
                             status)
        return ReadError(resource, "http", f"ARM answered {status}: {code} {message}".strip(), status)
    if isinstance(exc, TimeoutError) or (isinstance(exc, ServiceResponseError) and _TIMED_OUT.search(str(exc))):
        return ReadError(resource, "timeout", f"no answer from ARM within {budget:g} s" if budget
                         else f"no answer from ARM in time: {_first_line(exc)}")
    if isinstance(exc, ServiceResponseError):   # sent, but the answer broke off or could not be read
        return ReadError(resource, "network", f"ARM's answer broke off: {_first_line(exc)}")
    if isinstance(exc, ServiceRequestError | OSError):
        return ReadError(resource, "network", f"cannot reach ARM: {_first_line(exc)}")
    return ReadError(resource, "exception", f"{type(exc).__name__}: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def describe(err: ReadError) -> str:
    """One sentence for a result's summary, naming what to grant on a 403."""
    if err.reason == "forbidden":
        return (f"no permission to read {err.resource}: missing {err.action or 'read access'}; "
                f"grant Reader on {err.scope or err.resource}")
    return f"could not read {err.resource}: {err.message}"
