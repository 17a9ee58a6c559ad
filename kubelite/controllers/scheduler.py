"""The scheduler: bind each unscheduled pod to a feasible node, spreading by least allocated.

Filters, as upstream's default plugins: NodeName, NodeUnschedulable, TaintToleration,
NodeAffinity (nodeSelector and required affinity), NodeResourcesFit (requests against
allocatable minus bound pods, and the pod count), and VolumeBinding (claims bound,
PV node affinity). Scoring: least allocated, ties broken by node name.
"""
from __future__ import annotations

import heapq
import json
from dataclasses import dataclass, field

from kubelite.api.fastcopy import clone
from kubelite.api import kinds, quantity
from kubelite.controllers import _common as c

SCHEDULER = "default-scheduler"


def pod_requests(pod: dict) -> dict[str, int]:
    """Effective requests: sum of containers, max with each init container, plus overhead (milli-units)."""
    spec = pod.get("spec") or {}
    total: dict[str, int] = {}
    for ctr in spec.get("containers") or []:
        for r, q in ((ctr.get("resources") or {}).get("requests") or {}).items():
            total[r] = total.get(r, 0) + _milli(q)
    for ctr in spec.get("initContainers") or []:
        for r, q in ((ctr.get("resources") or {}).get("requests") or {}).items():
            total[r] = max(total.get(r, 0), _milli(q))
    for r, q in (spec.get("overhead") or {}).items():
        total[r] = total.get(r, 0) + _milli(q)
    return total


DEFAULT_MILLI_CPU = 100  # upstream's non-zero defaults, used only for scoring
DEFAULT_MEMORY = 200 * 1024 * 1024 * 1000  # 200Mi in milli-units


def nonzero_requests(pod: dict) -> dict[str, int]:
    """Requests for scoring: containers without cpu/memory requests count as 100m / 200Mi (upstream's GetNonzeroRequests)."""
    total = {"cpu": 0, "memory": 0}
    for ctr in (pod.get("spec") or {}).get("containers") or []:
        req = (ctr.get("resources") or {}).get("requests") or {}
        total["cpu"] += _milli(req["cpu"]) if "cpu" in req else DEFAULT_MILLI_CPU
        total["memory"] += _milli(req["memory"]) if "memory" in req else DEFAULT_MEMORY
    return total


def _milli(q) -> int:
    try:
        return quantity.milli(q)
    except quantity.QuantityError:
        return 0


def node_ready(node: dict) -> bool:
    cond = c.condition(node, "Ready")
    return cond is not None and cond.get("status") == "True"


@dataclass
class NodeInfo:
    node: dict
    allocatable: dict[str, int]
    requested: dict[str, int] = field(default_factory=dict)
    scored: dict[str, int] = field(default_factory=dict)  # non-zero requests, for scoring
    pods: int = 0
    version: int = 0  # bumped by add(): a Placer's scores for older versions are stale

    @property
    def name(self) -> str:
        return self.node["metadata"]["name"]

    def add(self, pod: dict) -> None:
        self.pods += 1
        self.version += 1
        for r, v in pod_requests(pod).items():
            self.requested[r] = self.requested.get(r, 0) + v
        for r, v in nonzero_requests(pod).items():
            self.scored[r] = self.scored.get(r, 0) + v


def usage(pod: dict) -> tuple[str, dict[str, int]] | None:
    """What a pod takes from its node, as a Snapshot tally sums it per node: the pod count
    ("#pods"), its requests ("r:" + resource) and its requests for scoring ("s:" + resource).
    None for a pod that takes nothing: not bound, or finished."""
    node = (pod.get("spec") or {}).get("nodeName")
    if not node or c.pod_phase(pod) in ("Succeeded", "Failed"):
        return None
    out = {"#pods": 1}
    for r, v in pod_requests(pod).items():
        out["r:" + r] = v
    for r, v in nonzero_requests(pod).items():
        out["s:" + r] = v
    return node, out


def build_infos(nodes: list[dict], pods_on, used: dict[str, dict[str, int]] | None = None) -> list[NodeInfo]:
    """A NodeInfo per node: from `used` (usage() summed per node) when given, else by
    adding up pods_on(node)."""
    infos = []
    for n in nodes:
        alloc_raw = (n.get("status") or {}).get("allocatable") or (n.get("status") or {}).get("capacity") or {}
        alloc = {r: _milli(q) for r, q in alloc_raw.items()}
        info = NodeInfo(n, alloc)
        if used is not None:
            for r, v in used.get(n["metadata"]["name"], {}).items():
                if r == "#pods":
                    info.pods = v
                elif r[0] == "r":
                    info.requested[r[2:]] = v
                else:
                    info.scored[r[2:]] = v
        else:
            for p in pods_on(n["metadata"]["name"]):
                if c.pod_phase(p) in ("Succeeded", "Failed"):
                    continue
                info.add(p)
        infos.append(info)
    return infos


