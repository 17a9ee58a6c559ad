"""ServiceAccount tokens: random, stored only as SHA-256 hashes, revoked with their account.

    STATE/tokens/<sha256 of the token>   {"namespace", "name", "uid", "expires"}   (mode 0600)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets

from kubelite.api import kinds
from kubelite.auth.identity import Identity
from kubelite.clock import format_time, parse_time
from kubelite.errors import StateError, Unauthorized

PREFIX = "kl_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(api, namespace: str, name: str, seconds: int | None = None) -> str:
    sa = api.store.get(kinds.by_kind("ServiceAccount"), namespace, name)
    token = PREFIX + secrets.token_urlsafe(32)
    record = {"namespace": namespace, "name": name, "uid": sa["metadata"]["uid"]}
    if seconds:
        record["expires"] = format_time(api.clock.now() + dt.timedelta(seconds=seconds))
    d = api.store.root / "tokens"
    try:
        d.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(d / _digest(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(record, f)
    except OSError as e:
        raise StateError(f"cannot store token: {e.strerror}") from None
    return token


def authenticate(api, token: str) -> Identity:
    """The ServiceAccount a token acts as; Unauthorized if unknown, expired or revoked."""
    try:
        record = json.loads((api.store.root / "tokens" / _digest(token)).read_text())
    except (OSError, ValueError):
        raise Unauthorized() from None
    sa = api.store.try_get(kinds.by_kind("ServiceAccount"), record.get("namespace"), record.get("name", ""))
    if sa is None or sa["metadata"].get("uid") != record.get("uid"):
        raise Unauthorized()
    if record.get("expires") and api.clock.now() >= parse_time(record["expires"]):
        raise Unauthorized()
    return Identity.of(f"system:serviceaccount:{record['namespace']}:{record['name']}")
