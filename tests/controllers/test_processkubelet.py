"""The process runtime: pods on a node labelled kubelite.io/runtime=process run as real processes."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import KUBELITE, _clean_env
from tests.controllers.helpers import at, node_yaml, objects, one, reconcile
from tests.processes import live, pid_record, until

PROCESS_NODE = node_yaml("local", labels={"kubelite.io/runtime": "process"})


def pod(name: str, command: list[str] | None, restart: str = "Always", grace: int = 1, **ctr) -> str:
    c = {"name": ctr.pop("container", "c"), "image": "busybox", **ctr}
    if command is not None:
        c["command"] = command
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
                       "spec": {"restartPolicy": restart, "terminationGracePeriodSeconds": grace, "containers": [c]}}) + "\n---\n"


def later(seconds: float) -> str:
    """KUBELITE_NOW this far ahead of the real clock: for back-off arithmetic only."""
    t = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def status_of(kl, name: str) -> dict:
    return one(kl, "pod", name).get("status") or {}


def container(kl, name: str) -> dict:
    return status_of(kl, name)["containerStatuses"][0]


def settle(kl, name: str, check, now: str | None = None):
    """Reconcile until the pod's status passes `check`."""
    def step():
        r = kl(["reconcile", "-q"], now=now)
        assert r.rc == 0, r.out + r.err
        st = status_of(kl, name)
        return st if check(st) else None
    return until(step)


def uid_of(kl, name: str) -> str:
    return one(kl, "pod", name)["metadata"]["uid"]


def log_text(state: Path, kl, name: str, container: str = "c", n: int = 0) -> str:
    uid = uid_of(kl, name)
    return (state / "logs" / f"default_{name}_{uid}" / container / f"{n}.log").read_text()


def test_a_pod_on_a_process_node_runs_its_command_with_its_environment_and_logs_its_output(kl, processes):
    manifest = pod("hello", ["sh", "-c", 'echo "$GREETING, $(WHO) from $POD_NAME in $(pwd)"; echo oops >&2; sleep 30'],
                   env=[{"name": "WHO", "value": "world"}, {"name": "GREETING", "value": "hello $(WHO) $$(WHO)"},
                        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                   workingDir="/tmp")
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + manifest)
    st = settle(kl, "hello", lambda s: s.get("phase") == "Running")
    cs = st["containerStatuses"][0]
    assert cs["ready"] and cs["started"] and cs["restartCount"] == 0 and "running" in cs["state"]
    assert st["podIP"] == st["hostIP"] == "127.0.0.1"
    until(lambda: "oops" in log_text(processes, kl, "hello"))
    lines = log_text(processes, kl, "hello").splitlines()
    assert lines[0].split(" ", 3)[1:] == ["stdout", "F", "hello world $(WHO), world from hello in /tmp"]
    assert lines[1].split(" ", 3)[1:] == ["stderr", "F", "oops"]
    assert len(live(processes)) >= 2  # the wrapper and the shell, at least


def test_a_container_without_a_command_waits_with_run_container_error_naming_it(kl, processes):
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + pod("nocmd", None))
    st = settle(kl, "nocmd", lambda s: bool(s.get("containerStatuses")))
    waiting = st["containerStatuses"][0]["state"]["waiting"]
    assert waiting["reason"] == "RunContainerError" and "has no command" in waiting["message"]
    assert st["phase"] == "Pending"
    assert "RunContainerError" in kl(["get", "pods"]).out
    assert live(processes) == []


def test_exits_end_never_pods_as_upstream_succeeded_completed_failed_error_or_cannot_run(kl, processes):
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + pod("ok", ["true"], "Never") + pod("bad", ["sh", "-c", "exit 3"], "Never")
       + pod("missing", ["no-such-command-here"], "Never"))
    for name in ("ok", "bad", "missing"):
        settle(kl, name, lambda s: s.get("phase") in ("Succeeded", "Failed"))
    ok, bad, missing = (container(kl, n)["state"]["terminated"] for n in ("ok", "bad", "missing"))
    assert status_of(kl, "ok")["phase"] == "Succeeded" and (ok["exitCode"], ok["reason"]) == (0, "Completed")
    assert status_of(kl, "bad")["phase"] == "Failed" and (bad["exitCode"], bad["reason"]) == (3, "Error")
    assert status_of(kl, "missing")["phase"] == "Failed" and missing["reason"] == "ContainerCannotRun"
    assert missing["exitCode"] == 127 and 'exec: "no-such-command-here"' in missing["message"]