def static_reason(pod: dict, info: NodeInfo) -> str | None:
    """The filters that depend only on the pod's shape and the node, never on what is bound
    to it: NodeUnschedulable, TaintToleration, node readiness and NodeAffinity."""
    spec = pod.get("spec") or {}
    node = info.node
    tolerations = spec.get("tolerations") or []
    if (node.get("spec") or {}).get("unschedulable"):
        if not c.tolerates(tolerations, {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}):
            return "node(s) were unschedulable"
    for t in (node.get("spec") or {}).get("taints") or []:
        if t.get("effect") in ("NoSchedule", "NoExecute") and not c.tolerates(tolerations, t):
            return f"node(s) had untolerated taint {{{t.get('key')}: {t.get('value') or ''}}}"
    if not node_ready(node):
        return "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
    if not c.required_node_affinity_matches(pod, node):
        return "node(s) didn't match Pod's node affinity/selector"
    return None


def fit_reason(info: NodeInfo, requests: dict[str, int]) -> str | None:
    """NodeResourcesFit: the pod count and the requests against what is left."""
    max_pods = info.allocatable.get("pods")
    if max_pods is not None and (info.pods + 1) * 1000 > max_pods:
        return "Too many pods"
    for r, v in requests.items():
        if v == 0:
            continue
        have = info.allocatable.get(r, 0)
        if info.requested.get(r, 0) + v > have:
            return f"Insufficient {r}"
    return None


def filter_node(pod: dict, info: NodeInfo, requests: dict[str, int], extra_check=None) -> str | None:
    """None if the pod fits the node, else upstream's reason text."""
    reason = static_reason(pod, info)
    if reason:
        return reason
    if extra_check is not None:
        reason = extra_check(pod, info.node)
        if reason:
            return reason
    return fit_reason(info, requests)


def score(info: NodeInfo, pod: dict, requests: dict[str, int] | None = None) -> float:
    """Least allocated over cpu and memory after placing the pod, with upstream's non-zero
    request defaults, so pods without requests still spread."""
    if requests is None:
        requests = nonzero_requests(pod)
    total = 0.0
    for r in ("cpu", "memory"):
        cap = info.allocatable.get(r, 0)
        if cap <= 0:
            continue
        used = info.scored.get(r, 0) + requests.get(r, 0)
        total += max(0.0, (cap - used) / cap)
    return total / 2


def failure_message(total: int, reasons: dict[str, int]) -> str:
    parts = sorted(f"{n} {r}" for r, n in reasons.items())
    return f"0/{total} nodes are available: " + ", ".join(parts) + "."


def place(pod: dict, infos: list[NodeInfo], extra_check=None) -> tuple[NodeInfo | None, dict[str, int]]:
    requests = pod_requests(pod)
    fits, reasons = [], {}
    want = (pod.get("spec") or {}).get("nodeName")
    for info in infos:
        if want and info.name != want:
            continue
        why = filter_node(pod, info, requests, extra_check)
        if why is None:
            fits.append(info)
        else:
            reasons[why] = reasons.get(why, 0) + 1
    if not fits:
        return None, reasons
    best = max(fits, key=lambda i: (score(i, pod), _neg_name(i.name)))
    return best, reasons


