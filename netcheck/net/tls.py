"""TLS handshake with SNI: the chain verified against the system store or --ca-bundle, the
certificate's fields read, and every verification failure named."""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

from netcheck.net.errors import reason
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
    problem: str | None = None          # expired | not_yet_valid | wrong_host | untrusted | tls | timeout | ...
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


async def _handshake(settings: Settings, host: str, ip: str, timeout: float, verify: bool) -> tuple[bytes, str]:
    addr, port = settings.route(ip, 443)
    async with asyncio.timeout(timeout):
        _, writer = await asyncio.open_connection(addr, port, ssl=client_context(settings, verify),
                                                  server_hostname=host)
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
    except ssl.SSLCertVerificationError as exc:
        problem, detail = _problem(exc), exc.verify_message or str(exc)
    except Exception as exc:
        return Handshake(host, ip, round((time.monotonic() - t0) * 1000), False, reason(exc),
                         str(exc) or type(exc).__name__)
    ms = round((time.monotonic() - t0) * 1000)
    try:  # look at the certificate the server sent, without trusting it
        der, version = await _handshake(settings, host, ip, timeout, verify=False)
        cert = describe_cert(der, now)
    except Exception:
        cert, version = {}, ""
    return Handshake(host, ip, ms, False, problem, detail, cert, version or None)
