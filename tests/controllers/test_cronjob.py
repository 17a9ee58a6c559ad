"""CronJob through the real CLI with KUBELITE_NOW stepped: one Job per due time, missed
runs, startingDeadlineSeconds, time zones, concurrency policies, history limits, and a
pass retried after its status write was lost."""
from __future__ import annotations

import json

import pytest

from kubelite.controllers import cronjob as cc
from tests.controllers.helpers import T0, at, node_yaml
from tests.controllers.test_job import Scenario, stored

MINUTE = 60


def cronjob_yaml(name: str, schedule: str, *, annotations: dict | None = None, job_spec: dict | None = None, **spec) -> str:
    tmpl = {"spec": {"restartPolicy": "Never", "containers": [{"name": "tick", "image": "busybox:1.36"}]}}
    if annotations:
        tmpl["metadata"] = {"annotations": annotations}
    doc = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
           "spec": {"schedule": schedule, "jobTemplate": {"metadata": {"labels": {"cron": name}},
                                                          "spec": {"template": tmpl, **(job_spec or {})}}, **spec}}
    return json.dumps(doc) + "\n---\n"


def jobs_of(state, cj: str) -> dict[str, dict]:
    return {n: j for n, j in stored(state, "jobs").items() if j["metadata"].get("labels", {}).get("cron") == cj}


def job_for(cj: str, seconds: int) -> str:
    """The Job name for a run scheduled `seconds` after T0."""
    return f"{cj}-{(int(T0.timestamp()) + seconds) // 60}"


def cj_events(state, name: str) -> dict[tuple[str, str], int]:
    return {(e["reason"], e["message"]): e.get("count", 1) for e in stored(state, "events").values()
            if e["involvedObject"]["kind"] == "CronJob" and e["involvedObject"]["name"] == name}


# -- stepping over schedules ---------------------------------------------------------------------

SCHEDULES = (cronjob_yaml("tick", "*/5 * * * *", successfulJobsHistoryLimit=1)
             + cronjob_yaml("late", "4 12 * * *", startingDeadlineSeconds=30)
             + cronjob_yaml("zoned", "5 21 * * *", timeZone="Asia/Tokyo")       # 21:05 in Tokyo is 12:05 UTC
             + cronjob_yaml("off", "*/5 * * * *", suspend=True))


@pytest.fixture(scope="module")
def stepped(tmp_path_factory):
    """Created at 12:00:30; reconciled at 12:03, twice at 12:05, at 12:10, then not until 12:31,
    when it is also run until stable."""
    k = Scenario(tmp_path_factory.mktemp("cron") / "state")
    assert k(["apply", "-f", "-"], now=at(30), stdin=node_yaml("n1") + SCHEDULES).rc == 0
    seen = {}
    for label, t, extra in (("12:03", 3, ()), ("12:05", 5, ()), ("12:05 again", 5, ()), ("12:10", 10, ()), ("12:31", 31, ()),
                            ("12:31 settled", 31, ("--until-stable",))):
        out = k.reconcile(at(t * MINUTE), *extra)
        seen[label] = {"out": out, "jobs": stored(k.state, "jobs"), "cronjobs": stored(k.state, "cronjobs"),
                       "events": {n: cj_events(k.state, n) for n in ("tick", "late", "zoned", "off")}}
    return k, seen


def test_a_new_cronjob_first_runs_at_the_first_scheduled_time_after_its_creation(stepped):
    k, seen = stepped
    assert jobs_of_snapshot(seen["12:03"], "tick") == []
    assert jobs_of_snapshot(seen["12:05"], "tick") == [job_for("tick", 300)]
    assert f"cronjob.batch/tick: created job {job_for('tick', 300)} for 2026-03-01T12:05:00Z" in seen["12:05"]["out"]


def test_reconciling_twice_at_the_same_instant_starts_each_run_once(stepped):
    k, seen = stepped
    assert jobs_of_snapshot(seen["12:05 again"], "tick") == [job_for("tick", 300)]
    assert "created job" not in seen["12:05 again"]["out"]
    assert jobs_of_snapshot(seen["12:10"], "tick") == [job_for("tick", 300), job_for("tick", 600)]
    assert seen["12:05 again"]["events"]["tick"][("SuccessfulCreate", f"Created job {job_for('tick', 300)}")] == 1


