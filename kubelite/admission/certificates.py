"""CertificateSigningRequest strategy, as upstream's registry: the requester is the one who
creates it, whatever the manifest says, and nobody creates a request already approved."""
from __future__ import annotations

from kubelite import apiserver

_REQUESTER = ("username", "uid", "groups", "extra")


def admit(api, kind, obj: dict, old: dict | None, dry_run: bool):
    if kind.kind != "CertificateSigningRequest":
        return None
    spec = obj.setdefault("spec", {})
    if old is not None:  # the requester and the request never change
        for field in _REQUESTER + ("request", "signerName", "expirationSeconds", "usages"):
            if field in (old.get("spec") or {}):
                spec[field] = old["spec"][field]
            else:
                spec.pop(field, None)
        return None
    for field in _REQUESTER:
        spec.pop(field, None)
    if api.identity is not None:
        spec["username"] = api.identity.user
        spec["groups"] = list(api.identity.groups)
    obj.pop("status", None)
    return None


apiserver.ADMISSION.append(admit)
