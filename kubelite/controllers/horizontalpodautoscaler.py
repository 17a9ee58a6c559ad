"""The horizontal pod autoscaler, as upstream's pkg/controller/podautoscaler (autoscaling/v2).

Metrics are simulated: a pod's `sim.kubelite.io/cpu` and `sim.kubelite.io/memory`
annotations (usually set in its template) are its current usage, as metrics.k8s.io would
report it (see `kubelite top`). Resource metrics (Utilization and AverageValue targets) are
computed with upstream's replica calculator, tolerance, unready and missing pods; the
result goes through the stabilization window and the behavior policies, then min and max
(kubelite.policy.autoscaling). The HPA scales its target through its scale subresource
(kubelite.api.scale): Deployments, ReplicaSets, StatefulSets, ReplicationControllers and
custom kinds whose CRD declares one, whose pods are those its scale's selector picks.

Upstream remembers recent recommendations and scale events in the controller's memory;
here they are recorded on the HPA, in the autoscaling.kubelite.io/history annotation,
written with its status, so every pass computes from what is stored.
"""
from __future__ import annotations

import datetime as dt
import json

from kubelite.api import kinds, quantity, scale, selectors
from kubelite.api.fastcopy import clone
from kubelite.controllers import _common as c
from kubelite.errors import KubeliteError, UsageError
from kubelite.policy import autoscaling as a

HISTORY = "autoscaling.kubelite.io/history"
USAGE = {"cpu": "sim.kubelite.io/cpu", "memory": "sim.kubelite.io/memory"}
METRICS_WINDOW = dt.timedelta(seconds=30)  # the window a metrics-server sample covers
SYNC_PERIOD = 15  # seconds: upstream's --horizontal-pod-autoscaler-sync-period
REQUEUES = True  # an HPA depends on the clock throughout (windows, init periods): it asks every sync period
DEFAULT_METRICS = [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]


def pod_usage(pod: dict, resource: str) -> int | None:
    """A pod's simulated usage of cpu or memory in milli-units, None when it reports none."""
    raw = ((pod.get("metadata") or {}).get("annotations") or {}).get(USAGE.get(resource, ""))
    if raw is None:
        return None
    try:
        return quantity.milli(raw)
    except quantity.QuantityError:
        return None


def sync(ctx) -> None:
    hpas = ctx.snap.list("HorizontalPodAutoscaler")
    if not hpas:
        return
    ctx.guarded(sorted(hpas, key=lambda h: (h["metadata"]["namespace"], h["metadata"]["name"])), lambda h: _sync_one(ctx, h))


def _target(ctx, hpa: dict):
    """The target's kind and object through its scale subresource (kubelite.api.scale), or
    the error upstream's scale client would report."""
    ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
    kind, name = kinds.for_object(ref.get("apiVersion"), ref.get("kind")), ref.get("name", "")
    if kind is None:
        return None, None, f'no matches for kind "{ref.get("kind")}" in group "{(ref.get("apiVersion") or "").rpartition("/")[0]}"'
    if scale.paths(kind) is None:  # the API server routes no /scale for it: its 404 Status to the scale client
        return kind, None, "the server could not find the requested resource"
    obj = ctx.snap.get(kind.kind, hpa["metadata"]["namespace"], name)
    if obj is None:
        return kind, None, f'{kind.resource} "{name}" not found'
    return kind, obj, ""


def _pods(ctx, hpa: dict, kind, target: dict):
    """The pods the target's scale selects, or (None, reason, message) as upstream's
    computeReplicasForMetrics refuses a missing or unparsable selector."""
    if not kind.custom:  # the workload's own selector, without a round trip through text
        sel = (target.get("spec") or {}).get("selector")
        parsed = selectors.from_map(sel) if kind.kind == "ReplicationController" else selectors.from_label_selector(sel)
    elif not (text := scale.selector_text(kind, target)):
        return None, "SelectorRequired", "selector is required"
    else:
        try:
            parsed = selectors.parse(text)
        except UsageError as e:
            return None, "InvalidSelector", f"couldn't convert selector into a corresponding internal selector object: {e.message}"
    return ctx.snap.select("Pod", hpa["metadata"]["namespace"], parsed), "", ""


def _compute(ctx, hpa: dict, current: int, pods: list[dict]):
    """Upstream's computeReplicasForMetrics: the largest proposal over the metrics."""
    statuses, best, best_name, errors = [], None, "", []
    for m in (hpa.get("spec") or {}).get("metrics") or DEFAULT_METRICS:
        if m.get("type") not in ("Resource", "ContainerResource"):
            errors.append(f"the HPA was unable to compute the replica count: unable to get metric {m.get('type')}: "
                          "kubelite simulates resource metrics only")
            continue
        src = m.get("resource") or m.get("containerResource") or {}
        res, target = src.get("name", ""), src.get("target") or {}
        usage = {p["metadata"]["name"]: u for p in pods if (u := pod_usage(p, res)) is not None}
        try:
            if target.get("type") == "Utilization":
                replicas, util, raw = a.resource_replicas(current, pods, usage, res, ctx.now, window=METRICS_WINDOW,
                                                          target_utilization=int(target.get("averageUtilization") or 0))
                name = f"{res} resource utilization (percentage of request)"
            else:
                replicas, util, raw = a.resource_replicas(current, pods, usage, res, ctx.now, window=METRICS_WINDOW,
                                                          target_average=quantity.milli(target.get("averageValue") or 0))
                name = f"{res} resource"
        except (a.MetricsError, quantity.QuantityError, ZeroDivisionError) as e:
            errors.append(f"the HPA was unable to compute the replica count: failed to get {res} utilization: {e}")
            continue
        current_metric = {"averageValue": _format(raw, res)}
        if util is not None:
            current_metric["averageUtilization"] = util
        statuses.append({"type": m["type"], ("resource" if m["type"] == "Resource" else "containerResource"):
                         {"name": res, "current": current_metric, **({"container": src["container"]} if src.get("container") else {})}})
        if best is None or replicas > best:
            best, best_name = replicas, name
    return best, best_name, statuses, errors


