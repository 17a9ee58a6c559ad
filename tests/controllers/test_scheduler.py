"""The scheduler: filters, scoring and upstream's unschedulable message."""
from __future__ import annotations

import json

from kubelite.controllers import _common, scheduler
from tests.controllers.helpers import at, cond, node_yaml, objects, one, reconcile


def _node(name, cpu="4", labels=None, taints=None, unschedulable=False, ready=True):
    return {"metadata": {"name": name, "labels": labels or {}},
            "spec": {"taints": taints or [], "unschedulable": unschedulable},
            "status": {"allocatable": {"cpu": cpu, "memory": "8Gi", "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def _pod(cpu=None, **spec):
    ctr = {"name": "c", "image": "x"}
    if cpu:
        ctr["resources"] = {"requests": {"cpu": cpu}}
    return {"metadata": {"name": "p", "namespace": "default"}, "spec": {"containers": [ctr], **spec}}


def _place(pod, nodes):
    infos = scheduler.build_infos(nodes, lambda n: [])
    best, reasons = scheduler.place(pod, infos)
    return (best.name if best else None), reasons


def test_the_failure_message_counts_reasons_like_upstream():
    msg = scheduler.failure_message(3, {"Insufficient cpu": 1, "node(s) didn't match Pod's node affinity/selector": 2})
    assert msg == "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector."


def test_requests_are_fitted_against_allocatable():
    name, reasons = _place(_pod(cpu="3"), [_node("small", cpu="2"), _node("big", cpu="4")])
    assert name == "big"
    name, reasons = _place(_pod(cpu="5"), [_node("small", cpu="2"), _node("big", cpu="4")])
    assert name is None and reasons == {"Insufficient cpu": 2}


def test_node_selector_and_required_affinity_filter_nodes():
    nodes = [_node("a", labels={"disk": "ssd"}), _node("b", labels={"disk": "hdd"})]
    assert _place(_pod(nodeSelector={"disk": "hdd"}), nodes)[0] == "b"
    aff = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "disk", "operator": "NotIn", "values": ["hdd"]}]}]}}}
    assert _place(_pod(affinity=aff), nodes)[0] == "a"
    fields = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["b"]}]}]}}}
    assert _place(_pod(affinity=fields), nodes)[0] == "b"


def test_taints_need_tolerations_and_cordoned_or_unready_nodes_are_skipped():
    tainted = _node("gpu", taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}])
    name, reasons = _place(_pod(), [tainted])
    assert name is None and reasons == {"node(s) had untolerated taint {dedicated: gpu}": 1}
    tol = [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]
    assert _place(_pod(tolerations=tol), [tainted])[0] == "gpu"
    assert _place(_pod(), [_node("c", unschedulable=True)])[1] == {"node(s) were unschedulable": 1}
    assert _place(_pod(), [_node("d", ready=False)])[0] is None


def test_tolerations_follow_upstream_matching():
    taint = {"key": "k", "value": "v", "effect": "NoExecute"}
    assert _common.tolerates([{"operator": "Exists"}], taint)
    assert _common.tolerates([{"key": "k", "operator": "Exists"}], taint)
    assert not _common.tolerates([{"key": "k", "value": "w"}], taint)
    assert not _common.tolerates([{"key": "k", "operator": "Exists", "effect": "NoSchedule"}], taint)


def test_pods_spread_by_least_allocated_even_without_requests():
    nodes = [_node("a"), _node("b")]
    infos = scheduler.build_infos(nodes, lambda n: [])
    placed = []
    for _ in range(4):
        best, _ = scheduler.place(_pod(), infos)
        best.add(_pod())
        placed.append(best.name)
    assert sorted(placed) == ["a", "a", "b", "b"]


def test_an_unschedulable_pod_gets_the_condition_and_one_folded_event(kl):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "hungry"},
           "spec": {"containers": [{"name": "c", "image": "x", "resources": {"requests": {"cpu": "64"}}}]}}
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + node_yaml("n2", labels={"zone": "b"}) + json.dumps(pod), now=at(0))
    reconcile(kl, at(0))
    reconcile(kl, at(1))
    p = one(kl, "pod", "hungry")
    c = cond(p, "PodScheduled")
    assert c["status"] == "False" and c["reason"] == "Unschedulable"
    assert c["message"] == ("0/2 nodes are available: 2 Insufficient cpu. "
                            "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.")
    evs = [e for e in objects(kl, "events") if e["reason"] == "FailedScheduling"]
    assert len(evs) == 1 and evs[0]["type"] == "Warning"
    r = kl(["describe", "pod", "hungry"])
    assert "FailedScheduling" in r.out and "Insufficient cpu" in r.out


def test_a_pod_schedules_once_a_fitting_node_appears(kl):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big"},
           "spec": {"containers": [{"name": "c", "image": "x", "resources": {"requests": {"cpu": "6"}}}]}}
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + json.dumps(pod), now=at(0))
    reconcile(kl, at(0))
    kl(["apply", "-f", "-"], stdin=node_yaml("n2", cpu="8"), now=at(1))
    reconcile(kl, at(1))
    p = one(kl, "pod", "big")
    assert p["spec"]["nodeName"] == "n2" and p["status"]["phase"] == "Running"


def _queue(seed: int, pods: int = 120, nodes: int = 9):
    import random

    rnd = random.Random(seed)
    node_list = [_node(f"n{i}", cpu=rnd.choice(["1", "2", "4"]), labels={"zone": rnd.choice("ab")},
                       taints=[{"key": "t", "value": "x", "effect": "NoSchedule"}] if rnd.random() < 0.2 else [],
                       unschedulable=rnd.random() < 0.1, ready=rnd.random() > 0.1) for i in range(nodes)]
    for n in node_list:
        n["status"]["allocatable"]["pods"] = rnd.choice(["3", "110"])
    queue = []
    for _ in range(pods):
        extra = {}
        if rnd.random() < 0.3:
            extra["nodeSelector"] = {"zone": rnd.choice("ab")}
        if rnd.random() < 0.3:
            extra["tolerations"] = [{"key": "t", "operator": "Exists"}]
        queue.append(_pod(cpu=rnd.choice([None, "100m", "250m", "1"]), **extra))
    return node_list, queue


def test_the_placer_binds_a_queue_exactly_as_node_by_node_placement_would():
    for seed in range(25):
        nodes, queue = _queue(seed)
        slow, fast = scheduler.build_infos(nodes, lambda n: []), scheduler.build_infos(nodes, lambda n: [])
        placer = scheduler.Placer(fast)
        for pod in queue:
            want, want_reasons = scheduler.place(pod, slow)
            got, got_reasons = placer.place(pod)
            assert (got.name if got else None) == (want.name if want else None), seed
            if want is None:  # the reasons are read only when nothing fits
                assert got_reasons == want_reasons
            if want is not None:
                want.add(pod)
                placer.bound(pod, got)


def test_the_placer_leaves_a_node_it_failed_to_bind_to_for_the_next_pod():
    infos = scheduler.build_infos([_node("a"), _node("b")], lambda n: [])
    placer = scheduler.Placer(infos)
    first, _ = placer.place(_pod(cpu="1"))
    again, _ = placer.place(_pod(cpu="1"))  # the bind of `first` failed: nothing was added
    assert again is first
