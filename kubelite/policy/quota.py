"""ResourceQuota: what an object uses, what a quota has used, and the admission check, as
upstream's evaluators (pkg/quota/v1/evaluator/core) and quota admission
(staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go).

Pure: usage is computed from the objects and the time passed in.
"""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

from kubelite.api import quantity

# The resources a Pod's containers must request or limit explicitly once a quota tracks them.
COMPUTE_VALIDATION = ("cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory")
# Legacy object-count names, and the kinds they count.
LEGACY_COUNTS = {"pods": "Pod", "services": "Service", "replicationcontrollers": "ReplicationController",
                 "resourcequotas": "ResourceQuota", "secrets": "Secret", "configmaps": "ConfigMap",
                 "persistentvolumeclaims": "PersistentVolumeClaim"}
POD_SCOPED = ("Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity")


class QuotaError(Exception):
    """A create or update the quota refuses; the message is upstream's, without the object prefix."""


def _q(value) -> Fraction:
    try:
        return quantity.parse(value)
    except quantity.QuantityError:
        return Fraction(0)


# -- usage of one object -------------------------------------------------------------------

def pod_counts(pod: dict, now: dt.datetime) -> bool:
    """Upstream's QuotaV1Pod: a pod counts unless terminal or past its deletion grace period."""
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        return False
    meta = pod.get("metadata") or {}
    if meta.get("deletionTimestamp") and meta.get("deletionGracePeriodSeconds") is not None:
        from kubelite.controllers._common import parse_stamp

        t = parse_stamp(meta["deletionTimestamp"])
        if t is not None and now > t + dt.timedelta(seconds=int(meta["deletionGracePeriodSeconds"])):
            return False
    return True


def pod_resources(pod: dict, field: str) -> dict[str, Fraction]:
    """Upstream's PodRequests/PodLimits: the containers' sum, at least each init container's, plus overhead."""
    spec = pod.get("spec") or {}
    total: dict[str, Fraction] = {}
    for c in spec.get("containers") or []:
        for r, v in ((c.get("resources") or {}).get(field) or {}).items():
            total[r] = total.get(r, Fraction(0)) + _q(v)
    for c in spec.get("initContainers") or []:
        for r, v in ((c.get("resources") or {}).get(field) or {}).items():
            total[r] = max(total.get(r, Fraction(0)), _q(v))
    for r, v in (spec.get("overhead") or {}).items():
        if r in total or field == "requests":
            total[r] = total.get(r, Fraction(0)) + _q(v)
    return total


def is_best_effort(pod: dict) -> bool:
    """Upstream's QoS BestEffort: no container requests or limits cpu or memory."""
    spec = pod.get("spec") or {}
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        res = c.get("resources") or {}
        for field in ("requests", "limits"):
            if any(r in ("cpu", "memory") for r in (res.get(field) or {})):
                return False
    return True


