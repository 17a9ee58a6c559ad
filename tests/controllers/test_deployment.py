"""Deployment: fenceposts, new ReplicaSet sizing, proportional scaling, and rollouts through the CLI."""
from __future__ import annotations

import json

import pytest

from kubelite.controllers import deployment as dep
from tests.controllers.helpers import at, cond, deployment_yaml, node_yaml, objects, one, ready, reconcile


def _d(replicas: int, surge="25%", unavailable="25%", status_replicas: int = 0) -> dict:
    return {"spec": {"replicas": replicas, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}},
            "status": {"replicas": status_replicas}}


def _rs(name: str, replicas: int, created: str, max_replicas: int | None = None) -> dict:
    ann = {dep.MAX_REPLICAS: str(max_replicas)} if max_replicas is not None else {}
    return {"metadata": {"name": name, "creationTimestamp": created, "annotations": ann}, "spec": {"replicas": replicas}}


@pytest.mark.parametrize("surge, unavailable, desired, expected", [
    ("25%", "25%", 10, (3, 2)),   # surge rounds up, unavailable rounds down
    ("25%", "25%", 4, (1, 1)),
    ("25%", "25%", 1, (1, 0)),
    (0, 0, 5, (0, 1)),            # both zero: unavailable becomes 1
    ("0%", "0%", 5, (0, 1)),
    (2, "50%", 3, (2, 1)),
    ("100%", 0, 3, (3, 0)),
])
def test_fenceposts_round_surge_up_and_unavailable_down(surge, unavailable, desired, expected):
    assert dep.resolve_fenceposts(surge, unavailable, desired) == expected


def test_max_unavailable_never_exceeds_replicas_and_is_zero_for_recreate():
    assert dep.max_unavailable(_d(2, surge=0, unavailable=5)) == 2
    assert dep.max_unavailable({"spec": {"replicas": 3, "strategy": {"type": "Recreate"}}}) == 0


@pytest.mark.parametrize("replicas, sizes, new_size, expected", [
    (4, [4], 0, 1),        # 4 old, surge 1: the new set may grow to 1
    (4, [3, 1], 1, 2),     # room for one more
    (4, [4, 1], 1, 1),     # at replicas+surge: no growth
    (10, [10], 0, 3),      # surge 25% of 10 rounds up to 3
])
def test_new_replica_set_grows_only_within_the_surge(replicas, sizes, new_size, expected):
    d = _d(replicas)
    all_rss = [_rs(f"rs{i}", s, f"2026-01-0{i + 1}T00:00:00Z") for i, s in enumerate(sizes)]
    new = all_rss[-1] if len(sizes) > 1 else None
    if new is not None:
        new["spec"]["replicas"] = new_size
    assert dep.new_rs_replicas(d, all_rss, new) == expected


def test_proportional_scaling_splits_an_increase_by_current_size():
    # Mid-rollout at 10 replicas (surge 3): old 8, new 5 = 13. Scaling to 15 (surge 4) allows 19: +6.
    d = _d(15, status_replicas=13)
    old = _rs("old", 8, "2026-01-01T00:00:00Z", max_replicas=13)
    new = _rs("new", 5, "2026-01-02T00:00:00Z", max_replicas=13)
    sizes = dep.proportional_sizes(d, [old, new])
    assert sizes["old"] + sizes["new"] == 19
    assert sizes == {"old": 12, "new": 7}


def test_proportional_scaling_splits_a_decrease_and_never_goes_negative():
    d = _d(2, status_replicas=13)
    old = _rs("old", 8, "2026-01-01T00:00:00Z", max_replicas=13)
    new = _rs("new", 5, "2026-01-02T00:00:00Z", max_replicas=13)
    sizes = dep.proportional_sizes(d, [old, new])
    assert sizes["old"] + sizes["new"] == 3  # 2 + surge 1
    assert min(sizes.values()) >= 0


def test_leftover_of_a_proportional_scale_goes_to_the_largest_set():
    d = _d(3, surge=1, unavailable=0, status_replicas=3)
    a = _rs("a", 1, "2026-01-01T00:00:00Z", max_replicas=3)
    b = _rs("b", 2, "2026-01-02T00:00:00Z", max_replicas=3)
    sizes = dep.proportional_sizes(dep_with(d, replicas=4), [a, b])
    assert sum(sizes.values()) == 5 and sizes["b"] >= sizes["a"]


def dep_with(d: dict, replicas: int) -> dict:
    d = json.loads(json.dumps(d))
    d["spec"]["replicas"] = replicas
    return d


# -- scenarios through the CLI -------------------------------------------------

