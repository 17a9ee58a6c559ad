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
