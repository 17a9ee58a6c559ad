"""Certificates and the administrator's token for `kubelite serve`, made with `cryptography`.

    STATE/pki/ca.crt, ca.key         the cluster CA, made once and kept (key 0600)
    STATE/pki/apiserver.crt, .key    the serving certificate, signed by the CA, made at each start
    STATE/pki/admin.token            the administrator's bearer token (0600), made once
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
from pathlib import Path

ADMIN_TOKEN_PREFIX = "kla_"


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _key():
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def ensure_ca(pki: Path):
    """The CA certificate and key, created on first use."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    crt, keyf = pki / "ca.crt", pki / "ca.key"
    if crt.exists() and keyf.exists():
        return (x509.load_pem_x509_certificate(crt.read_bytes()),
                serialization.load_pem_private_key(keyf.read_bytes(), password=None))
    pki.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubelite-ca")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    _write_private(keyf, _pem_key(key))
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def serving_cert(pki: Path, hosts: list[str]) -> tuple[Path, Path, bytes]:
    """Issue the serving certificate for `hosts`; returns (cert file, key file, CA PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    ca, ca_key = ensure_ca(pki)
    key = _key()
    sans: list = []
    for h in dict.fromkeys(["localhost", "127.0.0.1", "::1", *hosts]):
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            sans.append(x509.DNSName(h))
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    crt, keyf = pki / "apiserver.crt", pki / "apiserver.key"
    _write_private(keyf, _pem_key(key))
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return crt, keyf, ca.public_bytes(serialization.Encoding.PEM)


def admin_token(pki: Path) -> str:
    """The administrator's bearer token, made once and kept, as kind's and k3s's are."""
    f = pki / "admin.token"
    try:
        t = f.read_text().strip()
        if t:
            return t
    except FileNotFoundError:
        pass
    pki.mkdir(mode=0o700, parents=True, exist_ok=True)
    t = ADMIN_TOKEN_PREFIX + secrets.token_urlsafe(32)
    _write_private(f, t.encode())
    return t


def kubeconfig(url: str, ca_pem: bytes, token: str, name: str = "kubelite") -> dict:
    import base64

    return {
        "apiVersion": "v1", "kind": "Config", "current-context": name, "preferences": {},
        "clusters": [{"name": name, "cluster": {"server": url, "certificate-authority-data": base64.b64encode(ca_pem).decode()}}],
        "users": [{"name": "kubernetes-admin", "user": {"token": token}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": "kubernetes-admin"}}],
    }


def write_kubeconfig(path: Path, config: dict) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    _write_private(path, (json.dumps(config, indent=2) + "\n").encode())