def _setup(kl, replicas=4, **kw):
    r = kl(["apply", "-f", "-"], stdin=node_yaml("n1") + node_yaml("n2") + deployment_yaml("web", replicas, **kw), now=at(0))
    assert r.rc == 0, r.err
    r = kl(["reconcile", "--until-stable"], now=at(0))
    assert r.rc == 0, r.out + r.err


def _live_pods(kl, now):
    return [p for p in objects(kl, "pods", now=now) if not p["metadata"].get("deletionTimestamp")]


def test_a_new_deployment_converges_to_running_pods_with_the_template_hash(kl):
    _setup(kl, 3)
    pods = objects(kl, "pods")
    rs = objects(kl, "rs")
    assert len(rs) == 1 and rs[0]["metadata"]["name"].startswith("web-")
    h = rs[0]["metadata"]["labels"]["pod-template-hash"]
    assert rs[0]["metadata"]["name"] == f"web-{h}"
    assert len(pods) == 3 and all(p["status"]["phase"] == "Running" and ready(p) for p in pods)
    assert all(p["metadata"]["labels"]["pod-template-hash"] == h for p in pods)
    assert all(p["metadata"]["ownerReferences"][0]["controller"] is True for p in pods)
    d = one(kl, "deploy", "web")
    assert d["status"]["availableReplicas"] == 3
    assert cond(d, "Available")["reason"] == "MinimumReplicasAvailable"
    assert cond(d, "Progressing")["reason"] == "NewReplicaSetAvailable"
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"


def test_a_second_reconcile_at_a_fixed_time_writes_nothing(kl, state):
    _setup(kl, 3)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in state.rglob("*.yaml")}
    r = kl(["reconcile"], now=at(0))
    assert r.rc == 0 and r.out == ""
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in state.rglob("*.yaml")}
    assert before == after


@pytest.mark.parametrize("surge, unavailable", [("25%", "25%"), (1, 0), (0, 1), ("50%", "50%")])
def test_every_pass_of_a_rolling_update_respects_the_surge_and_unavailable_bounds(kl, surge, unavailable):
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}
    _setup(kl, 4, strategy=strategy)
    s, u = dep.resolve_fenceposts(surge, unavailable, 4)
    assert kl(["set", "image", "deploy/web", "app=nginx:1.26"]).rc == 0
    for i in range(1, 30):
        reconcile(kl, at(i))
        pods = _live_pods(kl, at(i))
        assert len(pods) <= 4 + s, f"pass {i}: {len(pods)} pods exceeds replicas+maxSurge"
        available = [p for p in pods if ready(p)]
        assert len(available) >= 4 - u, f"pass {i}: only {len(available)} available"
        d = one(kl, "deploy", "web")
        if d["status"].get("updatedReplicas") == 4 and d["status"].get("replicas") == 4 and d["status"].get("availableReplicas") == 4:
            break
    else:
        pytest.fail("rollout did not finish in 30 passes")
    images = {p["spec"]["containers"][0]["image"] for p in _live_pods(kl, at(i))}
    assert images == {"nginx:1.26"}
    assert kl(["rollout", "status", "deploy/web"]).out.strip() == 'deployment "web" successfully rolled out'


def test_a_pod_that_never_becomes_ready_stalls_the_rollout_until_the_deadline(kl):
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    _setup(kl, 3, strategy=strategy, extra_spec={"progressDeadlineSeconds": 60})
    patch = json.dumps({"spec": {"template": {"metadata": {"annotations": {"sim.kubelite.io/ready": "false"}},
                                              "spec": {"containers": [{"name": "app", "image": "nginx:broken"}]}}}})
    assert kl(["patch", "deploy", "web", "-p", patch]).rc == 0
    for i in range(1, 6):
        reconcile(kl, at(i))
    pods = _live_pods(kl, at(5))
    assert len([p for p in pods if ready(p)]) == 3, "old pods stay while the new one is not ready"
    assert len(pods) == 4
    d = one(kl, "deploy", "web")
    assert cond(d, "Progressing")["status"] == "True"
    reconcile(kl, at(200))
    d = one(kl, "deploy", "web")
    assert cond(d, "Progressing")["reason"] == "ProgressDeadlineExceeded"
    assert cond(d, "Progressing")["status"] == "False"
    r = kl(["rollout", "status", "deploy/web"])
    assert r.rc == 1 and 'exceeded its progress deadline' in r.err


def test_recreate_removes_every_old_pod_before_a_new_one_starts(kl):
    _setup(kl, 3, strategy={"type": "Recreate"})
    assert kl(["set", "image", "deploy/web", "app=nginx:1.26"]).rc == 0
    for i in range(1, 10):
        reconcile(kl, at(i))
        images = {p["spec"]["containers"][0]["image"] for p in _live_pods(kl, at(i))}
        assert len(images) <= 1, f"pass {i}: old and new pods together: {images}"
    assert {p["spec"]["containers"][0]["image"] for p in _live_pods(kl, at(9))} == {"nginx:1.26"}
    assert len(_live_pods(kl, at(9))) == 3


