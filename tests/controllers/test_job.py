"""Job: completion modes, Indexed Jobs, back-off, deadlines, suspend, TTL and exact counting,
through the real CLI with KUBELITE_NOW stepped; the pure parts as table tests."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kubelite.api.defaults import job_generated_selector
from kubelite.controllers import job as jc
from tests.conftest import load_yaml, run_kubelite
from tests.controllers.helpers import at, cond, node_yaml

STRICT = {"KUBELITE_STRICT": "1"}


def job_yaml(name: str, *, completions: int | None = None, parallelism: int | None = None, restart: str = "Never",
             annotations: dict | None = None, **spec) -> str:
    tmpl = {"spec": {"restartPolicy": restart, "containers": [{"name": "work", "image": "busybox:1.36"}]}}
    if annotations:
        tmpl["metadata"] = {"annotations": annotations}
    s = {"template": tmpl, **spec}
    if completions is not None:
        s["completions"] = completions
    if parallelism is not None:
        s["parallelism"] = parallelism
    return json.dumps({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name}, "spec": s}) + "\n---\n"


def stored(state: Path, plural: str, ns: str = "default") -> dict[str, dict]:
    """The objects of a kind as the store holds them right now (read without a subprocess)."""
    d = state / "registry" / plural / ns
    return {p.stem: load_yaml(p.read_text()) for p in sorted(d.glob("*.yaml"))} if d.is_dir() else {}


def owned_pods(state: Path, job: str) -> list[dict]:
    return [p for p in stored(state, "pods").values() if p["metadata"].get("labels", {}).get("batch.kubernetes.io/job-name") == job]


def active(pods: list[dict]) -> list[dict]:
    return [p for p in pods if p.get("status", {}).get("phase") not in ("Succeeded", "Failed") and not p["metadata"].get("deletionTimestamp")]


def events(state: Path, name: str) -> list[tuple[str, str, str]]:
    return sorted((e["type"], e["reason"], e["message"]) for e in stored(state, "events").values()
                  if e["involvedObject"]["name"] == name and e["involvedObject"]["kind"] == "Job")


class Scenario:
    def __init__(self, state: Path):
        self.state = state

    def __call__(self, args, now: str | None = None, stdin: str | None = None):
        return run_kubelite(args, state=self.state, now=now, stdin=stdin, env=STRICT)

    def reconcile(self, now: str, *extra: str) -> str:
        r = self(["reconcile", *extra], now=now)
        assert r.rc == 0, r.out + r.err
        return r.out


# -- the completion modes, side by side in one cluster ----------------------------------------

MODES = (job_yaml("pi", completions=5, parallelism=2)
         + job_yaml("bad", backoffLimit=2, annotations={"sim.kubelite.io/exit-code": "1"})
         + job_yaml("idx", completions=4, parallelism=2, completionMode="Indexed")
         + job_yaml("queue", parallelism=2, annotations={"sim.kubelite.io/duration": "150s"}))


@pytest.fixture(scope="module")
def modes(tmp_path_factory):
    """Four Jobs stepped a minute a pass until all have finished; what each pass left behind."""
    k = Scenario(tmp_path_factory.mktemp("modes") / "state")
    assert k(["apply", "-f", "-"], now=at(0), stdin=node_yaml("n1") + MODES).rc == 0
    history = []
    for i in range(1, 16):
        out = k.reconcile(at(60 * i))
        if i == 1:
            # One work-queue pod finishes early: the queue is done, its other worker is not.
            first = sorted(p["metadata"]["name"] for p in owned_pods(k.state, "queue"))[0]
            assert k(["annotate", "pod", first, "sim.kubelite.io/duration=1s", "--overwrite"], now=at(60)).rc == 0
        jobs = stored(k.state, "jobs")
        history.append({"out": out, "jobs": jobs, "pods": {j: owned_pods(k.state, j) for j in jobs}})
        if all(jc.finished_condition(j) for j in jobs.values()):
            break
    return k, history


def test_completions_5_parallelism_2_never_runs_more_than_2_and_completes_with_5(modes):
    k, history = modes
    for n, h in enumerate(history, 1):
        assert len(active(h["pods"]["pi"])) <= 2, f"pass {n}: {len(active(h['pods']['pi']))} active pods"
    assert max(len(active(h["pods"]["pi"])) for h in history) == 2
    pi = history[-1]["jobs"]["pi"]
    st = pi["status"]
    assert st["succeeded"] == 5 and "failed" not in st and "active" not in st
    assert cond(pi, "Complete")["status"] == "True" and cond(pi, "Complete")["reason"] == "CompletionsReached"
    assert cond(pi, "SuccessCriteriaMet")["status"] == "True"
    assert st["completionTime"] >= st["startTime"] and st["uncountedTerminatedPods"] == {}
    pods = history[-1]["pods"]["pi"]
    assert len(pods) == 5 and all(p["status"]["phase"] == "Succeeded" for p in pods)
    assert all(p["metadata"]["name"].startswith("pi-") and len(p["metadata"]["name"]) == len("pi-") + 5 for p in pods)
    assert not any(p["metadata"].get("finalizers") for p in pods), "counted pods lose the tracking finalizer"
    evs = events(k.state, "pi")
    assert sum(1 for e in evs if e[1] == "SuccessfulCreate") == 5
    assert ("Normal", "Completed", "Job completed") in evs


def test_the_selector_and_pod_labels_are_generated_as_upstream(modes):
    k, history = modes
    pi = history[-1]["jobs"]["pi"]
    uid = pi["metadata"]["uid"]
    assert pi["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    want = {"batch.kubernetes.io/job-name": "pi", "job-name": "pi", "batch.kubernetes.io/controller-uid": uid, "controller-uid": uid}
    assert pi["spec"]["template"]["metadata"]["labels"] == want
    assert pi["metadata"]["labels"] == want  # a Job without labels takes its template's
    for p in history[-1]["pods"]["pi"]:
        assert want.items() <= p["metadata"]["labels"].items()
        ref = p["metadata"]["ownerReferences"][0]
        assert (ref["kind"], ref["name"], ref["uid"], ref["controller"], ref["blockOwnerDeletion"]) == ("Job", "pi", uid, True, True)
    r = k(["get", "pods", "-l", f"controller-uid={uid}", "-o", "name"])
    assert len(r.out.split()) == 5


def test_a_failing_job_fails_after_backoff_limit_plus_one_failures(modes):
    k, history = modes
    bad = history[-1]["jobs"]["bad"]
    assert bad["status"]["failed"] == 3 and "succeeded" not in bad["status"]
    failed = cond(bad, "Failed")
    assert failed["status"] == "True" and failed["reason"] == "BackoffLimitExceeded"
    assert failed["message"] == "Job has reached the specified backoff limit"
    assert cond(bad, "FailureTarget")["reason"] == "BackoffLimitExceeded"
    assert "completionTime" not in bad["status"]
    pods = history[-1]["pods"]["bad"]
    assert len(pods) == 3 and all(p["status"]["phase"] == "Failed" for p in pods)
    # Never more than one at a time, and none after the third failure.
    assert all(len(active(h["pods"]["bad"])) <= 1 for h in history)
    assert ("Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit") in events(k.state, "bad")


def test_an_indexed_job_runs_the_lowest_indexes_first_and_reports_completed_indexes(modes):
    k, history = modes
    first = history[0]["pods"]["idx"]
    assert sorted(p["metadata"]["annotations"][jc.INDEX] for p in first) == ["0", "1"]
    idx = history[-1]["jobs"]["idx"]
    assert idx["status"]["completedIndexes"] == "0-3" and idx["status"]["succeeded"] == 4
    assert cond(idx, "Complete")["status"] == "True"
    for p in history[-1]["pods"]["idx"]:
        i = p["metadata"]["annotations"][jc.INDEX]
        assert p["metadata"]["labels"][jc.INDEX] == i
        assert p["metadata"]["name"].startswith(f"idx-{i}-")
        assert p["spec"]["hostname"] == f"idx-{i}"
        env = p["spec"]["containers"][0]["env"]
        assert {"name": "JOB_COMPLETION_INDEX",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": f"metadata.labels['{jc.INDEX}']"}}} in env
    assert sorted(p["metadata"]["annotations"][jc.INDEX] for p in history[-1]["pods"]["idx"]) == ["0", "1", "2", "3"]
    # Mid-run, completedIndexes grows with the succeeded indexes.
    assert [h["jobs"]["idx"]["status"].get("completedIndexes") for h in history[:3]] == [None, None, "0,1"]


def test_a_work_queue_starts_no_new_pod_after_a_success_and_completes_when_none_is_active(modes):
    k, history = modes
    seen = [(h["jobs"]["queue"]["status"].get("succeeded", 0), len(active(h["pods"]["queue"])), len(h["pods"]["queue"]),
             jc.finished_condition(h["jobs"]["queue"]) is not None) for h in history]
    # One pod succeeded while the other still runs: no replacement, not complete yet.
    assert (1, 1, 2, False) in seen
    assert all(total <= 2 for _, _, total, _ in seen)
    queue = history[-1]["jobs"]["queue"]
    assert queue["status"]["succeeded"] == 2 and cond(queue, "Complete")["status"] == "True"


def test_get_jobs_shows_status_completions_duration_and_age(modes):
    k, history = modes
    r = k(["get", "jobs"], now=at(60 * len(history)))
    rows = {line.split()[0]: line.split()[1:] for line in r.out.splitlines()[1:]}
    assert r.out.splitlines()[0].split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert rows["pi"][:2] == ["Complete", "5/5"]
    assert rows["bad"][:2] == ["Failed", "0/1"]
    assert rows["idx"][:2] == ["Complete", "4/4"]
    assert rows["queue"][:4] == ["Complete", "2/1", "of", "2"]  # a work queue of 2
    pi = history[-1]["jobs"]["pi"]["status"]
    took = (dt.datetime.fromisoformat(pi["completionTime"].replace("Z", "+00:00")) - dt.datetime.fromisoformat(pi["startTime"].replace("Z", "+00:00")))
    assert rows["pi"][2] == f"{int(took.total_seconds()) // 60}m"


# -- the rest of a Job's life, again side by side --------------------------------------------

LIFE = (job_yaml("flaky", restart="OnFailure", backoffLimit=2, annotations={"sim.kubelite.io/exit-code": "1"})
        + job_yaml("slow", activeDeadlineSeconds=60, annotations={"sim.kubelite.io/duration": "10m"})
        + job_yaml("paused", completions=2, parallelism=2, suspend=True)
        + job_yaml("long", completions=2, parallelism=2, annotations={"sim.kubelite.io/duration": "10m"})
        + job_yaml("brief", ttlSecondsAfterFinished=60)
        + job_yaml("victim", annotations={"sim.kubelite.io/duration": "10m"}))
LIVES = ("flaky", "slow", "paused", "long", "brief", "victim")


@pytest.fixture(scope="module")
def life(tmp_path_factory):
    """Six Jobs over five passes a minute apart; after pass 1 a pod of `victim` is deleted by
    hand and `long` is suspended, after pass 2 `paused` is resumed."""
    k = Scenario(tmp_path_factory.mktemp("life") / "state")
    assert k(["apply", "-f", "-"], now=at(0), stdin=node_yaml("n1") + LIFE).rc == 0
    seen: dict = {}
    for i in range(1, 6):
        seen[f"out{i}"] = k.reconcile(at(60 * i))
        seen[i] = {"jobs": stored(k.state, "jobs"), "pods": {j: owned_pods(k.state, j) for j in LIVES}}
        if i == 1:
            victim = seen[1]["pods"]["victim"][0]["metadata"]["name"]
            r = k(["delete", "pod", victim], now=at(70))
            assert r.rc == 0, r.err
            seen["deleted"] = victim
            seen["after-delete"] = owned_pods(k.state, "victim")
            assert k(["patch", "job", "long", "-p", '{"spec":{"suspend":true}}'], now=at(90)).rc == 0
        if i == 2:
            assert k(["patch", "job", "paused", "-p", '{"spec":{"suspend":false}}'], now=at(150)).rc == 0
    seen["get"] = k(["get", "jobs"], now=at(300)).out
    # Converged at 300 s (what still runs runs for minutes): a second pass writes nothing.
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in k.state.rglob("*.yaml")}
    seen["again"] = k(["reconcile", "-o", "json"], now=at(300))
    seen["same"] = before == {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in k.state.rglob("*.yaml")}
    return k, seen


def test_with_restart_policy_on_failure_container_restarts_count_against_the_backoff_limit(life):
    k, seen = life
    restarts = [sum(c.get("restartCount", 0) for c in p.get("status", {}).get("containerStatuses", []))
                for n in range(1, 5) for p in seen[n]["pods"]["flaky"]]
    assert max(restarts) == 2 and cond(seen[4]["jobs"]["flaky"], "Failed") == {}
    flaky = seen[5]["jobs"]["flaky"]
    assert cond(flaky, "Failed")["reason"] == "BackoffLimitExceeded"
    assert flaky["status"]["failed"] == 1  # the one pod, restarted twice, then deleted
    assert seen[5]["pods"]["flaky"] == []


def test_active_deadline_seconds_fails_the_job_and_deletes_its_pods(life):
    k, seen = life
    assert cond(seen[1]["jobs"]["slow"], "Failed") == {}
    slow = seen[2]["jobs"]["slow"]
    failed = cond(slow, "Failed")
    assert (failed["reason"], failed["message"]) == ("DeadlineExceeded", "Job was active longer than specified deadline")
    assert seen[2]["pods"]["slow"] == [] and slow["status"]["failed"] == 1
    assert ("Warning", "DeadlineExceeded", "Job was active longer than specified deadline") in events(k.state, "slow")
    assert ("Normal", "SuccessfulDelete", f"Deleted pod: {seen[1]['pods']['slow'][0]['metadata']['name']}") in events(k.state, "slow")


def test_a_suspended_job_runs_nothing_until_resumed_and_resuming_resets_start_time(life):
    k, seen = life
    paused = seen[1]["jobs"]["paused"]
    assert seen[1]["pods"]["paused"] == [] and "startTime" not in paused["status"]
    assert (cond(paused, "Suspended")["status"], cond(paused, "Suspended")["reason"]) == ("True", "JobSuspended")
    resumed = seen[3]["jobs"]["paused"]
    assert (cond(resumed, "Suspended")["status"], cond(resumed, "Suspended")["reason"]) == ("False", "JobResumed")
    assert resumed["status"]["startTime"] == at(180) and len(seen[3]["pods"]["paused"]) == 2
    assert cond(seen[5]["jobs"]["paused"], "Complete")["status"] == "True"
    evs = events(k.state, "paused")
    assert ("Normal", "Suspended", "Job suspended") in evs and ("Normal", "Resumed", "Job resumed") in evs


def test_suspending_a_running_job_deletes_its_pods_without_counting_them(life):
    k, seen = life
    assert len(active(seen[1]["pods"]["long"])) == 2
    assert seen["out2"].count("job.batch/long: deleted pod") == 2 and "job.batch/long: suspended" in seen["out2"]
    j = seen[2]["jobs"]["long"]
    assert seen[2]["pods"]["long"] == [] and "failed" not in j["status"] and "active" not in j["status"]
    assert cond(j, "Suspended")["status"] == "True"
    rows = {line.split()[0]: line.split()[1:] for line in seen["get"].splitlines()[1:]}
    assert rows["long"][:2] == ["Suspended", "0/2"]


def test_ttl_seconds_after_finished_deletes_the_job_and_its_pods(life):
    k, seen = life
    done = next(n for n in range(1, 6) if jc.finished_condition(seen[n]["jobs"]["brief"]))
    assert done == 3 and seen[3]["jobs"]["brief"]["status"]["succeeded"] == 1
    assert "brief" not in seen[4]["jobs"] and seen[4]["pods"]["brief"] == []  # one minute later
    assert "job.batch/brief: deleted (60s after it finished)" in seen["out4"]


def test_a_pod_deleted_by_hand_is_counted_as_failed_before_it_goes_and_is_replaced(life):
    k, seen = life
    victim = seen["deleted"]
    doomed = [p for p in seen["after-delete"] if p["metadata"]["name"] == victim][0]
    assert doomed["metadata"]["deletionTimestamp"] and jc.TRACKING in doomed["metadata"]["finalizers"]
    after = seen[2]
    names = [p["metadata"]["name"] for p in after["pods"]["victim"]]
    assert victim not in names and len(names) == 1
    assert after["jobs"]["victim"]["status"]["failed"] == 1 and after["jobs"]["victim"]["status"]["active"] == 1


# -- exactly-once counting and idempotence -----------------------------------------------------

def test_an_interrupted_count_is_finished_once_and_never_doubled(tmp_path, api):
    """Recreate the two states a crash can leave mid-count, one pod each: recorded in
    uncountedTerminatedPods with its finalizer still on, and recorded with the finalizer
    already gone but not yet in the counters. The next pass counts each exactly once."""
    from kubelite.api import kinds

    state = tmp_path / "state"
    k = Scenario(state)
    assert k(["apply", "-f", "-"], now=at(0), stdin=node_yaml("n1") + job_yaml("count", completions=3, parallelism=2)).rc == 0
    k.reconcile(at(60))
    k.reconcile(at(120))
    done = sorted(owned_pods(state, "count"), key=lambda p: p["metadata"]["name"])
    assert [p["status"]["phase"] for p in done] == ["Succeeded", "Succeeded"] and "succeeded" not in stored(state, "jobs")["count"]["status"]
    pk, jk = kinds.by_kind("Pod"), kinds.by_kind("Job")
    p2 = api.get(pk, "default", done[1]["metadata"]["name"])
    del p2["metadata"]["finalizers"]
    api.update(p2, prepared=pk)
    j = api.get(jk, "default", "count")
    j["status"]["uncountedTerminatedPods"] = {"succeeded": [p["metadata"]["uid"] for p in done]}
    api.update(j, prepared=jk)
    k.reconcile(at(180))
    j = stored(state, "jobs")["count"]
    assert j["status"]["succeeded"] == 2 and j["status"]["uncountedTerminatedPods"] == {}
    assert not any(p["metadata"].get("finalizers") for p in owned_pods(state, "count") if p["status"].get("phase") == "Succeeded")
    assert j["status"]["active"] == 1  # the third completion is under way


def test_a_second_reconcile_at_a_fixed_time_writes_nothing(life):
    k, seen = life
    assert seen[5]["jobs"]["victim"]["status"]["active"] == 1 and seen[5]["jobs"]["victim"]["status"]["ready"] == 1
    assert seen["again"].rc == 0 and json.loads(seen["again"].out)["writes"] == 0
    assert seen["same"], "a file changed"


def test_a_finished_job_is_left_alone(modes):
    k, history = modes
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in k.state.rglob("*.yaml")}
    r = k(["reconcile", "-o", "json"], now=at(60 * len(history)))
    assert r.rc == 0 and json.loads(r.out)["writes"] == 0
    assert before == {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in k.state.rglob("*.yaml")}


# -- pure parts ----------------------------------------------------------------------------------

def _pod(name, phase="Running", node="n1", ready=True, created="2026-01-01T00:00:00Z", restarts=0, index=None,
         finished=None, deleted=None):
    p = {"metadata": {"name": name, "creationTimestamp": created, "annotations": {}, "uid": name},
         "spec": {"nodeName": node} if node else {},
         "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                                    "lastTransitionTime": created}],
                    "containerStatuses": [{"restartCount": restarts}]}}
    if index is not None:
        p["metadata"]["annotations"][jc.INDEX] = str(index)
    if finished:
        p["status"]["containerStatuses"][0]["state"] = {"terminated": {"finishedAt": finished}}
    if deleted:
        p["metadata"]["deletionTimestamp"] = deleted
    return p


def test_removal_prefers_unscheduled_pending_unready_and_newer_pods():
    pods = [_pod("old-ready"), _pod("new-ready", created="2026-01-02T00:00:00Z"), _pod("unready", ready=False),
            _pod("pending", phase="Pending", ready=False), _pod("unbound", node=None, phase="Pending", ready=False)]
    order = [p["metadata"]["name"] for p in jc.pods_for_removal(pods, 5, None, False)]
    assert order == ["unbound", "pending", "unready", "new-ready", "old-ready"]


def test_indexed_removal_takes_repeated_and_out_of_range_indexes_first():
    pods = [_pod("a", index=0), _pod("b", index=0, created="2026-01-02T00:00:00Z"), _pod("c", index=7), _pod("d", index=1)]
    got = [p["metadata"]["name"] for p in jc.pods_for_removal(pods, 0, 4, True)]
    assert sorted(got) == ["b", "c"]


@pytest.mark.parametrize("failures, since_last, wait", [
    (0, 0, 0),
    (1, 5, 5),        # 10 s after the first failure
    (1, 30, 0),
    (2, 11, 9),       # 20 s after the second
    (3, 2, 38),       # 40 s after the third
    (12, 11, 349),    # never more than 6 min
])
def test_failed_pods_are_replaced_after_an_exponential_back_off(failures, since_last, wait):
    base = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    pods = [_pod(f"f{i}", phase="Failed", finished=(base + dt.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"))
            for i in range(failures)]
    now = base + dt.timedelta(seconds=max(failures - 1, 0) + since_last)
    assert jc.creation_backoff(pods, now) == wait


def test_a_success_resets_the_back_off():
    pods = [_pod("f", phase="Failed", finished="2026-01-01T00:00:00Z"),
            _pod("s", phase="Succeeded", finished="2026-01-01T00:00:01Z")]
    assert jc.creation_backoff(pods, dt.datetime(2026, 1, 1, 0, 0, 2, tzinfo=dt.timezone.utc)) == 0


@pytest.mark.parametrize("policy, limit, restarts, past", [
    ("OnFailure", 2, [1], False), ("OnFailure", 2, [1, 1], True), ("OnFailure", 0, [1], True),
    ("OnFailure", 0, [0], False), ("Never", 1, [5], False),
])
def test_on_failure_restarts_count_against_the_backoff_limit(policy, limit, restarts, past):
    spec = {"backoffLimit": limit, "template": {"spec": {"restartPolicy": policy}}}
    pods = [_pod(f"p{i}", restarts=r) for i, r in enumerate(restarts)]
    assert jc.past_backoff_limit_on_failure(spec, pods) is past


def test_deleted_pods_count_as_failed_but_not_once_they_succeeded():
    assert jc.is_failed(_pod("a", deleted="2026-01-01T00:00:00Z"))
    assert not jc.is_failed(_pod("b", phase="Succeeded", deleted="2026-01-01T00:00:00Z"))
    assert jc.is_failed(_pod("c", phase="Failed"))


@pytest.mark.parametrize("name, index, prefix", [
    ("pi", None, "pi-"), ("pi", 3, "pi-3-"), ("x" * 70, None, "x" * 58), ("x" * 70, 12, "x" * 54 + "-12-"),
])
def test_pod_generate_names(name, index, prefix):
    assert jc.generate_name(name, index) == prefix


def test_generated_selector_keeps_user_labels_and_is_idempotent():
    job = {"metadata": {"name": "j", "uid": "u1"},
           "spec": {"template": {"metadata": {"labels": {"app": "x", "job-name": "mine"}}, "spec": {}}}}
    spec = job_generated_selector(job)
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": "u1"}}
    assert spec["template"]["metadata"]["labels"] == {"app": "x", "job-name": "mine", "batch.kubernetes.io/job-name": "j",
                                                      "controller-uid": "u1", "batch.kubernetes.io/controller-uid": "u1"}
    assert job_generated_selector({**job, "spec": spec}) == spec
    manual = {"metadata": job["metadata"], "spec": {"manualSelector": True, "selector": {"matchLabels": {"app": "x"}}}}
    assert job_generated_selector(manual) == manual["spec"]


def test_status_is_shaped_as_upstream_serializes_it():
    assert jc.shape_status({"active": 0, "succeeded": 3, "failed": 0, "conditions": [], "completedIndexes": "",
                            "uncountedTerminatedPods": {"succeeded": [], "failed": ["u"]}}) == \
        {"succeeded": 3, "ready": 0, "terminating": 0, "uncountedTerminatedPods": {"failed": ["u"]}}



def test_the_selector_is_generated_when_the_job_is_created_not_on_its_first_sync(kl, state):
    r = kl(["apply", "-f", "-"], stdin=node_yaml("n1") + job_yaml("now", completions=1), now=at(0))
    assert r.rc == 0, r.err
    job = stored(state, "jobs")["now"]
    uid = job["metadata"]["uid"]
    assert job["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert job["spec"]["template"]["metadata"]["labels"]["controller-uid"] == uid
    assert job["metadata"]["generation"] == 1
    kl(["reconcile"], now=at(0))
    assert stored(state, "jobs")["now"]["metadata"]["generation"] == 1  # the controller had nothing to add
    assert kl(["apply", "-f", "-"], stdin=job_yaml("now", completions=1), now=at(0)).out.strip() == "job.batch/now unchanged"
