"""A high-priority Deployment preempts low-priority pods on a full cluster, through the real CLI."""
from __future__ import annotations

import json

from tests.controllers.helpers import at, cond, deployment_yaml, node_yaml, objects


def klass(name: str, value: int, **extra) -> str:
    return json.dumps({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
                       "value": value, **extra}) + "\n---\n"


def stable(kl, now):
    r = kl(["reconcile", "--until-stable"], now=now)
    assert r.rc == 0, r.out + r.err


def test_a_high_priority_deployment_preempts_low_priority_pods_on_a_full_cluster(kl):
    batch = deployment_yaml("batch", 4, requests={"cpu": "1"}, extra_spec={})
    batch = json.loads(batch)
    batch["spec"]["template"]["spec"]["priorityClassName"] = "low"
    kl(["apply", "-f", "-"], stdin=node_yaml("n1", cpu="2") + node_yaml("n2", cpu="2") + klass("low", 100) + klass("high", 1000)
       + json.dumps(batch), now=at(0))
    stable(kl, at(0))
    assert sum(p["status"]["phase"] == "Running" for p in objects(kl, "pods")) == 4  # the cluster is full

    api = json.loads(deployment_yaml("api", 2, requests={"cpu": "1"}))
    api["spec"]["template"]["spec"]["priorityClassName"] = "high"
    kl(["apply", "-f", "-"], stdin=json.dumps(api), now=at(10))
    r = kl(["reconcile"], now=at(10))
    assert r.rc == 0, r.err
    pods = objects(kl, "pods")
    api_pods = [p for p in pods if p["metadata"]["labels"]["app"] == "api"]
    assert len(api_pods) == 2 and all(p["spec"]["priority"] == 1000 for p in api_pods)
    assert all(p["status"].get("nominatedNodeName") in ("n1", "n2") for p in api_pods)
    assert all("Insufficient cpu" in cond(p, "PodScheduled")["message"] for p in api_pods)
    preempted = [e for e in objects(kl, "events") if e["reason"] == "Preempted"]
    assert len(preempted) == 2
    assert all(e["message"].startswith("Preempted by pod ") for e in preempted)

    stable(kl, at(20))
    pods = objects(kl, "pods")
    running = {p["metadata"]["labels"]["app"]: 0 for p in pods}
    for p in pods:
        running[p["metadata"]["labels"]["app"]] += p["status"]["phase"] == "Running"
    assert running == {"api": 2, "batch": 2}
    waiting = [p for p in pods if p["metadata"]["labels"]["app"] == "batch" and not p["spec"].get("nodeName")]
    assert len(waiting) == 2
    msg = cond(waiting[0], "PodScheduled")["message"]
    assert msg == ("0/2 nodes are available: 2 Insufficient cpu. "
                   "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.")
    assert json.loads(kl(["reconcile", "-o", "json"], now=at(20)).out)["writes"] == 0
    r = kl(["describe", "pod", waiting[0]["metadata"]["name"]], now=at(20))
    assert "No preemption victims found for incoming pod" in r.out


def test_a_pod_that_never_preempts_waits(kl):
    filler = json.loads(deployment_yaml("filler", 1, requests={"cpu": "2"}))
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "polite"},
           "spec": {"priorityClassName": "polite", "containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "1"}}}]}}
    kl(["apply", "-f", "-"], stdin=node_yaml("n1", cpu="2") + klass("polite", 1000, preemptionPolicy="Never") + json.dumps(filler), now=at(0))
    stable(kl, at(0))
    kl(["apply", "-f", "-"], stdin=json.dumps(pod), now=at(1))
    stable(kl, at(1))
    p = next(p for p in objects(kl, "pods") if p["metadata"]["name"] == "polite")
    assert not p["spec"].get("nodeName") and "nominatedNodeName" not in p["status"]
    assert cond(p, "PodScheduled")["message"] == \
        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."