def _format(milli: int, resource: str) -> str:
    from fractions import Fraction

    return quantity.format(Fraction(milli, 1000), binary=resource == "memory" and milli % 1000 == 0)


def _sync_one(ctx, hpa: dict) -> None:
    ctx.requeue_after(SYNC_PERIOD, f"HorizontalPodAutoscaler {hpa['metadata']['namespace']}/{hpa['metadata']['name']}")
    spec = hpa.get("spec") or {}
    status = clone(hpa.get("status") or {})
    meta_ann = (hpa["metadata"].get("annotations") or {})
    try:
        history = a.History.from_json(json.loads(meta_ann.get(HISTORY) or "{}"))
    except ValueError:
        history = a.History()
    kind, target, problem = _target(ctx, hpa)
    if target is not None:
        try:
            spec_replicas = scale.spec_replicas(kind, target)
        except KubeliteError as e:
            target, problem = None, e.message
    if target is None:
        msg = f"the HPA controller was unable to get the target's current scale: {problem}"
        c.set_condition(status, "AbleToScale", "False", "FailedGetScale", msg, ctx.stamp)
        c.event_once(ctx, hpa, "Warning", "FailedGetScale", problem)
        status.setdefault("desiredReplicas", 0)  # required in status; nothing is known yet
        _write(ctx, hpa, status, history)
        return
    c.set_condition(status, "AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale", ctx.stamp)
    current = scale.status_replicas(kind, target)
    min_r, max_r = int(spec.get("minReplicas") or 1), int(spec.get("maxReplicas") or 1)
    behavior = spec.get("behavior")
    reason, rescale, statuses = "", True, (status.get("currentMetrics") or [])
    if spec_replicas == 0 and min_r != 0:
        desired, rescale = 0, False
        c.set_condition(status, "ScalingActive", "False", "ScalingDisabled",
                        "scaling is disabled since the replica count of the target is zero", ctx.stamp)
    elif current > max_r:
        desired, reason = max_r, "Current number of replicas above Spec.MaxReplicas"
    elif current < min_r:
        desired, reason = min_r, "Current number of replicas below Spec.MinReplicas"
    else:
        pods, bad_reason, bad_message = _pods(ctx, hpa, kind, target)
        if pods is None:
            condition = "the HPA target's scale is missing a selector" if bad_reason == "SelectorRequired" else bad_message
            c.set_condition(status, "ScalingActive", "False", "InvalidSelector", condition, ctx.stamp)
            c.event_once(ctx, hpa, "Warning", bad_reason, bad_message)
            status.update(currentReplicas=current, desiredReplicas=current)
            _write(ctx, hpa, status, history)
            return
        proposal, name, statuses, errors = _compute(ctx, hpa, current, pods)
        if proposal is None:
            first = errors[0] if errors else "no metrics"
            c.set_condition(status, "ScalingActive", "False", "FailedGetResourceMetric", first, ctx.stamp)
            c.event_once(ctx, hpa, "Warning", "FailedGetResourceMetric", first)
            status.update(currentReplicas=current, desiredReplicas=current)
            _write(ctx, hpa, status, history, statuses)
            return
        c.set_condition(status, "ScalingActive", "True", "ValidMetricFound",
                        f"the HPA was able to successfully calculate a replica count from {name}", ctx.stamp)
        if proposal > current:
            reason = f"{name} above target"
        elif proposal < current:
            reason = "All metrics below target"
        n, history = a.normalize(behavior, history, current, proposal, min_r, max_r, ctx.now, ctx.stamp)
        c.set_condition(status, "AbleToScale", "True", n.able_reason, n.able_message, ctx.stamp)
        c.set_condition(status, "ScalingLimited", "True" if n.limited else "False", n.limited_reason, n.limited_message, ctx.stamp)
        desired = n.replicas
        rescale = desired != current
    if rescale and desired != spec_replicas:
        if ctx.update(scale.with_replicas(kind, target, desired)) is None:
            return  # a conflict: the next pass computes again
        c.set_condition(status, "AbleToScale", "True", "SucceededRescale",
                        f"the HPA controller was able to update the target scale to {desired}", ctx.stamp)
        ctx.event(hpa, "Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}")
        ctx.change(hpa, f"scaled {target['kind'].lower()}/{target['metadata']['name']} from {current} to {desired}")
        history = a.record_scale(history, behavior, current, desired, ctx.now, ctx.stamp)
        status["lastScaleTime"] = ctx.stamp
    elif not rescale:
        desired = current
    status.update(currentReplicas=current, desiredReplicas=desired)
    _write(ctx, hpa, status, history, statuses)


def _write(ctx, hpa: dict, status: dict, history: a.History, metrics: list | None = None) -> None:
    if metrics:
        status["currentMetrics"] = metrics
    status["observedGeneration"] = hpa["metadata"].get("generation", 1)
    record = json.dumps(history.to_json(), sort_keys=True, separators=(",", ":"))
    ann = dict(hpa["metadata"].get("annotations") or {})
    if record != "{}":
        ann[HISTORY] = record
    else:
        ann.pop(HISTORY, None)
    if status == (hpa.get("status") or {}) and ann == (hpa["metadata"].get("annotations") or {}):
        return
    updated = clone(hpa)
    updated["status"] = status
    if ann:
        updated["metadata"]["annotations"] = ann
    else:
        updated["metadata"].pop("annotations", None)
    ctx.update(updated)
