"""The pod garbage collector, as upstream's pkg/controller/podgc.

- Orphaned pods: a pod bound to a node that no longer exists is marked Failed with the
  DisruptionTarget condition (reason DeletionByPodGC, "PodGC: node no longer exists") and
  deleted at once, so its controller replaces it on a node that does exist.
- Terminated pods beyond the threshold (kube-controller-manager's
  --terminated-pod-gc-threshold, 12,500 by default): the oldest Succeeded or Failed pods
  are deleted until the threshold holds.

Upstream waits a 40 s quarantine before trusting that a node is gone, because its node
informer may lag; a pass here reads the store itself, so a missing Node is gone (one
whose file is there but cannot be read is not: its pods stay).
"""
from __future__ import annotations

from kubelite.api import kinds
from kubelite.api.fastcopy import clone
from kubelite.controllers import _common as c

TERMINATED_THRESHOLD = 12_500
ORPHANED = "PodGC: node no longer exists"


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    nodes = {n["metadata"]["name"] for n in ctx.snap.list("Node")}
    gone: dict[str, bool] = {}

    def node_gone(name: str | None) -> bool:
        if not name or name in nodes:
            return False
        if name not in gone:  # a Node whose file cannot be read is damaged, not gone
            gone[name] = not ctx.api.store.exists(kinds.by_kind("Node"), None, name)
        return gone[name]

    pods = ctx.snap.list("Pod")
    orphans = [p for p in pods if node_gone((p.get("spec") or {}).get("nodeName")) and not c.is_terminating(p)]
    ctx.guarded(sorted(orphans, key=_key), lambda p: _delete_orphan(ctx, p))
    terminated = [p for p in pods if c.pod_phase(p) in ("Succeeded", "Failed") and not c.is_terminating(p)]
    excess = len(terminated) - TERMINATED_THRESHOLD
    if excess > 0:
        oldest = sorted(terminated, key=lambda p: (p["metadata"].get("creationTimestamp") or "", _key(p)))[:excess]
        ctx.guarded(oldest, lambda p: _delete(ctx, p, "deleted (terminated pods over the threshold)"))


def _key(pod: dict) -> tuple[str, str]:
    return pod["metadata"].get("namespace") or "", pod["metadata"]["name"]


def _delete_orphan(ctx, pod: dict) -> None:
    node = pod["spec"]["nodeName"]
    if pod["metadata"].get("finalizers"):
        # It outlives the delete: say why it failed first (a Job counts it as a failure).
        updated = clone(pod)
        status = updated.setdefault("status", {})
        if c.pod_phase(pod) not in ("Succeeded", "Failed"):
            status["phase"] = "Failed"
        c.set_condition(status, "DisruptionTarget", "True", "DeletionByPodGC", ORPHANED, ctx.stamp)
        if ctx.update(updated) is None:
            return
    _delete(ctx, pod, f"deleted (node {node} no longer exists)")


def _delete(ctx, pod: dict, message: str) -> None:
    if ctx.delete(pod):
        ctx.change(pod, message)