def test_a_crashing_container_restarts_after_the_crash_loop_back_off_from_recorded_times(kl, processes):
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + pod("crashy", ["sh", "-c", "echo run; exit 1"]))
    st = settle(kl, "crashy", lambda s: (s.get("containerStatuses") or [{}])[0].get("restartCount") == 1)
    cs = st["containerStatuses"][0]
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff" and "back-off 10s" in cs["state"]["waiting"]["message"]
    assert cs["lastState"]["terminated"]["exitCode"] == 1 and cs["lastState"]["terminated"]["reason"] == "Error"
    reconcile(kl, later(5))  # within the 10 s back-off: still waiting
    assert "waiting" in container(kl, "crashy")["state"]
    # Past it: instance 1 starts, exits, and the next back-off is 20 s.
    st = settle(kl, "crashy", lambda s: s["containerStatuses"][0]["restartCount"] == 2, now=later(11))
    assert "back-off 20s" in st["containerStatuses"][0]["state"]["waiting"]["message"]
    assert log_text(processes, kl, "crashy", n=1).split(" ", 3)[3] == "run\n"


def test_deleting_a_pod_ends_its_whole_process_group_and_removes_its_files(kl, processes):
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + pod("tree", ["sh", "-c", "sleep 30 & sleep 30 & wait"]))
    settle(kl, "tree", lambda s: s.get("phase") == "Running")
    uid = uid_of(kl, "tree")
    sid = until(lambda: pid_record(processes, uid, "c").get("child") and pid_record(processes, uid, "c")["pid"])
    until(lambda: len(live(processes, {sid})) >= 4)  # wrapper, sh, two sleeps
    kl(["delete", "pod", "tree"])
    until(lambda: reconcile(kl, None) is not None and not live(processes, {sid}))
    until(lambda: reconcile(kl, None) is not None and not (processes / "pods" / uid).exists())
    assert not (processes / "logs" / f"default_tree_{uid}").exists()


def test_a_process_that_ignores_sigterm_is_killed_once_the_grace_period_has_passed(kl, processes):
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + pod("stubborn", ["sh", "-c", "trap '' TERM; echo up; sleep 30 & wait; sleep 30"],
                                                        grace=1))
    settle(kl, "stubborn", lambda s: s.get("phase") == "Running")
    uid = uid_of(kl, "stubborn")
    until(lambda: "up" in log_text(processes, kl, "stubborn"))
    sid = pid_record(processes, uid, "c")["pid"]
    kl(["delete", "pod", "stubborn"])
    reconcile(kl, None)  # SIGTERM, recorded
    kill = json.loads((processes / "pods" / uid / "containers" / "c" / "0.kill").read_text())
    assert kill["grace"] == 1
    time.sleep(0.3)
    assert live(processes, {sid})  # the shell ignores it, within the grace period
    until(lambda: reconcile(kl, None) is not None and not live(processes, {sid}))


def test_a_reused_pid_is_not_mistaken_for_the_container(kl, processes):
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + pod("gone", ["sleep", "30"], "Never"))
    settle(kl, "gone", lambda s: s.get("phase") == "Running")
    uid = uid_of(kl, "gone")
    cdir = processes / "pods" / uid / "containers" / "c"
    rec = until(lambda: pid_record(processes, uid, "c").get("child") and pid_record(processes, uid, "c"))
    os.killpg(rec["child"], signal.SIGKILL)
    os.kill(rec["pid"], signal.SIGKILL)  # the wrapper too: no exit status is recorded
    # Pretend the pid now belongs to someone else: this test's own process.
    forged = dict(rec, pid=os.getpid())
    (cdir / "0.pid").write_text(json.dumps(forged))
    st = settle(kl, "gone", lambda s: s.get("phase") == "Failed")
    term = st["containerStatuses"][0]["state"]["terminated"]
    assert term["reason"] == "ContainerStatusUnknown" and term["exitCode"] == 137


