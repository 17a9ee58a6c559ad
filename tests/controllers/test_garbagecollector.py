"""Garbage collection: background, foreground and orphan propagation, and orphaned dependents."""
from __future__ import annotations

import json

from tests.controllers.helpers import at, deployment_yaml, node_yaml, objects, reconcile


def _cluster(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 2), now=at(0))
    kl(["reconcile", "--until-stable"], now=at(0))
    assert len(objects(kl, "rs")) == 1 and len(objects(kl, "pods")) == 2


def test_background_deletion_removes_the_owner_now_and_dependents_on_the_next_pass(kl):
    _cluster(kl)
    assert kl(["delete", "deploy", "web"]).out.strip() == 'deployment.apps "web" deleted'
    assert objects(kl, "deploy") == [] and len(objects(kl, "rs")) == 1
    kl(["reconcile", "--until-stable"], now=at(1))
    assert objects(kl, "rs") == [] and objects(kl, "pods") == []


def test_foreground_deletion_waits_for_dependents_then_removes_the_owner(kl):
    _cluster(kl)
    kl(["delete", "deploy", "web", "--cascade=foreground"])
    d = objects(kl, "deploy")
    assert len(d) == 1 and d[0]["metadata"]["deletionTimestamp"] and "foregroundDeletion" in d[0]["metadata"]["finalizers"]
    kl(["reconcile", "--until-stable"], now=at(1))
    assert objects(kl, "deploy") == [] and objects(kl, "rs") == [] and objects(kl, "pods") == []


def test_orphan_deletion_leaves_dependents_without_owner_references(kl):
    _cluster(kl)
    kl(["delete", "deploy", "web", "--cascade=orphan"])
    kl(["reconcile", "--until-stable"], now=at(1))
    assert objects(kl, "deploy") == []
    rs = objects(kl, "rs")
    assert len(rs) == 1 and "ownerReferences" not in rs[0]["metadata"]
    assert len(objects(kl, "pods")) == 2  # the ReplicaSet still keeps its pods


def test_a_dependent_whose_owner_is_gone_is_collected(kl):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "leftover", "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "Deployment", "name": "gone", "uid": "00000000-0000-0000-0000-000000000000"}]}}
    kl(["apply", "-f", "-"], stdin=json.dumps(cm), now=at(0))
    out = reconcile(kl, at(0))
    assert "configmap/leftover: deleted (owner is gone)" in out
    assert objects(kl, "cm") == []


def test_the_dependents_of_a_deleted_owner_go_even_when_a_new_owner_took_its_name(kl):
    kl(["create", "configmap", "owner"], now=at(0))
    (old,) = objects(kl, "cm")
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "leftover", "ownerReferences": [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": old["metadata"]["uid"]}]}}
    kl(["apply", "-f", "-"], stdin=json.dumps(cm), now=at(0))
    kl(["delete", "configmap", "owner"])
    kl(["create", "configmap", "owner"], now=at(1))  # the same name, a new uid, before the collector ran
    out = reconcile(kl, at(1))
    assert "configmap/leftover: deleted (owner is gone)" in out
    assert [o["metadata"]["name"] for o in objects(kl, "cm") if o["metadata"]["name"] != "kube-root-ca.crt"] == ["owner"]


def test_events_expire_an_hour_after_their_last_occurrence_as_their_files_say(kl, state):
    _cluster(kl)
    events = objects(kl, "events")
    assert events and all(e["lastTimestamp"] == at(0) for e in events)
    reconcile(kl, at(1800))  # none is an hour old yet
    assert len(objects(kl, "events")) == len(events)
    kept = next(state.glob("registry/events/*/*.yaml"))  # an occurrence at 3000 s, written by hand
    kept.write_text(kept.read_text().replace(f'lastTimestamp: "{at(0)}"', f'lastTimestamp: "{at(3000)}"'))
    reconcile(kl, at(3700))
    assert [e["metadata"]["name"] for e in objects(kl, "events")] == [kept.stem]
    reconcile(kl, at(6700))
    assert objects(kl, "events") == []
