"""The replica-keeping logic ReplicaSet and ReplicationController share, as upstream's
replicaset package serves both.

Pure parts (victim ranking, status) are separate functions so table tests reach them.
"""
from __future__ import annotations

from typing import Callable

from kubelite.api.fastcopy import clone
from kubelite.api.selectors import Selector
from kubelite.controllers import _common as c
from kubelite.errors import Forbidden

DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
BURST = 500  # upstream's burstReplicas


def _deletion_cost(pod: dict) -> int:
    raw = ((pod.get("metadata") or {}).get("annotations") or {}).get(DELETION_COST)
    try:
        return int(raw) if raw is not None else 0
    except ValueError:
        return 0


_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def _ready_since(pod: dict) -> str:
    cond = c.condition(pod, "Ready")
    return (cond or {}).get("lastTransitionTime") or ""


def victim_key(pod: dict, colocated: int) -> tuple:
    """Sort key: pods that sort first are deleted first (upstream's ActivePodsWithRanks.Less).

    1. unassigned before assigned; 2. Pending < Unknown < Running; 3. not ready before ready;
    4. lower pod-deletion-cost first; 5. more pods of the set on the same node first;
    6. ready for less time first; 7. more restarts first; 8. newer before older.
    """
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    assigned = 1 if spec.get("nodeName") else 0
    phase = _PHASE_RANK.get(c.pod_phase(pod), 2)
    ready = 1 if c.is_ready(pod) else 0
    restarts = sum(int(s.get("restartCount") or 0) for s in status.get("containerStatuses") or [])
    created = (pod.get("metadata") or {}).get("creationTimestamp") or ""
    ready_since = _ready_since(pod) if ready else ""
    # Larger timestamps (newer) must sort first: invert via a descending wrapper.
    return (assigned, phase, ready, _deletion_cost(pod), -colocated, _Desc(ready_since), -restarts, _Desc(created),
            (pod.get("metadata") or {}).get("name", ""))


class _Desc:
    """Orders strings descending inside an ascending sort key."""

    __slots__ = ("v",)

    def __init__(self, v: str):
        self.v = v

    def __lt__(self, other: "_Desc") -> bool:
        return self.v > other.v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.v == other.v


def choose_victims(pods: list[dict], count: int, related: list[dict] | None = None) -> list[dict]:
    """The `count` pods upstream would delete first when scaling down."""
    related = related if related is not None else pods
    per_node: dict[str, int] = {}
    for p in related:
        n = (p.get("spec") or {}).get("nodeName")
        if n:
            per_node[n] = per_node.get(n, 0) + 1
    ranked = sorted(pods, key=lambda p: victim_key(p, per_node.get((p.get("spec") or {}).get("nodeName") or "", 0)))
    return ranked[:count]


FAILURE = "ReplicaFailure"


def _failure_condition(ctx, owner: dict, status: dict, failure: str | None) -> None:
    """Upstream's ReplicaFailure condition: set (once, with the FailedCreate event) when a create
    is refused, removed when creates go through again."""
    conds = status.get("conditions") or []
    present = any(cd.get("type") == FAILURE for cd in conds)
    if failure is not None and not present:
        status["conditions"] = conds + [{"type": FAILURE, "status": "True", "lastTransitionTime": ctx.stamp,
                                         "reason": "FailedCreate", "message": failure}]
        ctx.event(owner, "Warning", "FailedCreate", f"Error creating: {failure}")
    elif failure is None and present:
        rest = [cd for cd in conds if cd.get("type") != FAILURE]
        if rest:
            status["conditions"] = rest
        else:
            status.pop("conditions", None)


