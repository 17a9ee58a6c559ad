"""Helpers the controllers share: owner references, pod state, conditions, hashing."""
from __future__ import annotations

import copy
import json
import secrets
from typing import Any

from kubelite.clock import parse_time

DOWN = "sim.kubelite.io/down"
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # upstream's rand.String / SafeEncodeString alphabet


def random_suffix(n: int = 5) -> str:
    return "".join(secrets.choice(SAFE_ALPHABET) for _ in range(n))


def safe_encode(value: int) -> str:
    """Upstream's SafeEncodeString over a number's decimal digits (pod-template-hash style)."""
    return "".join(SAFE_ALPHABET[int(ch) % len(SAFE_ALPHABET)] for ch in str(value))


def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def template_hash(template: dict, collision_count: int | None = None) -> str:
    """A deterministic hash of a pod template, shaped like upstream's pod-template-hash."""
    t = copy.deepcopy(template)
    labels = (t.get("metadata") or {}).get("labels") or {}
    labels.pop("pod-template-hash", None)
    payload = json.dumps(t, sort_keys=True, separators=(",", ":")).encode()
    if collision_count:
        payload += str(collision_count).encode()
    return safe_encode(fnv32a(payload))


def owner_ref(owner: dict, controller: bool = True) -> dict:
    m = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": m["name"], "uid": m["uid"],
            "controller": controller, "blockOwnerDeletion": True}


def controller_of(obj: dict) -> dict | None:
    for r in (obj.get("metadata") or {}).get("ownerReferences") or []:
        if r.get("controller"):
            return r
    return None


def is_controlled_by(obj: dict, owner: dict) -> bool:
    r = controller_of(obj)
    return r is not None and r.get("uid") == owner["metadata"].get("uid")


def is_terminating(obj: dict) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def pod_phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase") or "Pending"


def is_active(pod: dict) -> bool:
    """Upstream's IsPodActive: not Succeeded/Failed and not being deleted."""
    return pod_phase(pod) not in ("Succeeded", "Failed") and not is_terminating(pod)


def condition(obj: dict, ctype: str) -> dict | None:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return c
    return None


def is_ready(pod: dict) -> bool:
    c = condition(pod, "Ready")
    return c is not None and c.get("status") == "True"


def is_available(pod: dict, min_ready_seconds: int, now) -> bool:
    """Ready for at least minReadySeconds (upstream's IsPodAvailable)."""
    if not is_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    c = condition(pod, "Ready")
    try:
        since = parse_time(c.get("lastTransitionTime"))
    except (TypeError, ValueError):
        return False
    return (now - since).total_seconds() >= min_ready_seconds


def set_condition(status: dict, ctype: str, cstatus: str, reason: str = "", message: str = "", now: str = "",
                  heartbeat: str | None = None, probe: bool = False) -> None:
    """Set a condition, keeping lastTransitionTime unless the status flips."""
    conds = status.setdefault("conditions", [])
    for c in conds:
        if c.get("type") == ctype:
            if c.get("status") != cstatus:
                c["lastTransitionTime"] = now
            c["status"] = cstatus
            if reason or "reason" in c:
                c["reason"] = reason
            if message or "message" in c:
                c["message"] = message
            if heartbeat is not None:
                c["lastHeartbeatTime"] = heartbeat
            if probe:
                c["lastProbeTime"] = None
            return
    new: dict[str, Any] = {"type": ctype, "status": cstatus, "lastTransitionTime": now}
    if heartbeat is not None:
        new["lastHeartbeatTime"] = heartbeat
    if probe:
        new["lastProbeTime"] = None
    if reason:
        new["reason"] = reason
    if message:
        new["message"] = message
    conds.append(new)


def pod_from_template(template: dict, owner: dict, name: str, namespace: str, extra_labels: dict | None = None) -> dict:
    """A pod as upstream's controller.GetPodFromTemplate builds it."""
    t = copy.deepcopy(template or {})
    tmeta = t.get("metadata") or {}
    labels = dict(tmeta.get("labels") or {})
    labels.update(extra_labels or {})
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "ownerReferences": [owner_ref(owner)]}
    if labels:
        meta["labels"] = labels
    if tmeta.get("annotations"):
        meta["annotations"] = dict(tmeta["annotations"])
    if tmeta.get("finalizers"):
        meta["finalizers"] = list(tmeta["finalizers"])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": t.get("spec") or {}}


