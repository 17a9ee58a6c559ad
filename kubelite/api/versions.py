"""Kinds served in a second GA version, converted to the version kubelite stores.

Upstream serves HorizontalPodAutoscaler as autoscaling/v2 and autoscaling/v1, and Event
in the core group and as events.k8s.io/v1; each pair is one resource, converted on the
way in and out (pkg/apis/autoscaling/v1/conversion.go, pkg/apis/events/v1/conversion.go).
kubelite stores the preferred version (autoscaling/v2, core v1 Event) and converts a
manifest of the other version when it comes in; reads return the stored version, as
`kubectl get` does by default. Pure functions, no I/O.
"""
from __future__ import annotations

from typing import Any, Callable


def _hpa_v1_to_v2(obj: dict) -> dict:
    spec = dict(obj.get("spec") or {})
    target = spec.pop("targetCPUUtilizationPercentage", None)
    if target is not None:
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}}}]
    out = {**obj, "apiVersion": "autoscaling/v2", "spec": spec}
    status = obj.get("status")
    if isinstance(status, dict):
        status = dict(status)
        current = status.pop("currentCPUUtilizationPercentage", None)
        if current is not None:
            status["currentMetrics"] = [{"type": "Resource", "resource": {
                "name": "cpu", "current": {"averageUtilization": current}}}]
        out["status"] = status
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


# (apiVersion, kind) of the other version -> (its schema's name, conversion to storage).
OTHER_VERSIONS: dict[tuple[str, str], tuple[str, Callable[[dict], dict]]] = {
    ("autoscaling/v1", "HorizontalPodAutoscaler"): ("HorizontalPodAutoscaler.autoscaling.v1", _hpa_v1_to_v2),
    ("events.k8s.io/v1", "Event"): ("Event.events.k8s.io.v1", _event_to_core),
}


def other_version(api_version: Any, kind: Any) -> tuple[str, Callable[[dict], dict]] | None:
    """The schema name and converter of a kind's non-stored version, or None."""
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    return OTHER_VERSIONS.get((api_version, kind))


def served_versions(kind: str) -> list[str]:
    """The apiVersions other than the stored one that serve kind."""
    return [av for (av, k) in OTHER_VERSIONS if k == kind]