def calculate_status(owner: dict, active: list[dict], now) -> dict:
    """Upstream's calculateStatus for a ReplicaSet or ReplicationController."""
    spec = owner.get("spec") or {}
    tmpl_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    min_ready = int(spec.get("minReadySeconds") or 0)
    fully = sum(1 for p in active if all(((p["metadata"].get("labels") or {}).get(k) == v) for k, v in tmpl_labels.items()))
    ready = sum(1 for p in active if c.is_ready(p))
    available = sum(1 for p in active if c.is_available(p, min_ready, now))
    status = clone(owner.get("status") or {})
    status.update({
        "replicas": len(active),
        "fullyLabeledReplicas": fully,
        "readyReplicas": ready,
        "availableReplicas": available,
        "observedGeneration": (owner.get("metadata") or {}).get("generation", 1),
    })
    status.pop("terminatingReplicas", None)
    return {k: v for k, v in status.items() if v != 0 or k == "replicas"}


def sync(ctx, kind: str, selector_of: Callable[[dict], Selector]) -> None:
    for owner in ctx.snap.list(kind):
        ctx.guarded([owner], lambda o: _sync_one(ctx, o, selector_of(o)))


def _claim(ctx, owner: dict, selector: Selector) -> list[dict]:
    """Adopt matching orphans, release owned pods that stopped matching (upstream's ClaimPods)."""
    ns = owner["metadata"]["namespace"]
    uid = owner["metadata"]["uid"]
    claimed: dict[str, dict] = {}
    deleting = c.is_terminating(owner)
    for pod in ctx.snap.owned("Pod", uid):
        if not c.is_controlled_by(pod, owner):
            continue
        if selector.matches(pod["metadata"].get("labels")):
            claimed[pod["metadata"]["name"]] = pod
        elif not c.is_terminating(pod):
            released = clone(pod)
            released["metadata"]["ownerReferences"] = [r for r in pod["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
            if not released["metadata"]["ownerReferences"]:
                del released["metadata"]["ownerReferences"]
            if ctx.update(released) is not None:
                ctx.change(owner, f"released pod {pod['metadata']['name']}")
    if not deleting:
        for pod in ctx.snap.select("Pod", ns, selector):
            if c.controller_of(pod) is not None or c.is_terminating(pod) or pod["metadata"]["name"] in claimed:
                continue
            adopted = clone(pod)
            adopted["metadata"].setdefault("ownerReferences", []).append(c.owner_ref(owner))
            stored = ctx.update(adopted)
            if stored is not None:
                claimed[pod["metadata"]["name"]] = stored
                ctx.change(owner, f"adopted pod {pod['metadata']['name']}")
    return list(claimed.values())


def _sync_one(ctx, owner: dict, selector: Selector) -> None:
    ns = owner["metadata"]["namespace"]
    claimed = _claim(ctx, owner, selector)
    active = [p for p in claimed if c.is_active(p)]
    failure = None  # upstream's manageReplicasErr: a create the API server refused
    if not c.is_terminating(owner):
        diff = len(active) - c.replicas_of(owner)
        if diff < 0:
            for _ in range(min(-diff, BURST)):
                name = f"{owner['metadata']['name']}-{c.random_suffix()}"
                pod = c.pod_from_template(owner["spec"].get("template") or {}, owner, name, ns)
                try:
                    created = ctx.create(pod)
                except Forbidden as e:  # a quota or limit refused it: say so, retry next pass
                    failure = e.message
                    break
                if created is None:
                    continue
                active.append(created)
                ctx.event(owner, "Normal", "SuccessfulCreate", f"Created pod: {name}")
                ctx.change(owner, f"created pod {name}")
        elif diff > 0:
            related = ctx.snap.select("Pod", ns, selector)
            for pod in choose_victims(active, min(diff, BURST), related):
                if ctx.delete(pod):
                    active = [p for p in active if p["metadata"]["name"] != pod["metadata"]["name"]]
                    ctx.event(owner, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")
                    ctx.change(owner, f"deleted pod {pod['metadata']['name']}")
    status = calculate_status(owner, active, ctx.now)
    c.requeue_for_min_ready(ctx, active, (owner.get("spec") or {}).get("minReadySeconds") or 0, f"{owner['kind']} {ns}/{owner['metadata']['name']}")
    _failure_condition(ctx, owner, status, failure)
    if status != (owner.get("status") or {}):
        current = ctx.snap.get(owner["kind"], ns, owner["metadata"]["name"]) or owner
        updated = clone(current)
        updated["status"] = status
        ctx.update(updated)