def test_only_the_most_recent_missed_run_starts(stepped):
    k, seen = stepped
    # 12:15 .. 12:25 were missed while nothing ran: only 12:30 starts.
    assert jobs_of_snapshot(seen["12:31"], "tick") == [job_for("tick", 300), job_for("tick", 600), job_for("tick", 1800)]
    st = seen["12:31"]["cronjobs"]["tick"]["status"]
    assert st["lastScheduleTime"] == at(1800)
    assert [a["name"] for a in st["active"]] == [job_for("tick", 600), job_for("tick", 1800)]
    active = st["active"][1]
    assert (active["apiVersion"], active["kind"], active["namespace"]) == ("batch/v1", "Job", "default")
    assert active["uid"] == seen["12:31"]["jobs"][job_for("tick", 1800)]["metadata"]["uid"]
    assert seen["12:31"]["events"]["tick"][("SawCompletedJob", f"Saw completed job: {job_for('tick', 300)}, condition: Complete")] == 1


def test_successful_jobs_history_limit_keeps_the_newest(stepped):
    k, seen = stepped
    assert jobs_of_snapshot(seen["12:31 settled"], "tick") == [job_for("tick", 1800)]
    ev = seen["12:31 settled"]["events"]["tick"]
    assert ev[("SuccessfulDelete", f"Deleted job {job_for('tick', 300)}")] == 1
    assert ev[("SuccessfulDelete", f"Deleted job {job_for('tick', 600)}")] == 1
    st = seen["12:31 settled"]["cronjobs"]["tick"]["status"]
    assert "active" not in st and st["lastSuccessfulTime"] == at(31 * MINUTE)
    assert not any(p["metadata"]["name"].startswith(job_for("tick", 300)) for p in stored(k.state, "pods").values())


def test_jobs_carry_the_scheduled_time_labels_and_owner(stepped):
    k, seen = stepped
    j = seen["12:05"]["jobs"][job_for("tick", 300)]
    assert j["metadata"]["annotations"][cc.SCHEDULED_AT] == "2026-03-01T12:05:00Z"
    assert j["metadata"]["labels"]["cron"] == "tick"
    ref = j["metadata"]["ownerReferences"][0]
    assert (ref["kind"], ref["name"], ref["controller"]) == ("CronJob", "tick", True)


def test_the_schedule_is_read_in_the_time_zone(stepped):
    k, seen = stepped
    assert jobs_of_snapshot(seen["12:03"], "zoned") == []
    [name] = jobs_of_snapshot(seen["12:05"], "zoned")
    assert name == job_for("zoned", 300)
    assert seen["12:05"]["jobs"][name]["metadata"]["annotations"][cc.SCHEDULED_AT] == "2026-03-01T21:05:00+09:00"


def test_a_run_later_than_starting_deadline_seconds_is_skipped_with_an_event(stepped):
    k, seen = stepped
    # Due 12:04, first seen at 12:05: 60 s late with a 30 s deadline.
    assert jobs_of_snapshot(seen["12:31"], "late") == []
    miss = ("MissSchedule", "Missed scheduled time to start a job: Sun, 01 Mar 2026 12:04:00 +0000")
    assert seen["12:05"]["events"]["late"][miss] == 1
    assert seen["12:31"]["events"]["late"][miss] == 1, "reported once, not on every pass"
    assert "lastScheduleTime" not in (seen["12:31"]["cronjobs"]["late"].get("status") or {})


def test_a_suspended_cronjob_starts_nothing(stepped):
    k, seen = stepped
    assert jobs_of_snapshot(seen["12:31"], "off") == [] and seen["12:31"]["events"]["off"] == {}


def test_get_cronjobs_columns(stepped):
    k, seen = stepped
    r = k(["get", "cronjobs"], now=at(32 * MINUTE))
    lines = r.out.splitlines()
    assert lines[0].split() == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST", "SCHEDULE", "AGE"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["tick"] == ["tick", "*/5", "*", "*", "*", "*", "<none>", "False", "0", "2m", "31m"]
    assert rows["zoned"][6:8] == ["Asia/Tokyo", "False"]
    assert rows["off"][7:10] == ["True", "0", "<none>"]


def test_a_converged_store_is_not_written_again_at_the_same_time(stepped):
    k, seen = stepped
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in k.state.rglob("*.yaml")}
    r = k(["reconcile", "-o", "json"], now=at(31 * MINUTE))
    assert r.rc == 0 and json.loads(r.out)["writes"] == 0
    assert before == {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in k.state.rglob("*.yaml")}


def jobs_of_snapshot(snap: dict, cj: str) -> list[str]:
    return sorted(n for n, j in snap["jobs"].items() if j["metadata"].get("labels", {}).get("cron") == cj)


# -- concurrency policies ------------------------------------------------------------------------

LONG = {"sim.kubelite.io/duration": "20m"}
POLICIES = (cronjob_yaml("allow", "*/5 * * * *", annotations=LONG)
            + cronjob_yaml("forbid", "*/5 * * * *", annotations=LONG, concurrencyPolicy="Forbid")
            + cronjob_yaml("replace", "*/5 * * * *", annotations=LONG, concurrencyPolicy="Replace"))


