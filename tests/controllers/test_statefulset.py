"""StatefulSet: ordinals, ordered and parallel management, claims, partitioned rolling updates.

Pure tables reach the ordinal logic (the plan), retention owner references and status;
scenarios run the real CLI (KUBELITE_STRICT=1) and read state in-process.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from kubelite.api import kinds
from kubelite.controllers import _common as c
from kubelite.controllers import statefulset as ssc
from tests.controllers.helpers import at, node_yaml, reconcile

NOW = at(0)
T = dt.datetime(2026, 3, 1, 13, 0, tzinfo=dt.timezone.utc)


# -- builders ----------------------------------------------------------------------------------

def sts_obj(name: str = "web", replicas: int = 3, image: str = "nginx:1.25", policy: str | None = None,
            strategy: dict | None = None, claims: bool = False, retention: dict | None = None, annotations: dict | None = None) -> dict:
    ctr = {"name": "app", "image": image}
    tmpl = {"metadata": {"labels": {"app": name}}, "spec": {"containers": [ctr]}}
    if annotations:
        tmpl["metadata"]["annotations"] = annotations
    spec = {"serviceName": name, "replicas": replicas, "selector": {"matchLabels": {"app": name}}, "template": tmpl}
    if policy:
        spec["podManagementPolicy"] = policy
    if strategy:
        spec["updateStrategy"] = strategy
    if claims:
        ctr["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
        spec["volumeClaimTemplates"] = [{"metadata": {"name": "data"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]
    if retention:
        spec["persistentVolumeClaimRetentionPolicy"] = retention
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "namespace": "default", "uid": "set-uid"}, "spec": spec}


def pod(name: str, rev: str = "r1", phase: str = "Running", ready: bool = True, uid: str | None = None, deleting: bool = False) -> dict:
    meta = {"name": name, "namespace": "default", "uid": uid or f"uid-{name}", "labels": {c.REVISION_HASH: rev}}
    if deleting:
        meta["deletionTimestamp"] = "2026-03-01T12:00:00Z"
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {},
            "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                                       "lastTransitionTime": "2026-03-01T12:00:00Z"}]}}


def steps(sts: dict, pods: list[dict], update: str = "r1") -> list[tuple]:
    out = []
    for a in ssc.plan(sts, pods, update, T):
        out.append((a[0], a[1] if isinstance(a[1], int) else a[1]["metadata"]["name"]) + tuple(a[2:]))
    return out


# -- pure: identity ----------------------------------------------------------------------------

@pytest.mark.parametrize("name,want", [
    ("web-0", ("web", 0)), ("web-12", ("web", 12)), ("my-db-3", ("my-db", 3)),
    ("web", ("", -1)), ("web-", ("", -1)), ("web-x1", ("", -1)), ("web-99999999999", ("web", -1)),
])
def test_parent_and_ordinal(name, want):
    assert ssc.parent_and_ordinal(name) == want


def test_new_pod_identity_storage_and_revision():
    sts = sts_obj(claims=True)
    sts["spec"]["template"]["spec"]["volumes"] = [{"name": "data", "emptyDir": {}}, {"name": "cache", "emptyDir": {}}]
    p = ssc.new_pod(sts, sts["spec"]["template"], 2, "web-abc")
    assert p["metadata"]["name"] == "web-2"
    assert p["metadata"]["labels"] == {"app": "web", "statefulset.kubernetes.io/pod-name": "web-2",
                                       "apps.kubernetes.io/pod-index": "2", "controller-revision-hash": "web-abc"}
    assert p["spec"]["hostname"] == "web-2" and p["spec"]["subdomain"] == "web"
    # the claim replaces a template volume of the same name
    assert p["spec"]["volumes"] == [{"name": "data", "persistentVolumeClaim": {"claimName": "data-web-2"}},
                                    {"name": "cache", "emptyDir": {}}]
    assert p["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet"
    (tname, pvc), = ssc.claims_for(sts, 2)
    assert tname == "data" and pvc["metadata"] == {"name": "data-web-2", "namespace": "default", "labels": {"app": "web"}}


# -- pure: the plan ----------------------------------------------------------------------------

def test_ordered_ready_creates_the_lowest_missing_ordinal_only_after_its_predecessors_are_ready():
    sts = sts_obj()
    assert steps(sts, []) == [("create", 0, "update")]
    assert steps(sts, [pod("web-0")]) == [("ensure", "web-0"), ("create", 1, "update")]
    assert steps(sts, [pod("web-0", phase="Pending", ready=False)]) == [("claims", "web-0")]
    assert steps(sts, [pod("web-0", ready=False)]) == []
    # a hole is refilled before anything above it moves
    assert steps(sts, [pod("web-0"), pod("web-2")]) == [("ensure", "web-0"), ("create", 1, "update")]
    # a finished pod is deleted, to be recreated with the same name next pass
    assert steps(sts, [pod("web-0", phase="Failed", ready=False), pod("web-1")]) == [("recreate", "web-0")]
    assert steps(sts, [pod("web-0", deleting=True)]) == []


def test_ordered_ready_scales_down_from_the_highest_one_at_a_time():
    sts = sts_obj(replicas=1)
    pods = [pod("web-0"), pod("web-1"), pod("web-2")]
    assert steps(sts, pods) == [("ensure", "web-0"), ("condemned-claims", "web-2"), ("condemned-claims", "web-1"), ("scale-down", "web-2")]
    # an unhealthy replica blocks scale-down; the first unhealthy condemned pod may go
    assert [s for s in steps(sts, [pod("web-0", ready=False), pod("web-1")]) if s[0] == "scale-down"] == []
    assert steps(sts, [pod("web-0"), pod("web-1", ready=False), pod("web-2")])[-1] == ("scale-down", "web-2")
    assert steps(sts, [pod("web-0"), pod("web-1"), pod("web-2", ready=False)])[-1] == ("scale-down", "web-2")
    assert steps(sts, [pod("web-0"), pod("web-1", deleting=True), pod("web-2")])[-1] == ("scale-down", "web-2")
    assert steps(sts, [pod("web-0"), pod("web-1"), pod("web-2", deleting=True)])[-1] == ("condemned-claims", "web-1")


def test_parallel_creates_and_deletes_without_waiting():
    sts = sts_obj(policy="Parallel")
    assert steps(sts, []) == [("create", 0, "update"), ("create", 1, "update"), ("create", 2, "update")]
    assert steps(sts, [pod("web-0", phase="Pending", ready=False)]) == [
        ("claims", "web-0"), ("ensure", "web-0"), ("create", 1, "update"), ("create", 2, "update")]
    down = sts_obj(replicas=0, policy="Parallel")
    assert [s for s in steps(down, [pod("web-0", ready=False), pod("web-1")]) if s[0] == "scale-down"] == [
        ("scale-down", "web-1"), ("scale-down", "web-0")]


def test_rolling_update_goes_from_the_highest_ordinal_down_to_the_partition():
    sts = sts_obj(strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}})
    old = [pod("web-0"), pod("web-1"), pod("web-2")]
    assert steps(sts, old, "r2")[-1] == ("update", "web-2")
    # web-2 was replaced: it is recreated at the update revision; web-0 stays below the partition
    assert steps(sts, old[:2], "r2")[-1] == ("create", 2, "update")
    assert ssc.revision_for(sts, 0) == "current" and ssc.revision_for(sts, 1) == "update"
    assert steps(sts, old[:2] + [pod("web-2", "r2")], "r2")[-1] == ("update", "web-1")
    # an updated pod that is not ready yet holds the rollout
    assert steps(sts, old[:2] + [pod("web-2", "r2", ready=False)], "r2") == [("ensure", "web-0"), ("ensure", "web-1")]
    done = [pod("web-0"), pod("web-1", "r2"), pod("web-2", "r2")]
    assert [s for s in steps(sts, done, "r2") if s[0] == "update"] == []
    zero = sts_obj(strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
    assert steps(zero, done, "r2")[-1] == ("update", "web-0")
    on_delete = sts_obj(strategy={"type": "OnDelete"})
    assert [s for s in steps(on_delete, old, "r2") if s[0] == "update"] == []
    assert ssc.revision_for(on_delete, 0) == "update"


def test_status_and_the_completed_rolling_update():
    sts = sts_obj(replicas=2)
    st = ssc.compute_status(sts, [pod("web-0", "r1"), pod("web-1", "r2", ready=False)], "r1", "r2", 0, T)
    assert st == {"replicas": 2, "readyReplicas": 1, "availableReplicas": 1, "currentReplicas": 1, "updatedReplicas": 1,
                  "currentRevision": "r1", "updateRevision": "r2", "collisionCount": 0, "observedGeneration": 1}
    st = ssc.compute_status(sts, [pod("web-0", "r2"), pod("web-1", "r2")], "r1", "r2", 0, T)
    assert (st["currentRevision"], st["currentReplicas"], st["updatedReplicas"]) == ("r2", 2, 2)


# -- pure: PVC retention -----------------------------------------------------------------------

def _claim(refs=()):
    return {"metadata": {"name": "data-web-1", "ownerReferences": list(refs)}}


@pytest.mark.parametrize("scaled,deleted,replicas,want", [
    ("Retain", "Retain", 3, []),
    ("Retain", "Delete", 3, ["StatefulSet"]),
    ("Retain", "Delete", 1, ["StatefulSet"]),
    ("Delete", "Retain", 3, []),
    ("Delete", "Retain", 1, ["Pod"]),
    ("Delete", "Delete", 3, ["StatefulSet"]),
    ("Delete", "Delete", 1, ["Pod"]),
])
def test_claim_owner_references_follow_the_retention_policy(scaled, deleted, replicas, want):
    sts = sts_obj(replicas=replicas, claims=True, retention={"whenScaled": scaled, "whenDeleted": deleted})
    p = pod("web-1")
    refs = ssc.claim_owner_refs(_claim(), sts, p)
    assert [r["kind"] for r in refs] == want
    assert all(r["controller"] and r["blockOwnerDeletion"] for r in refs)
    claim = _claim(refs)
    assert ssc.claim_owner_up_to_date(claim, sts, p)
    assert ssc.claim_owner_up_to_date(_claim(), sts, p) is (want == [])


def test_claims_of_an_earlier_pod_or_another_controller_are_left_alone():
    sts = sts_obj(claims=True, retention={"whenScaled": "Delete", "whenDeleted": "Delete"})
    stale = _claim([{"apiVersion": "v1", "kind": "Pod", "name": "web-1", "uid": "gone", "controller": True}])
    assert ssc.has_stale_owner_ref(stale, pod("web-1")) and ssc.claim_owner_up_to_date(stale, sts, pod("web-1"))
    other = _claim([{"apiVersion": "v1", "kind": "Thing", "name": "x", "uid": "u", "controller": True}])
    assert ssc.claim_owner_up_to_date(other, sts, pod("web-1"))
    assert ssc.claim_owner_refs(other, sts, pod("web-1")) == other["metadata"]["ownerReferences"]


# -- scenarios ---------------------------------------------------------------------------------------

def _apply(kl, text: str) -> None:
    r = kl(["apply", "-f", "-"], stdin=text, now=NOW)
    assert r.rc == 0, r.err


def _pods(api, app: str = "web") -> dict[int, dict]:
    return {ssc.ordinal_of(p): p for p in api.list(kinds.by_kind("Pod"), "default") if p["metadata"]["labels"].get("app") == app}


def _running_ready(p: dict) -> bool:
    return (p.get("status") or {}).get("phase") == "Running" and c.is_ready(p)


def _writes(kl) -> int:
    r = kl(["reconcile", "-o", "json"], now=NOW)
    assert r.rc == 0, r.out + r.err
    return json.loads(r.out)["writes"]


NODES = node_yaml("n1") + node_yaml("n2")


def test_ordered_scale_up_stable_identity_recreation_and_scale_down(kl, api):
    _apply(kl, NODES + json.dumps(sts_obj()))
    for n in range(1, 6):
        reconcile(kl, NOW)
        pods = _pods(api)
        for o in pods:  # no ordinal exists whose lower ordinals are not Running and Ready
            assert all(l in pods and _running_ready(pods[l]) for l in range(o)), (n, sorted(pods))
        assert len(pods) <= n
        if len(pods) == 3 and all(_running_ready(p) for p in pods.values()):
            break
    else:
        pytest.fail(f"not up: {sorted(_pods(api))}")
    p1 = _pods(api)[1]
    assert p1["spec"]["hostname"] == "web-1" and p1["spec"]["subdomain"] == "web"
    assert p1["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "web-1"
    assert p1["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "1"
    reconcile(kl, NOW, "--until-stable")
    sts = api.get(kinds.by_kind("StatefulSet"), "default", "web")
    rev = sts["status"]["updateRevision"]
    assert p1["metadata"]["labels"][c.REVISION_HASH] == rev and sts["status"]["currentRevision"] == rev
    assert sts["status"] == {"replicas": 3, "readyReplicas": 3, "availableReplicas": 3, "currentReplicas": 3, "updatedReplicas": 3,
                             "currentRevision": rev, "updateRevision": rev, "collisionCount": 0, "observedGeneration": 1}
    crs = api.list(kinds.by_kind("ControllerRevision"), "default")
    assert [(r["metadata"]["name"], r["revision"]) for r in crs] == [(rev, 1)]
    messages = {e["message"] for e in api.list(kinds.by_kind("Event"), "default") if e["involvedObject"]["name"] == "web"}
    assert "create Pod web-0 in StatefulSet web successful" in messages

    # a deleted pod comes back with the same name (and a new uid)
    assert kl(["delete", "pod", "web-1"], now=NOW).rc == 0
    out = reconcile(kl, NOW)
    assert "statefulset.apps/web: created pod web-1" in out
    again = _pods(api)[1]
    assert again["metadata"]["uid"] != p1["metadata"]["uid"] and _running_ready(again)

    # scale down: from the highest ordinal, one at a time
    assert kl(["scale", "sts", "web", "--replicas=1"], now=NOW).rc == 0
    out = reconcile(kl, NOW)
    assert "deleted pod web-2 (scale down)" in out and "web-1" not in out
    assert sorted(_pods(api)) == [0, 1]
    out = reconcile(kl, NOW)
    assert "deleted pod web-1 (scale down)" in out
    reconcile(kl, NOW, "--until-stable")
    assert sorted(_pods(api)) == [0]
    assert _writes(kl) == 0


def test_rolling_update_with_partition_updates_from_the_highest_ordinal(kl, api):
    _apply(kl, NODES + json.dumps(sts_obj()))
    reconcile(kl, NOW, "--until-stable")
    old = api.get(kinds.by_kind("StatefulSet"), "default", "web")["status"]["updateRevision"]
    _apply(kl, json.dumps(sts_obj(image="nginx:1.26", strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 1}})))
    deleted = []
    for _ in range(8):
        out = reconcile(kl, NOW)
        deleted += [ln.split("deleted pod ")[1].split()[0] for ln in out.splitlines() if "to update it to revision" in ln]
        pods = _pods(api)
        assert sum(1 for p in pods.values() if not _running_ready(p)) + (3 - len(pods)) <= 1  # one pod at a time
        if "created pod" not in out and "deleted pod" not in out:
            break
    assert deleted == ["web-2", "web-1"]
    pods = _pods(api)
    sts = api.get(kinds.by_kind("StatefulSet"), "default", "web")
    new = sts["status"]["updateRevision"]
    assert new != old and sts["status"]["currentRevision"] == old
    assert {o: p["metadata"]["labels"][c.REVISION_HASH] for o, p in pods.items()} == {0: old, 1: new, 2: new}
    assert {o: p["spec"]["containers"][0]["image"] for o, p in pods.items()} == {0: "nginx:1.25", 1: "nginx:1.26", 2: "nginx:1.26"}
    assert (sts["status"]["currentReplicas"], sts["status"]["updatedReplicas"]) == (1, 2)
    assert sorted(r["revision"] for r in api.list(kinds.by_kind("ControllerRevision"), "default")) == [1, 2]

    # partition 0 finishes the rollout and the new revision becomes current
    _apply(kl, json.dumps(sts_obj(image="nginx:1.26", strategy={"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})))
    reconcile(kl, NOW, "--until-stable")
    sts = api.get(kinds.by_kind("StatefulSet"), "default", "web")
    assert sts["status"]["currentRevision"] == new and sts["status"]["currentReplicas"] == 3
    assert {p["metadata"]["labels"][c.REVISION_HASH] for p in _pods(api).values()} == {new}
    assert _writes(kl) == 0


def test_claims_are_created_per_ordinal_with_retention_owner_references(kl, api):
    kept = sts_obj("db", replicas=2, policy="Parallel", claims=True)
    owned = sts_obj("cache", replicas=2, policy="Parallel", claims=True, retention={"whenScaled": "Delete", "whenDeleted": "Delete"})
    _apply(kl, NODES + json.dumps(kept) + "\n---\n" + json.dumps(owned))
    out = reconcile(kl, NOW)
    assert "statefulset.apps/db: created claim data-db-0" in out and "statefulset.apps/db: created pod db-1" in out  # Parallel: no waiting
    pvcs = {p["metadata"]["name"]: p for p in api.list(kinds.by_kind("PersistentVolumeClaim"), "default")}
    assert sorted(pvcs) == ["data-cache-0", "data-cache-1", "data-db-0", "data-db-1"]
    assert pvcs["data-db-0"]["metadata"]["labels"] == {"app": "db"}
    assert "ownerReferences" not in pvcs["data-db-0"]["metadata"]  # Retain: the claims outlive the set
    refs = pvcs["data-cache-1"]["metadata"]["ownerReferences"]
    assert [(r["kind"], r["name"], r["controller"]) for r in refs] == [("StatefulSet", "cache", True)]
    db = _pods(api, "db")
    assert db[1]["spec"]["volumes"][0] == {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-1"}}
    messages = {e["message"] for e in api.list(kinds.by_kind("Event"), "default")}
    assert "create Claim data-db-0 Pod db-0 in StatefulSet db success" in messages

    # whenScaled: Delete hands the claim of a scaled-down ordinal to its pod, and it goes with it
    assert kl(["scale", "sts", "cache", "--replicas=1"], now=NOW).rc == 0
    assert kl(["scale", "sts", "db", "--replicas=1"], now=NOW).rc == 0
    out = reconcile(kl, NOW, "--until-stable")
    assert "claim data-cache-1 owners: pod/cache-1" in out
    pvcs = {p["metadata"]["name"] for p in api.list(kinds.by_kind("PersistentVolumeClaim"), "default")}
    assert pvcs == {"data-cache-0", "data-db-0", "data-db-1"}
    assert _writes(kl) == 0
