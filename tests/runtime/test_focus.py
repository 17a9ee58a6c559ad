"""Focused passes: after a few changes a long-running process visits what they touch, and leaves
nothing a whole pass would still do."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubelite.api import kinds
from kubelite.apiserver import APIServer
from kubelite.clock import Clock, parse_time
from kubelite.runtime import focus as focus_mod
from kubelite.runtime import runner
from kubelite.runtime.focus import Followed, focus_from
from kubelite.runtime.snapshot import Snapshot, key_of
from tests.conftest import run_kubelite
from tests.controllers.helpers import at

POD, RS, DEPLOY, NODE, SVC = (kinds.by_kind(k) for k in ("Pod", "ReplicaSet", "Deployment", "Node", "Service"))


def _deployment(name: str, ns: str, replicas: int) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]}}}}


def _converged(root) -> APIServer:
    api = APIServer.open(root, Clock(parse_time(at(0))))
    for n in ("n1", "n2"):
        api.apply({"apiVersion": "v1", "kind": "Node", "metadata": {"name": n},
                   "status": {"capacity": {"cpu": "8", "memory": "16Gi", "pods": "50"}}})
    for ns in ("a", "b"):
        api.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        for name in ("web", "api"):
            api.apply(_deployment(name, ns, 2))
            api.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
                       "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}})
    r = runner.Runner(api).run(until_stable=True, max_passes=20)
    assert r.stable and not r.problems
    return api


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("focus") / "state"
    _converged(root)
    return root


@pytest.fixture
def api(template, tmp_path):
    import shutil

    root = tmp_path / "state"
    shutil.copytree(template, root, ignore=shutil.ignore_patterns("locks"))
    return APIServer.open(root, Clock(parse_time(at(0))), create=False)


def _settled(api, f: Followed | None = None) -> Followed:
    """A long-running process's position, after its passes have settled (the copied files
    of the fixture are new to the store: the first passes adopt them)."""
    f = f or Followed()
    for _ in range(8):
        if not runner.Runner(api, followed=f).run().passes:
            return f
    raise AssertionError("passes never settled")


def _focus_after(api, change) -> focus_mod.Focus:
    rv = api.store.current_rv()
    change()
    return focus_from(Snapshot(api), api.store.changes_since(rv))


def _pod_of(api, ns: str, app: str) -> dict:
    return next(p for p in api.list(POD, ns) if p["metadata"]["labels"]["app"] == app)


def _wanted(f, kind, ns: str | None = None) -> set[str]:
    return {o["metadata"]["name"] for o in Snapshot(f.snap.api).list(kind.kind, ns) if f.wants(o)}


# -- what a change focuses -------------------------------------------------------------

def test_a_pod_change_focuses_its_replicaset_and_deployment_and_its_namespaces_services_only(api):
    pod = _pod_of(api, "a", "web")

    def label():
        pod["metadata"]["labels"]["touched"] = "yes"
        api.update(pod)

    f = _focus_after(api, label)
    assert _wanted(f, DEPLOY) == {"web"} and _wanted(f, DEPLOY, "b") == set()
    assert [r["metadata"]["name"].startswith("web-") for r in Snapshot(api).list("ReplicaSet") if f.wants(r)] == [True]
    assert _wanted(f, SVC, "a") == {"web", "api"} and _wanted(f, SVC, "b") == set()
    assert _wanted(f, POD) == {pod["metadata"]["name"]}


def test_a_node_change_focuses_the_pods_bound_to_it(api):
    def cordon():
        n = api.get(NODE, None, "n1")
        n.setdefault("spec", {})["unschedulable"] = True
        api.update(n)

    f = _focus_after(api, cordon)
    on_n1 = {p["metadata"]["name"] for p in api.list(POD, None) if p["spec"].get("nodeName") == "n1"}
    assert on_n1 and _wanted(f, POD) == on_n1


def test_a_deletion_focuses_what_names_the_deleted_object_as_owner(api):
    rs = next(r for r in api.list(RS, "b") if r["metadata"]["name"].startswith("api-"))
    f = _focus_after(api, lambda: api.store.delete(RS, "b", rs["metadata"]["name"]))
    orphans = {p["metadata"]["name"] for p in api.list(POD, "b") if p["metadata"]["labels"]["app"] == "api"}
    assert orphans and orphans <= _wanted(f, POD, "b")


def test_a_pod_without_an_owner_focuses_every_controller_of_its_namespace(api):
    f = _focus_after(api, lambda: api.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stray", "namespace": "b",
                                                                                          "labels": {"app": "web"}},
                                             "spec": {"containers": [{"name": "c", "image": "busybox"}]}}))
    assert _wanted(f, DEPLOY, "b") == {"web", "api"} and _wanted(f, DEPLOY, "a") == set()


def test_with_what_a_pod_was_known_its_change_focuses_only_the_services_selecting_it(api):
    pod = _pod_of(api, "a", "web")
    snap = Snapshot(api)
    snap.list("Pod")
    rv = api.store.current_rv()
    pod["metadata"]["labels"]["app"] = "api"  # it leaves web's Service for api's
    api.update(pod)
    changes = api.store.changes_since(rv)
    f = focus_from(snap, changes, snap.refresh(changes))
    assert _wanted(f, SVC, "a") == {"web", "api"}
    rv = api.store.current_rv()
    pod = api.get(POD, "a", pod["metadata"]["name"])
    pod["metadata"]["annotations"] = {"touched": "yes"}
    api.update(pod)
    changes = api.store.changes_since(rv)
    f = focus_from(snap, changes, snap.refresh(changes))
    assert _wanted(f, SVC, "a") == {"api"} and _wanted(f, SVC, "b") == set()


# -- when a pass is focused, whole, or not run at all ------------------------------------

def test_the_first_pass_is_whole_then_nothing_changed_means_no_pass(api):
    f = Followed()
    now = api.clock.now().timestamp()
    assert f.plan(api.store, now)[0] == "full"
    r = runner.Runner(api, followed=f).run()
    assert [p.focused for p in r.passes] == [False]
    for _ in range(5):  # what that pass wrote (here: the copied files it adopted) is the next one's focus
        if f.plan(api.store, now) == ("skip", None):
            break
        assert all(p.focused for p in runner.Runner(api, followed=f).run().passes)
    assert f.plan(api.store, now) == ("skip", None)
    assert runner.Runner(api, followed=f).run().passes == []


def test_a_change_makes_the_next_pass_focused_and_a_time_come_or_a_resync_makes_it_whole(api, monkeypatch):
    f = _settled(api)
    d = api.get(DEPLOY, "a", "web")
    d["spec"]["replicas"] = 3
    api.update(d)
    now = api.clock.now().timestamp()
    how, changes = f.plan(api.store, now)
    assert how == "focus" and [c.name for c in changes] == ["web"]
    f.due = now - 1
    assert f.plan(api.store, now)[0] == "full"
    f.due = None
    f.focused_since_full, f.full_at = True, time.monotonic() - focus_mod.RESYNC_SECONDS
    assert f.plan(api.store, now)[0] == "full"
    f.full_at = time.monotonic()
    f.clean = False  # a conflict or a problem in the last pass
    assert f.plan(api.store, now)[0] == "full"


def test_a_heartbeat_coming_due_is_served_by_a_focused_pass_on_the_cache_and_a_focused_controllers_time_by_a_whole_one(api):
    f = _settled(api)
    assert f.due_rest is not None  # the nodes' kubelets renew their Leases on the clock
    lease = api.get(kinds.by_kind("Lease"), "kube-node-lease", "n1")
    cache = f.cache
    api.clock.fixed = dt.datetime.fromtimestamp(f.due_rest, dt.timezone.utc) + dt.timedelta(seconds=1)
    now = api.clock.now().timestamp()
    assert f.plan(api.store, now) == ("focus", [])  # nothing changed, a time came: no reload
    r = runner.Runner(api, followed=f).run()
    assert [p.focused for p in r.passes] == [True]
    renewed = api.get(kinds.by_kind("Lease"), "kube-node-lease", "n1")
    assert renewed["spec"]["renewTime"] != lease["spec"]["renewTime"]
    assert f.cache is cache  # the informer cache was kept, brought up to date
    _assert_cache_is_the_store(api, f)
    assert f.due_rest > now  # the next heartbeat, not the one just served
    f.due = now - 1  # a FOCUSED controller's wait (a back-off, minReadySeconds) has come
    assert f.plan(api.store, now)[0] == "full"


def test_a_scale_is_done_by_a_focused_pass_that_visits_one_deployment(api, monkeypatch):
    f = _settled(api)
    d = api.get(DEPLOY, "a", "web")
    d["spec"]["replicas"] = 4
    api.update(d)
    visited = []
    dep = __import__("kubelite.controllers.deployment", fromlist=["x"])
    real = dep._sync_one
    monkeypatch.setattr(dep, "_sync_one", lambda ctx, x: (visited.append(x["metadata"]["name"]), real(ctx, x)))
    r = runner.Runner(api, followed=f).run()
    assert [p.focused for p in r.passes] == [True]
    assert set(visited) == {"web"}
    pods = [p for p in api.list(POD, "a") if p["metadata"]["labels"]["app"] == "web"]
    assert len(pods) == 4 and all(p["status"]["phase"] == "Running" for p in pods)


# -- the cache between passes --------------------------------------------------------------

def _running(api, ns: str, app: str) -> int:
    return sum(1 for p in api.list(POD, ns) if p["metadata"]["labels"].get("app") == app
               and p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp"))


def _assert_cache_is_the_store(api, f: Followed) -> None:
    """Everything the cache holds is what the store holds now: a copy, never memory of its own."""
    assert f.cache is not None
    fresh = Snapshot(api)
    for kind in f.cache.loaded_kinds():  # objects created since the cache was loaded are listed last
        assert {key_of(o): o for o in f.cache.list(kind)} == {key_of(o): o for o in fresh.list(kind)}, kind
    from kubelite.controllers import scheduler

    def nonzero(sums):
        return {n: v for n, v in sums.items() if any(v.values())}

    assert nonzero(f.cache.tally("Pod", scheduler.usage)) == nonzero(fresh.tally("Pod", scheduler.usage))


def test_a_focused_pass_starts_from_the_last_passs_snapshot_and_sees_what_the_cli_changed(api):
    f = _settled(api)
    cache = f.cache
    assert cache is not None and "Deployment" in list(cache.loaded_kinds())
    r = run_kubelite(["scale", "deployment", "web", "-n", "a", "--replicas", "4"], state=api.store.root, now=at(0))
    assert r.rc == 0, r.err
    out = runner.Runner(api, followed=f).run()
    assert [p.focused for p in out.passes] == [True] and not out.problems
    assert f.cache is cache and cache.get("Deployment", "a", "web")["spec"]["replicas"] == 4
    assert _running(api, "a", "web") == 4
    _settled(api, f)
    _assert_cache_is_the_store(api, f)


def test_a_file_edited_by_hand_is_adopted_by_a_whole_pass_with_a_fresh_cache(api):
    f = _settled(api)
    cache = f.cache
    path = api.store.path_for(DEPLOY, "b", "api")
    tmp = path.with_name("api.yaml.swp")
    tmp.write_text(path.read_text().replace("replicas: 2", "replicas: 3"))
    tmp.replace(path)  # as an editor saves: nothing is journaled until a pass adopts it
    out = runner.Runner(api, followed=f).run()
    assert [p.focused for p in out.passes] == [False]
    assert any("edited by hand" in c.message for c in out.changes)
    assert f.cache is not cache and f.cache.get("Deployment", "b", "api")["spec"]["replicas"] == 3
    assert _running(api, "b", "api") == 3
    _settled(api, f)
    _assert_cache_is_the_store(api, f)


def test_a_journal_gap_drops_the_cache_for_a_whole_pass(api):
    f = _settled(api)
    cache = f.cache
    _scale(api, "a", "api", 3)
    _scale(api, "b", "web", 3)
    from kubelite.store.journal import Journal

    Journal(api.store.root, keep=1).compact()  # the history since the last pass is gone
    assert api.store.changes_since(f.rv) is None
    out = runner.Runner(api, followed=f).run()
    assert [p.focused for p in out.passes] == [False]
    assert f.cache is not cache and _running(api, "a", "api") == 3 and _running(api, "b", "web") == 3


def test_a_conflict_or_an_error_drops_the_cache(api):
    f = _settled(api)
    assert f.cache is not None
    f.finished(runner.PassResult(1, conflicts=1), whole=False, snap=f.cache)
    assert f.cache is None and f.plan(api.store, api.clock.now().timestamp())[0] == "full"
    f = _settled(api)
    f.finished(runner.PassResult(1, problems=[runner.Problem("x", "", "boom")]), whole=False, snap=f.cache)
    assert f.cache is None


def test_a_long_running_process_freezes_its_cache_out_of_the_collectors_sight_and_no_focus_outlives_a_pass(api):
    import gc

    frozen = gc.get_freeze_count()
    try:
        f = _settled(api, Followed(freeze=True))
        assert gc.get_freeze_count() > frozen and f.cache is not None and f.cache.focus is None
        _scale(api, "a", "web", 3)
        assert [p.focused for p in runner.Runner(api, followed=f).run().passes] == [True]
        assert f.cache.focus is None  # a focus refers to its snapshot: the cache would be a cycle
    finally:
        gc.unfreeze()


# -- focused passes leave nothing undone -------------------------------------------------

def _scale(api, ns, name, n):
    d = api.get(DEPLOY, ns, name)
    d["spec"]["replicas"] = n
    api.update(d)


def _image(api, ns, name, image):
    d = api.get(DEPLOY, ns, name)
    d["spec"]["template"]["spec"]["containers"][0]["image"] = image
    api.update(d)


def _delete_pod(api, ns, name, _):
    pods = sorted(p["metadata"]["name"] for p in api.list(POD, ns) if p["metadata"]["labels"].get("app") == name)
    if pods:
        api.delete(POD, ns, pods[0])


def _delete_rs(api, ns, name, _):
    rss = sorted(r["metadata"]["name"] for r in api.list(RS, ns) if r["metadata"]["name"].startswith(name + "-"))
    if rss:
        api.store.delete(RS, ns, rss[0])


def _relabel_pod(api, ns, name, i):
    """A pod leaves its ReplicaSet's selector, as `kubectl label pod --overwrite` would take it out."""
    pods = sorted(p["metadata"]["name"] for p in api.list(POD, ns) if p["metadata"]["labels"].get("app") == name)
    if pods:
        p = api.get(POD, ns, pods[-1])
        p["metadata"]["labels"]["app"] = f"debug-{i}"
        api.update(p)