class Placer:
    """place() for a whole queue, without looking at every node for every pod.

    Pods of one shape (tolerations, node selector and affinity, requests) share a heap
    of their statically feasible nodes ordered as place() orders them: highest score,
    then first name. Binding a pod only ever lowers a node's score and shrinks what
    fits, so a heap entry is at worst stale-high: a popped entry whose node changed
    since is re-scored and pushed back, and a node that no longer fits a shape never
    will again in this pass. The choice is place()'s; pods with a nodeName or volume
    claims, and any pod that fits nowhere (whose message needs every node's reason),
    go through place() itself. On success the reasons are {}: only a failure reports them.
    """

    def __init__(self, infos: list[NodeInfo]):
        self.infos = infos
        self._heaps: dict[str, list] = {}

    def place(self, pod: dict, extra_check=None, claims: bool = False) -> tuple[NodeInfo | None, dict[str, int]]:
        spec = pod.get("spec") or {}
        if spec.get("nodeName") or claims:
            return place(pod, self.infos, extra_check)
        requests = pod_requests(pod)
        scored = nonzero_requests(pod)
        key = json.dumps([spec.get("tolerations"), spec.get("nodeSelector"),
                          (spec.get("affinity") or {}).get("nodeAffinity"), requests, scored], sort_keys=True)
        heap = self._heaps.get(key)
        if heap is None:
            heap = [(-score(i, pod, scored), i.name, n, i.version) for n, i in enumerate(self.infos)
                    if static_reason(pod, i) is None]
            heapq.heapify(heap)
            self._heaps[key] = heap
        while heap:
            neg, name, n, version = heap[0]
            info = self.infos[n]
            if version != info.version:
                heapq.heapreplace(heap, (-score(info, pod, scored), name, n, info.version))
                continue
            if fit_reason(info, requests) is not None:
                heapq.heappop(heap)  # full for this shape for the rest of the pass
                continue
            return info, {}
        return place(pod, self.infos, extra_check)

    def bound(self, pod: dict, info: NodeInfo) -> None:
        """The pod was bound to info's node: account for it (its heap entries go stale)."""
        info.add(pod)


def _neg_name(name: str) -> tuple:
    # max() picks the highest score, then the alphabetically first node name.
    return tuple(-ord(ch) for ch in name)


def _volume_check(ctx):
    """VolumeBinding, as upstream's plugin.

    PreFilter (`check.prefilter(pod)`): every claim must exist and not be being deleted, and
    claims of Immediate classes must be bound; otherwise the pod is unschedulable on every node
    with that one message. Filter (`check(pod, node)`): a bound claim's volume must fit the node
    (its nodeAffinity); an unbound WaitForFirstConsumer claim needs an Available volume that fits
    the node, or a class that can provision there. Reserve (`check.reserve(pod, node)`): such
    claims are annotated volume.kubernetes.io/selected-node, for the volume binder to bind or
    provision on that node; False if a claim could not be annotated (the pod waits a pass).
    """

    def claims(pod: dict) -> list[str]:
        return [n for v in (pod.get("spec") or {}).get("volumes") or []
                if (n := (v.get("persistentVolumeClaim") or {}).get("claimName"))]

    def bound(pvc: dict) -> bool:
        return bool((pvc.get("spec") or {}).get("volumeName")) and (pvc.get("status") or {}).get("phase") == "Bound"

    def delayed(pvc: dict) -> dict | None:
        """The claim's class if it waits for its first consumer."""
        sc_name = c.pvc_storage_class(pvc)
        sc = ctx.snap.get("StorageClass", "", sc_name) if sc_name else None
        return sc if sc is not None and sc.get("volumeBindingMode") == c.WAIT_FOR_FIRST_CONSUMER else None

    def topology_allows(terms: list[dict] | None, node: dict) -> bool:
        """Upstream's MatchTopologySelectorTerms for a class's allowedTopologies (none: every node)."""
        if not terms:
            return True
        labels = node["metadata"].get("labels") or {}
        return any(term.get("matchLabelExpressions") and
                   all(labels.get(e.get("key")) in (e.get("values") or []) for e in term["matchLabelExpressions"])
                   for term in terms)

    def prefilter(pod: dict) -> str | None:
        ns = pod["metadata"]["namespace"]
        unbound_immediate = False
        for claim in claims(pod):
            pvc = ctx.snap.get("PersistentVolumeClaim", ns, claim)
            if pvc is None:
                return f'persistentvolumeclaim "{claim}" not found'
            if pvc["metadata"].get("deletionTimestamp"):
                return f'persistentvolumeclaim "{claim}" is being deleted'
            if not bound(pvc) and delayed(pvc) is None:
                unbound_immediate = True
        return "pod has unbound immediate PersistentVolumeClaims" if unbound_immediate else None

    def check(pod: dict, node: dict) -> str | None:
        ns = pod["metadata"]["namespace"]
        chosen: set[str] = set()
        for claim in claims(pod):
            pvc = ctx.snap.get("PersistentVolumeClaim", ns, claim)
            if pvc is None:
                continue  # the prefilter reports it
            if bound(pvc):
                pv = ctx.snap.get("PersistentVolume", "", pvc["spec"]["volumeName"])
                if pv is not None and not c.pv_node_affinity_matches(pv, node):
                    return "node(s) had volume node affinity conflict"
                continue
            sc = delayed(pvc)
            if sc is None:
                continue
            selected = ((pvc.get("metadata") or {}).get("annotations") or {}).get(c.ANN_SELECTED_NODE)
            if selected and selected != node["metadata"]["name"]:
                return "node(s) didn't find available persistent volumes to bind"
            pv = c.find_matching_volume(pvc, ctx.snap.list("PersistentVolume"), node, chosen, True)
            if pv is not None:
                chosen.add(pv["metadata"]["name"])
                continue
            if sc.get("provisioner") in (None, "", c.NOT_SUPPORTED_PROVISIONER) or \
                    not topology_allows(sc.get("allowedTopologies"), node):
                return "node(s) didn't find available persistent volumes to bind"
        return None

    def reserve(pod: dict, node_name: str) -> bool:
        ns = pod["metadata"]["namespace"]
        for claim in claims(pod):
            pvc = ctx.snap.get("PersistentVolumeClaim", ns, claim)
            if pvc is None or bound(pvc) or delayed(pvc) is None:
                continue
            if ((pvc.get("metadata") or {}).get("annotations") or {}).get(c.ANN_SELECTED_NODE) == node_name:
                continue
            updated = clone(pvc)
            updated["metadata"].setdefault("annotations", {})[c.ANN_SELECTED_NODE] = node_name
            if ctx.update(updated) is None:
                return False
            ctx.change(pvc, f"selected node {node_name}")
        return True

    check.prefilter = prefilter  # type: ignore[attr-defined]
    check.reserve = reserve  # type: ignore[attr-defined]
    return check


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def warm(snap) -> None:
    """After a whole pass of a long-running process, whose snapshot outlives it: sum the
    nodes' usage now, so the next pass that binds a pod pays for what changed only."""
    snap.tally("Pod", usage)


