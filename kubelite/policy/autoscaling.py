"""The HorizontalPodAutoscaler's arithmetic, as upstream's replica calculator
(pkg/controller/podautoscaler/replica_calculator.go) and the normalization rules of
horizontal.go: tolerance, unready and missing pods, stabilization windows and behavior
policies.

Pure. Upstream keeps recent recommendations and scale events in the controller's memory;
kubelite's controllers keep none, so they are passed in and returned as a `History`
that the controller records on the HPA (see kubelite/controllers/horizontalpodautoscaler.py).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

TOLERANCE = 0.1
CPU_INITIALIZATION_PERIOD = dt.timedelta(minutes=5)
INITIAL_READINESS_DELAY = dt.timedelta(seconds=30)
DOWNSCALE_STABILIZATION = 300  # seconds: upstream's --horizontal-pod-autoscaler-downscale-stabilization
SCALE_UP_LIMIT_FACTOR, SCALE_UP_LIMIT_MINIMUM = 2.0, 4.0


class MetricsError(Exception):
    """No replica count can be computed from the metrics (upstream's error text)."""


def _time(stamp: str | None) -> dt.datetime | None:
    from kubelite.controllers._common import parse_stamp

    return parse_stamp(stamp)


def _ready_condition(pod: dict) -> dict | None:
    return next((c for c in (pod.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"), None)


@dataclass
class Groups:
    ready: int = 0
    unready: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    ignored: set[str] = field(default_factory=set)


def group_pods(pods: list[dict], metrics: dict[str, int], resource: str, now: dt.datetime,
               window: dt.timedelta = dt.timedelta(0)) -> Groups:
    """Upstream's groupPods. `window` is the metrics' collection window; the metrics were
    taken at `now`."""
    g = Groups()
    for pod in pods:
        name = pod["metadata"]["name"]
        status = pod.get("status") or {}
        if pod["metadata"].get("deletionTimestamp") or status.get("phase") == "Failed":
            g.ignored.add(name)
            continue
        if (status.get("phase") or "Pending") == "Pending":
            g.unready.add(name)
            continue
        if name not in metrics:
            g.missing.add(name)
            continue
        if resource == "cpu":
            cond, start = _ready_condition(pod), _time(status.get("startTime"))
            if cond is None or start is None:
                unready = True
            else:
                changed = _time(cond.get("lastTransitionTime")) or start
                if start + CPU_INITIALIZATION_PERIOD > now:
                    unready = cond.get("status") == "False" or now < changed + window
                else:
                    unready = cond.get("status") == "False" and start + INITIAL_READINESS_DELAY > changed
            if unready:
                g.unready.add(name)
                continue
        g.ready += 1
    return g


def pod_request(pod: dict, resource: str, container: str | None = None) -> int:
    """The pod's request of a resource in milli-units; raises MetricsError when a container has none."""
    from kubelite.api import quantity

    total = 0
    for c in (pod.get("spec") or {}).get("containers") or []:
        if container and c.get("name") != container:
            continue
        req = ((c.get("resources") or {}).get("requests") or {}).get(resource)
        if req is None:
            raise MetricsError(f"missing request for {resource} in container {c.get('name')} of Pod {pod['metadata']['name']}")
        total += quantity.milli(req)
    return total


def utilization_ratio(metrics: dict[str, int], requests: dict[str, int], target: int) -> tuple[float, int, int]:
    """Upstream's GetResourceUtilizationRatio: (ratio, utilization %, raw average milli)."""
    total, req, n = 0, 0, 0
    for name, value in metrics.items():
        if name not in requests:
            continue
        total += value
        req += requests[name]
        n += 1
    if req == 0:
        raise MetricsError("no metrics returned matched known pods")
    util = int(total * 100 / req)
    return util / target, util, total // n


def usage_ratio(metrics: dict[str, int], target: int) -> tuple[float, int]:
    """Upstream's GetMetricUsageRatio: the average against the target."""
    avg = sum(metrics.values()) // len(metrics)
    return avg / target, avg


def resource_replicas(current: int, pods: list[dict], metrics: dict[str, int], resource: str, now: dt.datetime, *,
                      target_utilization: int | None = None, target_average: int | None = None,
                      tolerance: float = TOLERANCE, window: dt.timedelta = dt.timedelta(0)) -> tuple[int, int | None, int]:
    """Upstream's GetResourceReplicas (target_utilization, %) or GetRawResourceReplicas
    (target_average, milli). Returns (replicas, utilization or None, raw average milli)."""
    if not pods:
        raise MetricsError("no pods returned by selector while calculating replica count")
    if not metrics:
        raise MetricsError(f"unable to get metrics for resource {resource}: no metrics returned from resource metrics API")
    g = group_pods(pods, metrics, resource, now, window)
    m = {k: v for k, v in metrics.items() if k not in g.ignored and k not in g.unready}
    if not m:
        raise MetricsError("did not receive metrics for targeted pods (pods might be unready)")
    if target_utilization is not None:
        requests = {p["metadata"]["name"]: pod_request(p, resource) for p in pods}
        ratio, util, raw = utilization_ratio(m, requests, target_utilization)
        fallback = lambda name: requests[name] * max(100, target_utilization) // 100  # noqa: E731
        recompute = lambda mm: utilization_ratio(mm, requests, target_utilization)[0]  # noqa: E731
    else:
        assert target_average is not None
        ratio, raw = usage_ratio(m, target_average)
        util = None
        fallback = lambda name: target_average  # noqa: E731
        recompute = lambda mm: usage_ratio(mm, target_average)[0]  # noqa: E731
    up_with_unready = bool(g.unready) and ratio > 1.0
    if not up_with_unready and not g.missing:
        if abs(1.0 - ratio) <= tolerance:
            return current, util, raw
        return math.ceil(ratio * g.ready), util, raw
    if g.missing:
        for name in g.missing:
            if ratio < 1.0:
                m[name] = fallback(name)  # a scale-down counts missing pods at their request (or the target)
            elif ratio > 1.0:
                m[name] = 0  # a scale-up counts them idle
    if up_with_unready:
        for name in g.unready:
            m[name] = 0
    new_ratio = recompute(m)
    if abs(1.0 - new_ratio) <= tolerance or (ratio < 1.0 < new_ratio) or (ratio > 1.0 > new_ratio):
        return current, util, raw
    replicas = math.ceil(new_ratio * len(m))
    if (new_ratio < 1.0 and replicas > current) or (new_ratio > 1.0 and replicas < current):
        return current, util, raw
    return replicas, util, raw


# -- normalization: stabilization and rate limits -------------------------------------------------

@dataclass
class History:
    """What upstream's controller remembers between syncs, recorded on the HPA instead.

    recommendations: replicas -> the latest time that count was recommended (only the
    latest matters: stabilization takes the min or max over a window). up/down: scale
    events as (time, replicas changed).
    """

    recommendations: dict[int, str] = field(default_factory=dict)
    up: list[tuple[str, int]] = field(default_factory=list)
    down: list[tuple[str, int]] = field(default_factory=list)

    def to_json(self) -> dict:
        out: dict = {}
        if self.recommendations:
            out["recommendations"] = {str(k): v for k, v in sorted(self.recommendations.items())}
        if self.up:
            out["scaleUpEvents"] = [list(e) for e in self.up]
        if self.down:
            out["scaleDownEvents"] = [list(e) for e in self.down]
        return out

    @classmethod
    def from_json(cls, data: dict | None) -> "History":
        data = data or {}
        try:
            return cls({int(k): str(v) for k, v in (data.get("recommendations") or {}).items()},
                       [(str(t), int(n)) for t, n in data.get("scaleUpEvents") or []],
                       [(str(t), int(n)) for t, n in data.get("scaleDownEvents") or []])
        except (TypeError, ValueError, AttributeError):
            return cls()  # an unreadable record is as good as none: the controller starts afresh


@dataclass
class Normalized:
    replicas: int
    able_reason: str
    able_message: str
    limited: bool
    limited_reason: str
    limited_message: str


DEFAULT_UP = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
              "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]}
DEFAULT_DOWN = {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


def rules(behavior: dict | None, direction: str) -> dict:
    """Upstream's GenerateHPAScaleUpRules/ScaleDownRules: defaults for what is unset."""
    given = (behavior or {}).get("scaleUp" if direction == "up" else "scaleDown") or {}
    base = DEFAULT_UP if direction == "up" else DEFAULT_DOWN
    out = {k: given.get(k, v) for k, v in base.items()}
    if direction == "down" and given.get("stabilizationWindowSeconds") is None:
        out["stabilizationWindowSeconds"] = DOWNSCALE_STABILIZATION
    elif direction == "down":
        out["stabilizationWindowSeconds"] = given["stabilizationWindowSeconds"]
    if not given.get("policies"):
        out["policies"] = base["policies"]
    return out


def _within(stamp: str, cutoff: dt.datetime, strict: bool) -> bool:
    t = _time(stamp)
    return t is not None and (t > cutoff if strict else t >= cutoff)


def _record(history: History, desired: int, now: dt.datetime, stamp: str, keep: int) -> History:
    recs = {k: v for k, v in history.recommendations.items() if _within(v, now - dt.timedelta(seconds=keep), False)}
    recs[desired] = stamp
    return History(recs, history.up, history.down)


def stabilize_default(history: History, desired: int, now: dt.datetime, stamp: str,
                      window: int = DOWNSCALE_STABILIZATION) -> tuple[int, History]:
    """Upstream's stabilizeRecommendation (no behavior): the highest recent recommendation."""
    cutoff = now - dt.timedelta(seconds=window)
    best = desired
    for replicas, t in history.recommendations.items():
        if _within(t, cutoff, False):
            best = max(best, replicas)
    return best, _record(history, desired, now, stamp, window)


def stabilize(history: History, desired: int, current: int, up: dict, down: dict, now: dt.datetime,
              stamp: str) -> tuple[int, str, str, History]:
    """Upstream's stabilizeRecommendationWithBehaviors."""
    up_cut = now - dt.timedelta(seconds=int(up.get("stabilizationWindowSeconds") or 0))
    down_cut = now - dt.timedelta(seconds=int(down.get("stabilizationWindowSeconds") or 0))
    up_rec = down_rec = desired
    for replicas, t in history.recommendations.items():
        if _within(t, up_cut, True):
            up_rec = min(up_rec, replicas)
        if _within(t, down_cut, True):
            down_rec = max(down_rec, replicas)
    rec = max(current, up_rec)
    rec = min(rec, down_rec)
    keep = max(int(up.get("stabilizationWindowSeconds") or 0), int(down.get("stabilizationWindowSeconds") or 0))
    if desired >= current:
        reason, msg = "ScaleUpStabilized", "recent recommendations were lower than current one, applying the lowest recent recommendation"
    else:
        reason, msg = "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"
    return rec, reason, msg, _record(history, desired, now, stamp, keep)


def _changed_in_period(events: list[tuple[str, int]], period: int, now: dt.datetime) -> int:
    cutoff = now - dt.timedelta(seconds=period)
    return sum(n for t, n in events if _within(t, cutoff, True))


def _policy_limit(current: int, history: History, r: dict, now: dt.datetime, up: bool) -> int:
    """Upstream's calculateScaleUpLimitWithScalingRules (up) and calculateScaleDownLimitWithBehaviors:
    each policy proposes a bound from the replicas at the start of its period; selectPolicy
    Max takes the largest change, Min the smallest, Disabled none."""
    if r.get("selectPolicy") == "Disabled":
        return current
    smallest_change = r.get("selectPolicy") == "Min"
    pick = min if smallest_change == up else max
    result = None
    for p in r.get("policies") or []:
        start = current - _changed_in_period(history.up, p["periodSeconds"], now) + _changed_in_period(history.down, p["periodSeconds"], now)
        if up:
            proposed = start + p["value"] if p["type"] == "Pods" else math.ceil(start * (1 + p["value"] / 100))
        else:
            proposed = start - p["value"] if p["type"] == "Pods" else int(start * (1 - p["value"] / 100))
        result = proposed if result is None else pick(result, proposed)
    return current if result is None else result


def scale_up_limit(current: int, history: History, r: dict, now: dt.datetime) -> int:
    return _policy_limit(current, history, r, now, up=True)


def scale_down_limit(current: int, history: History, r: dict, now: dt.datetime) -> int:
    return _policy_limit(current, history, r, now, up=False)


def normalize(behavior: dict | None, history: History, current: int, desired: int, min_r: int, max_r: int,
              now: dt.datetime, stamp: str) -> tuple[Normalized, History]:
    """Upstream's normalizeDesiredReplicas (no behavior) or normalizeDesiredReplicasWithBehaviors."""
    if behavior is None:
        stabilized, history = stabilize_default(history, desired, now, stamp)
        if stabilized != desired:
            able = ("ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation")
        else:
            able = ("ReadyForNewScale", "recommended size matches current size")
        up_limit = int(max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM))
        if max_r > up_limit:
            hi, reason, msg = up_limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
        else:
            hi, reason, msg = max_r, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
        if stabilized < min_r:
            out, reason, msg = min_r, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
        elif stabilized > hi:
            out = hi
        else:
            out, reason, msg = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
        return Normalized(out, *able, out != stabilized, reason, msg), history
    up, down = rules(behavior, "up"), rules(behavior, "down")
    stabilized, reason, msg, history = stabilize(history, desired, current, up, down, now, stamp)
    able = (reason, msg) if stabilized != desired else ("ReadyForNewScale", "recommended size matches current size")
    out, reason, msg = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
    if stabilized > current:
        limit = max(scale_up_limit(current, history, up, now), current)
        if max_r > limit:
            hi, r2, m2 = limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
        else:
            hi, r2, m2 = max_r, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
        if stabilized > hi:
            out, reason, msg = hi, r2, m2
    elif stabilized < current:
        limit = min(scale_down_limit(current, history, down, now), current)
        if min_r < limit:
            lo, r2, m2 = limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"
        else:
            lo, r2, m2 = min_r, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
        if stabilized < lo:
            out, reason, msg = lo, r2, m2
    return Normalized(out, *able, out != stabilized, reason, msg), history


def record_scale(history: History, behavior: dict | None, current: int, desired: int, now: dt.datetime,
                 stamp: str) -> History:
    """Upstream's storeScaleEvent: remember the change for the rate policies (behavior only),
    dropping events older than the longest policy period."""
    if behavior is None or desired == current:
        return history
    longest = max([p["periodSeconds"] for d in ("up", "down") for p in rules(behavior, d)["policies"]] or [0])
    cutoff = now - dt.timedelta(seconds=longest)
    up = [e for e in history.up if _within(e[0], cutoff, True)]
    down = [e for e in history.down if _within(e[0], cutoff, True)]
    if desired > current:
        up.append((stamp, desired - current))
    else:
        down.append((stamp, current - desired))
    return History(history.recommendations, up, down)
