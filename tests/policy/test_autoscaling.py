"""The HPA's arithmetic, after upstream's replica_calculator_test.go (pods with one
container: upstream's expected raw values are per container) and horizontal_test.go's
stabilization and behavior tables."""
from __future__ import annotations

import datetime as dt

import pytest

from kubelite.policy import autoscaling as a

NOW = dt.datetime(2026, 1, 2, 15, 0, 0, tzinfo=dt.timezone.utc)
COOL = "2026-01-02T14:00:00Z"  # started long ago
HOT = "2026-01-02T14:59:30Z"  # within the CPU initialization period, ready less than a metrics window ago


def stamp(seconds_ago: int) -> str:
    return (NOW - dt.timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def pods(n, readiness=None, phase=None, deleting=None, start=None, request="1.0"):
    out = []
    for i in range(n):
        s = (start or [COOL] * n)[i]
        meta = {"name": f"p{i}", "namespace": "default"}
        if deleting and deleting[i]:
            meta["deletionTimestamp"] = COOL
        out.append({"metadata": meta,
                    "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": request}}}]},
                    "status": {"phase": (phase or ["Running"] * n)[i], "startTime": s,
                               "conditions": [{"type": "Ready", "status": (readiness or ["True"] * n)[i],
                                               "lastTransitionTime": s}]}})
    return out


def levels(*values):
    return {f"p{i}": v for i, v in enumerate(values)}


# (name, current, pods, metrics, target %, (replicas, utilization, raw average))
CASES = [
    ("ScaleUp", 3, pods(3), levels(300, 500, 700), 30, (5, 50, 500)),
    ("ScaleUpUnreadyLessScale", 3, pods(3, ["False", "True", "True"]), levels(300, 500, 700), 30, (4, 60, 600)),
    ("ScaleUpHotCpuLessScale", 3, pods(3, start=[HOT, COOL, COOL]), levels(300, 500, 700), 30, (4, 60, 600)),
    ("ScaleUpUnreadyNoScale", 3, pods(3, ["True", "False", "False"]), levels(400, 500, 700), 30, (3, 40, 400)),
    ("ScaleUpIgnoresFailedPods", 2, pods(4, ["True", "True", "False", "False"], ["Running", "Running", "Failed", "Failed"]),
     levels(500, 700), 30, (4, 60, 600)),
    ("ScaleUpIgnoresDeletionPods", 2, pods(4, ["True", "True", "False", "False"], deleting=[False, False, True, True]),
     levels(500, 700), 30, (4, 60, 600)),
    ("ScaleDown", 5, pods(5), levels(100, 300, 500, 250, 250), 50, (3, 28, 280)),
    ("ScaleDownIncludeUnreadyPods", 5, pods(5, ["True", "True", "True", "False", "False"]),
     levels(100, 300, 500, 250, 250), 50, (2, 30, 300)),
    ("ScaleDownExcludeUnscheduledPods", 5, pods(5, ["True"] + ["False"] * 4, ["Running"] + ["Pending"] * 4),
     levels(100), 50, (1, 10, 100)),
    ("ScaleDownIgnoreHotCpuPods", 5, pods(5, start=[COOL, COOL, COOL, HOT, HOT]), levels(100, 300, 500, 250, 250), 50, (2, 30, 300)),
    ("Tolerance", 3, pods(3), levels(1010, 1030, 1020), 100, (3, 102, 1020)),
    ("MissingMetrics", 4, pods(4), levels(400, 95), 100, (3, 24, 247)),
    ("MissingMetricsNoChangeEq", 2, pods(2), levels(1000), 100, (2, 100, 1000)),
    ("MissingMetricsNoChangeGt", 2, pods(2), levels(1900), 100, (2, 190, 1900)),
    ("MissingMetricsNoChangeLt", 2, pods(2), levels(600), 100, (2, 60, 600)),
    ("MissingMetricsUnreadyChange", 3, pods(3, ["False", "True", "True"]), levels(100, 450), 50, (3, 45, 450)),
    ("MissingMetricsUnreadyScaleUp", 3, pods(3, ["False", "True", "True"]), levels(100, 2000), 50, (4, 200, 2000)),
    ("MissingMetricsUnreadyScaleDown", 4, pods(4, ["False", "True", "True", "True"]), levels(100, 100, 100), 50, (3, 10, 100)),
    ("DuringRollingUpdateWithMaxSurge", 2, pods(3), levels(100, 100), 50, (2, 10, 100)),
]


@pytest.mark.parametrize("name,current,ps,metrics,target,want", CASES, ids=[c[0] for c in CASES])
def test_replica_calculator_matches_upstreams_table(name, current, ps, metrics, target, want):
    got = a.resource_replicas(current, ps, metrics, "cpu", NOW, target_utilization=target, window=dt.timedelta(minutes=1))
    assert got == want


def test_the_tolerance_test_requests_vary_per_pod():
    ps = pods(3)
    for p, req in zip(ps, ("900m", "1", "1100m")):
        p["spec"]["containers"][0]["resources"]["requests"]["cpu"] = req
    assert a.resource_replicas(3, ps, levels(1010, 1030, 1020), "cpu", NOW, target_utilization=100)[0] == 3


