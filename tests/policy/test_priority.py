"""Priority admission and DefaultPreemption, after upstream's priority admission_test.go and
default_preemption_test.go tables (SelectVictimsOnNode, pickOneNodeForPreemption)."""
from __future__ import annotations

import pytest

from kubelite.policy import priority as pr

LOW, MID, HIGH = 100, 200, 300


def pc(name, value, default=False, policy=None):
    o = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name}, "value": value}
    if default:
        o["globalDefault"] = True
    if policy:
        o["preemptionPolicy"] = policy
    return o


def pod(name, prio=0, cpu=0, start="2026-01-01T00:00:00Z", labels=None, **spec):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": labels or {}},
            "spec": {"priority": prio, "containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}], **spec},
            "status": {"phase": "Running", "startTime": start}}


# -- admission ------------------------------------------------------------------------------

def test_a_named_class_sets_priority_and_preemption_policy():
    p = {"spec": {"priorityClassName": "high"}}
    pr.resolve(p, [pc("high", 1000, policy="Never")])
    assert (p["spec"]["priority"], p["spec"]["preemptionPolicy"]) == (1000, "Never")


def test_the_global_default_applies_to_pods_without_a_class():
    p = {"spec": {}}
    pr.resolve(p, [pc("a", 5), pc("b", 10, default=True)])
    assert (p["spec"]["priorityClassName"], p["spec"]["priority"]) == ("b", 10)


def test_without_a_default_the_priority_is_zero():
    p = {"spec": {}}
    pr.resolve(p, [pc("a", 5)])
    assert p["spec"]["priority"] == 0 and "priorityClassName" not in p["spec"]


def test_an_unknown_class_is_refused():
    with pytest.raises(pr.PriorityError, match="^no PriorityClass with name nope was found$"):
        pr.resolve({"spec": {"priorityClassName": "nope"}}, [])


def test_a_conflicting_integer_priority_is_refused():
    with pytest.raises(pr.PriorityError, match=r"^the integer value of priority \(7\) must not be provided in pod spec; "
                                               r"priority admission controller computed 1000 from the given PriorityClass name$"):
        pr.resolve({"spec": {"priorityClassName": "high", "priority": 7}}, [pc("high", 1000)])


def test_system_classes_resolve_to_their_upstream_values():
    p = {"spec": {"priorityClassName": "system-node-critical"}}
    pr.resolve(p, list(pr.SYSTEM_CLASSES))
    assert p["spec"]["priority"] == 2000001000


def test_a_second_global_default_is_refused():
    with pytest.raises(pr.PriorityError, match="^PriorityClass a is already marked as default. Only one default can exist$"):
        pr.check_class(pc("b", 1, default=True), [pc("a", 1, default=True)])


# -- preemption ------------------------------------------------------------------------------

CAPACITY = {"node1": 1000, "node2": 1000, "node3": 1000}


def fits(pod, node, pods):
    used = sum(p["spec"]["containers"][0]["resources"]["requests"]["cpu"] for p in pods)
    return used + pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] <= CAPACITY[node]


def run(preemptor, on, budgets=(), resolvable=None):
    nodes = sorted(on)
    return pr.preempt(preemptor, nodes, set(resolvable if resolvable is not None else nodes),
                      lambda n: on.get(n, []), fits, list(budgets))


def names(c):
    return [v["metadata"]["name"] for v in c.victims]


def test_higher_priority_pods_are_never_victims():
    got, msg = run(pod("p", LOW, 600), {"node1": [pod("a", HIGH, 600)], "node2": [pod("b", MID, 600)]})
    assert got is None
    assert msg == "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod."


def test_a_small_lower_priority_pod_is_reprieved_when_the_pod_fits_without_evicting_it():
    got, _ = run(pod("p", HIGH, 600), {"node1": [pod("small", LOW, 100), pod("big", MID, 800)]})
    assert got.node == "node1" and names(got) == ["big"]


def test_the_node_with_the_lowest_highest_victim_priority_is_picked():
    got, _ = run(pod("p", HIGH, 600), {"node1": [pod("a", MID, 800)], "node2": [pod("b", LOW, 800)]})
    assert (got.node, names(got)) == ("node2", ["b"])


def test_ties_on_priority_go_to_the_smallest_priority_sum():
    got, _ = run(pod("p", HIGH, 900), {"node1": [pod("a", MID, 500), pod("b", MID, 500)],
                                       "node2": [pod("c", MID, 500), pod("d", LOW, 500)]})
    assert got.node == "node2"


def test_then_to_the_fewest_victims():
    got, _ = run(pod("p", HIGH, 900), {"node1": [pod("a", LOW, 500), pod("b", LOW, 500)],
                                       "node2": [pod("c", LOW, 1000)]})
    # sums: node1 two LOW victims, node2 one: the smaller sum (with upstream's offset) wins first
    assert (got.node, names(got)) == ("node2", ["c"])


def test_then_to_the_latest_start_of_the_highest_priority_victims():
    got, _ = run(pod("p", HIGH, 900), {"node1": [pod("a", LOW, 1000, start="2026-01-01T00:00:00Z")],
                                       "node2": [pod("b", LOW, 1000, start="2026-01-01T05:00:00Z")]})
    assert got.node == "node2"


def test_a_node_whose_victims_would_break_a_budget_loses_to_one_that_would_not():
    budget = {"metadata": {"name": "pdb", "namespace": "default"},
              "spec": {"selector": {"matchLabels": {"app": "db"}}}, "status": {"disruptionsAllowed": 0}}
    got, _ = run(pod("p", HIGH, 900), {"node1": [pod("a", LOW, 1000, labels={"app": "db"})],
                                       "node2": [pod("b", MID, 1000)]}, budgets=[budget])
    assert (got.node, got.pdb_violations) == ("node2", 0)
    only, _ = run(pod("p", HIGH, 900), {"node1": [pod("a", LOW, 1000, labels={"app": "db"})]}, budgets=[budget])
    assert only.pdb_violations == 1  # a violation is allowed when nothing else helps


def test_a_pod_that_never_preempts_says_so():
    got, msg = run(pod("p", HIGH, 600, preemptionPolicy="Never"), {"node1": [pod("a", LOW, 1000)]})
    assert got is None and msg == "preemption: not eligible due to preemptionPolicy=Never."


def test_nodes_that_failed_on_other_than_resources_are_not_candidates():
    got, msg = run(pod("p", HIGH, 600), {"node1": [pod("a", LOW, 1000)], "node2": []}, resolvable=[])
    assert got is None and msg == "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."


def test_victims_leave_the_disruption_target_condition():
    c = pr.disruption_condition("default-scheduler", "T")
    assert c["reason"] == "PreemptionByScheduler"
    assert c["message"] == "default-scheduler: preempting to accommodate a higher priority pod"
