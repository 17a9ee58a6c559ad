"""LimitRange admission, as upstream's LimitRanger plugin: new pods get the namespace's
default requests and limits (noted in the kubernetes.io/limit-ranger annotation), and
pods and claims outside min, max or maxLimitRequestRatio are refused (403) with upstream's
messages. The rules are kubelite.policy.limitrange.
"""
from __future__ import annotations

from kubelite import apiserver
from kubelite.api import kinds
from kubelite.errors import Forbidden


def admit(api, kind, obj: dict, old: dict | None, dry_run: bool):
    from kubelite.policy import limitrange

    # Containers cannot change after creation, so only creates are checked, as upstream.
    if old is not None or kind.kind not in ("Pod", "PersistentVolumeClaim"):
        return None
    lrk = kinds.for_object("v1", "LimitRange")
    if lrk is None:
        return None
    ranges = api.store.list(lrk, obj["metadata"]["namespace"])
    if not ranges:
        return None
    ranges.sort(key=lambda r: r["metadata"]["name"])
    if kind.kind == "Pod":
        limitrange.default_pod(obj, ranges)
        errs = limitrange.validate_pod(obj, ranges)
    else:
        errs = limitrange.validate_claim(obj, ranges)
    if errs:
        raise Forbidden(f'{kind.resource} "{obj["metadata"].get("name", "")}" is forbidden: {limitrange.aggregate(errs)}')
    return None


apiserver.ADMISSION.append(admit)
