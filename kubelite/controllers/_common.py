"""Helpers the controllers share: owner references, pod state, conditions, hashing."""
from __future__ import annotations

import datetime as dt

import json
import secrets
from typing import Any

from kubelite.api.fastcopy import clone
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
    t = clone(template)
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


def requeue_for_min_ready(ctx, pods, min_ready_seconds: int, owner: str) -> None:
    """A pod Ready for less than minReadySeconds becomes available with no write to mark
    it: ask for a pass at that time."""
    if not min_ready_seconds:
        return
    wait = dt.timedelta(seconds=int(min_ready_seconds))
    for pod in pods:
        if not is_ready(pod):
            continue
        since = parse_stamp(condition(pod, "Ready").get("lastTransitionTime"))
        if since is not None and since + wait > ctx.now:
            ctx.requeue_at(since + wait, f"minReadySeconds of {owner}")


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
    t = clone(template or {})
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


RUNTIME_LABEL = "kubelite.io/runtime"


def is_process_node(node: dict | None) -> bool:
    """A node that opted in to run its pods as real processes (`kubelite.io/runtime: process`)."""
    return node is not None and ((node.get("metadata") or {}).get("labels") or {}).get(RUNTIME_LABEL) == "process"


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
        released = clone(o)
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
        adopted = clone(o)
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
    t = clone(template or {})
    t["$patch"] = "replace"
    return {"spec": {"template": t}}


def template_from_patch(data: dict | None) -> dict:
    """The pod template a revision's data restores (the inverse of template_patch)."""
    t = clone(((data or {}).get("spec") or {}).get("template") or {})
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


# -- events recorded once per occurrence --------------------------------------------------

def event_once(ctx, obj: dict, etype: str, reason: str, message: str, since: Any = None,
               component: str | None = None) -> bool:
    """Record an Event unless the same one (same object, type, reason and message) is already
    stored, or, with `since` (a datetime), was already seen at or after `since`.

    For a condition a controller reports on every pass without changing any object (a missed
    schedule, a run held back by a concurrency policy): the stored Event is the record that
    it was reported, so a second pass at the same instant writes nothing.
    """
    from kubelite.api import kinds as _kinds
    from kubelite.runtime import events as _events

    m = obj.get("metadata") or {}
    name = _events.event_name(obj, etype, reason, message)
    cur = ctx.api.store.try_get(_kinds.by_kind("Event"), m.get("namespace") or "default", name)
    if cur is not None:
        if since is None:
            return False
        try:
            if parse_time(cur.get("lastTimestamp") or "") >= since:
                return False
        except ValueError:
            pass
    ctx.event(obj, etype, reason, message, component=component)
    return True


# -- persistent volumes (upstream's component-helpers/storage/volume and pv_controller helpers) --
# Shared by the volume binder and the scheduler's VolumeBinding filter; pure.

ANN_BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"
ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node"
NOT_SUPPORTED_PROVISIONER = "kubernetes.io/no-provisioner"
WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer"


def pv_storage_class(pv: dict) -> str:
    """Upstream's GetPersistentVolumeClass: the beta annotation wins over spec.storageClassName."""
    ann = (pv.get("metadata") or {}).get("annotations") or {}
    if ANN_BETA_STORAGE_CLASS in ann:
        return ann[ANN_BETA_STORAGE_CLASS]
    return (pv.get("spec") or {}).get("storageClassName") or ""


def pvc_storage_class(pvc: dict) -> str:
    """Upstream's GetPersistentVolumeClaimClass: the beta annotation, else spec.storageClassName, else ""."""
    return pv_storage_class(pvc)


def storage_quantity(resources: dict | None):
    """The `storage` entry of a capacity or requests map as an exact number (0 when absent or bad)."""
    from fractions import Fraction

    from kubelite.api import quantity

    raw = (resources or {}).get("storage")
    if raw is None:
        return Fraction(0)
    try:
        return quantity.parse(raw)
    except quantity.QuantityError:
        return Fraction(0)


def claim_request(pvc: dict):
    return storage_quantity((((pvc.get("spec") or {}).get("resources") or {}).get("requests")))


def volume_mode_mismatch(pvc: dict, pv: dict) -> bool:
    """Upstream's CheckVolumeModeMismatches: an unset mode means Filesystem on both sides."""
    want = (pvc.get("spec") or {}).get("volumeMode") or "Filesystem"
    have = (pv.get("spec") or {}).get("volumeMode") or "Filesystem"
    return want != have


