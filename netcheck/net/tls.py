"""TLS handshake with SNI: the chain verified against the system store or --ca-bundle, the
certificate's fields read, and every verification failure named."""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

from netcheck.net.errors import TlsError, describe, reason
from netcheck.settings import Settings

EXPIRY_WARN_DAYS = 30
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256


def client_context(settings: Settings, verify: bool = True) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(settings.ca_bundle) if settings.ca_bundle else None)
    # let a weak key complete the handshake, so it can be reported as weak rather than as broken
    ctx.set_ciphers("DEFAULT:@SECLEVEL=1")
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


@dataclass(frozen=True)
class Handshake:
    host: str
    address: str
    ms: int
    verified: bool
    problem: str | None = None          # a certificate problem, or what `classify` says of the handshake
    detail: str = ""
    cert: dict[str, Any] = field(default_factory=dict)
    version: str | None = None


def describe_cert(der: bytes, now: dt.datetime) -> dict[str, Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    cert = x509.load_der_x509_certificate(der)
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName)
    except x509.ExtensionNotFound:
        sans = []
    key = cert.public_key()
    kind, bits = ("RSA", key.key_size) if isinstance(key, rsa.RSAPublicKey) else (
        ("EC", key.curve.key_size) if isinstance(key, ec.EllipticCurvePublicKey) else (type(key).__name__, 0))
    after = cert.not_valid_after_utc
    sig = cert.signature_hash_algorithm.name if cert.signature_hash_algorithm else "none"
    fp = cert.fingerprint(hashes.SHA256()).hex().upper()
    return {
        "subject": cert.subject.rfc4514_string(), "sans": list(sans), "issuer": cert.issuer.rfc4514_string(),
        "not_before": cert.not_valid_before_utc.isoformat(), "not_after": after.isoformat(),
        "days_left": (after - now).days, "key": f"{kind} {bits}", "key_bits": bits, "key_type": kind,
        "signature_hash": sig, "sha256": ":".join(fp[i:i + 2] for i in range(0, len(fp), 2)),
    }


def _problem(exc: ssl.SSLCertVerificationError) -> str:
    msg = (exc.verify_message or str(exc)).lower()
    if "expired" in msg:
        return "expired"
    if "not yet valid" in msg:
        return "not_yet_valid"
    if "hostname mismatch" in msg or "ip address mismatch" in msg:
        return "wrong_host"
    return "untrusted"


# OpenSSL's words for a first record that is not TLS at all: an HTTP, SSH or SMTP server answered.
_NOT_TLS = ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG", "RECORD_LAYER_FAILURE",
            "UNKNOWN_PROTOCOL")


def classify(exc: BaseException, timeout: float | None = None) -> TlsError:
    """What went wrong at the TLS layer, as a problem word and a sentence a person understands:
    a refused certificate (expired | not_yet_valid | wrong_host | untrusted), or reset | eof | timeout |
    not_tls | refused | unreachable | tls (another protocol error) | error."""
    if isinstance(exc, TlsError):
        return exc
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TlsError(_problem(exc), exc.verify_message or str(exc))
    if isinstance(exc, TimeoutError):
        within = f" within {timeout:g} s" if timeout else ""
        return TlsError("timeout", f"no TLS handshake{within}: the server accepted TCP but never answered "
                        "the ClientHello")
    if isinstance(exc, ssl.SSLEOFError) or (isinstance(exc, ConnectionResetError) and exc.errno is None):
        # asyncio reports a connection closed mid-handshake as a ConnectionResetError without errno
        return TlsError("eof", "the server closed the connection during the TLS handshake, without a TLS "
                        "answer (EOF)")
    if isinstance(exc, ConnectionResetError) or (isinstance(exc, OSError) and exc.errno == errno.ECONNRESET):
        return TlsError("reset", "the server reset the connection (TCP RST) during the TLS handshake")
    if isinstance(exc, ssl.SSLError):
        if getattr(exc, "reason", None) in _NOT_TLS:
            return TlsError("not_tls", f"port answers, but not with TLS ({exc.reason}): a plain-HTTP or "
                            "other non-TLS service listens there")
        return TlsError("tls", f"TLS handshake failed: {exc.reason or exc}")
    word = reason(exc)
    return TlsError(word if word in ("refused", "unreachable") else "error", str(exc) or type(exc).__name__)


def explain(exc: BaseException) -> str:
    """An HTTPS failure in words: what happened at the TLS layer, or (after it) the plain reason."""
    if isinstance(exc, TlsError):
        return f"a certificate problem ({exc.detail})" if exc.certificate else exc.detail
    return describe(exc)


async def open_tls(addr: str, port: int, host: str, context: ssl.SSLContext,
                   timeout: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """TCP connect, then the TLS handshake with SNI, within `timeout`: a TCP failure raises as
    itself, a failed handshake raises `TlsError` saying what happened at the TLS layer."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with asyncio.timeout_at(deadline):
        reader, writer = await asyncio.open_connection(addr, port)
    try:
        async with asyncio.timeout_at(deadline):
            await writer.start_tls(context, server_hostname=host)
    except Exception as exc:   # whatever ends a handshake is a TLS-layer failure
        writer.close()
        raise classify(exc, timeout) from exc
    return reader, writer


async def _handshake(settings: Settings, host: str, ip: str, timeout: float, verify: bool) -> tuple[bytes, str]:
    addr, port = settings.route(ip, 443)
    _, writer = await open_tls(addr, port, host, client_context(settings, verify), timeout)
    sslobj = writer.get_extra_info("ssl_object")
    der, version = sslobj.getpeercert(binary_form=True) or b"", sslobj.version() or ""
    writer.close()
    return der, version


async def handshake(settings: Settings, host: str, ip: str, timeout: float) -> Handshake:
    now = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    try:
        der, version = await _handshake(settings, host, ip, timeout, verify=True)
        return Handshake(host, ip, round((time.monotonic() - t0) * 1000), True,
                         cert=describe_cert(der, now), version=version)
    except TlsError as exc:
        if not exc.certificate:
            return Handshake(host, ip, round((time.monotonic() - t0) * 1000), False, exc.problem, exc.detail)
        problem, detail = exc.problem, exc.detail
    except Exception as exc:   # TCP itself failed
        return Handshake(host, ip, round((time.monotonic() - t0) * 1000), False, reason(exc),
                         str(exc) or type(exc).__name__)
    ms = round((time.monotonic() - t0) * 1000)
    try:  # look at the certificate the server sent, without trusting it
        der, version = await _handshake(settings, host, ip, timeout, verify=False)
        cert = describe_cert(der, now)
    except Exception:
        cert, version = {}, ""
    return Handshake(host, ip, ms, False, problem, detail, cert, version or None)
