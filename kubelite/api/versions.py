"""Kinds served in a second GA version, converted to the version kubelite stores.

Upstream serves HorizontalPodAutoscaler as autoscaling/v2 and autoscaling/v1, and Event
in the core group and as events.k8s.io/v1; each pair is one resource, converted on the
way in and out (pkg/apis/autoscaling/v1/conversion.go, pkg/apis/events/v1/conversion.go).
kubelite stores the preferred version (autoscaling/v2, core v1 Event), converts an
object of the other version when it comes in (`to_storage`), and converts back when a
client reads through the other version (`from_storage`): `kubelite get
horizontalpodautoscalers.v1.autoscaling NAME`, or `serve`'s /apis/autoscaling/v1/...
Reads return the stored version by default, as `kubectl get` does. Pure functions, no I/O.
"""
from __future__ import annotations

import json
from typing import Any, Callable, NamedTuple


# -- HorizontalPodAutoscaler: autoscaling/v1 <-> autoscaling/v2 -----------------------------------
# What v1 has no field for travels in annotations, as upstream's conversion does
# (pkg/apis/autoscaling/annotations.go): a v1 client that reads, edits and writes back an
# HPA keeps its other metrics, conditions and behavior.
METRIC_SPECS = "autoscaling.alpha.kubernetes.io/metrics"
METRIC_STATUSES = "autoscaling.alpha.kubernetes.io/current-metrics"
CONDITIONS = "autoscaling.alpha.kubernetes.io/conditions"
BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior"
_ROUND_TRIP = (METRIC_SPECS, METRIC_STATUSES, CONDITIONS, BEHAVIOR)
DEFAULT_CPU_UTILIZATION = 80  # autoscaling/v1's implicit target, made explicit in v2