def sync(ctx) -> None:
    pending = [p for p in ctx.snap.list("Pod")
               if not (p.get("spec") or {}).get("nodeName")
               and (p.get("spec") or {}).get("schedulerName", SCHEDULER) == SCHEDULER
               and c.is_active(p) and not (p.get("spec") or {}).get("schedulingGates")]
    if not pending:
        return
    nodes = sorted(ctx.snap.list("Node"), key=lambda n: n["metadata"]["name"])
    # Per-node usage is a tally the snapshot keeps as pods change: in a long-running
    # process it outlives the pass, so a pass pays for the pods that changed, not all of them.
    infos = build_infos(nodes, ctx.snap.pods_on, ctx.snap.tally("Pod", usage))
    check = _volume_check(ctx)
    # Upstream's queue orders by priority, then by arrival.
    pending.sort(key=lambda p: (-int((p.get("spec") or {}).get("priority") or 0), p["metadata"].get("creationTimestamp") or "", p["metadata"]["name"]))
    placer = Placer(infos)
    # Pods nominated to a node by an earlier preemption hold their place there (upstream's nominator).
    nominated: dict[str, list[dict]] = {}
    for p in pending:
        n = (p.get("status") or {}).get("nominatedNodeName")
        if n:
            nominated.setdefault(n, []).append(p)
    ctx.guarded(pending, lambda pod: _schedule(ctx, pod, placer, check, nominated))


def _schedule(ctx, pod: dict, placer: Placer, check, nominated: dict[str, list[dict]] | None = None) -> None:
    infos = placer.infos
    prefilter = getattr(check, "prefilter", None)
    rejected = prefilter(pod) if prefilter is not None and infos else None
    if rejected:
        best, reasons = None, {}
    else:
        claims = any(v.get("persistentVolumeClaim") for v in (pod.get("spec") or {}).get("volumes") or [])
        best, reasons = placer.place(pod, check, claims)
    if best is None:
        reasons = {"no nodes available to schedule pods": 1} if not infos else reasons
        nominee = (pod.get("status") or {}).get("nominatedNodeName")
        if rejected:
            msg = f"0/{len(infos)} nodes are available: {rejected}."
        else:
            msg = failure_message(len(infos), reasons) if infos else "no nodes available to schedule pods"
            if infos:
                # PostFilter: DefaultPreemption, when the pod fits nowhere as things stand.
                nominee, more = _preempt(ctx, pod, placer, check, nominated if nominated is not None else {})
                msg += f" {more}" if more else ""
        cond = c.condition(pod, "PodScheduled")
        if cond and cond.get("status") == "False" and cond.get("message") == msg \
                and (pod.get("status") or {}).get("nominatedNodeName") == nominee:
            return  # already says so; nothing new to write
        updated = clone(pod)
        status = updated.setdefault("status", {})
        status.setdefault("phase", "Pending")
        c.set_condition(status, "PodScheduled", "False", "Unschedulable", msg, ctx.stamp, probe=True)
        if nominee:
            status["nominatedNodeName"] = nominee
        else:
            status.pop("nominatedNodeName", None)
        if ctx.update(updated) is not None:
            ctx.event(pod, "Warning", "FailedScheduling", msg)
            ctx.change(pod, f"unschedulable: {msg}")
        return
    reserve = getattr(check, "reserve", None)
    if reserve is not None and not reserve(pod, best.name):
        return  # a claim could not be annotated for its node: try again next pass
    updated = clone(pod)
    updated["spec"]["nodeName"] = best.name
    status = updated.setdefault("status", {})
    status.setdefault("phase", "Pending")
    c.set_condition(status, "PodScheduled", "True", "", "", ctx.stamp, probe=True)
    for k in ("reason", "message"):
        for cnd in status["conditions"]:
            if cnd["type"] == "PodScheduled":
                cnd.pop(k, None)
    if ctx.update(updated) is None:
        return
    placer.bound(pod, best)
    ns = pod["metadata"]["namespace"]
    ctx.event(pod, "Normal", "Scheduled", f"Successfully assigned {ns}/{pod['metadata']['name']} to {best.name}")
    ctx.change(pod, f"scheduled to {best.name}")


