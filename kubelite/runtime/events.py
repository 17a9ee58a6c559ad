"""Events as upstream's recorder writes them, with repeats folded into one object and a count."""
from __future__ import annotations

import hashlib

from kubelite.api import kinds
from kubelite.errors import KubeliteError

MAX_MESSAGE = 1024


def event_name(obj: dict, etype: str, reason: str, message: str) -> str:
    """Deterministic per (object, type, reason, message), so a repeat finds and bumps its event."""
    m = obj.get("metadata") or {}
    digest = hashlib.sha1(f"{m.get('uid')}|{etype}|{reason}|{message}".encode()).hexdigest()[:16]
    name = m.get("name", "")
    return f"{name[:200]}.{digest}"


def build(obj: dict, etype: str, reason: str, message: str, component: str, now: str, host: str | None = None) -> dict:
    m = obj.get("metadata") or {}
    kind = kinds.for_object(obj.get("apiVersion"), obj.get("kind"))
    ns = m.get("namespace") or "default"
    ev = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": event_name(obj, etype, reason, message), "namespace": ns},
        "involvedObject": {
            "apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "name": m.get("name"),
            "uid": m.get("uid"), "resourceVersion": m.get("resourceVersion"),
        },
        "reason": reason,
        "message": message[:MAX_MESSAGE],
        "type": etype,
        "source": {"component": component},
        "firstTimestamp": now,
        "lastTimestamp": now,
        "count": 1,
        "reportingComponent": component,
        "reportingInstance": "",
    }
    if kind is not None and kind.namespaced:
        ev["involvedObject"]["namespace"] = ns
    if host:
        ev["source"]["host"] = host
    return ev


def record(api, obj: dict, etype: str, reason: str, message: str, component: str, host: str | None = None) -> bool:
    """Write or bump an Event. Failures to record never fail the caller (as upstream)."""
    ek = kinds.by_kind("Event")
    now = api.clock.stamp()
    ev = build(obj, etype, reason, message, component, now, host)
    ns, name = ev["metadata"]["namespace"], ev["metadata"]["name"]
    try:
        with api.store.locked():
            cur = api.store.try_get(ek, ns, name)
            if cur is None:
                if not api.store.exists(kinds.by_kind("Namespace"), None, ns):
                    return False
                api.store.create(ek, ev)
            else:
                cur["count"] = int(cur.get("count") or 1) + 1
                cur["lastTimestamp"] = now
                api.store.update(ek, cur)
        return True
    except KubeliteError:
        return False
