"""A rollout that stops at a ResourceQuota and resumes when the quota is raised, through the real CLI."""
from __future__ import annotations

import json

from tests.controllers.helpers import at, cond, deployment_yaml, node_yaml, objects, one


def quota(pods: int) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "pods"},
                       "spec": {"hard": {"pods": str(pods)}}}) + "\n"


def stable(kl, now):
    r = kl(["reconcile", "--until-stable"], now=now)
    assert r.rc == 0, r.out + r.err


def test_a_rollout_stops_at_the_quota_and_resumes_when_it_is_raised(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + "---\n" + quota(3) + "---\n" + deployment_yaml("web", 3), now=at(0))
    stable(kl, at(0))
    assert one(kl, "quota", "pods")["status"] == {"hard": {"pods": "3"}, "used": {"pods": "3"}}
    assert kl(["get", "quota"], now=at(0)).out.splitlines() == ["NAME   REQUEST     LIMIT   AGE", "pods   pods: 3/3           0s"]

    assert kl(["set", "image", "deployment/web", "app=nginx:1.27"], now=at(10)).rc == 0
    stable(kl, at(10))
    new = next(rs for rs in objects(kl, "rs") if rs["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27")
    failure = cond(new, "ReplicaFailure")
    assert failure["status"] == "True" and failure["reason"] == "FailedCreate"
    assert "is forbidden: exceeded quota: pods, requested: pods=1, used: pods=3, limited: pods=3" in failure["message"]
    events = [e for e in objects(kl, "events") if e["reason"] == "FailedCreate"]
    assert len(events) == 1 and events[0]["type"] == "Warning" and events[0]["message"].startswith("Error creating: pods ")
    assert all(p["spec"]["containers"][0]["image"] == "nginx:1.25" for p in objects(kl, "pods"))
    again = kl(["reconcile", "-o", "json"], now=at(10))
    assert json.loads(again.out)["writes"] == 0  # the refused create writes nothing, the condition is set once

    kl(["apply", "-f", "-"], stdin=quota(4), now=at(20))
    stable(kl, at(20))
    pods = objects(kl, "pods")
    assert len(pods) == 3 and all(p["spec"]["containers"][0]["image"] == "nginx:1.27" for p in pods)
    new = one(kl, "rs", new["metadata"]["name"])
    assert not cond(new, "ReplicaFailure")
    assert kl(["rollout", "status", "deployment/web"], now=at(20)).rc == 0
    assert one(kl, "quota", "pods")["status"]["used"] == {"pods": "3"}
    assert json.loads(kl(["reconcile", "-o", "json"], now=at(20)).out)["writes"] == 0


def test_a_pod_beyond_the_quota_is_refused_with_upstreams_message(kl):
    kl(["apply", "-f", "-"], stdin=quota(0), now=at(0))
    stable(kl, at(0))
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    r = kl(["apply", "-f", "-"], stdin=json.dumps(pod), now=at(1))
    assert r.rc == 1
    assert 'pods "p" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=0, limited: pods=0' in r.err
    assert objects(kl, "pods") == []


def test_a_statefulset_held_by_the_quota_says_so_once_and_the_pass_stays_clean(kl):
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                    "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "postgres"}]}}}}
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + "---\n" + quota(1) + "---\n" + json.dumps(sts), now=at(0))
    stable(kl, at(0))
    assert [p["metadata"]["name"] for p in objects(kl, "pods")] == ["db-0"]
    events = [e["message"] for e in objects(kl, "events") if e["reason"] == "FailedCreate"]
    assert events == ['create Pod db-1 in StatefulSet db failed error: pods "db-1" is forbidden: '
                      "exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1"]
    assert json.loads(kl(["reconcile", "-o", "json"], now=at(0)).out)["writes"] == 0
