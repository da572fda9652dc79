"""Map socket, TLS and DNS exceptions to short reasons, in one place."""

from __future__ import annotations

import errno
import ssl


class TlsError(ConnectionError):
    """A TLS handshake that failed, classified by `netcheck.net.tls.classify`; str() says what happened."""

    def __init__(self, problem: str, detail: str) -> None:
        super().__init__(detail)
        self.problem, self.detail = problem, detail

    @property
    def certificate(self) -> bool:
        """The server's certificate was refused (rather than TLS itself failing)."""
        return self.problem in CERTIFICATE_PROBLEMS


CERTIFICATE_PROBLEMS = ("expired", "not_yet_valid", "wrong_host", "untrusted")


def reason(exc: BaseException) -> str:
    """timeout | refused | unreachable | reset | tls | dns | error: what a probe can say in one word."""
    if isinstance(exc, TlsError):
        return exc.problem if exc.problem in ("timeout", "reset") else "tls"
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