def test_concurrency_policies_allow_forbid_and_replace(tmp_path):
    k = Scenario(tmp_path / "state")
    assert k(["apply", "-f", "-"], now=at(30), stdin=node_yaml("n1") + POLICIES).rc == 0
    k.reconcile(at(5 * MINUTE))
    first = {cj: sorted(jobs_of(k.state, cj)) for cj in ("allow", "forbid", "replace")}
    assert all(len(v) == 1 for v in first.values())
    k.reconcile(at(10 * MINUTE))
    k.reconcile(at(10 * MINUTE))  # a second pass at the same instant changes nothing
    now = {cj: sorted(jobs_of(k.state, cj)) for cj in ("allow", "forbid", "replace")}
    assert now["allow"] == [job_for("allow", 300), job_for("allow", 600)]
    assert now["forbid"] == [job_for("forbid", 300)]
    assert now["replace"] == [job_for("replace", 600)]
    cjs = stored(k.state, "cronjobs")
    assert [a["name"] for a in cjs["allow"]["status"]["active"]] == now["allow"]
    assert [a["name"] for a in cjs["forbid"]["status"]["active"]] == [job_for("forbid", 300)]
    assert cjs["forbid"]["status"]["lastScheduleTime"] == at(300), "a skipped run is not recorded as scheduled"
    assert [a["name"] for a in cjs["replace"]["status"]["active"]] == [job_for("replace", 600)]
    held = ("JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid")
    assert cj_events(k.state, "forbid")[held] == 1
    assert cj_events(k.state, "replace")[("SuccessfulDelete", f"Deleted job {job_for('replace', 300)}")] == 1
    assert not any(p["metadata"]["name"].startswith(job_for("replace", 300)) for p in stored(k.state, "pods").values()), \
        "the replaced Job's pods went with it"
    k.reconcile(at(15 * MINUTE))
    assert cj_events(k.state, "forbid")[held] == 2, "reported again at the next due time"
    assert sorted(jobs_of(k.state, "forbid")) == [job_for("forbid", 300)]


# -- failures, history and a lost status write -------------------------------------------------

def test_failed_history_limit_and_a_retried_pass_that_lost_its_status(tmp_path, api):
    from kubelite.api import kinds

    k = Scenario(tmp_path / "state")
    crashy = cronjob_yaml("crashy", "* * * * *", annotations={"sim.kubelite.io/exit-code": "1"},
                          job_spec={"backoffLimit": 0}, failedJobsHistoryLimit=1)
    assert k(["apply", "-f", "-"], now=at(30), stdin=node_yaml("n1") + crashy).rc == 0
    k.reconcile(at(MINUTE))
    assert sorted(jobs_of(k.state, "crashy")) == [job_for("crashy", 60)]

    # The pass "crashed" after creating its Job, before its status write: wipe the status.
    ck = kinds.by_kind("CronJob")
    cj = api.get(ck, "default", "crashy")
    cj["status"] = {}
    api.update(cj, prepared=ck)
    k.reconcile(at(MINUTE))
    assert sorted(jobs_of(k.state, "crashy")) == [job_for("crashy", 60)], "the same run is never started twice"
    st = stored(k.state, "cronjobs")["crashy"]["status"]
    assert st["lastScheduleTime"] == at(60) and [a["name"] for a in st["active"]] == [job_for("crashy", 60)]
    assert cj_events(k.state, "crashy")[("SuccessfulCreate", f"Created job {job_for('crashy', 60)}")] == 1

    for m in (2, 3, 4):
        k.reconcile(at(m * MINUTE))
    assert len(jobs_of(k.state, "crashy")) == 4
    k.reconcile(at(5 * MINUTE), "--until-stable")
    # Every run failed; only the newest failed Job is kept.
    [(name, job)] = jobs_of(k.state, "crashy").items()
    assert name == job_for("crashy", 300)
    assert [c["reason"] for c in job["status"]["conditions"] if c["type"] == "Failed"] == ["BackoffLimitExceeded"]
    ev = cj_events(k.state, "crashy")
    for m in (1, 2, 3, 4):
        assert ev[("SuccessfulDelete", f"Deleted job {job_for('crashy', m * 60)}")] == 1
    assert ev[("SawCompletedJob", f"Saw completed job: {job_for('crashy', 60)}, condition: Failed")] == 1
    st = stored(k.state, "cronjobs")["crashy"]["status"]
    assert "lastSuccessfulTime" not in st and "active" not in st and st["lastScheduleTime"] == at(300)