def test_a_reconcile_killed_mid_pass_leaves_nothing_untracked_and_the_next_pass_adopts_it(kl, processes):
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + pod("adopted", ["sleep", "30"]))
    env = _clean_env()
    proc = subprocess.Popen([KUBELITE, "--state-dir", str(processes), "reconcile"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until(lambda: proc.poll() is not None or list(processes.glob("pods/*/containers/c/0.pid")), step=0.005)
    finally:
        proc.kill()
        proc.wait()
    st = settle(kl, "adopted", lambda s: s.get("phase") == "Running")
    cs = st["containerStatuses"][0]
    assert cs["restartCount"] == 0
    uid = uid_of(kl, "adopted")
    assert sorted(p.name for p in (processes / "pods" / uid / "containers" / "c").glob("*.spec.json")) == ["0.spec.json"]
    assert len([p for p in live(processes) if p in {pid_record(processes, uid, "c")["pid"]}]) == 1


class _Clock:
    """KUBELITE_NOW for passes that must see job and container back-offs elapse: every call
    is 11 s later than the one before (the back-offs start at 10 s)."""

    def __init__(self):
        self.passes = 0

    def __call__(self) -> str:
        self.passes += 1
        return later(11 * self.passes)


def test_a_job_of_five_completions_two_at_a_time_retries_a_first_failure_and_completes(kl, processes, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    script = (f'if mkdir {marks}/failed-once 2>/dev/null; then echo first attempt fails; exit 1; fi; '
              f'echo done by $HOSTNAME; touch {marks}/$HOSTNAME')
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "five"}, "spec": {
        "completions": 5, "parallelism": 2, "backoffLimit": 3, "template": {"spec": {
            "restartPolicy": "Never", "terminationGracePeriodSeconds": 1,
            "containers": [{"name": "work", "image": "busybox", "command": ["sh", "-c", script]}]}}}}
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + json.dumps(job))
    clock = _Clock()
    most_active = 0

    def complete():
        r = kl(["reconcile", "-q"], now=clock())
        assert r.rc == 0, r.out + r.err
        j = one(kl, "job", "five")
        nonlocal most_active
        most_active = max(most_active, int(j["status"].get("active") or 0))
        return any(c["type"] == "Complete" and c["status"] == "True" for c in j["status"].get("conditions") or [])
    until(complete, timeout=120)
    j = one(kl, "job", "five")
    assert j["status"]["succeeded"] == 5 and j["status"]["failed"] == 1
    assert most_active <= 2
    assert len([p for p in marks.iterdir() if p.name != "failed-once"]) == 5
    out = kl(["logs", "job/five"])  # kubectl's pick: the oldest of six finished pods
    assert out.rc == 0 and out.err.startswith("Found 6 pods, using pod/five-")
    assert out.out == "first attempt fails\n" or out.out.startswith("done by five-")
    failed = [p for p in json.loads(kl(["get", "pods", "-o", "json"]).out)["items"] if p["status"]["phase"] == "Failed"]
    assert [p["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] for p in failed] == ["Error"]


def test_a_cronjob_appends_the_date_once_per_scheduled_time_and_forbid_skips_while_a_run_goes_on(kl, processes, tmp_path):
    out = tmp_path / "out.txt"

    def cronjob(name, script, policy):
        return json.dumps({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name}, "spec": {
            "schedule": "* * * * *", "concurrencyPolicy": policy, "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "Never", "terminationGracePeriodSeconds": 1,
                "containers": [{"name": "c", "image": "busybox", "command": ["sh", "-c", script]}]}}}}}}) + "\n---\n"

    slow = tmp_path / "slow.txt"
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + cronjob("stamp", f"date >> {out}", "Allow")
       + cronjob("slow", f"date >> {slow}; sleep 30", "Forbid"), now=at(0))
    for minute in range(1, 4):  # three scheduled times, several passes at each
        for second in (1, 2, 3):
            reconcile(kl, at(60 * minute + second))
        until(lambda: len(out.read_text().splitlines()) == minute if out.exists() else False)
    assert len(out.read_text().splitlines()) == 3
    assert len(slow.read_text().splitlines()) == 1  # the first run still goes on: later ones were skipped
    jobs = {j["metadata"]["name"] for j in objects(kl, "jobs")}
    assert len([n for n in jobs if n.startswith("slow-")]) == 1


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _web(port: int, image: str = "python:3") -> str:
    return json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {
        "replicas": 1, "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"terminationGracePeriodSeconds": 1, "containers": [{
            "name": "web", "image": image, "command": ["python3", "-m", "http.server", "$(PORT)", "--bind", "127.0.0.1"],
            "env": [{"name": "PORT", "value": str(port)}], "ports": [{"name": "http", "containerPort": port}],
            "readinessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 1}}]}}}}) + "\n---\n"


def _ready_pods(kl) -> list[dict]:
    return [p for p in objects(kl, "pods") if any(c["type"] == "Ready" and c["status"] == "True"
                                                    for c in p["status"].get("conditions") or [])]


def test_a_deployment_serving_http_gets_ready_and_endpoints_restarts_when_killed_and_rolls_one_by_one(kl, processes):
    import urllib.request

    port = _free_port()
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}}
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + _web(port) + json.dumps(svc))
    clock = _Clock()

    def ready_with_restarts(n):
        def check():
            reconcile(kl, clock())
            pods = _ready_pods(kl)
            return pods if len(pods) == 1 and pods[0]["status"]["containerStatuses"][0]["restartCount"] == n else None
        return check
    first = until(ready_with_restarts(0))[0]
    ep = one(kl, "endpoints", "web")
    assert ep["subsets"][0]["addresses"][0]["ip"] == "127.0.0.1" and ep["subsets"][0]["ports"][0]["port"] == port
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).status == 200
    # Killed by hand: restarted in place, restartCount 1.
    uid = first["metadata"]["uid"]
    child = until(lambda: pid_record(processes, uid, "web").get("child"))
    os.kill(child, signal.SIGKILL)
    again = until(ready_with_restarts(1))[0]
    assert again["metadata"]["uid"] == uid
    assert again["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 137
    # A rolling update replaces the process: the old one ends before the new one serves.
    kl(["apply", "-f", "-"], stdin=_web(port, image="python:3.12"))

    def rolled():
        reconcile(kl, clock())
        pods = _ready_pods(kl)
        return pods if len(pods) == 1 and pods[0]["spec"]["containers"][0]["image"] == "python:3.12" else None
    new = until(rolled, timeout=60)[0]
    assert new["metadata"]["uid"] != uid and live(processes, {pid_record(processes, new["metadata"]["uid"], "web")["pid"]})
    until(lambda: reconcile(kl, clock()) is not None and not (processes / "pods" / uid).exists())
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).status == 200