def access_modes_satisfied(pvc: dict, pv: dict) -> bool:
    """Upstream's CheckAccessModes: every mode the claim asks for is one the volume offers."""
    have = set((pv.get("spec") or {}).get("accessModes") or [])
    return all(m in have for m in (pvc.get("spec") or {}).get("accessModes") or [])


def is_volume_bound_to_claim(pv: dict, pvc: dict) -> bool:
    """Upstream's IsVolumeBoundToClaim: claimRef names the claim and its uid, if set, is the claim's."""
    ref = (pv.get("spec") or {}).get("claimRef")
    if not ref:
        return False
    m = pvc.get("metadata") or {}
    if ref.get("name") != m.get("name") or (ref.get("namespace") or "") != (m.get("namespace") or ""):
        return False
    return not ref.get("uid") or ref.get("uid") == m.get("uid")


def pv_node_affinity_matches(pv: dict, node: dict) -> bool:
    """Upstream's CheckNodeAffinity: a volume without required node affinity fits every node."""
    required = (((pv.get("spec") or {}).get("nodeAffinity") or {}).get("required"))
    if not required:
        return True
    return node_selector_terms_match(required.get("nodeSelectorTerms"), node)


def find_matching_volume(pvc: dict, volumes: list[dict], node: dict | None = None,
                         excluded: set | frozenset = frozenset(), delay_binding: bool = False) -> dict | None:
    """Upstream's FindMatchingVolume: the volume pre-bound to the claim, else the smallest Available
    volume of the claim's class that is big enough, has its volumeMode, matches its selector and
    (with a node: the scheduler's path) fits the node and offers its access modes.

    Without a node, a claim whose class waits for its first consumer only takes a pre-bound volume."""
    from kubelite.api import selectors

    requested = claim_request(pvc)
    klass = pvc_storage_class(pvc)
    raw_selector = (pvc.get("spec") or {}).get("selector")
    selector = None
    if raw_selector is not None:
        try:
            selector = selectors.from_label_selector(raw_selector)
        except Exception:  # an invalid selector matches nothing
            return None
    best, best_size = None, None
    for pv in sorted(volumes, key=lambda v: (v.get("metadata") or {}).get("name") or ""):
        meta, spec = pv.get("metadata") or {}, pv.get("spec") or {}
        if meta.get("name") in excluded:
            continue
        if spec.get("claimRef") and not is_volume_bound_to_claim(pv, pvc):
            continue
        size = storage_quantity(spec.get("capacity"))
        if size < requested or volume_mode_mismatch(pvc, pv) or meta.get("deletionTimestamp"):
            continue
        fits_node = node is None or pv_node_affinity_matches(pv, node)
        if is_volume_bound_to_claim(pv, pvc):
            return pv if fits_node else None
        if node is None and delay_binding:
            continue
        if (pv.get("status") or {}).get("phase") != "Available":
            continue
        if selector is not None and not selector.matches(meta.get("labels") or {}):
            continue
        if pv_storage_class(pv) != klass or not fits_node:
            continue
        if node is not None and not access_modes_satisfied(pvc, pv):
            continue
        if best is None or size < best_size:
            best, best_size = pv, size
    return best


def best_volume_for_claim(pvc: dict, volumes: list[dict], delay_binding: bool = False) -> dict | None:
    """The PV controller's findByClaim: volumes grouped by their set of access modes, the groups that
    offer every mode the claim asks for tried fewest modes first, the first match winning."""
    want = set((pvc.get("spec") or {}).get("accessModes") or [])
    groups: dict[frozenset, list[dict]] = {}
    for pv in volumes:
        groups.setdefault(frozenset((pv.get("spec") or {}).get("accessModes") or []), []).append(pv)
    for key in sorted((k for k in groups if want <= k), key=lambda k: (len(k), sorted(k))):
        hit = find_matching_volume(pvc, groups[key], None, frozenset(), delay_binding)
        if hit is not None:
            return hit
    return None


def parse_stamp(stamp: str | None) -> dt.datetime | None:
    """An RFC 3339 stamp as a time, or None when it is missing or malformed."""
    if not stamp:
        return None
    try:
        return parse_time(stamp)
    except ValueError:
        return None


def seconds_since(stamp: str | None, now: dt.datetime) -> float:
    """Seconds from a stamp to now; infinitely long ago when the stamp is missing or bad."""
    t = parse_stamp(stamp)
    return float("inf") if t is None else (now - t).total_seconds()