def int_or_percent(value: Any, total: int, round_up: bool) -> int:
    """Upstream's GetScaledValueFromIntOrPercent."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    s = str(value)
    if s.endswith("%"):
        pct = int(s[:-1])
        n = pct * total
        return -(-n // 100) if round_up else n // 100
    return int(s)


def replicas_of(obj: dict) -> int:
    r = (obj.get("spec") or {}).get("replicas")
    return 1 if r is None else int(r)


def status_replicas(obj: dict, field: str = "replicas") -> int:
    return int((obj.get("status") or {}).get(field) or 0)


def strip_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def tolerates(tolerations: list[dict], taint: dict) -> bool:
    """Whether any toleration tolerates the taint (upstream's ToleratesTaint)."""
    for t in tolerations or []:
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        op = t.get("operator") or "Equal"
        if not t.get("key"):
            if op == "Exists":
                return True
            continue
        if t.get("key") != taint.get("key"):
            continue
        if op == "Exists" or (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def is_down(node: dict) -> bool:
    """A node the user marked down with `sim.kubelite.io/down: "true"`: no heartbeats, no pod progress."""
    return ((node.get("metadata") or {}).get("annotations") or {}).get(DOWN) == "true"


# -- node eligibility (upstream's nodeaffinity / v1helper taint helpers) --------------------
# Shared by the scheduler and the DaemonSet controller; pure.

def match_node_selector_requirement(expr: dict, labels: dict, fields: dict | None = None) -> bool:
    """One NodeSelectorRequirement against a node's labels (or, with fields, its fields)."""
    key, op = expr.get("key"), expr.get("operator")
    values = [str(v) for v in expr.get("values") or []]
    src = fields if fields is not None else labels
    has = key in src
    v = src.get(key)
    if op == "In":
        return has and v in values
    if op == "NotIn":
        return not has or v not in values
    if op == "Exists":
        return has
    if op == "DoesNotExist":
        return not has
    if op in ("Gt", "Lt"):
        try:
            a, b = int(v), int(values[0])
        except (TypeError, ValueError, IndexError):
            return False
        return a > b if op == "Gt" else a < b
    return False


def node_selector_terms_match(terms: list[dict] | None, node: dict) -> bool:
    """NodeSelectorTerms are ORed, requirements within a term ANDed; an empty term matches nothing."""
    meta = node.get("metadata") or {}
    labels = meta.get("labels") or {}
    fields = {"metadata.name": meta.get("name")}
    for term in terms or []:
        exprs = term.get("matchExpressions") or []
        fexprs = term.get("matchFields") or []
        if not exprs and not fexprs:
            continue
        if all(match_node_selector_requirement(e, labels) for e in exprs) and \
                all(match_node_selector_requirement(e, labels, fields) for e in fexprs):
            return True
    return False


def required_node_affinity_matches(pod: dict, node: dict) -> bool:
    """nodeSelector and requiredDuringSchedulingIgnoredDuringExecution (upstream's
    nodeaffinity.GetRequiredNodeAffinity(pod).Match(node))."""
    spec = pod.get("spec") or {}
    labels = (node.get("metadata") or {}).get("labels") or {}
    for k, v in (spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    req = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution")
    if req is not None:
        return node_selector_terms_match(req.get("nodeSelectorTerms"), node)
    return True


def find_untolerated_taint(taints: list[dict] | None, tolerations: list[dict] | None,
                           effects: tuple[str, ...] = ("NoSchedule", "NoExecute")) -> dict | None:
    """The first taint with one of `effects` that no toleration tolerates (upstream's
    v1helper.FindMatchingUntoleratedTaint with an effect filter)."""
    for t in taints or []:
        if t.get("effect") in effects and not tolerates(tolerations or [], t):
            return t
    return None


# -- owner-reference claiming (upstream's ControllerRefManager.ClaimObject) -----------------

def claim_objects(ctx, owner: dict, kind: str, selector, member=None) -> list[dict]:
    """The objects of `kind` the owner controls after adoption and release.

    Owned objects that stop matching the selector (or `member`) are released unless the
    owner is being deleted; matching orphans are adopted unless either side is being deleted.
    """
    meta = owner["metadata"]
    ns, uid = meta.get("namespace"), meta["uid"]
    match = (lambda o: selector.matches((o.get("metadata") or {}).get("labels")) and (member is None or member(o)))
    deleting = is_terminating(owner)
    claimed: dict[str, dict] = {}
    for o in ctx.snap.owned(kind, uid):
        if not is_controlled_by(o, owner):
            continue
        if match(o) or deleting:
            claimed[o["metadata"]["name"]] = o
            continue
        released = copy.deepcopy(o)
        refs = [r for r in o["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
        if refs:
            released["metadata"]["ownerReferences"] = refs
        else:
            released["metadata"].pop("ownerReferences", None)
        if ctx.update(released) is not None:
            ctx.change(owner, f"released {kind.lower()} {o['metadata']['name']}")
    if deleting:
        return list(claimed.values())
    for o in ctx.snap.select(kind, ns, selector):
        name = o["metadata"]["name"]
        if name in claimed or controller_of(o) is not None or is_terminating(o) or not match(o):
            continue
        adopted = copy.deepcopy(o)
        adopted["metadata"].setdefault("ownerReferences", []).append(owner_ref(owner))
        stored = ctx.update(adopted)
        if stored is not None:
            claimed[name] = stored
            ctx.change(owner, f"adopted {kind.lower()} {name}")
    return list(claimed.values())


# -- ControllerRevisions (upstream's pkg/controller/history) --------------------------------

REVISION_HASH = "controller-revision-hash"


def template_patch(template: dict) -> dict:
    """The revision data DaemonSets and StatefulSets store: a patch replacing spec.template."""
    t = copy.deepcopy(template or {})
    t["$patch"] = "replace"
    return {"spec": {"template": t}}


def template_from_patch(data: dict | None) -> dict:
    """The pod template a revision's data restores (the inverse of template_patch)."""
    t = copy.deepcopy(((data or {}).get("spec") or {}).get("template") or {})
    t.pop("$patch", None)
    return t


def revision_hash(data: dict, collision_count: int | None = None) -> str:
    """Upstream's HashControllerRevision: FNV over the data plus the collision count, safe-encoded."""
    payload = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    if collision_count:
        payload += str(collision_count).encode()
    return safe_encode(fnv32a(payload))


def revision_key(rev: dict) -> tuple:
    """Upstream's SortControllerRevisions order: revision, then creation time, then name."""
    m = rev.get("metadata") or {}
    return (int(rev.get("revision") or 0), m.get("creationTimestamp") or "", m.get("name") or "")
