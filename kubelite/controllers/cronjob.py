"""CronJob: start Jobs on a schedule, as upstream's pkg/controller/cronjob (controller v2).

Each pass, for each CronJob:
- status.active is reconciled with its Jobs: finished Jobs leave it (SawCompletedJob),
  vanished ones too (MissingJob), and the newest completionTime of a succeeded Job becomes
  lastSuccessfulTime;
- unless it is suspended or being deleted, the most recent scheduled time in
  (lastScheduleTime, or creationTimestamp for a new CronJob, .. now] is started: at most one
  run a pass, earlier missed runs are skipped, as upstream. The schedule is read in
  spec.timeZone (UTC when unset);
- a run later than startingDeadlineSeconds is skipped with a MissSchedule event;
- concurrencyPolicy: Forbid skips a run while a Job is active (JobAlreadyActive); Replace
  deletes the active Jobs first; Allow runs them side by side;
- the Job is `<cronjob>-<scheduled time in minutes since the epoch>`, with the annotation
  batch.kubernetes.io/cronjob-scheduled-timestamp. The name is deterministic, so a pass
  retried after a crash finds the Job it already made (AlreadyExists) and only records it;
- finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit are deleted,
  oldest start first.

Events a pass would repeat without changing anything (a missed schedule, a run held back
by Forbid) are recorded once per scheduled time, so a second pass at the same instant
writes nothing. Status is written once a pass, after the history cleanup.
"""
from __future__ import annotations

import datetime as dt

from kubelite.api.fastcopy import clone
from kubelite.api import cron
from kubelite.clock import format_time
from kubelite.controllers import _common as c

SCHEDULED_AT = "batch.kubernetes.io/cronjob-scheduled-timestamp"
TOO_MANY_MISSED = 100


def job_name(cronjob_name: str, scheduled: dt.datetime) -> str:
    """Upstream's getJobName: the scheduled time in minutes since the epoch."""
    return f"{cronjob_name}-{int(scheduled.timestamp()) // 60}"


def finished(job: dict) -> str | None:
    """"Complete" or "Failed" for a finished Job."""
    for x in (job.get("status") or {}).get("conditions") or []:
        if x.get("type") in ("Complete", "Failed") and x.get("status") == "True":
            return x["type"]
    return None


def next_run(cj: dict, now: dt.datetime) -> tuple[dt.datetime | None, int, dt.datetime | None]:
    """(the run to start now or None, missed runs counted, a run skipped for being later than
    startingDeadlineSeconds) for a CronJob: upstream's nextScheduleTime, plus the missed run
    it reports. Raises ValueError for a bad schedule or time zone."""
    spec = cj.get("spec") or {}
    schedule = cron.parse(spec.get("schedule") or "")
    tz = cron.zone(spec.get("timeZone"))
    st = cj.get("status") or {}
    earliest = c.parse_stamp(st.get("lastScheduleTime")) or c.parse_stamp((cj.get("metadata") or {}).get("creationTimestamp")) or now
    deadline = spec.get("startingDeadlineSeconds")
    window = earliest
    if deadline is not None:
        window = max(earliest, now - dt.timedelta(seconds=int(deadline)))
    scheduled, missed = schedule.most_recent(window, now, tz)
    missed_run = None
    if scheduled is None and deadline is not None and window > earliest:
        latest, _ = schedule.most_recent(earliest, now, tz)
        if latest is not None and latest + dt.timedelta(seconds=int(deadline)) < now:
            missed_run = latest
    return scheduled, missed, missed_run


def job_from_template(cj: dict, scheduled: dt.datetime) -> dict:
    """getJobFromTemplate2: the template's labels and annotations, the scheduled time in
    the CronJob's zone, and the CronJob as controller."""
    spec = cj.get("spec") or {}
    jt = spec.get("jobTemplate") or {}
    jmeta = jt.get("metadata") or {}
    annotations = dict(jmeta.get("annotations") or {})
    annotations[SCHEDULED_AT] = cron.rfc3339(scheduled.astimezone(cron.zone(spec.get("timeZone"))))
    meta = {"name": job_name(cj["metadata"]["name"], scheduled), "namespace": cj["metadata"]["namespace"],
            "annotations": annotations, "ownerReferences": [c.owner_ref(cj)]}
    if jmeta.get("labels"):
        meta["labels"] = dict(jmeta["labels"])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": clone(jt.get("spec") or {})}


