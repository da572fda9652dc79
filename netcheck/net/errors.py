"""Map socket, TLS and DNS exceptions to short reasons, in one place."""

from __future__ import annotations

import errno
import ssl


def reason(exc: BaseException) -> str:
    """timeout | refused | unreachable | reset | tls | dns | error: what a probe can say in one word."""
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "reset"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return "tls"
    if isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL):
        return "unreachable"
    try:
        import dns.exception

        if isinstance(exc, dns.exception.DNSException):
            return "timeout" if isinstance(exc, dns.exception.Timeout) else "dns"
    except ImportError:  # pragma: no cover
        pass
    return "error"


def describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{reason(exc)}: {text}"
