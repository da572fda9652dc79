"""Last line of defence: no credential leaves netcheck in a report, a log or a `collect` file.

Two nets: by shape (JWTs, SAS signatures, connection strings, long keys), and by value: the exact secrets
this process holds (the ARM token, the scoring key) are masked wherever they appear, even when they look
like nothing in particular and a server echoes them back.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from typing import Any

MASK = "[redacted]"
_RULES: list[tuple[re.Pattern[str], str]] = [
    # JWTs (ARM, AAD and AML tokens): base64url header starting eyJ, payload, signature
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), MASK),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/-]{12,}=*"), rf"\1 {MASK}"),
    # SAS signatures and other signed or keyed query parameters
    (re.compile(r"(?i)\b(sig|signature|code|key|token|secret|password)=[^&\s\"'<>]{6,}"), rf"\1={MASK}"),
    # connection strings
    (re.compile(r"(?i)\b(AccountKey|SharedAccessKey|primaryKey|secondaryKey)\s*[=:]\s*[^;\s\"']{6,}"), rf"\1={MASK}"),
]
# Long mixed-case base64 runs (account keys, endpoint keys); resource ids and hex fingerprints don't match.
_BLOB = re.compile(r"(?<![\w+/=.-])(?=[A-Za-z0-9+/]*\d)(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])"
                   r"[A-Za-z0-9+/]{32,}={0,2}(?![\w+/=.-])")
_SECRET_KEYS = re.compile(r"(?i)^(.*(password|secret|token|apikey|api_key|accountkey|primarykey|secondarykey|sas)"
                          r"|key|keys|authorization)$")


# Secrets held by value, longest first (one that contains another is masked whole). Shorter values than
# this are not masked by value: masking every "abc" would garble a report and protect nothing.
_MIN_HELD = 6
_held: list[str] = []


def hold(*secrets: str | None) -> None:
    """Mask these exact values (and their URL-encoded forms) in everything redacted from now on."""
    new = {form for s in secrets if s and len(s) >= _MIN_HELD for form in (s, urllib.parse.quote(s, safe=""))}
    if new - set(_held):
        _held[:] = sorted(set(_held) | new, key=len, reverse=True)


def redact_text(text: str) -> str:
    for secret in _held:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    return _BLOB.sub(lambda m: m.group(0) if "/" in m.group(0)[:1] else MASK, text)


@functools.lru_cache(maxsize=4096)   # a report's keys are few and repeat in every result
def _secret_key(key: str) -> bool:
    return _SECRET_KEYS.match(key) is not None


def redact(value: Any, _done: dict[str, str] | None = None) -> Any:
    """A copy of a JSON-shaped value with secrets masked, by key name and by shape. A fleet's report holds
    the same names and ids many times over: each distinct string is redacted once per call (`_done`)."""
    done = {} if _done is None else _done
    if isinstance(value, str):
        if len(value) < _MIN_HELD:   # shorter than any secret or shape masked here
            return value
        if (masked := done.get(value)) is None:
            masked = done[value] = redact_text(value)
        return masked
    if isinstance(value, dict):
        return {k: MASK if v and _secret_key(str(k)) else redact(v, done) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, done) for v in value]
    return value