def job_ref(job: dict) -> dict:
    m = job["metadata"]
    return {"apiVersion": "batch/v1", "kind": "Job", "name": m["name"], "namespace": m["namespace"],
            "resourceVersion": m.get("resourceVersion"), "uid": m["uid"]}


def _start_key(job: dict) -> tuple:
    """byJobStartTime: by status.startTime (none last), then name."""
    t = c.parse_stamp((job.get("status") or {}).get("startTime"))
    return (t is None, t or dt.datetime.min.replace(tzinfo=dt.timezone.utc), job["metadata"]["name"])


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    cronjobs = sorted(ctx.snap.list("CronJob"), key=lambda x: (x["metadata"].get("namespace", ""), x["metadata"]["name"]))
    ctx.snap.load_all(["Job"])
    ctx.guarded(cronjobs, lambda cj: _sync_one(ctx, cj))


def _sync_one(ctx, cj: dict) -> None:
    meta = cj["metadata"]
    ns = meta["namespace"]
    st = clone(cj.get("status") or {})
    active: list[dict] = list(st.get("active") or [])
    jobs = [j for j in ctx.snap.owned("Job", meta["uid"]) if c.is_controlled_by(j, cj)]

    def in_active(uid: str) -> bool:
        return any(a.get("uid") == uid for a in active)

    def drop(uid: str) -> None:
        active[:] = [a for a in active if a.get("uid") != uid]

    for j in jobs:
        jm = j["metadata"]
        done = finished(j)
        if not in_active(jm["uid"]) and done is None:
            c.event_once(ctx, cj, "Warning", "UnexpectedJob", f"Saw a job that the controller did not create or forgot: {jm['name']}")
        elif in_active(jm["uid"]) and done is not None:
            drop(jm["uid"])
            ctx.event(cj, "Normal", "SawCompletedJob", f"Saw completed job: {jm['name']}, condition: {done}")
            ctx.change(cj, f"saw {'completed' if done == 'Complete' else 'failed'} job {jm['name']}")
        if done == "Complete":
            completed = c.parse_stamp((j.get("status") or {}).get("completionTime"))
            last = c.parse_stamp(st.get("lastSuccessfulTime"))
            if completed is not None and (last is None or completed > last):
                st["lastSuccessfulTime"] = format_time(completed)
    children = {j["metadata"]["uid"] for j in jobs}
    for ref in list(active):
        if ref.get("uid") in children:
            continue
        live = ctx.snap.get("Job", ref.get("namespace") or ns, ref.get("name", ""))
        if live is None or live["metadata"].get("uid") != ref.get("uid"):
            ctx.event(cj, "Normal", "MissingJob", f"Active job went missing: {ref.get('name')}")
            drop(ref.get("uid"))

    if not c.is_terminating(cj):
        _schedule(ctx, cj, st, active, jobs)
        _cleanup(ctx, cj, active, jobs)

    if active:
        st["active"] = active
    else:
        st.pop("active", None)
    if st != (cj.get("status") or {}):
        current = ctx.snap.get("CronJob", ns, meta["name"]) or cj
        updated = clone(current)
        updated["status"] = st
        ctx.update(updated)


