"""A reconcile with nothing to do costs nothing: the record of the last quiet pass, and requeue_after."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from kubelite.apiserver import APIServer
from kubelite.clock import Clock, parse_time
from kubelite.runtime import quiet, runner
from kubelite.runtime.context import PassContext
from kubelite.runtime.snapshot import Snapshot
from kubelite.store.cache import cache_dir_for
from tests.conftest import _clean_env, mtimes, snapshot
from tests.controllers.helpers import T0, at, deployment_yaml, node_yaml, objects


def age_folders(state: Path, seconds: int = 10) -> None:
    """Move every folder's mtime into the past, as if the last write were `seconds` ago: a
    folder changed less than a second before a pass is not trusted to show a later change."""
    for d in [state / "registry", *(p for p in (state / "registry").rglob("*") if p.is_dir())]:
        t = d.stat().st_mtime_ns - seconds * 10**9
        os.utime(d, ns=(t, t))


def record(state: Path) -> dict:
    return json.loads((cache_dir_for(state) / quiet.FILE).read_text())


def converge(kl, state: Path, now: str) -> None:
    r = kl(["reconcile", "--until-stable", "-q"], now=now)
    assert r.rc == 0, r.err
    age_folders(state)
    r = kl(["reconcile", "-o", "json"], now=now)  # a pass that finds nothing to do, and says so
    assert r.rc == 0 and json.loads(r.out)["writes"] == 0, r.out + r.err


def test_an_unchanged_store_with_nothing_due_is_one_check_that_reads_and_writes_nothing(kl, state):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 2), now=at(0))
    converge(kl, state, at(0))
    pod = next((state / "registry" / "pods" / "default").iterdir())
    folder = pod.parent.stat().st_mtime_ns
    pod.write_text("garbage: [")  # rewritten in place: its folder does not change
    os.utime(pod.parent, ns=(folder, folder))
    before, times = snapshot(state), mtimes(state)
    r = kl(["reconcile"], now=at(5))
    assert (r.rc, r.out, r.err) == (0, "", "")  # the broken file was not read
    assert snapshot(state) == before and mtimes(state) == times
    r = kl(["reconcile", "--full", "-q"], now=at(5))  # a full pass reads every file
    assert r.rc == runner.EXIT_DEGRADED and str(pod) in r.err


def test_the_quick_check_loads_neither_click_nor_the_controllers(kl, state):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1"), now=at(0))
    converge(kl, state, at(0))
    code = ("import sys; from kubelite.cli import fast; print(repr(fast.answer(['reconcile', '-q'])), "
            "sorted(m for m in sys.modules if m.startswith(('click', 'kubelite.controllers', 'kubelite.apiserver', 'kubelite.store.store'))))")
    # outside the repository, so it imports the kubelite the `kubelite` command runs (an
    # installed copy in CI, whose code mark is its own), not the source tree
    out = subprocess.run([sys.executable, "-c", code], cwd=state.parent, capture_output=True, text=True,
                         env=_clean_env({"KUBELITE_STATE_DIR": str(state), "KUBELITE_NOW": at(1)})).stdout
    assert out.strip() == "'' []"


def test_a_write_or_a_hand_edit_after_a_quiet_pass_brings_the_next_pass_back(kl, state):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + deployment_yaml("web", 1), now=at(0))
    converge(kl, state, at(0))
    kl(["scale", "deployment", "web", "--replicas", "2"], now=at(1))
    r = kl(["reconcile", "--until-stable"], now=at(1))
    assert r.rc == 0 and "created pod" in r.out
    assert len(objects(kl, "pods")) == 2
    age_folders(state)
    kl(["reconcile", "-q"], now=at(1))
    path = state / "registry" / "deployments" / "default" / "web.yaml"
    tmp = path.with_name("web.yaml.swp")
    tmp.write_text(path.read_text().replace("replicas: 2", "replicas: 3"))
    tmp.replace(path)  # as an editor saves: the folder moves
    r = kl(["reconcile", "--until-stable"], now=at(1))
    assert r.rc == 0 and "edited by hand" in r.out and "created pod" in r.out


def test_a_pass_runs_again_when_a_lease_renewal_falls_due(kl, state):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1"), now=at(0))
    converge(kl, state, at(0))
    rec = record(state)
    assert rec["due"] == parse_time(at(10)).timestamp() and rec["why"] == "kubelet-node: lease of node n1"
    lease = state / "registry" / "leases" / "kube-node-lease" / "n1.yaml"
    before = lease.read_text()
    assert kl(["reconcile", "-q"], now=at(9)).rc == 0 and lease.read_text() == before
    assert kl(["reconcile", "-q"], now=at(10)).rc == 0 and lease.read_text() != before


def _installed_is_quiet(state: Path, now: str) -> bool:
    """is_quiet as the `kubelite` command sees it: the record names the code that wrote it,
    and in CI that is the installed copy, not this source tree."""
    code = f"from kubelite.runtime import quiet; print(quiet.is_quiet({str(state)!r}, {parse_time(now).timestamp()!r}))"
    out = subprocess.run([sys.executable, "-c", code], cwd=state.parent, capture_output=True, text=True, env=_clean_env())
    return out.stdout.strip() == "True"


def test_a_clock_set_back_before_the_quiet_pass_runs_a_pass(kl, state):
    kl(["apply", "-f", "-"], stdin=node_yaml("n1"), now=at(100))
    converge(kl, state, at(100))
    assert _installed_is_quiet(state, at(101))
    assert not _installed_is_quiet(state, at(99))


def test_a_pass_with_an_error_or_a_controller_that_reports_no_waits_is_not_recorded(tmp_path, monkeypatch):
    import importlib

    api = APIServer.open(tmp_path / "s", Clock(parse_time(at(0))))
    api.apply(json.loads(node_yaml("n1").split("\n---")[0]))
    runner.Runner(api).run(until_stable=True)
    age_folders(api.store.root)
    runner.Runner(api).run()
    assert quiet.is_quiet(api.store.root, parse_time(at(1)).timestamp())
    skipped = runner.Runner(api, skip_if_quiet=True).run()
    assert skipped.quiet and skipped.passes == [] and skipped.summary()["quiet"] is True

    ep = importlib.import_module("kubelite.controllers.endpoints")
    monkeypatch.setattr(ep, "sync", lambda ctx: 1 / 0)
    r = runner.Runner(api, full=True).run()
    assert r.problems and not quiet.is_quiet(api.store.root, parse_time(at(1)).timestamp())
    monkeypatch.undo()

    runner.Runner(api).run()
    assert quiet.is_quiet(api.store.root, parse_time(at(1)).timestamp())
    monkeypatch.delattr(ep, "REQUEUES")
    runner.Runner(api).run()
    assert not quiet.is_quiet(api.store.root, parse_time(at(1)).timestamp())
    assert runner.Runner(api, skip_if_quiet=True).run().passes  # so every reconcile runs a pass


def test_requeue_after_keeps_the_earliest_time_and_says_why(tmp_path):
    api = APIServer.open(tmp_path / "s", Clock(T0))
    ctx = PassContext(api, Snapshot(api), "job")
    ctx.requeue_after(30, "a deadline")
    ctx.requeue_after(-5, "a back-off")  # a time past: due now
    ctx.requeue_after(10, "a schedule")
    assert ctx.due == (T0.timestamp(), "job: a back-off")


# -- what controllers wait for -----------------------------------------------------------

def due_after(kl, state, manifests: str) -> tuple[float, str]:
    kl(["apply", "-f", "-"], stdin=node_yaml("n1") + manifests, now=at(0))
    converge(kl, state, at(0))
    rec = record(state)
    return rec["due"] - T0.timestamp(), rec["why"]


def test_a_cronjob_asks_for_its_next_scheduled_time(kl, state):
    cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
          "spec": {"schedule": "*/7 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
              "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}}}
    kl(["apply", "-f", "-"], stdin=json.dumps(cj), now=at(0))  # no node: no lease to renew sooner
    converge(kl, state, at(0))
    rec = record(state)
    assert (rec["due"] - T0.timestamp(), rec["why"]) == (420, "cronjob: schedule of cronjob default/tick")


def test_a_running_pod_with_a_run_duration_asks_for_its_end(kl, state):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"sim.kubelite.io/duration": "4s"}},
           "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}
    assert due_after(kl, state, json.dumps(pod)) == (4, "kubelet: run duration of pod p")
    assert kl(["reconcile", "-q"], now=at(4)).rc == 0
    assert objects(kl, "pods")[0]["status"]["phase"] == "Succeeded"


def test_min_ready_seconds_asks_for_the_time_pods_become_available(kl, state):
    d = json.loads(deployment_yaml("web", 1, extra_spec={"minReadySeconds": 3}))
    assert due_after(kl, state, json.dumps(d)) == (3, "replicaset: minReadySeconds of ReplicaSet default/" +
                                                   objects(kl, "rs")[0]["metadata"]["name"])
    assert kl(["reconcile", "--until-stable", "-q"], now=at(3)).rc == 0
    assert objects(kl, "deploy")[0]["status"]["availableReplicas"] == 1


def test_a_job_asks_for_its_active_deadline(kl, state):
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {"activeDeadlineSeconds": 6, "template": {"metadata": {"annotations": {"sim.kubelite.io/duration": "1h"}},
                    "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}
    assert due_after(kl, state, json.dumps(job)) == (6, "job: activeDeadlineSeconds of job j")


def test_a_node_silent_for_the_grace_period_is_due_then(kl, state):
    down = node_yaml("n1", annotations={"sim.kubelite.io/down": "true"})
    kl(["apply", "-f", "-"], stdin=down, now=at(0))
    converge(kl, state, at(0))
    rec = record(state)
    assert (rec["due"] - T0.timestamp(), rec["why"]) == (41, "nodelifecycle: heartbeat grace period of node n1")
