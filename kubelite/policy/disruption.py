"""PodDisruptionBudget status and the eviction decision, as upstream's disruption
controller (pkg/controller/disruption) and eviction handler (pkg/registry/core/pod/storage/eviction.go).

Pure: callers pass the budget, its pods, the scale of their controllers and the time.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from kubelite.controllers._common import int_or_percent, is_ready, parse_stamp

DELETION_TIMEOUT = dt.timedelta(minutes=2)  # upstream's DeletionTimeout for disruptedPods entries
MAX_DISRUPTED_POD_SIZE = 2000
EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget."
CONDITION = "DisruptionAllowed"


class ScaleError(Exception):
    """The expected pod count cannot be computed (a pod's controller is missing)."""


@dataclass
class Computed:
    """What the disruption controller computes for one budget."""

    current_healthy: int = 0
    desired_healthy: int = 0
    expected_pods: int = 0
    disruptions_allowed: int = 0
    disrupted_pods: dict[str, str] = field(default_factory=dict)
    unmanaged: list[str] = field(default_factory=list)
    error: str = ""


def selects(pdb: dict, pod: dict) -> bool:
    """Whether the budget covers the pod: same namespace, selector matches (policy/v1: an
    empty selector selects every pod of the namespace, a missing one none)."""
    from kubelite.api import selectors

    if (pdb.get("metadata") or {}).get("namespace") != (pod.get("metadata") or {}).get("namespace"):
        return False
    try:
        sel = selectors.from_label_selector((pdb.get("spec") or {}).get("selector"))
    except Exception:  # an invalid selector matches nothing
        return False
    return sel.matches((pod.get("metadata") or {}).get("labels") or {})


def expected_scale(pods: list[dict], scale_of: Callable[[dict], int | None]) -> tuple[int, list[str]]:
    """Upstream's getExpectedScale: the sum of the scale of every controller of the pods.

    `scale_of(controllerRef-bearing pod)` returns the desired replicas of the pod's
    top-level controller (a Deployment's for its ReplicaSets' pods), or None when it is
    gone. Pods without a controller are returned as unmanaged and not counted.
    """
    total, seen, unmanaged = 0, set(), []
    for pod in pods:
        ref = next((r for r in (pod.get("metadata") or {}).get("ownerReferences") or [] if r.get("controller")), None)
        name = (pod.get("metadata") or {}).get("name", "")
        if ref is None:
            unmanaged.append(name)
            continue
        if ref.get("uid") in seen:
            continue
        seen.add(ref.get("uid"))
        scale = scale_of(pod)
        if scale is None:
            raise ScaleError(f'found no controllers for pod "{name}"')
        total += scale
    return total, unmanaged


def compute(pdb: dict, pods: list[dict], scale_of: Callable[[dict], int | None], now: dt.datetime) -> Computed:
    """The budget's status fields from its pods (upstream's trySync up to updatePdbStatus)."""
    spec = pdb.get("spec") or {}
    out = Computed()
    try:
        if spec.get("maxUnavailable") is not None:
            expected, out.unmanaged = expected_scale(pods, scale_of)
            desired = max(0, expected - int_or_percent(spec["maxUnavailable"], expected, True))
        elif isinstance(spec.get("minAvailable"), int):
            desired, expected = spec["minAvailable"], len(pods)
        elif spec.get("minAvailable") is not None:
            expected, out.unmanaged = expected_scale(pods, scale_of)
            desired = int_or_percent(spec["minAvailable"], expected, True)
        else:
            desired, expected = 0, 0
    except (ScaleError, ValueError) as e:
        out.error = str(e)
        return out
    out.expected_pods, out.desired_healthy = expected, desired
    out.disrupted_pods = disrupted_pod_map(pdb, pods, now)
    out.current_healthy = count_healthy(pods, out.disrupted_pods, now)
    allowed = out.current_healthy - desired
    out.disruptions_allowed = 0 if expected <= 0 or allowed <= 0 else allowed
    return out


def disrupted_pod_map(pdb: dict, pods: list[dict], now: dt.datetime) -> dict[str, str]:
    """Upstream's buildDisruptedPodMap: evictions not yet seen through, for live pods, within the timeout."""
    recorded = (pdb.get("status") or {}).get("disruptedPods") or {}
    out = {}
    for pod in pods:
        m = pod.get("metadata") or {}
        if m.get("deletionTimestamp") or m.get("name") not in recorded:
            continue
        when = parse_stamp(recorded[m["name"]])
        if when is not None and when + DELETION_TIMEOUT > now:
            out[m["name"]] = recorded[m["name"]]
    return out


def count_healthy(pods: list[dict], disrupted: dict[str, str], now: dt.datetime) -> int:
    """Upstream's countHealthyPods: ready pods not being deleted nor about to be."""
    n = 0
    for pod in pods:
        m = pod.get("metadata") or {}
        if m.get("deletionTimestamp"):
            continue
        when = parse_stamp(disrupted.get(m.get("name", "")))
        if when is not None and when + DELETION_TIMEOUT > now:
            continue
        if is_ready(pod):
            n += 1
    return n


def status_for(pdb: dict, computed: Computed, stamp: str) -> dict:
    """The budget's new status (upstream's updatePdbStatus, or failSafe on an error)."""
    old = pdb.get("status") or {}
    generation = (pdb.get("metadata") or {}).get("generation") or 0
    conditions = [dict(c) for c in old.get("conditions") or []]
    if computed.error:
        status = dict(old)
        status["disruptionsAllowed"] = 0
        status.setdefault("currentHealthy", 0)
        status.setdefault("desiredHealthy", 0)
        status.setdefault("expectedPods", 0)
        status["conditions"] = conditions
        set_condition(status, "False", "SyncFailed", computed.error, old.get("observedGeneration") or 0, stamp)
        return status
    status = {
        "currentHealthy": computed.current_healthy,
        "desiredHealthy": computed.desired_healthy,
        "expectedPods": computed.expected_pods,
        "disruptionsAllowed": computed.disruptions_allowed,
        "observedGeneration": generation,
        "conditions": conditions,
    }
    if computed.disrupted_pods:
        status["disruptedPods"] = dict(computed.disrupted_pods)
    update_allowed_condition(status, stamp)
    return status


def update_allowed_condition(status: dict, stamp: str) -> None:
    """Upstream's pdbhelper.UpdateDisruptionAllowedCondition."""
    if status.get("disruptionsAllowed", 0) > 0:
        set_condition(status, "True", "SufficientPods", "", status.get("observedGeneration") or 0, stamp)
    else:
        set_condition(status, "False", "InsufficientPods", "", status.get("observedGeneration") or 0, stamp)


def set_condition(status: dict, cstatus: str, reason: str, message: str, generation: int, stamp: str) -> None:
    """apimachinery's meta.SetStatusCondition for the DisruptionAllowed condition."""
    conds = status.setdefault("conditions", [])
    for c in conds:
        if c.get("type") == CONDITION:
            if c.get("status") != cstatus:
                c["lastTransitionTime"] = stamp
            c.update(status=cstatus, reason=reason, message=message, observedGeneration=generation)
            return
    conds.append({"type": CONDITION, "status": cstatus, "reason": reason, "message": message,
                  "observedGeneration": generation, "lastTransitionTime": stamp})


# -- eviction -------------------------------------------------------------------------------

@dataclass
class Verdict:
    """What the eviction subresource does with one pod.

    `allowed`: delete the pod. `pdb_status`: the budget's status after the decrement, to
    write before the delete (None: no budget to update). `code` and `message` (and
    `cause`) describe a refusal: 429 TooManyRequests, 403 Forbidden or 500.
    """

    allowed: bool
    pdb: dict | None = None
    pdb_status: dict | None = None
    code: int = 0
    message: str = ""
    cause: str = ""


def can_ignore_budget(pod: dict) -> bool:
    """Upstream's canIgnorePDB: terminal and pending pods, and pods being deleted."""
    phase = (pod.get("status") or {}).get("phase") or "Pending"
    return phase in ("Succeeded", "Failed", "Pending") or bool((pod.get("metadata") or {}).get("deletionTimestamp"))


def evict(pod: dict, budgets: list[dict], stamp: str) -> Verdict:
    """Decide an eviction: `budgets` are those of the pod's namespace (filtered here)."""
    if can_ignore_budget(pod):
        return Verdict(True)
    matching = [b for b in budgets if selects(b, pod)]
    if len(matching) > 1:
        return Verdict(False, code=500,
                       message="This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
    if not matching:
        return Verdict(True)
    pdb = matching[0]
    name = pdb["metadata"]["name"]
    status = pdb.get("status") or {}
    if not is_ready(pod):
        policy = (pdb.get("spec") or {}).get("unhealthyPodEvictionPolicy") or "IfHealthyBudget"
        if policy == "AlwaysAllow":
            return Verdict(True, pdb)
        if status.get("currentHealthy", 0) >= status.get("desiredHealthy", 0) and status.get("desiredHealthy", 0) > 0:
            return Verdict(True, pdb)
    if (status.get("observedGeneration") or 0) < ((pdb.get("metadata") or {}).get("generation") or 0):
        return Verdict(False, pdb, code=429, message=EVICTION_REFUSED,
                       cause=f"The disruption budget {name} is still being processed by the server.")
    allowed = status.get("disruptionsAllowed", 0)
    if allowed < 0:
        return Verdict(False, pdb, code=403,
                       message=f'poddisruptionbudget.policy "{name}" is forbidden: pdb disruptions allowed is negative')
    if len(status.get("disruptedPods") or {}) > MAX_DISRUPTED_POD_SIZE:
        return Verdict(False, pdb, code=403, message=f'poddisruptionbudget.policy "{name}" is forbidden: '
                       "DisruptedPods map too big - too many evictions not confirmed by PDB controller")
    if allowed == 0:
        return Verdict(False, pdb, code=429, message=EVICTION_REFUSED,
                       cause=f"The disruption budget {name} needs {status.get('desiredHealthy', 0)} healthy pods "
                             f"and has {status.get('currentHealthy', 0)} currently")
    new = {**status, "conditions": [dict(c) for c in status.get("conditions") or []]}
    new["disruptionsAllowed"] = allowed - 1
    if new["disruptionsAllowed"] == 0:
        update_allowed_condition(new, stamp)
    new["disruptedPods"] = {**(status.get("disruptedPods") or {}), pod["metadata"]["name"]: stamp}
    return Verdict(True, pdb, new)
