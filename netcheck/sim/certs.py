"""A test root CA, an issuing (intermediate) CA under it, and leaf certificates made on the fly, in every
shape a scoring host's can be wrong. As on Azure, servers send leaf + intermediate, never the root."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class Issuer:
    cert: x509.Certificate
    key: PrivateKey
    chain: bytes = b""   # the intermediates a server sends after a leaf this issuer signed

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _name(cn: str) -> x509.Name:
    # a CN holds at most 64 characters; long host names live in the SAN only, as on real certificates
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn if len(cn) <= 64 else "*." + cn.split(".", 2)[-1])])


def make_ca(cn: str = "netcheck simulator test CA", under: Issuer | None = None) -> Issuer:
    """A self-signed root, or with `under` an intermediate CA that root signed (sent by servers)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(under.cert.subject if under else _name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0 if under else 1), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(under.key if under else key, hashes.SHA256()))
    if under is None:
        return Issuer(cert, key)
    return Issuer(cert, key, cert.public_bytes(serialization.Encoding.PEM) + under.chain)


def make_leaf(issuer: Issuer, names: list[str], *, not_before_days: float = -1, expires_in_days: float = 365,
              weak_key: bool = False, send_chain: bool = True) -> tuple[bytes, bytes]:
    """(cert PEM with the issuer's intermediates unless `send_chain` is false, key PEM) for `names` (DNS names
    or IPs), valid from/until the given day offsets."""
    key: PrivateKey = rsa.generate_private_key(65537, 1024) if weak_key else ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    sans: list[x509.GeneralName] = []
    for n in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(n)))
        except ValueError:
            sans.append(x509.DNSName(n))
    cert = (x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(issuer.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=not_before_days))
            .not_valid_after(now + dt.timedelta(days=expires_in_days))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(issuer.key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    chain = issuer.chain if send_chain else b""
    return cert.public_bytes(serialization.Encoding.PEM) + chain, key_pem  # no root: servers send none either


def write_pair(folder: Path, stem: str, pair: tuple[bytes, bytes]) -> tuple[Path, Path]:
    cert, key = folder / f"{stem}.crt", folder / f"{stem}.key"
    cert.write_bytes(pair[0])
    key.write_bytes(pair[1])
    return cert, key