def test_scaling_mid_rollout_is_proportional_across_replica_sets(kl):
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 0}}
    _setup(kl, 10, strategy=strategy, extra_spec={})
    patch = json.dumps({"spec": {"template": {"metadata": {"annotations": {"sim.kubelite.io/ready": "false"}}}}})
    assert kl(["patch", "deploy", "web", "-p", patch]).rc == 0
    reconcile(kl, at(1))
    sizes = sorted(rs["spec"]["replicas"] for rs in objects(kl, "rs"))
    assert sizes == [3, 10]
    assert kl(["scale", "deploy/web", "--replicas=20"]).rc == 0
    reconcile(kl, at(2))
    # 20 replicas + maxSurge 3 = 23, shared 10:3 as the sets stood: 10*23/13 -> 18, 3*23/13 -> 5.
    assert sorted(rs["spec"]["replicas"] for rs in objects(kl, "rs")) == [5, 18]


def test_history_is_cleaned_down_to_revision_history_limit(kl):
    _setup(kl, 1, extra_spec={"revisionHistoryLimit": 1})
    for n, img in enumerate(["nginx:1.26", "nginx:1.27", "nginx:1.28"], start=1):
        assert kl(["set", "image", "deploy/web", f"app={img}"]).rc == 0
        kl(["reconcile", "--until-stable"], now=at(n * 10))
    rss = objects(kl, "rs")
    assert len(rss) == 2  # the current one plus one old
    revs = sorted(int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]) for rs in rss)
    assert revs == [3, 4]


def test_a_paused_deployment_does_not_roll_out_until_resumed(kl):
    _setup(kl, 2)
    assert kl(["rollout", "pause", "deploy/web"]).out.strip() == "deployment.apps/web paused"
    assert kl(["set", "image", "deploy/web", "app=nginx:1.26"]).rc == 0
    kl(["reconcile", "--until-stable"], now=at(1))
    assert len(objects(kl, "rs")) == 1
    assert cond(one(kl, "deploy", "web"), "Progressing")["reason"] == "DeploymentPaused"
    assert kl(["rollout", "resume", "deploy/web"]).rc == 0
    kl(["reconcile", "--until-stable"], now=at(2))
    assert {p["spec"]["containers"][0]["image"] for p in _live_pods(kl, at(2))} == {"nginx:1.26"}


def test_rollout_undo_returns_to_the_previous_template_and_history_lists_revisions(kl):
    _setup(kl, 2)
    kl(["set", "image", "deploy/web", "app=nginx:1.26"])
    kl(["reconcile", "--until-stable"], now=at(1))
    hist = kl(["rollout", "history", "deploy/web"]).out
    assert "REVISION" in hist and "\n1 " in hist and "\n2 " in hist
    r = kl(["rollout", "undo", "deploy/web"])
    assert r.out.strip() == "deployment.apps/web rolled back"
    kl(["reconcile", "--until-stable"], now=at(2))
    assert {p["spec"]["containers"][0]["image"] for p in _live_pods(kl, at(2))} == {"nginx:1.25"}
    d = one(kl, "deploy", "web")
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_rollout_restart_replaces_every_pod(kl):
    _setup(kl, 2)
    before = {p["metadata"]["name"] for p in objects(kl, "pods")}
    assert kl(["rollout", "restart", "deploy/web"], now=at(5)).out.strip() == "deployment.apps/web restarted"
    kl(["reconcile", "--until-stable"], now=at(6))
    after = {p["metadata"]["name"] for p in _live_pods(kl, at(6))}
    assert len(after) == 2 and not (before & after)


def test_templates_differing_only_in_the_pod_template_hash_are_equal_and_are_left_unchanged():
    plain = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "a"}]}}
    hashed = {"metadata": {"labels": {"app": "web", dep.HASH: "abc"}}, "spec": plain["spec"]}
    assert dep.equal_ignore_hash(hashed, plain) and dep.equal_ignore_hash(plain, hashed)
    assert dep.equal_ignore_hash({"metadata": {"labels": {dep.HASH: "x"}}}, {"metadata": {"labels": {}}})
    assert not dep.equal_ignore_hash(hashed, {**plain, "spec": {"containers": [{"name": "c", "image": "b"}]}})
    assert not dep.equal_ignore_hash(hashed, {"metadata": {"labels": {"app": "api"}}, "spec": plain["spec"]})
    assert hashed["metadata"]["labels"][dep.HASH] == "abc"  # compared, not changed