def _schedule(ctx, cj: dict, st: dict, active: list[dict], jobs: list[dict]) -> None:
    meta, spec = cj["metadata"], cj.get("spec") or {}
    ns = meta["namespace"]
    if spec.get("timeZone"):
        try:
            cron.zone(spec["timeZone"])
        except ValueError as e:
            c.event_once(ctx, cj, "Warning", "UnknownTimeZone", f"invalid timeZone: {spec['timeZone']!r}: {e}")
            return
    if spec.get("suspend"):
        return
    try:
        scheduled, missed, missed_run = next_run(cj, ctx.now)
    except ValueError as e:
        c.event_once(ctx, cj, "Warning", "UnparseableSchedule", f"unparseable schedule: {spec.get('schedule')!r} : {e}")
        return
    upcoming = cron.parse(spec.get("schedule") or "").next_after(ctx.now, cron.zone(spec.get("timeZone")))
    if upcoming is not None:
        ctx.requeue_at(upcoming, f"schedule of cronjob {ns}/{meta['name']}")
    if missed_run is not None:
        c.event_once(ctx, cj, "Warning", "MissSchedule",
                     f"Missed scheduled time to start a job: {missed_run.strftime('%a, %d %b %Y %H:%M:%S %z')}")
        return
    if scheduled is None:
        return
    if missed > TOO_MANY_MISSED:
        c.event_once(ctx, cj, "Warning", "TooManyMissedTimes",
                     "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew", since=scheduled)
    name = job_name(meta["name"], scheduled)
    if any(a.get("name") == name for a in active) or c.parse_stamp(st.get("lastScheduleTime")) == scheduled:
        return
    policy = spec.get("concurrencyPolicy") or "Allow"
    if policy == "Forbid" and active:
        c.event_once(ctx, cj, "Normal", "JobAlreadyActive",
                     "Not starting job because prior execution is running and concurrency policy is Forbid", since=scheduled)
        return
    if policy == "Replace":
        for ref in list(active):
            live = ctx.snap.get("Job", ref.get("namespace") or ns, ref.get("name", ""))
            if live is not None and not _delete_job(ctx, cj, live):
                return
            active[:] = [a for a in active if a.get("uid") != ref.get("uid")]
    existing = ctx.snap.get("Job", ns, name)
    if existing is None:
        created = ctx.create(job_from_template(cj, scheduled))
        if created is not None:
            ctx.event(cj, "Normal", "SuccessfulCreate", f"Created job {name}")
            ctx.change(cj, f"created job {name} for {format_time(scheduled)}")
            existing = created
            jobs.append(created)
        else:
            # Made by someone else meanwhile (or by a pass that crashed before its status write).
            from kubelite.api import kinds

            existing = ctx.api.try_get(kinds.by_kind("Job"), ns, name)
            if existing is None:
                return
    if not c.is_controlled_by(existing, cj) or in_active_uid(active, existing["metadata"]["uid"]):
        return
    active.append(job_ref(existing))
    st["lastScheduleTime"] = format_time(scheduled)


def in_active_uid(active: list[dict], uid: str) -> bool:
    return any(a.get("uid") == uid for a in active)


def _delete_job(ctx, cj: dict, job: dict) -> bool:
    """deleteJob: the Job goes (background: the garbage collector takes its pods)."""
    if not ctx.delete(job, propagation="background") and ctx.snap.get("Job", job["metadata"]["namespace"], job["metadata"]["name"]) is not None:
        return False
    ctx.event(cj, "Normal", "SuccessfulDelete", f"Deleted job {job['metadata']['name']}")
    ctx.change(cj, f"deleted job {job['metadata']['name']}")
    return True


def _cleanup(ctx, cj: dict, active: list[dict], jobs: list[dict]) -> None:
    """cleanupFinishedJobs: keep the newest successful and failed Jobs within the limits."""
    spec, ns = cj.get("spec") or {}, cj["metadata"]["namespace"]
    live = [ctx.snap.get("Job", ns, j["metadata"]["name"]) for j in jobs]
    live = [j for j in live if j is not None and not c.is_terminating(j)]
    for kind, limit in (("Complete", spec.get("successfulJobsHistoryLimit")), ("Failed", spec.get("failedJobsHistoryLimit"))):
        if limit is None:
            continue
        done = sorted((j for j in live if finished(j) == kind), key=_start_key)
        for j in done[:max(0, len(done) - int(limit))]:
            if _delete_job(ctx, cj, j):
                active[:] = [a for a in active if a.get("uid") != j["metadata"]["uid"]]