def test_a_failing_liveness_probe_kills_the_container_and_it_restarts(kl, processes, tmp_path):
    flag = tmp_path / "healthy"
    flag.touch()
    manifest = pod("sick", ["sleep", "30"], livenessProbe={"exec": {"command": ["test", "-e", str(flag)]},
                                                            "periodSeconds": 1, "failureThreshold": 1})
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + manifest)
    settle(kl, "sick", lambda s: s.get("phase") == "Running")
    reconcile(kl, None)
    assert container(kl, "sick")["restartCount"] == 0
    flag.unlink()
    clock = _Clock()
    st = until(lambda: reconcile(kl, clock()) is not None and container(kl, "sick")["restartCount"] == 1
               and "running" in container(kl, "sick")["state"] and status_of(kl, "sick"))
    events = kl(["get", "events", "-o", "json"]).out
    assert "Liveness probe failed" in events and "failed liveness probe, will be restarted" in events
    assert st["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] in (137, 143)


def test_the_pre_stop_hook_runs_before_sigterm_and_the_pod_deadline_fails_the_pod(kl, processes, tmp_path):
    trail = tmp_path / "trail"
    script = f"trap 'echo term >> {trail}; exit 0' TERM; echo up; while :; do sleep 0.1; done"
    manifest = pod("hooked", ["sh", "-c", script], grace=5,
                   lifecycle={"preStop": {"exec": {"command": ["sh", "-c", f"echo prestop >> {trail}"]}}})
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + manifest)
    settle(kl, "hooked", lambda s: s.get("phase") == "Running")
    uid = uid_of(kl, "hooked")
    until(lambda: "up" in log_text(processes, kl, "hooked"))
    sid = pid_record(processes, uid, "c")["pid"]
    kl(["delete", "pod", "hooked"])
    until(lambda: reconcile(kl, None) is not None and not live(processes, {sid}))
    assert trail.read_text().splitlines() == ["prestop", "term"]
    # activeDeadlineSeconds: the kubelet fails the pod and ends its processes.
    timed = json.loads(pod("timed", ["sleep", "30"], "Never").split("\n---\n")[0])
    timed["spec"]["activeDeadlineSeconds"] = 5
    kl(["apply", "-f", "-"], stdin=json.dumps(timed))
    settle(kl, "timed", lambda s: s.get("phase") == "Running")
    tuid = uid_of(kl, "timed")
    tsid = until(lambda: pid_record(processes, tuid, "c")["pid"])
    st = settle(kl, "timed", lambda s: s.get("phase") == "Failed", now=later(10))
    assert st["reason"] == "DeadlineExceeded" and st["message"] == "Pod was active on the node longer than the specified deadline"
    until(lambda: reconcile(kl, None) is not None and not live(processes, {tsid}))