def _cordon(api, _ns, _name, flag):
    n = api.get(NODE, None, "n1")
    n.setdefault("spec", {})["unschedulable"] = bool(flag % 2)
    api.update(n)


def _stray_pod(api, ns, name, i):
    api.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"stray-{i}", "namespace": ns, "labels": {"app": name}},
               "spec": {"containers": [{"name": "c", "image": "busybox"}]}})


def _scale_from_another_process(api, ns, name, n):
    """As the CLI or a cron reconcile would: another Store, with its own caches and resourceVersion block."""
    _scale(APIServer.open(api.store.root, Clock(parse_time(at(0))), create=False), ns, name, n)


def _scale_by_hand(api, ns, name, n):
    """As an editor saves a file: a new file renamed over the old one, nothing journaled."""
    from kubelite.api import yamlemit

    d = api.get(DEPLOY, ns, name)
    d["spec"]["replicas"] = n
    path = api.store.path_for(DEPLOY, ns, name)
    tmp = path.with_name(f".{name}.yaml.swp")
    tmp.write_text(yamlemit.dump(d))
    tmp.replace(path)


OPS = {"scale": _scale, "scale-elsewhere": _scale_from_another_process, "scale-by-hand": _scale_by_hand, "image": lambda api, ns, name, n: _image(api, ns, name, f"nginx:1.{n}"),
       "delete-pod": _delete_pod, "relabel-pod": _relabel_pod, "delete-rs": _delete_rs, "cordon": _cordon, "stray-pod": _stray_pod}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.sampled_from(["a", "b"]), st.sampled_from(["web", "api"]),
                          st.integers(0, 4)), min_size=1, max_size=4))
def test_after_focused_passes_their_cache_is_the_store_and_a_whole_pass_finds_nothing_to_do(template, tmp_path_factory, ops):
    import shutil

    root = tmp_path_factory.mktemp("prop") / "state"
    shutil.copytree(template, root, ignore=shutil.ignore_patterns("locks"))
    api = APIServer.open(root, Clock(parse_time(at(0))), create=False)
    f = _settled(api)
    for op, ns, name, n in ops:
        OPS[op](api, ns, name, n)
        for _ in range(12):  # a long-running process's passes, until none is needed
            r = runner.Runner(api, followed=f).run()
            assert not r.problems, r.problems
            if not r.passes:
                break
        else:
            pytest.fail("focused passes never settled")
        _assert_cache_is_the_store(api, f)
    whole = runner.Runner(api).run_pass(1)
    assert (whole.writes, whole.problems) == (0, []), [c.line() for c in whole.changes]
