"""Pod priority and preemption, as upstream's Priority admission plugin
(plugin/pkg/admission/priority) and the scheduler's DefaultPreemption
(pkg/scheduler/framework/plugins/defaultpreemption, pkg/scheduler/framework/preemption).

Pure: the scheduler supplies a `fits(pod, node_name, pods_left)` filter.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

HIGHEST_USER_DEFINABLE = 1_000_000_000
SYSTEM_CLASSES = (
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "system-node-critical"},
     "value": 2_000_001_000, "preemptionPolicy": "PreemptLowerPriority",
     "description": "Used for system critical pods that must not be moved from their current node."},
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "system-cluster-critical"},
     "value": 2_000_000_000, "preemptionPolicy": "PreemptLowerPriority",
     "description": "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."},
)
PREEMPTED_REASON = "PreemptionByScheduler"


class PriorityError(Exception):
    """An admission refusal; the message is upstream's, without the object prefix."""


def pod_priority(pod: dict) -> int:
    """Upstream's corev1helpers.PodPriority: spec.priority, 0 when unset."""
    return int((pod.get("spec") or {}).get("priority") or 0)


def default_class(classes: list[dict]) -> dict | None:
    """The globalDefault class; with several (a race upstream tolerates), the lowest value."""
    best = None
    for pc in classes:
        if pc.get("globalDefault") and (best is None or pc.get("value", 0) < best.get("value", 0)):
            best = pc
    return best


def resolve(pod: dict, classes: list[dict]) -> None:
    """Set spec.priority (and preemptionPolicy, priorityClassName) on a new pod, as the
    Priority admission plugin does. Raises PriorityError with upstream's message."""
    spec = pod.setdefault("spec", {})
    name = spec.get("priorityClassName") or ""
    policy = None
    if not name:
        pc = default_class(classes)
        if pc is None:
            value, policy = 0, "PreemptLowerPriority"
        else:
            spec["priorityClassName"] = pc["metadata"]["name"]
            value, policy = int(pc.get("value", 0)), pc.get("preemptionPolicy") or "PreemptLowerPriority"
    else:
        pc = next((c for c in classes if c["metadata"]["name"] == name), None)
        if pc is None:
            raise PriorityError(f"no PriorityClass with name {name} was found")
        value, policy = int(pc.get("value", 0)), pc.get("preemptionPolicy") or "PreemptLowerPriority"
    if spec.get("priority") is not None and int(spec["priority"]) != value:
        raise PriorityError(f"the integer value of priority ({spec['priority']}) must not be provided in pod spec; "
                            f"priority admission controller computed {value} from the given PriorityClass name")
    spec["priority"] = value
    if policy is not None:
        if spec.get("preemptionPolicy") and spec["preemptionPolicy"] != policy:
            raise PriorityError(f"the string value of PreemptionPolicy ({spec['preemptionPolicy']}) must not be provided in pod spec; "
                                f"priority admission controller computed {policy} from the given PriorityClass name")
        spec["preemptionPolicy"] = policy


def check_class(pc: dict, classes: list[dict]) -> None:
    """Admission of a PriorityClass: only one globalDefault may exist."""
    if not pc.get("globalDefault"):
        return
    name = pc["metadata"]["name"]
    for other in classes:
        if other.get("globalDefault") and other["metadata"]["name"] != name:
            raise PriorityError(f"PriorityClass {other['metadata']['name']} is already marked as default. Only one default can exist")


# -- preemption ----------------------------------------------------------------------------------

NO_VICTIMS = "No preemption victims found for incoming pod"
NOT_HELPFUL = "Preemption is not helpful for scheduling"


def eligible(pod: dict, pods_on_nominated: list[dict]) -> str | None:
    """Upstream's PodEligibleToPreemptOthers: None when eligible, else why not."""
    spec = pod.get("spec") or {}
    if spec.get("preemptionPolicy") == "Never":
        return "not eligible due to preemptionPolicy=Never."
    if (pod.get("status") or {}).get("nominatedNodeName"):
        prio = pod_priority(pod)
        for p in pods_on_nominated:
            if (p.get("metadata") or {}).get("deletionTimestamp") and pod_priority(p) < prio:
                return "not eligible due to a terminating pod on the nominated node."
    return None


def _start(pod: dict) -> str:
    # No start time sorts last: upstream uses "now" for it.
    return (pod.get("status") or {}).get("startTime") or "9999"


def more_important_first(pods: list[dict]) -> list[dict]:
    """Upstream's MoreImportantPod order: higher priority, then the earlier start."""
    return sorted(pods, key=lambda p: (-pod_priority(p), _start(p), p["metadata"].get("name", "")))