def test_an_average_value_target_scales_on_the_mean():
    assert a.resource_replicas(5, pods(5), levels(*[120] * 5), "cpu", NOW, target_average=200) == (3, None, 120)


def test_a_pod_without_a_request_cannot_be_measured_in_utilization():
    ps = pods(1)
    ps[0]["spec"]["containers"][0]["resources"] = {}
    with pytest.raises(a.MetricsError, match="^missing request for cpu in container c of Pod p0$"):
        a.resource_replicas(1, ps, levels(200), "cpu", NOW, target_utilization=100)


def test_no_metrics_at_all_is_an_error():
    with pytest.raises(a.MetricsError, match="no metrics returned from resource metrics API"):
        a.resource_replicas(4, pods(3), {}, "cpu", NOW, target_utilization=100)


# -- normalization -------------------------------------------------------------------------

def test_without_behavior_a_scale_up_is_limited_to_double_or_four():
    n, _ = a.normalize(None, a.History(), 2, 10, 1, 10, NOW, stamp(0))
    assert (n.replicas, n.limited, n.limited_reason) == (4, True, "ScaleUpLimit")
    n, _ = a.normalize(None, a.History(), 4, 10, 1, 10, NOW, stamp(0))
    assert n.replicas == 8


def test_without_behavior_the_highest_recommendation_of_five_minutes_holds():
    history = a.History({8: stamp(100)})
    n, h = a.normalize(None, history, 8, 3, 1, 10, NOW, stamp(0))
    assert (n.replicas, n.able_reason) == (8, "ScaleDownStabilized")
    assert h.recommendations == {8: stamp(100), 3: stamp(0)}
    later = NOW + dt.timedelta(seconds=201)
    n, _ = a.normalize(None, h, 8, 3, 1, 10, later, "later")
    assert (n.replicas, n.able_reason) == (3, "ReadyForNewScale")


def test_min_and_max_bound_the_recommendation():
    n, _ = a.normalize(None, a.History(), 3, 1, 2, 10, NOW, stamp(0))
    assert (n.replicas, n.limited_reason) == (2, "TooFewReplicas")
    n, _ = a.normalize(None, a.History(), 5, 9, 1, 6, NOW, stamp(0))
    assert (n.replicas, n.limited_reason) == (6, "TooManyReplicas")


def test_default_behavior_adds_four_pods_or_doubles_each_fifteen_seconds():
    n, _ = a.normalize({}, a.History(), 2, 20, 1, 50, NOW, stamp(0))
    assert (n.replicas, n.limited_reason) == (6, "ScaleUpLimit")
    n, _ = a.normalize({}, a.History(), 10, 40, 1, 50, NOW, stamp(0))
    assert n.replicas == 20


def test_recent_scale_events_count_against_the_period():
    h = a.History(up=[(stamp(5), 4)])  # 2 -> 6 five seconds ago
    n, _ = a.normalize({}, h, 6, 20, 1, 50, NOW, stamp(0))
    assert n.replicas == 6  # the period began at 2: at most max(2+4, 2*2) = 6


def test_a_pods_policy_with_min_select_policy():
    behavior = {"scaleDown": {"stabilizationWindowSeconds": 0, "selectPolicy": "Min",
                              "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60},
                                           {"type": "Percent", "value": 50, "periodSeconds": 60}]}}
    n, _ = a.normalize(behavior, a.History(), 10, 2, 1, 20, NOW, stamp(0))
    assert (n.replicas, n.limited_reason) == (9, "ScaleDownLimit")


def test_a_disabled_direction_never_scales():
    n, _ = a.normalize({"scaleDown": {"selectPolicy": "Disabled", "stabilizationWindowSeconds": 0}}, a.History(), 5, 1, 1, 10, NOW, stamp(0))
    assert n.replicas == 5


def test_the_scale_down_window_of_a_behavior_holds_the_highest_recent_recommendation():
    behavior = {"scaleDown": {"stabilizationWindowSeconds": 60}}
    n, h = a.normalize(behavior, a.History({7: stamp(30)}), 7, 3, 1, 10, NOW, stamp(0))
    assert (n.replicas, n.able_reason) == (7, "ScaleDownStabilized")
    n, _ = a.normalize(behavior, h, 7, 3, 1, 10, NOW + dt.timedelta(seconds=31), "x")
    assert n.replicas == 3


def test_history_survives_its_json_form():
    h = a.History({3: "t1", 8: "t2"}, [("t0", 2)], [("t3", 5)])
    assert a.History.from_json(h.to_json()) == h
    assert a.History.from_json({"recommendations": "garbage"}) == a.History()


def test_scale_events_are_recorded_only_with_a_behavior():
    h0 = a.History()
    assert a.record_scale(h0, None, 2, 4, NOW, "t") is h0  # no behavior: nothing to keep
    h = a.record_scale(a.History(up=[(stamp(100), 1)]), {}, 2, 6, NOW, stamp(0))
    assert h.up == [(stamp(0), 4)]  # the event older than the 15 s periods is dropped
