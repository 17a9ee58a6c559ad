"""The disruption controller, as upstream's pkg/controller/disruption: it keeps each
PodDisruptionBudget's status (currentHealthy, desiredHealthy, expectedPods,
disruptionsAllowed, disruptedPods, the DisruptionAllowed condition, observedGeneration)
in step with its pods. The arithmetic is kubelite.policy.disruption.
"""
from __future__ import annotations

from kubelite.api import selectors
from kubelite.api.fastcopy import clone
from kubelite.controllers import _common as c
from kubelite.policy import disruption

# Re-run in the same pass when pods change after it ran: readiness makes currentHealthy.
WATCHES = ("Pod",)
REQUEUES = True  # the one wait on the clock, an eviction's 2-minute record, is reported (runtime/quiet.py)


def sync(ctx) -> None:
    budgets = ctx.snap.list("PodDisruptionBudget")
    if not budgets:
        return
    ctx.guarded(sorted(budgets, key=lambda b: (b["metadata"]["namespace"], b["metadata"]["name"])),
                lambda b: _sync_one(ctx, b))


def _owner(ctx, kind: str, ns: str, ref: dict) -> dict | None:
    o = ctx.snap.get(kind, ns, ref.get("name", ""))
    return o if o is not None and o["metadata"].get("uid") == ref.get("uid") else None


def _scale_of(ctx, pod: dict) -> int | None:
    """The desired replicas of the pod's top controller (upstream's finders: RC, Deployment
    through its ReplicaSet, ReplicaSet, StatefulSet); None when it is gone or has no scale."""
    ns = pod["metadata"]["namespace"]
    ref = c.controller_of(pod) or {}
    kind = ref.get("kind")
    if kind == "ReplicaSet":
        rs = _owner(ctx, "ReplicaSet", ns, ref)
        if rs is None:
            return None
        dref = c.controller_of(rs)
        if dref is not None and dref.get("kind") == "Deployment":
            d = _owner(ctx, "Deployment", ns, dref)
            return None if d is None else c.replicas_of(d)
        return c.replicas_of(rs)
    if kind in ("ReplicationController", "StatefulSet", "Deployment"):
        o = _owner(ctx, kind, ns, ref)
        return None if o is None else c.replicas_of(o)
    return None


def _sync_one(ctx, pdb: dict) -> None:
    ns = pdb["metadata"]["namespace"]
    try:
        sel = selectors.from_label_selector((pdb.get("spec") or {}).get("selector"))
    except Exception:
        sel = selectors.Selector.nothing()
    pods = ctx.snap.select("Pod", ns, sel)
    if not pods:
        c.event_once(ctx, pdb, "Normal", "NoPods", "No matching pods found")
    computed = disruption.compute(pdb, pods, lambda p: _scale_of(ctx, p), ctx.now)
    if computed.error:
        c.event_once(ctx, pdb, "Warning", "CalculateExpectedPodCountFailed",
                     f"Failed to calculate the number of expected pods: {computed.error}")
    elif computed.unmanaged:
        c.event_once(ctx, pdb, "Warning", "UnmanagedPods",
                     f"Pods selected by this PodDisruptionBudget (selector: {sel}) were found to be unmanaged. "
                     "As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "
                     'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.')
    for stamp in computed.disrupted_pods.values():  # the record lapses DELETION_TIMEOUT after the eviction
        when = c.parse_stamp(stamp)
        if when is not None:
            ctx.requeue_after((when + disruption.DELETION_TIMEOUT - ctx.now).total_seconds(),
                              f"disruptedPods of PodDisruptionBudget {ns}/{pdb['metadata']['name']}")
    status = disruption.status_for(pdb, computed, ctx.stamp)
    if status == (pdb.get("status") or {}):
        return
    updated = clone(pdb)
    updated["status"] = status
    if ctx.update(updated) is not None:
        ctx.change(pdb, f"{status['disruptionsAllowed']} disruptions allowed "
                        f"({status['currentHealthy']} healthy, {status['desiredHealthy']} desired)")
