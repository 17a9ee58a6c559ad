"""ResourceQuota admission, as upstream's ResourceQuota plugin: a create that would take a
namespace past one of its quotas is refused (403) with upstream's message, and an admitted
one is charged to the quotas' status.used at once, so the next create sees it. The quota
controller (kubelite/controllers/resourcequota.py) recomputes usage on every pass, which
also releases what deleted objects held. The arithmetic is kubelite.policy.quota.

Runs last among the plugins, after LimitRange defaults and Priority, as upstream's does.
"""
from __future__ import annotations

from kubelite import apiserver
from kubelite.api import kinds, quantity
from kubelite.api.fastcopy import clone
from kubelite.errors import Forbidden

# Updates that can grow usage: a claim's resize, a Service's type. Pods' resources do not change.
_UPDATES = ("PersistentVolumeClaim", "Service")


def admit(api, kind, obj: dict, old: dict | None, dry_run: bool):
    if not kind.namespaced or (old is not None and kind.kind not in _UPDATES):
        return None
    rqk = kinds.for_object("v1", "ResourceQuota")
    if rqk is None:
        return None
    from kubelite.policy import quota

    meta = obj["metadata"]
    quotas = api.store.list(rqk, meta["namespace"])
    if not quotas:
        return None
    now = api.clock.now()
    charges = []
    for rq in sorted(quotas, key=lambda q: q["metadata"]["name"]):
        try:
            after = quota.admit(rq, kind.kind, kind.plural, kind.group, obj, old, now)
        except quota.QuotaError as e:
            raise Forbidden(f'{kind.resource} "{meta.get("name", "")}" is forbidden: {e}') from None
        if after is not None:
            charges.append((rq, after))
    if dry_run or not charges:
        return None
    written: list[dict] = []
    for rq, after in charges:
        hard = (rq.get("status") or {}).get("hard") or {}
        updated = clone(rq)
        updated["status"]["used"] = {**(rq["status"].get("used") or {}),
                                     **{r: quantity.format(v, quantity.is_binary(hard.get(r))) for r, v in after.items() if r in hard}}
        api.store.update(rqk, updated, check_rv=False)
        written.append(rq)

    def undo() -> None:
        for rq in written:  # give back what the failed write was charged
            cur = api.store.try_get(rqk, rq["metadata"]["namespace"], rq["metadata"]["name"])
            if cur is not None:
                restored = clone(cur)
                restored["status"] = rq.get("status") or {}
                api.store.update(rqk, restored, check_rv=False)

    return undo


apiserver.ADMISSION.append(admit)