def usage(kind: str, plural: str, group: str, obj: dict, now: dt.datetime) -> dict[str, Fraction]:
    """Everything one object counts against quotas (upstream's evaluator Usage)."""
    count_name = f"count/{plural}" + (f".{group}" if group else "")
    out: dict[str, Fraction] = {count_name: Fraction(1)}
    for legacy, k in LEGACY_COUNTS.items():
        if k == kind:
            out[legacy] = Fraction(1)
    if kind == "Pod":
        if not pod_counts(obj, now):
            return {}
        requests, limits = pod_resources(obj, "requests"), pod_resources(obj, "limits")
        for r, v in requests.items():
            out[f"requests.{r}"] = v
            if r in ("cpu", "memory", "ephemeral-storage"):
                out[r] = v
        for r, v in limits.items():
            out[f"limits.{r}"] = v
    elif kind == "Service":
        spec = obj.get("spec") or {}
        stype = spec.get("type") or "ClusterIP"
        if stype in ("NodePort", "LoadBalancer"):
            out["services.nodeports"] = Fraction(len(spec.get("ports") or []))
        if stype == "LoadBalancer":
            out["services.loadbalancers"] = Fraction(1)
    elif kind == "PersistentVolumeClaim":
        storage = _q((((obj.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage", 0))
        out["requests.storage"] = storage
        klass = (obj.get("spec") or {}).get("storageClassName")
        if klass:
            out[f"{klass}.storageclass.storage.k8s.io/requests.storage"] = storage
            out[f"{klass}.storageclass.storage.k8s.io/persistentvolumeclaims"] = Fraction(1)
    return out


# -- scopes --------------------------------------------------------------------------------

def _scope_matches(scope: str, op: str, values: list[str], pod: dict) -> bool:
    spec = pod.get("spec") or {}
    if scope == "Terminating":
        hit = spec.get("activeDeadlineSeconds") is not None and int(spec["activeDeadlineSeconds"]) >= 0
    elif scope == "NotTerminating":
        hit = not (spec.get("activeDeadlineSeconds") is not None and int(spec["activeDeadlineSeconds"]) >= 0)
    elif scope == "BestEffort":
        hit = is_best_effort(pod)
    elif scope == "NotBestEffort":
        hit = not is_best_effort(pod)
    elif scope == "PriorityClass":
        name = spec.get("priorityClassName") or ""
        if op == "In":
            return name in values
        if op == "NotIn":
            return name not in values
        if op == "Exists":
            return bool(name)
        return not name  # DoesNotExist
    elif scope == "CrossNamespacePodAffinity":
        hit = _cross_namespace_affinity(spec)
    else:
        return False
    return hit if op in ("Exists", "In", "") else not hit


def _cross_namespace_affinity(spec: dict) -> bool:
    aff = spec.get("affinity") or {}
    for k in ("podAffinity", "podAntiAffinity"):
        a = aff.get(k) or {}
        terms = list(a.get("requiredDuringSchedulingIgnoredDuringExecution") or [])
        terms += [t.get("podAffinityTerm") or {} for t in a.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
        if any(t.get("namespaces") or t.get("namespaceSelector") is not None for t in terms):
            return True
    return False


def selectors_of(quota: dict) -> list[tuple[str, str, list[str]]]:
    """A quota's scopes and scopeSelector as (scope, operator, values)."""
    spec = quota.get("spec") or {}
    out = [(s, "Exists", []) for s in spec.get("scopes") or []]
    for e in (spec.get("scopeSelector") or {}).get("matchExpressions") or []:
        out.append((e.get("scopeName", ""), e.get("operator", "Exists"), list(e.get("values") or [])))
    return out


def matches(quota: dict, kind: str, obj: dict) -> bool:
    """Whether a quota covers an object: unscoped quotas cover everything, scoped ones only pods they select."""
    sels = selectors_of(quota)
    if not sels:
        return True
    if kind != "Pod":
        return False
    return all(_scope_matches(s, op, vals, obj) for s, op, vals in sels)


def tracked(quota: dict, kind: str, names) -> list[str]:
    """The hard resources a quota tracks for a kind: a BestEffort scope tracks only the pod count."""
    hard = list(((quota.get("spec") or {}).get("hard") or {}).keys())
    scopes = {s for s, _, _ in selectors_of(quota)}
    if "BestEffort" in scopes:
        hard = [h for h in hard if h in ("pods", "count/pods")]
    return [h for h in hard if h in names]


# -- a quota's status ------------------------------------------------------------------------

def used(quota: dict, objects: list[tuple[str, str, str, dict]], now: dt.datetime) -> dict[str, Fraction]:
    """What the quota has used: `objects` are (kind, plural, group, obj) of its namespace."""
    hard = (quota.get("spec") or {}).get("hard") or {}
    total = {r: Fraction(0) for r in hard}
    for kind, plural, group, obj in objects:
        if not matches(quota, kind, obj):
            continue
        u = usage(kind, plural, group, obj, now)
        for r in tracked(quota, kind, u):
            total[r] += u[r]
    return total


def status_for(quota: dict, used_now: dict[str, Fraction]) -> dict:
    """status.hard mirrors spec.hard; status.used is formatted like the hard values."""
    hard = dict((quota.get("spec") or {}).get("hard") or {})
    return {"hard": hard, "used": {r: quantity.format(used_now.get(r, Fraction(0)), quantity.is_binary(hard[r]))
                                   for r in hard}}


# -- admission -------------------------------------------------------------------------------

def _pretty(values: dict[str, str]) -> str:
    return ",".join(f"{k}={values[k]}" for k in sorted(values))


def missing_requests(quota: dict, pod: dict) -> str | None:
    """Upstream's pod evaluator Constraints: with cpu or memory tracked, each container must say."""
    required = [r for r in ((quota.get("spec") or {}).get("hard") or {}) if r in COMPUTE_VALIDATION]
    if not required:
        return None
    missing: dict[str, set[str]] = {}
    spec = pod.get("spec") or {}
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        res = c.get("resources") or {}
        requests, limits = res.get("requests") or {}, res.get("limits") or {}
        for r in required:
            if r.startswith("limits."):
                ok = r[len("limits."):] in limits
            else:
                ok = r.removeprefix("requests.") in requests
            if not ok:
                missing.setdefault(r, set()).add(c.get("name", ""))
    if not missing:
        return None
    return "must specify " + "; ".join(f"{r} for: {','.join(sorted(missing[r]))}" for r in sorted(missing))


def admit(quota: dict, kind: str, plural: str, group: str, obj: dict, old: dict | None,
          now: dt.datetime) -> dict[str, Fraction] | None:
    """Check one create (or update) against one quota, as upstream's checkRequest.

    Returns the quota's new used amounts (to record in its status), or None when the quota
    does not constrain the object. Raises QuotaError with upstream's message.
    """
    if not matches(quota, kind, obj):
        return None
    new_usage = usage(kind, plural, group, obj, now)
    if old is not None:
        prev = usage(kind, plural, group, old, now) if matches(quota, kind, old) else {}
        delta = {r: v - prev.get(r, Fraction(0)) for r, v in new_usage.items()}
        # An update that does not grow anything (status writes, relabels) is never refused.
        if all(v <= 0 for v in delta.values()):
            return None
    else:
        delta = new_usage
    constrained = tracked(quota, kind, delta)
    name = (quota.get("metadata") or {}).get("name", "")
    if kind == "Pod" and old is None:
        problem = missing_requests(quota, obj)
        if problem:
            raise QuotaError(f"failed quota: {name}: {problem}")
    if not constrained:
        return None
    status = quota.get("status") or {}
    hard = status.get("hard") or {}
    if any(r not in hard for r in constrained):
        raise QuotaError(f"status unknown for quota: {name}, resources: {','.join(sorted(constrained))}")
    current = {r: _q(v) for r, v in (status.get("used") or {}).items()}
    after = dict(current)
    for r in constrained:
        after[r] = current.get(r, Fraction(0)) + delta[r]
    exceeded = [r for r in constrained if after[r] > _q(hard[r])]
    if exceeded:
        fmt = lambda r, v: quantity.format(v, quantity.is_binary(hard[r]))  # noqa: E731
        raise QuotaError(f"exceeded quota: {name}, "
                         f"requested: {_pretty({r: fmt(r, delta[r]) for r in exceeded})}, "
                         f"used: {_pretty({r: fmt(r, current.get(r, Fraction(0))) for r in exceeded})}, "
                         f"limited: {_pretty({r: fmt(r, _q(hard[r])) for r in exceeded})}")
    return after
