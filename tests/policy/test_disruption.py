"""PodDisruptionBudget status and eviction, table-tested after upstream's disruption_test.go
and eviction_test.go."""
from __future__ import annotations

import datetime as dt

import pytest

from kubelite.policy import disruption as d

NOW = dt.datetime(2026, 1, 2, 15, 4, 5, tzinfo=dt.timezone.utc)
STAMP = "2026-01-02T15:04:05Z"


def pod(name, ready=True, owner_uid=None, labels=None, phase="Running", deleting=False):
    meta = {"name": name, "namespace": "default", "labels": labels or {"app": "web"}}
    if owner_uid:
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
                                    "uid": owner_uid, "controller": True}]
    if deleting:
        meta["deletionTimestamp"] = STAMP
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def pdb(spec, status=None, generation=1, name="web"):
    spec = {"selector": {"matchLabels": {"app": "web"}}, **spec}
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": name, "namespace": "default", "generation": generation},
            "spec": spec, "status": status or {}}


def scales(**by_uid):
    def scale_of(p):
        ref = p["metadata"]["ownerReferences"][0]
        return by_uid.get(ref["uid"])
    return scale_of


# (case, spec, pods, controller scales, (disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods))
CASES = [
    ("an integer minAvailable counts the pods themselves", {"minAvailable": 3},
     [pod(f"p{i}") for i in range(4)], {}, (1, 4, 3, 4)),
    ("an unready pod is not healthy", {"minAvailable": 3},
     [pod("p0"), pod("p1"), pod("p2"), pod("p3", ready=False)], {}, (0, 3, 3, 4)),
    ("a pod being deleted is not healthy", {"minAvailable": 1},
     [pod("p0"), pod("p1", deleting=True)], {}, (0, 1, 1, 2)),
    ("a percentage minAvailable scales the controller's replicas, rounding up", {"minAvailable": "20%"},
     [pod("p0", owner_uid="rs1")], {"rs1": 10}, (0, 1, 2, 10)),
    ("34% of an RC of three needs two", {"minAvailable": "34%"},
     [pod(f"p{i}", owner_uid="rc1") for i in range(3)], {"rc1": 3}, (1, 3, 2, 3)),
    ("an integer maxUnavailable is subtracted from the controller's scale", {"maxUnavailable": 1},
     [pod(f"p{i}", owner_uid="d1") for i in range(3)], {"d1": 3}, (1, 3, 2, 3)),
    ("a percentage maxUnavailable rounds up", {"maxUnavailable": "30%"},
     [pod(f"p{i}", owner_uid="d1") for i in range(10)], {"d1": 10}, (3, 10, 7, 10)),
    ("two controllers add up", {"maxUnavailable": 1},
     [pod("a", owner_uid="x"), pod("b", owner_uid="y")], {"x": 1, "y": 1}, (1, 2, 1, 2)),
    ("maxUnavailable over naked pods expects none and allows nothing", {"maxUnavailable": 1},
     [pod("p0"), pod("p1")], {}, (0, 2, 0, 0)),
    ("no pods allow nothing", {"minAvailable": 0}, [], {}, (0, 0, 0, 0)),
]


@pytest.mark.parametrize("case,spec,pods,scale,want", CASES, ids=[c[0] for c in CASES])
def test_budget_status_follows_upstream_tables(case, spec, pods, scale, want):
    got = d.compute(pdb(spec), pods, scales(**scale), NOW)
    assert not got.error
    assert (got.disruptions_allowed, got.current_healthy, got.desired_healthy, got.expected_pods) == want


def test_a_pod_whose_controller_is_gone_fails_the_sync_safe():
    b = pdb({"minAvailable": "50%"}, status={"disruptionsAllowed": 3, "observedGeneration": 1})
    got = d.compute(b, [pod("p0", owner_uid="gone")], scales(), NOW)
    assert got.error == 'found no controllers for pod "p0"'
    status = d.status_for(b, got, STAMP)
    assert status["disruptionsAllowed"] == 0
    assert status["conditions"] == [{"type": "DisruptionAllowed", "status": "False", "reason": "SyncFailed",
                                     "message": 'found no controllers for pod "p0"', "observedGeneration": 1,
                                     "lastTransitionTime": STAMP}]


