"""A drain blocked by a PodDisruptionBudget, then unblocked by a scale-up, through the real CLI."""
from __future__ import annotations

import json

from tests.controllers.helpers import at, deployment_yaml, node_yaml, objects, one

PDB = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
       "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}}


def stable(kl, now):
    r = kl(["reconcile", "--until-stable"], now=now)
    assert r.rc == 0, r.out + r.err


def test_a_drain_waits_for_the_budget_and_goes_through_after_a_scale_up(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + node_yaml("n2") + deployment_yaml("web", 2) + "---\n" + json.dumps(PDB), now=at(0))
    stable(kl, at(0))
    status = one(kl, "pdb", "web")["status"]
    assert (status["currentHealthy"], status["desiredHealthy"], status["expectedPods"], status["disruptionsAllowed"]) == (2, 2, 2, 0)
    assert status["conditions"][0]["reason"] == "InsufficientPods"
    assert kl(["get", "pdb"], now=at(0)).out.splitlines()[1].split() == ["web", "2", "N/A", "0", "0s"]

    r = kl(["drain", "n1", "--timeout", "1s"], now=at(5))
    assert r.rc == 1
    assert "Cannot evict pod as it would violate the pod's disruption budget." in r.err
    assert "The disruption budget web needs 2 healthy pods and has 2 currently" in r.err
    assert "global timeout reached: 1s" in r.err
    assert len([p for p in objects(kl, "pods") if p["spec"]["nodeName"] == "n1"]) == 1  # nothing was evicted

    kl(["scale", "deployment", "web", "--replicas", "3"], now=at(10))
    stable(kl, at(10))
    assert one(kl, "pdb", "web")["status"]["disruptionsAllowed"] == 1
    r = kl(["drain", "n1", "--timeout", "5s"], now=at(20))
    assert r.rc == 0, r.err
    assert "evicted" in r.out and r.out.strip().endswith("node/n1 drained")
    after = one(kl, "pdb", "web")["status"]
    assert after["disruptionsAllowed"] == 0 and len(after["disruptedPods"]) == 1  # the eviction took its disruption

    stable(kl, at(30))
    pods = objects(kl, "pods")
    assert len(pods) == 3 and {p["spec"]["nodeName"] for p in pods} == {"n2"}
    status = one(kl, "pdb", "web")["status"]
    assert (status["currentHealthy"], status["disruptionsAllowed"]) == (3, 1) and "disruptedPods" not in status
    again = kl(["reconcile", "-o", "json"], now=at(30))
    assert json.loads(again.out)["writes"] == 0


def test_disable_eviction_deletes_without_asking_the_budget(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + node_yaml("n2") + deployment_yaml("web", 2) + "---\n" + json.dumps(PDB), now=at(0))
    stable(kl, at(0))
    r = kl(["drain", "n1", "--disable-eviction"], now=at(5))
    assert r.rc == 0, r.err
    assert "deleted" in r.out and not [p for p in objects(kl, "pods") if p["spec"]["nodeName"] == "n1"]


def test_evict_reports_the_refusing_budget_and_writes_nothing(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 2) + "---\n" + json.dumps(PDB), now=at(0))
    stable(kl, at(0))
    name = objects(kl, "pods")[0]["metadata"]["name"]
    r = kl(["evict", name], now=at(1))
    assert r.rc == 1
    assert r.err.splitlines() == ["The disruption budget web needs 2 healthy pods and has 2 currently",
                                  "Error from server (TooManyRequests): Cannot evict pod as it would violate the pod's disruption budget."]
    assert len(objects(kl, "pods")) == 2
    kl(["patch", "pdb", "web", "--type", "merge", "-p", '{"spec": {"minAvailable": 1}}'], now=at(2))
    r = kl(["evict", name], now=at(2))
    assert r.rc == 1 and "is still being processed by the server" in r.err  # the controller has not seen generation 2
    stable(kl, at(3))
    r = kl(["evict", name, "--dry-run"], now=at(4))
    assert r.rc == 0 and r.out.strip() == f"pod/{name} evicted (server dry run)"
    assert one(kl, "pdb", "web")["status"]["disruptionsAllowed"] == 1 and len(objects(kl, "pods")) == 2
    assert kl(["evict", name], now=at(4)).out.strip() == f"pod/{name} evicted"