def _preempt(ctx, pod: dict, placer: Placer, check, nominated: dict[str, list[dict]]) -> tuple[str | None, str]:
    """DefaultPreemption (kubelite.policy.priority): evict the victims on the chosen node and
    nominate it. Returns (the nominated node or None, the `preemption: ...` message when none)."""
    from kubelite.policy import priority as pr

    infos = {i.name: i for i in placer.infos}
    requests = pod_requests(pod)
    prio = pr.pod_priority(pod)
    me = pod["metadata"].get("uid")
    # Only nodes that failed on resources alone can be helped by removing pods.
    resolvable = {n for n, i in infos.items()
                  if static_reason(pod, i) is None and (check is None or check(pod, i.node) is None)}

    def pods_on(node: str) -> list[dict]:
        return [p for p in ctx.snap.pods_on(node) if c.pod_phase(p) not in ("Succeeded", "Failed")]

    def fits(p: dict, node: str, left: list[dict]) -> bool:
        info = NodeInfo(infos[node].node, infos[node].allocatable)
        for q in left:
            info.add(q)
        for q in nominated.get(node, []):  # higher or equal priority pods already nominated here
            if q["metadata"].get("uid") != me and pr.pod_priority(q) >= prio:
                info.add(q)
        return fit_reason(info, requests) is None

    budget_kind = kinds.for_object("policy/v1", "PodDisruptionBudget")
    budgets = ctx.snap.list("PodDisruptionBudget") if budget_kind is not None else []
    chosen, msg = pr.preempt(pod, sorted(infos), resolvable, pods_on, fits, budgets)
    if chosen is None:
        return None, msg
    if not chosen.victims:
        return chosen.node, ""
    scheduler = (pod.get("spec") or {}).get("schedulerName") or SCHEDULER
    for victim in chosen.victims:
        marked = clone(victim)
        conds = [cd for cd in (marked.setdefault("status", {}).get("conditions") or []) if cd.get("type") != "DisruptionTarget"]
        marked["status"]["conditions"] = conds + [pr.disruption_condition(scheduler, ctx.stamp)]
        stored = ctx.update(marked)
        if stored is None or not ctx.delete(stored):
            return None, ""  # a conflict: try again next pass
        ctx.event(victim, "Normal", "Preempted", f"Preempted by pod {me} on node {chosen.node}")
        ctx.change(victim, f"preempted by {pod['metadata']['namespace']}/{pod['metadata']['name']} on {chosen.node}")
    # Lower-priority pods nominated to that node may no longer fit there: they look again.
    for other in list(nominated.get(chosen.node, [])):
        if pr.pod_priority(other) < prio and other["metadata"].get("uid") != me:
            cleared = clone(ctx.snap.get("Pod", other["metadata"]["namespace"], other["metadata"]["name"]) or other)
            cleared.setdefault("status", {}).pop("nominatedNodeName", None)
            if ctx.update(cleared) is not None:
                nominated[chosen.node].remove(other)
    for n in nominated:
        nominated[n] = [q for q in nominated[n] if q["metadata"].get("uid") != me]
    nominated.setdefault(chosen.node, []).append(pod)
    return chosen.node, ""
