"""LimitRange: default requests and limits, and min/max/maxLimitRequestRatio, as upstream's
LimitRanger admission plugin (plugin/pkg/admission/limitranger/admission.go).

Pure: `default_pod` mutates a pod given the namespace's LimitRanges; `validate_*` return
upstream's messages.
"""
from __future__ import annotations

from fractions import Fraction

from kubelite.api import quantity
from kubelite.policy.quota import pod_resources

ANNOTATION = "kubernetes.io/limit-ranger"


def _show(value) -> str:
    """A quantity as upstream prints it (Quantity.String)."""
    try:
        return quantity.format(quantity.parse(value), quantity.is_binary(value))
    except quantity.QuantityError:
        return str(value)


def _q(value) -> Fraction:
    try:
        return quantity.parse(value)
    except quantity.QuantityError:
        return Fraction(0)


def container_defaults(ranges: list[dict]) -> tuple[dict, dict]:
    """The default (requests, limits) of the namespace's Container items, as stored: the API
    server's defaulting (kubelite.api.defaults.limitrange) fills them from max and min."""
    requests, limits = {}, {}
    for lr in ranges:
        for item in (lr.get("spec") or {}).get("limits") or []:
            if item.get("type") == "Container":
                requests.update(item.get("defaultRequest") or {})
                limits.update(item.get("default") or {})
    return requests, limits


def default_pod(pod: dict, ranges: list[dict]) -> bool:
    """Apply the defaults to each container (upstream's mergeContainerResources) and record
    what was set in the kubernetes.io/limit-ranger annotation. True if anything was set."""
    requests, limits = container_defaults(ranges)
    if not requests and not limits:
        return False
    notes: list[str] = []
    spec = pod.setdefault("spec", {})
    for prefix, field in (("init container", "initContainers"), ("container", "containers")):
        for c in spec.get(field) or []:
            res = c.setdefault("resources", {})
            set_limits = [k for k in sorted(limits) if k not in (res.get("limits") or {})]
            set_requests = [k for k in sorted(requests) if k not in (res.get("requests") or {})]
            for k in set_limits:
                res.setdefault("limits", {})[k] = limits[k]
            for k in set_requests:
                res.setdefault("requests", {})[k] = requests[k]
            if set_requests:
                notes.append(", ".join(set_requests) + f" request for {prefix} {c.get('name', '')}")
            if set_limits:
                notes.append(", ".join(set_limits) + f" limit for {prefix} {c.get('name', '')}")
    if not notes:
        return False
    pod.setdefault("metadata", {}).setdefault("annotations", {})[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)
    return True


def _min(kind: str, r: str, enforced, requests: dict, limits: dict) -> str | None:
    if r not in requests:
        return f"minimum {r} usage per {kind} is {_show(enforced)}.  No request is specified"
    if _q(requests[r]) < _q(enforced):
        return f"minimum {r} usage per {kind} is {_show(enforced)}, but request is {_show(requests[r])}"
    if r in limits and _q(limits[r]) < _q(enforced):
        return f"minimum {r} usage per {kind} is {_show(enforced)}, but limit is {_show(limits[r])}"
    return None


def _max(kind: str, r: str, enforced, requests: dict, limits: dict) -> str | None:
    if r not in limits:
        return f"maximum {r} usage per {kind} is {_show(enforced)}.  No limit is specified"
    if _q(limits[r]) > _q(enforced):
        return f"maximum {r} usage per {kind} is {_show(enforced)}, but limit is {_show(limits[r])}"
    if r in requests and _q(requests[r]) > _q(enforced):
        return f"maximum {r} usage per {kind} is {_show(enforced)}, but request is {_show(requests[r])}"
    return None


def _max_request(kind: str, r: str, enforced, requests: dict) -> str | None:
    if r not in requests:
        return f"maximum {r} usage per {kind} is {_show(enforced)}.  No request is specified"
    if _q(requests[r]) > _q(enforced):
        return f"maximum {r} usage per {kind} is {_show(enforced)}, but request is {_show(requests[r])}"
    return None


def _ratio(kind: str, r: str, enforced, requests: dict, limits: dict) -> str | None:
    req, lim = _q(requests.get(r, 0)), _q(limits.get(r, 0))
    if r not in requests or req == 0:
        return f"{r} max limit to request ratio per {kind} is {_show(enforced)}, but no request is specified or request is 0"
    if r not in limits or lim == 0:
        return f"{r} max limit to request ratio per {kind} is {_show(enforced)}, but no limit is specified or limit is 0"
    # Upstream compares integer milli-values (whole values past MaxMilliValue).
    observed = quantity.milli(limits[r]) / quantity.milli(requests[r])
    if observed * 1000 > quantity.milli(enforced):
        return f"{r} max limit to request ratio per {kind} is {_show(enforced)}, but provided ratio is {observed:f}"
    return None


def _check_item(item: dict, kind: str, requests: dict, limits: dict) -> list[str]:
    errs = []
    for r, v in sorted((item.get("min") or {}).items()):
        errs.append(_min(kind, r, v, requests, limits))
    for r, v in sorted((item.get("max") or {}).items()):
        errs.append(_max(kind, r, v, requests, limits))
    for r, v in sorted((item.get("maxLimitRequestRatio") or {}).items()):
        errs.append(_ratio(kind, r, v, requests, limits))
    return [e for e in errs if e]


def validate_pod(pod: dict, ranges: list[dict]) -> list[str]:
    """Upstream's PodValidateLimitFunc: every container, then the pod as a whole."""
    errs: list[str] = []
    spec = pod.get("spec") or {}
    for lr in ranges:
        for item in (lr.get("spec") or {}).get("limits") or []:
            if item.get("type") == "Container":
                for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
                    res = c.get("resources") or {}
                    errs += _check_item(item, "Container", res.get("requests") or {}, res.get("limits") or {})
            elif item.get("type") == "Pod":
                requests = {r: quantity.format(v) for r, v in pod_resources(pod, "requests").items()}
                limits = {r: quantity.format(v) for r, v in pod_resources(pod, "limits").items()}
                errs += _check_item(item, "Pod", requests, limits)
    return errs


def validate_claim(pvc: dict, ranges: list[dict]) -> list[str]:
    """PersistentVolumeClaim items: min on the request (limits are not user input), max on the request."""
    requests = (((pvc.get("spec") or {}).get("resources") or {}).get("requests")) or {}
    errs: list[str | None] = []
    for lr in ranges:
        for item in (lr.get("spec") or {}).get("limits") or []:
            if item.get("type") != "PersistentVolumeClaim":
                continue
            for r, v in sorted((item.get("min") or {}).items()):
                errs.append(_min("PersistentVolumeClaim", r, v, requests, {}))
            for r, v in sorted((item.get("max") or {}).items()):
                errs.append(_max_request("PersistentVolumeClaim", r, v, requests))
    return [e for e in errs if e]


def aggregate(errs: list[str]) -> str:
    """apimachinery's utilerrors.NewAggregate text: one error alone, several in brackets."""
    return errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
