"""ReplicaSet and ReplicationController: victim ranking, claiming, status, through the CLI."""
from __future__ import annotations

import json

from kubelite.controllers import _replicas
from tests.controllers.helpers import at, node_yaml, objects, one, reconcile


def _pod(name, node=None, phase="Running", ready=True, cost=None, created="2026-01-01T00:00:00Z", restarts=0, ready_since="2026-01-01T00:00:00Z"):
    p = {"metadata": {"name": name, "creationTimestamp": created, "annotations": {}},
         "spec": {"nodeName": node} if node else {},
         "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False", "lastTransitionTime": ready_since}],
                    "containerStatuses": [{"restartCount": restarts}]}}
    if cost is not None:
        p["metadata"]["annotations"][_replicas.DELETION_COST] = str(cost)
    return p


def _order(pods):
    return [p["metadata"]["name"] for p in _replicas.choose_victims(pods, len(pods))]


def test_unscheduled_pods_are_deleted_before_scheduled_ones():
    assert _order([_pod("bound", node="n1"), _pod("unbound", phase="Pending", ready=False)])[0] == "unbound"


def test_pending_goes_before_running_and_not_ready_before_ready():
    pods = [_pod("running", node="n1"), _pod("pending", node="n1", phase="Pending", ready=False), _pod("notready", node="n1", ready=False)]
    assert _order(pods) == ["pending", "notready", "running"]


def test_lower_deletion_cost_goes_first():
    assert _order([_pod("cheap", node="n1", cost=-5), _pod("dear", node="n2", cost=100)])[0] == "cheap"


def test_pods_doubled_up_on_a_node_go_before_lonely_ones():
    pods = [_pod("alone", node="n1"), _pod("crowd-a", node="n2"), _pod("crowd-b", node="n2")]
    assert _order(pods)[0].startswith("crowd")


def test_among_equals_the_newer_pod_goes_first():
    pods = [_pod("old", node="n1", created="2026-01-01T00:00:00Z"), _pod("new", node="n2", created="2026-01-02T00:00:00Z")]
    assert _order(pods)[0] == "new"


def test_more_restarts_go_first_and_recently_ready_goes_before_long_ready():
    assert _order([_pod("calm", node="n1"), _pod("flappy", node="n2", restarts=4)])[0] == "flappy"
    assert _order([_pod("steady", node="n1", ready_since="2026-01-01T00:00:00Z"),
                   _pod("fresh", node="n2", ready_since="2026-01-03T00:00:00Z")])[0] == "fresh"


def test_status_counts_ready_and_available_after_min_ready_seconds():
    import datetime as dt

    now = dt.datetime(2026, 1, 1, 0, 1, 0, tzinfo=dt.timezone.utc)
    owner = {"metadata": {"generation": 2}, "spec": {"minReadySeconds": 30, "template": {"metadata": {"labels": {"app": "x"}}}}}
    a = _pod("a", node="n", ready_since="2026-01-01T00:00:00Z")
    b = _pod("b", node="n", ready_since="2026-01-01T00:00:50Z")
    a["metadata"]["labels"] = {"app": "x"}
    b["metadata"]["labels"] = {}
    st = _replicas.calculate_status(owner, [a, b], now)
    assert st == {"replicas": 2, "fullyLabeledReplicas": 1, "readyReplicas": 2, "availableReplicas": 1, "observedGeneration": 2}


RS = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "front"},
      "spec": {"replicas": 3, "selector": {"matchLabels": {"tier": "front"}},
               "template": {"metadata": {"labels": {"tier": "front"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def test_a_replica_set_keeps_replicas_pods_and_records_events(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + json.dumps(RS), now=at(0))
    out = reconcile(kl, at(0))
    pods = objects(kl, "pods")
    assert len(pods) == 3
    assert all(p["metadata"]["name"].startswith("front-") and len(p["metadata"]["name"]) == len("front-") + 5 for p in pods)
    assert out.count("replicaset.apps/front: created pod") == 3
    events = objects(kl, "events")
    assert sum(1 for e in events if e["reason"] == "SuccessfulCreate") == 3
    kl(["delete", "pod", pods[0]["metadata"]["name"]])
    reconcile(kl, at(1))
    assert len(objects(kl, "pods")) == 3
    kl(["scale", "rs/front", "--replicas=1"])
    out = reconcile(kl, at(2))
    assert out.count("deleted pod") == 2
    rs = one(kl, "rs", "front")
    assert rs["status"]["replicas"] == 1 and rs["status"]["observedGeneration"] == rs["metadata"]["generation"]


def test_a_replica_set_adopts_matching_orphans_and_releases_pods_that_stop_matching(kl):
    orphan = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stray", "labels": {"tier": "front"}},
              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + json.dumps(orphan) + "\n---\n" + json.dumps(RS), now=at(0))
    reconcile(kl, at(0))
    pods = objects(kl, "pods")
    assert len(pods) == 3
    stray = one(kl, "pod", "stray")
    assert stray["metadata"]["ownerReferences"][0]["name"] == "front"
    assert kl(["label", "pod", "stray", "tier=other", "--overwrite"]).rc == 0
    reconcile(kl, at(1))
    stray = one(kl, "pod", "stray")
    assert "ownerReferences" not in stray["metadata"]
    assert len(objects(kl, "pods", "-l", "tier=front")) == 3


def test_a_replication_controller_keeps_its_replicas_with_a_map_selector(kl):
    rc = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "legacy"},
          "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "legacy"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + json.dumps(rc), now=at(0))
    reconcile(kl, at(0), "--until-stable")
    assert len(objects(kl, "pods", "-l", "app=legacy")) == 2
    got = one(kl, "rc", "legacy")
    assert got["spec"]["selector"] == {"app": "legacy"}
    assert got["status"]["readyReplicas"] == 2
