"""The pod garbage collector: pods of nodes that are gone, and terminated pods over the threshold."""
from __future__ import annotations

import json

from kubelite.controllers import podgc
from tests.controllers.helpers import at, cond, deployment_yaml, node_yaml, objects, reconcile


def test_pods_of_a_deleted_node_are_deleted_and_replaced_on_a_node_that_exists(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 2), now=at(0))
    kl(["reconcile", "--until-stable"], now=at(0))
    kl(["apply", "-f", "-"], stdin=node_yaml("n2"), now=at(1))
    kl(["cordon", "n2"], now=at(1))
    gone = {p["metadata"]["name"] for p in objects(kl, "pods")}
    assert kl(["delete", "node", "n1"], now=at(1)).rc == 0
    kl(["uncordon", "n2"], now=at(1))
    out = reconcile(kl, at(1))
    for name in gone:
        assert f"pod/{name}: deleted (node n1 no longer exists)" in out
    pods = objects(kl, "pods")
    assert len(pods) == 2 and not {p["metadata"]["name"] for p in pods} & gone
    assert {p["spec"]["nodeName"] for p in pods} == {"n2"}


def test_an_orphan_held_by_a_finalizer_is_marked_failed_by_podgc_first(kl):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "held", "finalizers": ["example.com/keep"]},
           "spec": {"nodeName": "nowhere", "containers": [{"name": "c", "image": "nginx"}]}}
    kl(["apply", "-f", "-"], stdin=json.dumps(pod), now=at(0))
    reconcile(kl, at(0))
    (held,) = objects(kl, "pods")
    assert held["metadata"]["deletionTimestamp"] and held["status"]["phase"] == "Failed"
    dt = cond(held, "DisruptionTarget")
    assert (dt["status"], dt["reason"], dt["message"]) == ("True", "DeletionByPodGC", "PodGC: node no longer exists")


def test_terminated_pods_over_the_threshold_go_oldest_first(tmp_path, monkeypatch):
    from kubelite.apiserver import APIServer
    from kubelite.api import kinds
    from kubelite.clock import Clock, parse_time
    from kubelite.runtime import runner

    api = APIServer.open(tmp_path / "s", Clock(parse_time(at(0))))
    api.apply({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "status": {"capacity": {"cpu": "2", "memory": "1Gi", "pods": "10"}}})
    for i, name in enumerate(["zz", "mm", "aa"]):  # oldest first, and not in name order
        api.clock = api.store.clock = Clock(parse_time(at(i)))
        api.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                   "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}})
    api.clock = api.store.clock = Clock(parse_time(at(5)))
    monkeypatch.setattr(podgc, "TERMINATED_THRESHOLD", 1)
    runner.Runner(api).run(until_stable=True, max_passes=10)
    pods = api.list(kinds.by_kind("Pod"), "default")
    assert [(p["metadata"]["name"], p["status"]["phase"]) for p in pods] == [("aa", "Succeeded")]