def test_a_jobs_active_deadline_ends_its_processes(kl, processes):
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "slow"}, "spec": {
        "activeDeadlineSeconds": 5, "template": {"spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 1,
                                                         "containers": [{"name": "c", "image": "x", "command": ["sleep", "30"]}]}}}}
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + json.dumps(job))
    until(lambda: reconcile(kl, None) is not None and live(processes))
    sids = {pid_record(processes, p.parent.parent.parent.name, "c")["pid"] for p in processes.glob("pods/*/containers/c/0.pid")}
    until(lambda: reconcile(kl, later(10)) is not None and not live(processes, sids))
    j = one(kl, "job", "slow")
    assert any(c["type"] == "Failed" and c["reason"] == "DeadlineExceeded" for c in j["status"]["conditions"])


def test_volumes_are_directories_named_by_kubelite_volume_variables(kl, processes, tmp_path):
    host = tmp_path / "host"
    host.mkdir()
    (host / "from-host").write_text("hi")
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a.conf": "one", "b.conf": "two"}}
    sec = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"}, "stringData": {"password": "s3cret"}}
    script = ('echo data > $KUBELITE_VOLUME_SCRATCH/x; ls $(KUBELITE_VOLUME_CONFIG); cat $KUBELITE_VOLUME_SECRET/password; '
              'echo; cat $KUBELITE_VOLUME_INFO/name; echo; ls $KUBELITE_VOLUME_HOST; sleep 30')
    p = json.loads(pod("vols", ["sh", "-c", script]).split("\n---\n")[0])
    p["spec"]["volumes"] = [
        {"name": "scratch", "emptyDir": {}},
        {"name": "config", "configMap": {"name": "cfg", "items": [{"key": "a.conf", "path": "app/a.conf"}]}},
        {"name": "secret", "secret": {"secretName": "sec"}},
        {"name": "info", "downwardAPI": {"items": [{"path": "name", "fieldRef": {"fieldPath": "metadata.name"}}]}},
        {"name": "host", "hostPath": {"path": str(host)}}]
    node = node_yaml("local", labels={"kubelite.io/runtime": "process"}, annotations={"kubelite.io/allow-host-path": "true"})
    kl(["apply", "-f", "-"], stdin=node + json.dumps(cm) + "\n---\n" + json.dumps(sec) + "\n---\n" + json.dumps(p))
    settle(kl, "vols", lambda s: s.get("phase") == "Running")
    uid = uid_of(kl, "vols")
    until(lambda: "from-host" in log_text(processes, kl, "vols"))
    out = [line.split(" ", 3)[3] for line in log_text(processes, kl, "vols").splitlines()]
    assert out == ["app", "s3cret", "vols", "from-host"]
    vols = processes / "pods" / uid / "volumes"
    assert (vols / "scratch" / "x").read_text() == "data\n"
    assert (vols / "secret" / "password").stat().st_mode & 0o777 == 0o600
    # A changed ConfigMap reaches the running pod's files.
    cm["data"]["a.conf"] = "uno"
    kl(["apply", "-f", "-"], stdin=json.dumps(cm))
    reconcile(kl, None)
    assert (vols / "config" / "app" / "a.conf").read_text() == "uno"
    kl(["delete", "pod", "vols"])
    until(lambda: reconcile(kl, None) is not None and not vols.exists())
    assert (host / "from-host").exists()


