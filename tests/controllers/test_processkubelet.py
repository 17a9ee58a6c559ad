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
