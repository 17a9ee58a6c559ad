"""Node lifecycle: heartbeats lost, taints, eviction after the toleration, recovery; cordon and drain."""
from __future__ import annotations

import json

from tests.controllers.helpers import at, cond, deployment_yaml, node_yaml, objects, one, reconcile


def _cluster(kl, replicas=4):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + node_yaml("n2") + deployment_yaml("web", replicas), now=at(0))
    r = kl(["reconcile", "--until-stable"], now=at(0))
    assert r.rc == 0, r.err


def _taint_keys(node):
    return {(t["key"], t["effect"]) for t in (node.get("spec") or {}).get("taints") or []}


def test_a_node_marked_down_loses_its_pods_after_the_timeouts_and_they_run_elsewhere(kl):
    _cluster(kl)
    on_n1 = [p["metadata"]["name"] for p in objects(kl, "pods") if p["spec"]["nodeName"] == "n1"]
    assert on_n1
    kl(["annotate", "node", "n1", "sim.kubelite.io/down=true"])
    reconcile(kl, at(30))
    assert cond(one(kl, "node", "n1"), "Ready")["status"] == "True"  # within the 40 s grace
    reconcile(kl, at(41))
    n1 = one(kl, "node", "n1")
    assert cond(n1, "Ready")["status"] == "Unknown"
    assert _taint_keys(n1) == {("node.kubernetes.io/unreachable", "NoSchedule"), ("node.kubernetes.io/unreachable", "NoExecute")}
    assert "NotReady" in kl(["get", "nodes"], now=at(41)).out
    pods = {p["metadata"]["name"]: p for p in objects(kl, "pods")}
    assert all(cond(pods[n], "Ready")["status"] == "False" for n in on_n1)
    reconcile(kl, at(41 + 299))
    assert set(on_n1) <= {p["metadata"]["name"] for p in objects(kl, "pods")}  # toleration not yet run out
    kl(["reconcile", "--until-stable"], now=at(41 + 301))
    pods = objects(kl, "pods")
    assert not set(on_n1) & {p["metadata"]["name"] for p in pods}
    assert len(pods) == 4 and all(p["spec"]["nodeName"] == "n2" and p["status"]["phase"] == "Running" for p in pods)
    evs = [e for e in objects(kl, "events", "-A") if e["reason"] in ("NodeNotReady", "TaintManagerEviction")]
    assert {e["reason"] for e in evs} == {"NodeNotReady", "TaintManagerEviction"}


def test_removing_the_down_annotation_brings_the_node_back(kl):
    _cluster(kl, 1)
    kl(["annotate", "node", "n1", "sim.kubelite.io/down=true"])
    reconcile(kl, at(60))
    kl(["annotate", "node", "n1", "sim.kubelite.io/down-"])
    kl(["reconcile", "--until-stable"], now=at(61))
    n1 = one(kl, "node", "n1")
    assert cond(n1, "Ready")["status"] == "True"
    assert not _taint_keys(n1)


def test_a_node_never_heard_from_becomes_unknown_after_the_grace_period(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("ghost", annotations={"sim.kubelite.io/down": "true"}), now=at(0))
    reconcile(kl, at(0))
    reconcile(kl, at(45))
    assert cond(one(kl, "node", "ghost"), "Ready")["status"] == "Unknown"


def test_cordon_stops_scheduling_and_uncordon_resumes_it(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1"), now=at(0))
    assert "Unknown" in kl(["get", "nodes"]).out  # no kubelet has reported yet
    kl(["reconcile"], now=at(0))
    assert kl(["cordon", "n1"]).out.strip() == "node/n1 cordoned"
    assert "Ready,SchedulingDisabled" in kl(["get", "nodes"]).out
    kl(["apply", "-f", "-"], stdin=deployment_yaml("web", 1), now=at(0))
    kl(["reconcile", "--until-stable"], now=at(0))
    assert "node(s) were unschedulable" in cond(objects(kl, "pods")[0], "PodScheduled")["message"]
    assert kl(["uncordon", "n1"]).out.strip() == "node/n1 uncordoned"
    kl(["reconcile", "--until-stable"], now=at(1))
    assert objects(kl, "pods")[0]["status"]["phase"] == "Running"


def test_drain_evicts_controller_pods_and_refuses_bare_ones_without_force(kl):
    bare = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare"}, "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "x"}]}}
    _cluster(kl, 2)
    kl(["apply", "-f", "-"], stdin=json.dumps(bare), now=at(0))
    r = kl(["drain", "n1"])
    assert r.rc == 1 and "cannot delete Pods declare no controller (use --force to override): default/bare" in r.err
    r = kl(["drain", "n1", "--force"])
    assert r.rc == 0 and r.out.strip().endswith("node/n1 drained")
    assert not [p for p in objects(kl, "pods") if p["spec"].get("nodeName") == "n1"]
    kl(["reconcile", "--until-stable"], now=at(1))
    pods = objects(kl, "pods")
    assert len(pods) == 2 and {p["spec"]["nodeName"] for p in pods} == {"n2"}


def test_a_node_past_the_end_of_the_cluster_cidr_gets_no_pod_cidr_and_says_so_once(kl):
    kl(["patch", "configmap", "kubelite-config", "-n", "kube-system", "--type", "merge",
        "-p", '{"data": {"cluster-cidr": "10.200.0.0/23"}}'])  # room for two nodes' /24s
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + node_yaml("n2") + node_yaml("n3"), now=at(0))
    reconcile(kl, at(0))
    cidrs = {n["metadata"]["name"]: (n.get("spec") or {}).get("podCIDR") for n in objects(kl, "nodes")}
    assert cidrs == {"n1": "10.200.0.0/24", "n2": "10.200.1.0/24", "n3": None}
    evs = [e for e in objects(kl, "events", "-A") if e["reason"] == "CIDRNotAvailable"]
    assert [(e["involvedObject"]["name"], e["message"], e["source"]["component"]) for e in evs] == [
        ("n3", "Node n3 status is now: CIDRNotAvailable", "cidrAllocator")]
    r = kl(["reconcile", "--full", "-o", "json"], now=at(0))
    assert r.rc == 0, r.err
    assert json.loads(r.out)["writes"] == 0  # the event is not bumped pass after pass