def split_by_budget(pods: list[dict], budgets: list[dict]) -> tuple[list[dict], list[dict]]:
    """Upstream's filterPodsWithPDBViolation: pods whose eviction would exceed a budget, and the rest."""
    from kubelite.policy.disruption import selects

    allowed = [int((b.get("status") or {}).get("disruptionsAllowed") or 0) for b in budgets]
    violating, fine = [], []
    for p in pods:
        hit = False
        if (p.get("metadata") or {}).get("labels"):
            for i, b in enumerate(budgets):
                sel = (b.get("spec") or {}).get("selector")
                if not sel or not (sel.get("matchLabels") or sel.get("matchExpressions")):
                    continue  # here a nil or empty selector matches nothing
                if not selects(b, p):
                    continue
                if p["metadata"]["name"] in ((b.get("status") or {}).get("disruptedPods") or {}):
                    continue
                allowed[i] -= 1
                if allowed[i] < 0:
                    hit = True
        (violating if hit else fine).append(p)
    return violating, fine


@dataclass
class Candidate:
    node: str
    victims: list[dict]  # most important first
    pdb_violations: int


def select_victims(pod: dict, node: str, pods: list[dict], fits: Callable[[dict, str, list[dict]], bool],
                   budgets: list[dict]) -> Candidate | None:
    """Upstream's SelectVictimsOnNode: remove every lower-priority pod; if the pod then fits,
    reprieve as many as possible, budget-violating ones first, most important first."""
    prio = pod_priority(pod)
    lower = [p for p in pods if pod_priority(p) < prio]
    if not lower:
        return None
    kept = [p for p in pods if pod_priority(p) >= prio]
    if not fits(pod, node, kept):
        return None
    violating, fine = split_by_budget(more_important_first(lower), budgets)
    victims, violations = [], 0
    for group, counts in ((violating, True), (fine, False)):
        for p in group:
            if fits(pod, node, kept + [p]):
                kept.append(p)
            else:
                victims.append(p)
                violations += counts
    return Candidate(node, more_important_first(victims), violations)


def pick(candidates: list[Candidate]) -> Candidate | None:
    """Upstream's pickOneNodeForPreemption: fewest budget violations, then the lowest highest
    victim priority, the smallest priority sum, the fewest victims, the latest start of the
    highest-priority victims, then the first node."""
    if not candidates:
        return None
    offset = 2**31

    def key(c: Candidate):
        top = pod_priority(c.victims[0])
        earliest = min((_start(v) for v in c.victims if pod_priority(v) == top), default="9999")
        # The latest start wins: invert the stamp's characters so larger sorts first.
        return (c.pdb_violations, top, sum(pod_priority(v) + offset for v in c.victims), len(c.victims),
                tuple(-ord(ch) for ch in earliest))

    return min(candidates, key=key)


def preempt(pod: dict, nodes: list[str], resolvable: set[str], pods_on: Callable[[str], list[dict]],
            fits: Callable[[dict, str, list[dict]], bool], budgets: list[dict]) -> tuple[Candidate | None, str]:
    """DefaultPreemption's PostFilter: the chosen candidate, or None and the message to add
    to FailedScheduling (`preemption: ...`). `resolvable`: nodes that failed only on
    resources, the only ones preemption can help."""
    nominated = (pod.get("status") or {}).get("nominatedNodeName")
    why = eligible(pod, pods_on(nominated) if nominated else [])
    if why:
        return None, f"preemption: {why}"
    candidates, reasons = [], {}
    for node in nodes:
        if node not in resolvable:
            reasons[NOT_HELPFUL] = reasons.get(NOT_HELPFUL, 0) + 1
            continue
        c = select_victims(pod, node, pods_on(node), fits, budgets)
        if c is None:
            reasons[NO_VICTIMS] = reasons.get(NO_VICTIMS, 0) + 1
            continue
        candidates.append(c)
    best = pick(candidates)
    if best is not None:
        return best, ""
    parts = ", ".join(sorted(f"{n} {r}" for r, n in reasons.items()))
    return None, f"preemption: 0/{len(nodes)} nodes are available: {parts}."


def disruption_condition(scheduler: str, stamp: str) -> dict:
    """The DisruptionTarget condition the scheduler sets on a victim before deleting it."""
    return {"type": "DisruptionTarget", "status": "True", "reason": PREEMPTED_REASON,
            "message": f"{scheduler}: preempting to accommodate a higher priority pod", "lastTransitionTime": stamp}
