"""The reconcile runner: order, fault isolation, the lock, --until-stable, output modes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubelite.api import kinds
from kubelite.apiserver import APIServer
from kubelite.clock import Clock, parse_time
from kubelite.runtime import runner
from tests.controllers.helpers import at, deployment_yaml, node_yaml, objects


def test_the_documented_order_runs_workloads_before_the_scheduler_and_gc_last():
    names = runner.available()
    assert names.index("deployment") < names.index("replicaset") < names.index("scheduler") < names.index("kubelet")
    assert names[-1] in ("garbagecollector", "federation")


def test_a_controller_that_raises_does_not_stop_the_others(tmp_path, monkeypatch):
    api = APIServer.open(tmp_path / "s", Clock(parse_time(at(0))))
    api.apply({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "status": {"capacity": {"cpu": "2", "memory": "1Gi", "pods": "10"}}})
    import importlib

    dep = importlib.import_module("kubelite.controllers.deployment")

    def boom(ctx):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(dep, "sync", boom)
    result = runner.Runner(api).run(until_stable=True, max_passes=5)
    assert result.exit_code(True) == runner.EXIT_DEGRADED
    assert any(p.controller == "deployment" and "kaboom" in p.error for p in result.problems)
    node = api.store.get(__import__("kubelite.api.kinds", fromlist=["x"]).by_kind("Node"), None, "n1")
    assert node["spec"]["podCIDR"]  # nodelifecycle still ran
    assert any(c["type"] == "Ready" for c in node["status"]["conditions"])  # and the kubelet


def test_a_corrupt_object_file_is_reported_skipped_and_the_pass_finishes(kl, state):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 1), now=at(0))
    kl(["create", "configmap", "victim"], now=at(0))
    bad = state / "registry" / "configmaps" / "default" / "victim.yaml"
    bad.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: [unterminated\n")
    r = kl(["reconcile", "--until-stable"], now=at(0))
    assert r.rc == runner.EXIT_DEGRADED
    assert [line for line in r.err.splitlines() if str(bad) in line] == r.err.splitlines()[:1]  # once a run, not once a pass
    assert [p["status"]["phase"] for p in objects(kl, "pods")] == ["Running"]
    g = kl(["get", "cm"])
    assert g.rc == 0 and str(bad) in g.err and "kube-root-ca" not in g.out


def test_a_second_reconcile_exits_at_once_while_one_holds_the_lock(kl, state):
    kl(["get", "ns"])
    from filelock import FileLock

    lock = FileLock(str(state / "locks" / "reconcile.lock"))
    lock.acquire()
    try:
        r = kl(["reconcile"])
    finally:
        lock.release()
    assert r.rc == runner.EXIT_BUSY
    assert r.err.startswith("error: another reconcile is running on")


def test_until_stable_gives_up_after_max_passes_with_exit_4(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 2), now=at(0))
    r = kl(["reconcile", "--until-stable", "--max-passes", "1"], now=at(0))
    assert r.rc == runner.EXIT_UNSTABLE and "not stable after 1 passes" in r.err


def test_json_output_summarises_passes_changes_and_errors_and_quiet_prints_nothing(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 1), now=at(0))
    r = kl(["reconcile", "--until-stable", "-o", "json"], now=at(0))
    summary = json.loads(r.out)
    assert summary["stable"] is True and summary["passes"] >= 2 and summary["errors"] == []
    assert any(c["controller"] == "deployment" and "scaled up replica set" in c["message"] for c in summary["changes"])
    kl(["scale", "deploy/web", "--replicas=2"])
    r = kl(["reconcile", "-q"], now=at(1))
    assert r.rc == 0 and r.out == ""


def test_controllers_flag_runs_only_the_named_subset(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 1), now=at(0))
    r = kl(["reconcile", "--controllers", "deployment"], now=at(0))
    assert r.rc == 0 and len(objects(kl, "rs")) == 1 and objects(kl, "pods") == []
    r = kl(["reconcile", "--controllers", "nope"])
    assert r.rc != 0 and "unknown controller" in r.err


def test_change_lines_name_the_object_and_what_happened(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 3), now=at(0))
    out = kl(["reconcile"], now=at(0)).out
    rs = objects(kl, "rs")[0]["metadata"]["name"]
    assert f"deployment.apps/web: scaled up replica set {rs} from 0 to 3" in out.splitlines()


def test_controllers_act_as_the_control_plane_not_as_the_user_who_ran_reconcile(kl, state):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 2), now=at(0))
    audited = (state / "audit.log").read_text().splitlines()
    r = kl(["reconcile", "--until-stable", "--as", "nobody"], now=at(0))
    assert r.rc == 0, r.err
    assert [p["status"]["phase"] for p in objects(kl, "pods")] == ["Running", "Running"]
    assert (state / "audit.log").read_text().splitlines() == audited  # the user made no request


def test_a_pass_writes_each_object_once_however_many_controllers_change_it(tmp_path, files_written):
    api = APIServer.open(tmp_path / "s", Clock(parse_time(at(0))))
    api.apply({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "status": {"capacity": {"cpu": "2", "memory": "1Gi", "pods": "10"}}})
    api.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
               "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    files_written.clear()
    result = runner.Runner(api).run_pass(1)
    changed = {c.controller for c in result.changes if c.object == "pod/p"}
    assert changed == {"scheduler", "kubelet"}  # bound, then started, in one pass
    assert sum(1 for f in files_written if f.endswith("/pods/default/p.yaml")) == 1
    pod = api.store.get(__import__("kubelite.api.kinds", fromlist=["x"]).by_kind("Pod"), "default", "p")
    assert pod["spec"]["nodeName"] == "n1" and pod["status"]["phase"] == "Running"


def test_one_pass_brings_a_new_deployment_to_available_and_the_next_writes_nothing(kl):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 3), now=at(0))
    r = kl(["reconcile", "--until-stable", "-o", "json"], now=at(0))
    assert json.loads(r.out)["passes"] == 2  # the second only proves nothing is left
    (d,) = objects(kl, "deployments")
    (rs,) = objects(kl, "rs")
    assert rs["status"]["readyReplicas"] == 3 and rs["status"]["availableReplicas"] == 3
    assert d["status"]["availableReplicas"] == 3
    assert {c["type"]: c["status"] for c in d["status"]["conditions"]} == {"Available": "True", "Progressing": "True"}


def test_a_controller_re_runs_in_the_pass_only_when_a_kind_it_watches_changed_after_it_ran(tmp_path, monkeypatch):
    import importlib

    api = APIServer.open(tmp_path / "s", Clock(parse_time(at(0))))
    api.apply({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "status": {"capacity": {"cpu": "2", "memory": "1Gi", "pods": "10"}}})
    runs = []
    rs = importlib.import_module("kubelite.controllers.replicaset")
    real = rs.sync
    monkeypatch.setattr(rs, "sync", lambda ctx: (runs.append(1), real(ctx)))
    runner.Runner(api).run_pass(1)
    assert len(runs) == 1  # no pods changed after it ran
    api.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
               "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    runner.Runner(api).run_pass(2)
    assert len(runs) == 3  # the scheduler and then the kubelet changed a pod: caught up once


def test_a_cli_writer_waiting_on_a_long_pass_gets_in_when_the_pass_commits(tmp_path, monkeypatch):
    import importlib
    import subprocess
    import time

    from tests.conftest import KUBELITE, _clean_env

    state = tmp_path / "s"
    api = APIServer.open(state, Clock(parse_time(at(0))))
    monkeypatch.setattr(runner, "COMMIT_AFTER", 0.0)  # every pass counts as long
    writer = []
    ns = importlib.import_module("kubelite.controllers.namespace")
    real_ns = ns.sync

    def start_writer_while_holding_the_lock(ctx):
        real_ns(ctx)
        writer.append(subprocess.Popen([KUBELITE, "--state-dir", str(state), "create", "configmap", "late"],
                                       env=_clean_env({}), stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        deadline = time.monotonic() + 20
        while not api.store.has_waiters() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert api.store.has_waiters()

    finished_before_gc = []
    gc = importlib.import_module("kubelite.controllers.garbagecollector")
    real_gc = gc.sync

    def note(ctx):  # the writer's object is in the store (its exit may come a moment later)
        finished_before_gc.append(api.store.exists(kinds.by_kind("ConfigMap"), "default", "late"))
        real_gc(ctx)

    monkeypatch.setattr(ns, "sync", start_writer_while_holding_the_lock)
    monkeypatch.setattr(gc, "sync", note)
    result = runner.Runner(api).run_pass(1)
    assert writer[0].wait(timeout=30) == 0, writer[0].stderr.read()
    assert finished_before_gc == [True] and result.problems == []


def test_a_pass_whose_commit_fails_ends_there_and_the_next_pass_does_the_work(tmp_path, monkeypatch):
    from kubelite.errors import StateError
    from kubelite.store.store import Store

    api = APIServer.open(tmp_path / "s", Clock(parse_time(at(0))))
    api.apply({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "status": {"capacity": {"cpu": "2", "memory": "1Gi", "pods": "10"}}})
    monkeypatch.setattr(runner, "COMMIT_AFTER", -1.0)
    monkeypatch.setattr(Store, "has_waiters", lambda self: True)  # commit after every controller
    monkeypatch.setattr(runner, "LET_WAITERS_IN", 0.0)
    real = Store._commit
    failures = []

    def first_fails(self, pending, *notes):
        if pending and not failures:
            failures.append(sorted(pending))
            raise StateError("committing writes: Input/output error")
        return real(self, pending, *notes)

    monkeypatch.setattr(Store, "_commit", first_fails)
    ran = []
    monkeypatch.setattr(runner.Runner, "_sync", lambda self, name, snap, result, real_sync=runner.Runner._sync: (ran.append(name), real_sync(self, name, snap, result)))
    first = runner.Runner(api).run_pass(1)
    assert [p.error for p in first.problems] == ["committing writes: Input/output error"]
    assert ran[-1] != runner.available()[-1]  # the pass stopped at the failed commit
    result = runner.Runner(api).run(until_stable=True, max_passes=5)
    assert result.stable
    node = api.store.get(__import__("kubelite.api.kinds", fromlist=["x"]).by_kind("Node"), None, "n1")
    assert any(c["type"] == "Ready" and c["status"] == "True" for c in node["status"]["conditions"])


def test_a_pass_adopts_a_hand_edit_so_the_journal_shows_it_once(kl, state):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 1), now=at(0))
    kl(["reconcile", "--until-stable", "-q"], now=at(0))
    path = state / "registry" / "deployments" / "default" / "web.yaml"
    tmp = path.with_name("web.yaml.swp")
    tmp.write_text(path.read_text().replace("replicas: 1", "replicas: 2"))
    tmp.replace(path)  # as an editor saves
    from kubelite.store import Store

    start = Store(state).current_rv()
    r = kl(["reconcile", "--until-stable"], now=at(0))
    assert r.rc == 0 and "deployment.apps/web: edited by hand: journaled as resourceVersion" in r.out
    changes = Store(state).changes_since(start)
    assert (changes[0].type, changes[0].plural, changes[0].name) == ("MODIFIED", "deployments", "web")
    assert len([p for p in objects(kl, "pods") if p["status"]["phase"] == "Running"]) == 2
    again = kl(["reconcile"], now=at(0))
    assert again.rc == 0 and "by hand" not in again.out
