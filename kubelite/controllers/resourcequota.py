"""The resource quota controller, as upstream's pkg/controller/resourcequota: each
ResourceQuota's status.hard mirrors spec.hard and status.used counts what the namespace
holds now. The arithmetic is kubelite.policy.quota.

It runs early in a pass, so a quota raised with `kubelite apply` admits the creates the
workload controllers retry later in the same pass.
"""
from __future__ import annotations

from kubelite.api import kinds
from kubelite.api.fastcopy import clone
from kubelite.policy import quota

# Re-run in the same pass when pods change after it ran (created, finished, deleted).
WATCHES = ("Pod",)
REQUEUES = True  # no wait on the clock: usage is what is stored (runtime/quiet.py)

_POD = ("pods", "cpu", "memory", "ephemeral-storage")
_PVC = ("persistentvolumeclaims", "requests.storage")


def _kinds_for(resource: str) -> list[str]:
    """Which kinds a hard resource name counts."""
    if resource in _POD or resource.startswith(("requests.", "limits.", "hugepages-")) and resource != "requests.storage":
        return ["Pod"]
    if resource in _PVC or ".storageclass.storage.k8s.io/" in resource:
        return ["PersistentVolumeClaim"]
    if resource.startswith("services"):
        return ["Service"]
    if resource in quota.LEGACY_COUNTS:
        return [quota.LEGACY_COUNTS[resource]]
    if resource.startswith("count/"):
        try:
            return [kinds.resolve(resource[len("count/"):]).kind]
        except Exception:  # a kind kubelite does not serve counts nothing
            return []
    return []


def sync(ctx) -> None:
    quotas = ctx.snap.list("ResourceQuota")
    if not quotas:
        return
    ctx.guarded(sorted(quotas, key=lambda q: (q["metadata"]["namespace"], q["metadata"]["name"])),
                lambda q: _sync_one(ctx, q))


def _sync_one(ctx, rq: dict) -> None:
    ns = rq["metadata"]["namespace"]
    wanted = sorted({k for r in ((rq.get("spec") or {}).get("hard") or {}) for k in _kinds_for(r)})
    objects = []
    for name in wanted:
        k = kinds.by_kind(name)
        objects += [(k.kind, k.plural, k.group, o) for o in ctx.snap.list(name, ns)]
    status = quota.status_for(rq, quota.used(rq, objects, ctx.now))
    if status == (rq.get("status") or {}):
        return
    updated = clone(rq)
    updated["status"] = status
    if ctx.update(updated) is not None:
        ctx.change(rq, "used " + ", ".join(f"{k}={v}" for k, v in sorted(status["used"].items())))