def test_host_paths_are_refused_on_a_node_that_does_not_allow_them(kl, processes):
    p = json.loads(pod("hp", ["true"]).split("\n---\n")[0])
    p["spec"]["volumes"] = [{"name": "h", "hostPath": {"path": "/etc"}}]
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + json.dumps(p))
    st = settle(kl, "hp", lambda s: bool(s.get("containerStatuses")))
    waiting = st["containerStatuses"][0]["state"]["waiting"]
    assert waiting["reason"] == "CreateContainerConfigError" and "kubelite.io/allow-host-path" in waiting["message"]
    assert live(processes) == []


def test_a_memory_limit_overrun_shows_oom_killed(kl, processes):
    manifest = pod("hungry", ["python3", "-c", "x = bytearray(512 * 1024 * 1024)"], "Never",
                   resources={"limits": {"memory": "128Mi"}})
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + manifest)
    st = settle(kl, "hungry", lambda s: s.get("phase") == "Failed")
    term = st["containerStatuses"][0]["state"]["terminated"]
    assert term["reason"] == "OOMKilled" and term["exitCode"] != 0


def test_run_as_user_is_applied_when_kubelite_runs_as_root_and_refused_otherwise(kl, processes, monkeypatch):
    from kubelite.controllers import _processkubelet as proc
    from kubelite.runtime.process.env import ConfigError

    ctr = {"name": "c", "securityContext": {"runAsUser": 4242}}
    monkeypatch.setattr(os, "getuid", lambda: 1000)
    try:
        proc._user({"spec": {}}, ctr)
        raise AssertionError("a non-root kubelite ran a container as another user")
    except ConfigError as e:
        assert e.reason == "CreateContainerConfigError" and "runAsUser 4242" in e.message
    monkeypatch.setattr(os, "getuid", lambda: 0)
    assert proc._user({"spec": {"securityContext": {"runAsGroup": 4343}}}, ctr) == (4242, 4343)
    monkeypatch.undo()
    if os.getuid() != 0:
        return
    manifest = pod("nobody", ["id", "-u"], "Never", securityContext={"runAsUser": 65534, "runAsGroup": 65534})
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + manifest)
    settle(kl, "nobody", lambda s: s.get("phase") in ("Succeeded", "Failed"))
    assert log_text(processes, kl, "nobody").split(" ", 3)[3] == "65534\n"


def test_a_process_node_without_capacity_gets_the_machines(kl):
    kl(["apply", "-f", "-"], stdin=json.dumps({"apiVersion": "v1", "kind": "Node", "metadata": {
        "name": "bare", "labels": {"kubelite.io/runtime": "process"}}}))
    reconcile(kl, None)
    cap = one(kl, "node", "bare")["status"]["capacity"]
    assert cap["cpu"] == str(os.cpu_count()) and cap["pods"] == "110" and cap["memory"].endswith("Ki")
    info = one(kl, "node", "bare")["status"]["nodeInfo"]
    assert info["containerRuntimeVersion"] == "kubelite://process" and info["kernelVersion"] == os.uname().release


def test_init_containers_run_to_completion_in_order_before_the_app_starts(kl, processes):
    p = json.loads(pod("staged", ["sh", "-c", "cat $KUBELITE_VOLUME_WORK/steps"], "Never").split("\n---\n")[0])
    p["spec"]["volumes"] = [{"name": "work", "emptyDir": {}}]
    p["spec"]["initContainers"] = [
        {"name": f"step{i}", "image": "x", "command": ["sh", "-c", f"echo step{i} | tee -a $KUBELITE_VOLUME_WORK/steps"]}
        for i in (1, 2)]
    kl(["apply", "-f", "-"], stdin=PROCESS_NODE + json.dumps(p))
    st = settle(kl, "staged", lambda s: s.get("phase") in ("Succeeded", "Failed"))
    assert st["phase"] == "Succeeded"
    assert [c["state"]["terminated"]["reason"] for c in st["initContainerStatuses"]] == ["Completed", "Completed"]
    assert [line.split(" ", 3)[3] for line in log_text(processes, kl, "staged").splitlines()] == ["step1", "step2"]
    assert kl(["logs", "staged", "-c", "step2"]).out == "step2\n"