def test_status_carries_the_condition_and_observed_generation():
    b = pdb({"minAvailable": 1}, generation=4)
    status = d.status_for(b, d.compute(b, [pod("a"), pod("b")], scales(), NOW), STAMP)
    assert status["observedGeneration"] == 4
    assert status["conditions"][0]["reason"] == "SufficientPods"
    assert status["conditions"][0]["status"] == "True"
    again = d.status_for({**b, "status": status}, d.compute(b, [pod("a"), pod("b")], scales(), NOW), "2030-01-01T00:00:00Z")
    assert again == status  # nothing moved: the transition time is kept


def test_a_recent_eviction_keeps_its_pod_out_of_the_healthy_count_for_two_minutes():
    recent = (NOW - dt.timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    old = (NOW - dt.timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    b = pdb({"minAvailable": 1}, status={"disruptedPods": {"a": recent, "b": old, "gone": recent}})
    got = d.compute(b, [pod("a"), pod("b"), pod("c")], scales(), NOW)
    assert got.disrupted_pods == {"a": recent}
    assert got.current_healthy == 2


# -- eviction ---------------------------------------------------------------------------

def ready_budget(allowed, current=3, desired=2, **spec):
    return pdb({"minAvailable": desired, **spec},
               status={"disruptionsAllowed": allowed, "currentHealthy": current, "desiredHealthy": desired,
                       "observedGeneration": 1})


def test_eviction_is_refused_when_the_budget_is_exhausted():
    v = d.evict(pod("p0"), [ready_budget(0, current=2)], STAMP)
    assert not v.allowed and v.code == 429
    assert v.message == "Cannot evict pod as it would violate the pod's disruption budget."
    assert v.cause == "The disruption budget web needs 2 healthy pods and has 2 currently"


def test_eviction_decrements_the_budget_and_records_the_pod():
    v = d.evict(pod("p0"), [ready_budget(1)], STAMP)
    assert v.allowed
    assert v.pdb_status["disruptionsAllowed"] == 0
    assert v.pdb_status["disruptedPods"] == {"p0": STAMP}
    assert v.pdb_status["conditions"][0]["reason"] == "InsufficientPods"


def test_eviction_waits_for_a_budget_the_controller_has_not_seen():
    b = ready_budget(5)
    b["metadata"]["generation"] = 2
    v = d.evict(pod("p0"), [b], STAMP)
    assert (v.allowed, v.code, v.cause) == (False, 429, "The disruption budget web is still being processed by the server.")


def test_eviction_refuses_a_pod_covered_by_two_budgets():
    v = d.evict(pod("p0"), [ready_budget(1), ready_budget(1) | {"metadata": {"name": "other", "namespace": "default"}}], STAMP)
    assert (v.allowed, v.code) == (False, 500)
    assert "more than one PodDisruptionBudget" in v.message


@pytest.mark.parametrize("phase", ["Pending", "Succeeded", "Failed"])
def test_eviction_ignores_budgets_for_pods_not_running(phase):
    assert d.evict(pod("p0", phase=phase), [ready_budget(0)], STAMP).allowed


def test_an_unready_pod_is_evicted_while_the_budget_is_healthy():
    assert d.evict(pod("p0", ready=False), [ready_budget(0, current=2, desired=2)], STAMP).allowed
    assert not d.evict(pod("p0", ready=False), [ready_budget(0, current=1, desired=2)], STAMP).allowed


def test_always_allow_evicts_unready_pods_even_when_the_budget_is_short():
    b = ready_budget(0, current=1, desired=2, unhealthyPodEvictionPolicy="AlwaysAllow")
    assert d.evict(pod("p0", ready=False), [b], STAMP).allowed
    assert not d.evict(pod("p1"), [b], STAMP).allowed


def test_a_budget_selecting_other_labels_does_not_guard_the_pod():
    assert d.evict(pod("p0", labels={"app": "db"}), [ready_budget(0)], STAMP).allowed