_SOURCES = ("object", "pods", "resource", "containerResource", "external")


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _set(out: dict, key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _metric_to_v1(m: dict, status: bool) -> dict:
    """A v2 MetricSpec (or MetricStatus) in autoscaling/v1's shape (the v2beta1 fields):
    `target` values become targetX, `current` values currentX."""
    p = "current" if status else "target"
    out: dict = {"type": m.get("type")}
    for src in _SOURCES:
        s = m.get(src)
        if not isinstance(s, dict):
            continue
        t, metric = s.get(p) or {}, s.get("metric") or {}
        v1: dict = {}
        if src in ("resource", "containerResource"):
            _set(v1, "name", s.get("name"))
            _set(v1, f"{p}AverageUtilization", t.get("averageUtilization"))
            _set(v1, f"{p}AverageValue", t.get("averageValue", "0") if status else t.get("averageValue"))
            _set(v1, "container", s.get("container"))
        elif src == "pods":
            _set(v1, "metricName", metric.get("name"))
            v1[f"{p}AverageValue"] = t.get("averageValue", "0")
            _set(v1, "selector", metric.get("selector"))
        elif src == "object":
            v1["target"] = s.get("describedObject") or {}
            _set(v1, "metricName", metric.get("name"))
            v1[f"{p}Value"] = t.get("value", "0")
            _set(v1, "selector", metric.get("selector"))
            _set(v1, "averageValue", t.get("averageValue"))
        else:
            _set(v1, "metricName", metric.get("name"))
            _set(v1, "metricSelector", metric.get("selector"))
            _set(v1, f"{p}Value", t.get("value", "0") if status else t.get("value"))
            _set(v1, f"{p}AverageValue", t.get("averageValue"))
        out[src] = v1
    return out


def _metric_to_v2(m: dict, status: bool) -> dict:
    """The inverse of _metric_to_v1, with the target types upstream infers."""
    p = "current" if status else "target"
    out: dict = {"type": m.get("type")}
    for src in _SOURCES:
        s = m.get(src)
        if not isinstance(s, dict):
            continue
        v: dict = {}
        if src in ("resource", "containerResource"):
            util = s.get(f"{p}AverageUtilization")
            if not status:
                v["type"] = "AverageValue" if util is None else "Utilization"
            _set(v, "averageUtilization", util)
            _set(v, "averageValue", s.get(f"{p}AverageValue", "0") if status else s.get(f"{p}AverageValue"))
            v2 = {"name": s.get("name"), **({"container": s["container"]} if "container" in s else {}), p: v}
        elif src == "pods":
            v = {"averageValue": s.get(f"{p}AverageValue", "0")} if status else \
                {"type": "AverageValue", "averageValue": s.get(f"{p}AverageValue", "0")}
            v2 = {"metric": _identifier(s.get("metricName"), s.get("selector")), p: v}
        elif src == "object":
            if not status:
                v["type"] = "Value" if s.get("averageValue") is None else "AverageValue"
            v["value"] = s.get(f"{p}Value", "0")
            _set(v, "averageValue", s.get("averageValue"))
            v2 = {"describedObject": s.get("target") or {}, "metric": _identifier(s.get("metricName"), s.get("selector")), p: v}
        else:
            if not status:
                v["type"] = "AverageValue" if s.get(f"{p}Value") is None else "Value"
            _set(v, "value", s.get(f"{p}Value", "0") if status else s.get(f"{p}Value"))
            _set(v, "averageValue", s.get(f"{p}AverageValue"))
            v2 = {"metric": _identifier(s.get("metricName"), s.get("metricSelector")), p: v}
        out[src] = v2
    return out


def _identifier(name: Any, selector: Any) -> dict:
    out = {"name": name}
    _set(out, "selector", selector)
    return out


# Upstream marshals the internal behavior type, which has no JSON tags: Go's field names, null for unset.
def _behavior_to_annotation(b: dict) -> dict:
    def rules(r: Any) -> dict | None:
        if not isinstance(r, dict):
            return None
        policies = [{"Type": p.get("type"), "Value": p.get("value"), "PeriodSeconds": p.get("periodSeconds")}
                    for p in r.get("policies") or [] if isinstance(p, dict)]
        return {"StabilizationWindowSeconds": r.get("stabilizationWindowSeconds"), "SelectPolicy": r.get("selectPolicy"),
                "Policies": policies or None}

    return {"ScaleUp": rules(b.get("scaleUp")), "ScaleDown": rules(b.get("scaleDown"))}


def _behavior_from_annotation(data: Any) -> dict | None:
    """Go's decoder matches field names case-insensitively; nulls are unset."""
    def get(d: dict, key: str) -> Any:
        return next((v for k, v in d.items() if isinstance(k, str) and k.lower() == key.lower()), None)

    def rules(r: Any) -> dict | None:
        if not isinstance(r, dict):
            return None
        out: dict = {}
        _set(out, "stabilizationWindowSeconds", get(r, "stabilizationWindowSeconds"))
        _set(out, "selectPolicy", get(r, "selectPolicy"))
        pols = get(r, "policies")
        if isinstance(pols, list):
            out["policies"] = [{"type": get(p, "type"), "value": get(p, "value"), "periodSeconds": get(p, "periodSeconds")}
                               for p in pols if isinstance(p, dict)]
        return out

    if not isinstance(data, dict):
        return None
    out: dict = {}
    _set(out, "scaleUp", rules(get(data, "scaleUp")))
    _set(out, "scaleDown", rules(get(data, "scaleDown")))
    return out or None


def _is_cpu_utilization(m: Any) -> bool:
    r = m.get("resource") if isinstance(m, dict) and m.get("type") == "Resource" else None
    return isinstance(r, dict) and r.get("name") == "cpu" and (r.get("target") or {}).get("averageUtilization") is not None


def _annotation(ann: dict, key: str) -> Any:
    try:
        return json.loads(ann[key])
    except (KeyError, TypeError, ValueError):
        return None


def _hpa_v1_to_v2(obj: dict) -> dict:
    """Upstream's Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler."""
    spec = dict(obj.get("spec") or {})
    target = spec.pop("targetCPUUtilizationPercentage", None)
    metrics = []
    meta = obj.get("metadata")
    ann = dict((meta or {}).get("annotations") or {}) if isinstance(meta, dict) else {}
    other = _annotation(ann, METRIC_SPECS)
    if isinstance(other, list):
        metrics += [_metric_to_v2(m, False) for m in other if isinstance(m, dict)]
    if target is not None:
        metrics.append({"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}})
    if not metrics:  # v1's implicit target, explicit in v2
        metrics = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": DEFAULT_CPU_UTILIZATION}}}]
    spec["metrics"] = metrics
    behavior = _behavior_from_annotation(_annotation(ann, BEHAVIOR))
    if behavior:
        spec["behavior"] = behavior
    out = {**obj, "apiVersion": "autoscaling/v2", "spec": spec}
    status = obj.get("status")
    if isinstance(status, dict):
        status = dict(status)
        current = status.pop("currentCPUUtilizationPercentage", None)
        statuses = _annotation(ann, METRIC_STATUSES)
        if isinstance(statuses, list):  # they say more than the one percentage
            status["currentMetrics"] = [_metric_to_v2(m, True) for m in statuses if isinstance(m, dict)]
        elif current is not None:
            status["currentMetrics"] = [{"type": "Resource", "resource": {
                "name": "cpu", "current": {"averageUtilization": current}}}]
        conditions = _annotation(ann, CONDITIONS)
        if isinstance(conditions, list):
            status["conditions"] = [c for c in conditions if isinstance(c, dict)]
        out["status"] = status
    if isinstance(meta, dict) and any(k in ann for k in _ROUND_TRIP):
        for k in _ROUND_TRIP:
            ann.pop(k, None)
        out["metadata"] = {**meta, "annotations": ann} if ann else {k: v for k, v in meta.items() if k != "annotations"}
    return out


def _hpa_v2_to_v1(obj: dict) -> dict:
    """Upstream's Convert_autoscaling_HorizontalPodAutoscaler_To_v1_HorizontalPodAutoscaler."""
    spec_in, status_in = obj.get("spec") or {}, obj.get("status")
    metrics = [m for m in spec_in.get("metrics") or [] if isinstance(m, dict)]
    spec = {k: spec_in[k] for k in ("scaleTargetRef", "minReplicas", "maxReplicas") if k in spec_in}
    cpu = next((m for m in metrics if m.get("type") == "Resource" and (m.get("resource") or {}).get("name") == "cpu"), None)
    if cpu is not None and (cpu["resource"].get("target") or {}).get("averageUtilization") is not None:
        spec["targetCPUUtilizationPercentage"] = cpu["resource"]["target"]["averageUtilization"]
    meta = dict(obj.get("metadata") or {})
    ann = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in _ROUND_TRIP}
    other = [_metric_to_v1(m, False) for m in metrics if not _is_cpu_utilization(m)]
    if other:
        ann[METRIC_SPECS] = _dumps(other)
    if isinstance(spec_in.get("behavior"), dict):
        ann[BEHAVIOR] = _dumps(_behavior_to_annotation(spec_in["behavior"]))
    out = {**obj, "apiVersion": "autoscaling/v1", "spec": spec}
    if isinstance(status_in, dict):
        status = {k: status_in[k] for k in ("observedGeneration", "lastScaleTime") if k in status_in}
        status["currentReplicas"] = status_in.get("currentReplicas", 0)
        status["desiredReplicas"] = status_in.get("desiredReplicas", 0)
        current = [m for m in status_in.get("currentMetrics") or [] if isinstance(m, dict)]
        for m in current:
            r = m.get("resource") if m.get("type") == "Resource" else None
            if isinstance(r, dict) and r.get("name") == "cpu" and (r.get("current") or {}).get("averageUtilization") is not None:
                status["currentCPUUtilizationPercentage"] = r["current"]["averageUtilization"]
        if current:
            ann[METRIC_STATUSES] = _dumps([_metric_to_v1(m, True) for m in current])
        if status_in.get("conditions"):
            ann[CONDITIONS] = _dumps(status_in["conditions"])
        out["status"] = status
    if ann:
        meta["annotations"] = ann
    else:
        meta.pop("annotations", None)
    if "metadata" in obj:
        out["metadata"] = meta
    return out


# events.k8s.io/v1 field -> core v1 Event field, where the names differ.
_EVENT_FIELDS = {
    "regarding": "involvedObject",
    "note": "message",
    "reportingController": "reportingComponent",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
}


def _event_to_core(obj: dict) -> dict:
    out = {_EVENT_FIELDS.get(k, k): v for k, v in obj.items()}
    out["apiVersion"] = "v1"
    out.setdefault("involvedObject", {})  # required in core v1, optional in events.k8s.io/v1
    return out


_CORE_FIELDS = {v: k for k, v in _EVENT_FIELDS.items()}


def _core_to_event(obj: dict) -> dict:
    out = {_CORE_FIELDS.get(k, k): v for k, v in obj.items()}
    out["apiVersion"] = "events.k8s.io/v1"
    return out


class Version(NamedTuple):
    """A kind's other served version: its schema, and the conversions to and from storage."""

    schema: str
    to_storage: Callable[[dict], dict]
    from_storage: Callable[[dict], dict]


# (apiVersion, kind) of the other version -> how it converts.
OTHER_VERSIONS: dict[tuple[str, str], Version] = {
    ("autoscaling/v1", "HorizontalPodAutoscaler"): Version("HorizontalPodAutoscaler.autoscaling.v1", _hpa_v1_to_v2, _hpa_v2_to_v1),
    ("events.k8s.io/v1", "Event"): Version("Event.events.k8s.io.v1", _event_to_core, _core_to_event),
}


def other_version(api_version: Any, kind: Any) -> Version | None:
    """How a kind's non-stored version converts, or None (also for the stored version)."""
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    return OTHER_VERSIONS.get((api_version, kind))


def served_versions(kind: str) -> list[str]:
    """The apiVersions other than the stored one that serve kind."""
    return [av for (av, k) in OTHER_VERSIONS if k == kind]


def other_kinds() -> list:
    """The other served versions as Kinds (for discovery and api-resources): the stored kind's
    names and scope under the other group and version. Reads and writes go to the stored kind."""
    from kubelite.api import kinds

    out = []
    for api_version, kind_name in OTHER_VERSIONS:
        k = kinds.by_kind(kind_name)
        group, _, version = api_version.rpartition("/")
        out.append(kinds.Kind(k.kind, group, version, k.plural, k.singular, k.namespaced, k.short_names, k.has_spec, k.categories))
    return out


def to_storage(obj: Any) -> Any:
    """An object of any served version in the version kubelite stores (others unchanged)."""
    v = other_version(obj.get("apiVersion"), obj.get("kind")) if isinstance(obj, dict) else None
    return v.to_storage(obj) if v is not None else obj


def from_storage(obj: dict, api_version: str) -> dict:
    """A stored object as the client asked for it: in api_version when that is another
    served version of its kind (a List's items each), else unchanged."""
    kind = obj.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(obj.get("items"), list):
        v = other_version(api_version, kind[:-4])
        if v is None:
            return obj
        return {**obj, "apiVersion": api_version, "items": [from_storage(o, api_version) for o in obj["items"]]}
    v = other_version(api_version, kind)
    return v.from_storage(obj) if v is not None and obj.get("apiVersion") != api_version else obj
