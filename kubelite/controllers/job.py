"""Job: run pods to completion, as upstream's pkg/controller/job.

Completion modes:
- one pod (completions and parallelism default to 1);
- a fixed completion count: `completions: N`, at most `parallelism` pods active, never more
  than the completions still missing;
- a work queue (completions unset, parallelism set): once any pod has succeeded no new pod
  starts, and the Job completes when one has succeeded and none is active;
- `completionMode: Indexed`: each pod carries its index (label and annotation
  batch.kubernetes.io/job-completion-index, env JOB_COMPLETION_INDEX, hostname
  `<job>-<index>`), the lowest pending indexes start first, and status.completedIndexes
  lists the succeeded ones as intervals (`0,2-5`; two neighbours are written `1,2`).

Failure: the Job fails when its failed pods exceed backoffLimit (with restartPolicy
OnFailure, when its pods' container restarts reach it), or when it has been active for
activeDeadlineSeconds. As upstream with JobPodReplacementPolicy/JobManagedBy on, it first
gets the interim condition FailureTarget (success: SuccessCriteriaMet), its active pods are
deleted, and Failed (Complete) follows once no pod is left terminating. A failed pod is
replaced after upstream's back-off (10 s doubling to 6 min since the last failure); the
back-off is computed from the failed pods present, not kept in memory.

Counting without double counting, from objects alone (upstream's tracking finalizers):
every pod is created with the finalizer batch.kubernetes.io/job-tracking. A pod that has
finished (or is being deleted) is first recorded by uid in
status.uncountedTerminatedPods (an Indexed Job records the index in completedIndexes
instead), then its finalizer is removed, then the uids whose pods no longer carry the
finalizer move into status.succeeded / status.failed. Each step is a separate write and is
idempotent, so a pass interrupted anywhere, or retried, counts every pod exactly once, and
a pod deleted by hand is still counted (as failed) before it goes.

Pods are labelled and selected as upstream: the controller writes the generated selector
(matchLabels batch.kubernetes.io/controller-uid) and template labels (job-name and
controller-uid, legacy and batch.kubernetes.io/ forms) on its first sync of a Job. Upstream
generates them when the Job is created; here the uid is only known once the store has
written the Job, so the first sync does it (and the Job's generation becomes 2).

suspend deletes the active pods (not counted as failures) and sets Suspended; resuming
resets startTime. ttlSecondsAfterFinished deletes a finished Job (foreground, as upstream's
TTL-after-finished controller). The pure parts (intervals, pending indexes, removal order,
back-off) are separate functions so table tests reach them.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from kubelite.api.fastcopy import clone
from kubelite.api import selectors
from kubelite.api.defaults import job_generated_selector

from kubelite.controllers import _common as c
from kubelite.errors import Forbidden

TRACKING = "batch.kubernetes.io/job-tracking"
INDEX = "batch.kubernetes.io/job-completion-index"
INDEX_ENV = "JOB_COMPLETION_INDEX"
MAX_CREATE_DELETE = 500  # upstream's MaxPodCreateDeletePerSync
MAX_UNCOUNTED = 500  # upstream's MaxUncountedPods
BACKOFF_DEFAULT, BACKOFF_MAX = 10, 360  # DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff (seconds)
MAX_GENERATED_NAME = 58  # names.MaxGeneratedNameLength: 63 minus the 5 random characters
BACKOFF_MESSAGE = "Job has reached the specified backoff limit"
DEADLINE_MESSAGE = "Job was active longer than specified deadline"
SUCCESS_REASON, SUCCESS_MESSAGE = "CompletionsReached", "Reached expected number of succeeded pods"

Interval = tuple[int, int]


# -- index intervals (upstream's orderedIntervals) ----------------------------------

def parse_indexes(text: str | None, completions: int) -> list[Interval]:
    """status.completedIndexes back into intervals, ignoring corrupt items and indexes
    at or above completions (parseIndexesFromString)."""
    out: list[Interval] = []
    if not text:
        return out
    for item in text.split(","):
        lo_hi = item.split("-")
        try:
            first = int(lo_hi[0])
        except ValueError:
            continue
        if first >= completions:
            break
        if len(lo_hi) > 1:
            try:
                last = int(lo_hi[1])
            except ValueError:
                continue
            last = min(last, completions - 1)
        else:
            last = first
        if out and out[-1][1] == first - 1:
            out[-1] = (out[-1][0], last)
        else:
            out.append((first, last))
    return out


def with_indexes(intervals: list[Interval], new: Iterable[int]) -> list[Interval]:
    """The intervals plus some indexes, merged and in order (withOrderedIndexes)."""
    items = sorted(list(intervals) + [(i, i) for i in set(new)])
    out: list[Interval] = []
    for first, last in items:
        if out and first <= out[-1][1] + 1:
            if last > out[-1][1]:
                out[-1] = (out[-1][0], last)
        else:
            out.append((first, last))
    return out


def format_indexes(intervals: list[Interval]) -> str:
    """`0,2-5`: ranges of three or more with a dash, two neighbours as `1,2` (String())."""
    parts = []
    for first, last in intervals:
        if last == first:
            parts.append(str(first))
        elif last == first + 1:
            parts.append(f"{first},{last}")
        else:
            parts.append(f"{first}-{last}")
    return ",".join(parts)


def compress(indexes: Iterable[int]) -> str:
    """A set of indexes as status.completedIndexes writes it."""
    return format_indexes(with_indexes([], indexes))


def total(intervals: list[Interval]) -> int:
    return sum(last - first + 1 for first, last in intervals)


def has_index(intervals: list[Interval], ix: int) -> bool:
    return any(first <= ix <= last for first, last in intervals)


def first_pending(non_pending: list[Interval], count: int, completions: int) -> list[int]:
    """The `count` lowest indexes below completions not in non_pending (firstPendingIndexes)."""
    out: list[int] = []
    candidate = 0
    for first, last in non_pending:
        while candidate < completions and len(out) < count and candidate < first:
            out.append(candidate)
            candidate += 1
        candidate = max(candidate, last + 1)
    while candidate < completions and len(out) < count:
        out.append(candidate)
        candidate += 1
    return out


# -- pods ---------------------------------------------------------------------------------

def completion_index(pod: dict) -> int:
    """The pod's completion index from its annotation, or -1."""
    v = ((pod.get("metadata") or {}).get("annotations") or {}).get(INDEX)
    try:
        ix = int(v) if v is not None else -1
    except ValueError:
        return -1
    return ix if ix >= 0 else -1


def tracked(pod: dict) -> bool:
    return TRACKING in ((pod.get("metadata") or {}).get("finalizers") or [])


def is_failed(pod: dict) -> bool:
    """Failed, or deleted before it succeeded (upstream's isPodFailed). The simulated
    kubelet never finishes a deleted pod, so a deleted pod counts as failed whatever
    podReplacementPolicy says."""
    phase = c.pod_phase(pod)
    return phase == "Failed" or (c.is_terminating(pod) and phase != "Succeeded")


def is_terminating_pod(pod: dict) -> bool:
    return c.is_terminating(pod) and c.pod_phase(pod) not in ("Succeeded", "Failed")


def finish_time(pod: dict) -> dt.datetime | None:
    """When a pod finished (getFinishedTime): its containers' last finishedAt, else the Ready
    condition turning False, else its deletion, else its creation."""
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    ends = [((s.get("state") or {}).get("terminated") or {}).get("finishedAt") for s in statuses]
    if statuses and all(ends):
        times = [t for t in (c.parse_stamp(e) for e in ends) if t is not None]
        if times:
            return max(times)
    ready = c.condition(pod, "Ready")
    if ready is not None and ready.get("status") == "False" and c.parse_stamp(ready.get("lastTransitionTime")):
        return c.parse_stamp(ready.get("lastTransitionTime"))
    meta = pod.get("metadata") or {}
    return c.parse_stamp(meta.get("deletionTimestamp")) or c.parse_stamp(meta.get("creationTimestamp"))


def creation_backoff(pods: list[dict], now: dt.datetime) -> float:
    """Seconds before a failed pod may be replaced: 10 s after the last failure, doubling
    with each failure since the last success, at most 6 min (upstream's backoffRecord,
    derived here from the finished pods present)."""
    successes = [t for t in (finish_time(p) for p in pods if c.pod_phase(p) == "Succeeded") if t is not None]
    last_success = max(successes) if successes else None
    failures = [t for t in (finish_time(p) for p in pods if is_failed(p)) if t is not None]
    failures = [t for t in failures if last_success is None or t > last_success]
    if not failures:
        return 0.0
    delay = BACKOFF_DEFAULT
    for _ in range(1, len(failures)):
        delay *= 2
        if delay >= BACKOFF_MAX:
            delay = BACKOFF_MAX
            break
    elapsed = (now - max(failures)).total_seconds()
    return max(0.0, delay - elapsed)


def _stamp_key(stamp: str | None) -> float:
    """Newer first, a missing time before any (as the Desc orders in controller.ActivePods)."""
    t = c.parse_stamp(stamp)
    return float("-inf") if t is None else -t.timestamp()


_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def removal_key(pod: dict) -> tuple:
    """controller.ActivePods: pods that sort first are deleted first. Unassigned before
    assigned, Pending < Unknown < Running, not ready before ready, ready for less time
    first, more restarts first, newer before older."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    ready = c.is_ready(pod)
    restarts = sum(int(s.get("restartCount") or 0) for s in status.get("containerStatuses") or [])
    ready_since = (c.condition(pod, "Ready") or {}).get("lastTransitionTime") if ready else None
    return (1 if spec.get("nodeName") else 0, _PHASE_RANK.get(c.pod_phase(pod), 2), 1 if ready else 0,
            _stamp_key(ready_since) if ready else 0.0, -restarts, _stamp_key((pod.get("metadata") or {}).get("creationTimestamp")),
            (pod.get("metadata") or {}).get("name", ""))


def pods_for_removal(active: list[dict], at_least: int, completions: int | None, indexed: bool) -> list[dict]:
    """activePodsForRemoval: for an Indexed Job, pods without a valid index and all but one
    pod of a repeated index go first; then the best victims."""
    rm: list[dict] = []
    left = list(active)
    if indexed:
        left = []
        by_index: dict[int, list[dict]] = {}
        for p in active:
            ix = completion_index(p)
            if ix < 0 or (completions is not None and ix >= completions):
                rm.append(p)
            else:
                by_index.setdefault(ix, []).append(p)
        for ix in sorted(by_index):
            group = sorted(by_index[ix], key=removal_key)
            rm += group[:-1]
            left.append(group[-1])
    if len(rm) < at_least:
        rm += sorted(left, key=removal_key)[:at_least - len(rm)]
    return rm


# -- conditions and status -----------------------------------------------------------------

def new_condition(ctype: str, status: str, reason: str, message: str, now: str) -> dict:
    cond = {"type": ctype, "status": status, "lastProbeTime": now, "lastTransitionTime": now}
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def _find(conds: list[dict], ctype: str) -> dict | None:
    return next((x for x in conds if x.get("type") == ctype), None)


def _true(conds: list[dict], ctype: str) -> dict | None:
    x = _find(conds, ctype)
    return x if x is not None and x.get("status") == "True" else None


def ensure_condition(conds: list[dict], ctype: str, status: str, reason: str, message: str, now: str) -> bool:
    """ensureJobConditionStatus: set it if it differs; never add a False condition."""
    cur = _find(conds, ctype)
    if cur is not None:
        if cur.get("status") != status or (cur.get("reason") or "") != reason or (cur.get("message") or "") != message:
            cur.clear()
            cur.update(new_condition(ctype, status, reason, message, now))
            return True
        return False
    if status != "False":
        conds.append(new_condition(ctype, status, reason, message, now))
        return True
    return False


def finished_condition(job: dict) -> dict | None:
    """The Complete or Failed condition of a finished Job."""
    for x in (job.get("status") or {}).get("conditions") or []:
        if x.get("type") in ("Complete", "Failed") and x.get("status") == "True":
            return x
    return None


def shape_status(st: dict) -> dict:
    """The status as upstream serializes it: zero counters omitted except ready and
    terminating, uncountedTerminatedPods always present."""
    out = {k: v for k, v in st.items() if v is not None}
    for k in ("active", "succeeded", "failed"):
        if not out.get(k):
            out.pop(k, None)
    for k in ("conditions", "completedIndexes"):
        if not out.get(k):
            out.pop(k, None)
    unc = out.get("uncountedTerminatedPods") or {}
    out["uncountedTerminatedPods"] = {k: list(unc[k]) for k in ("failed", "succeeded") if unc.get(k)}
    out["ready"] = int(out.get("ready") or 0)
    out["terminating"] = int(out.get("terminating") or 0)
    return out


def past_backoff_limit_on_failure(spec: dict, pods: list[dict]) -> bool:
    """With restartPolicy OnFailure, the running and pending pods' container restarts
    reaching backoffLimit also fail the Job (pastBackoffLimitOnFailure)."""
    if ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy") != "OnFailure":
        return False
    restarts = 0
    for p in pods:
        if c.pod_phase(p) in ("Running", "Pending"):
            st = p.get("status") or {}
            for s in (st.get("initContainerStatuses") or []) + (st.get("containerStatuses") or []):
                restarts += int(s.get("restartCount") or 0)
    limit = int(spec.get("backoffLimit") if spec.get("backoffLimit") is not None else 6)
    return restarts > 0 if limit == 0 else restarts >= limit


def past_active_deadline(spec: dict, status: dict, now: dt.datetime) -> bool:
    ads, start = spec.get("activeDeadlineSeconds"), c.parse_stamp(status.get("startTime"))
    if ads is None or start is None or spec.get("suspend"):
        return False
    return (now - start).total_seconds() >= int(ads)


def _index_env(container: dict) -> None:
    env = container.setdefault("env", [])
    if any(e.get("name") == INDEX_ENV for e in env):
        return
    env.append({"name": INDEX_ENV, "valueFrom": {"fieldRef": {"fieldPath": f"metadata.labels['{INDEX}']"}}})


def generate_name(job_name: str, index: int | None = None) -> str:
    """The generateName of the Job's pods: `<job>-`, or `<job>-<index>-` (podGenerateNameWithIndex)."""
    if index is None:
        return f"{job_name}-"[:MAX_GENERATED_NAME]
    suffix = f"-{index}-"
    return job_name[:MAX_GENERATED_NAME - len(suffix)] + suffix


# -- the controller -----------------------------------------------------------------------

REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    jobs = sorted(ctx.snap.list("Job"), key=lambda j: (j["metadata"].get("namespace", ""), j["metadata"]["name"]))
    ctx.guarded(jobs, lambda j: _sync_job(ctx, j))
    _release_orphans(ctx)


def _sync_job(ctx, job: dict) -> None:
    spec = job.get("spec") or {}
    if not c.is_terminating(job) and not spec.get("manualSelector"):
        gen = job_generated_selector(job)
        if gen != spec:
            updated = clone(job)
            updated["spec"] = gen
            job = ctx.update(updated)
            if job is None:
                return
    if finished_condition(job) is not None:
        _expire(ctx, job)
        return
    mode = (job.get("spec") or {}).get("completionMode") or "NonIndexed"
    if mode not in ("NonIndexed", "Indexed"):
        c.event_once(ctx, job, "Warning", "UnknownCompletionMode", "Skipped Job sync because completion mode is unknown")
        return
    pods = _claim(ctx, job)
    job = _sync_pods(ctx, job, pods)
    if job is not None and finished_condition(job) is not None:
        _expire(ctx, job)


def _selector(job: dict) -> selectors.Selector | None:
    sel = (job.get("spec") or {}).get("selector")
    return selectors.from_label_selector(sel) if sel else None


def _claim(ctx, job: dict) -> list[dict]:
    """The Job's pods: adopt matching orphans, release owned pods that stopped matching
    (upstream's ClaimPods, which adds or strips the tracking finalizer with the reference)."""
    meta = job["metadata"]
    uid, ns = meta["uid"], meta["namespace"]
    selector = _selector(job)
    claimed: dict[str, dict] = {}
    for pod in ctx.snap.owned("Pod", uid):
        if not c.is_controlled_by(pod, job):
            continue
        if selector is None or selector.matches(pod["metadata"].get("labels")):
            claimed[pod["metadata"]["name"]] = pod
        elif not c.is_terminating(pod):
            released = clone(pod)
            pm = released["metadata"]
            pm["ownerReferences"] = [r for r in pm.get("ownerReferences") or [] if r.get("uid") != uid]
            pm["finalizers"] = [f for f in pm.get("finalizers") or [] if f != TRACKING]
            for k in ("ownerReferences", "finalizers"):
                if not pm[k]:
                    del pm[k]
            if ctx.update(released) is not None:
                ctx.change(job, f"released pod {pod['metadata']['name']}")
    if selector is not None and not c.is_terminating(job):
        for pod in ctx.snap.select("Pod", ns, selector):
            name = pod["metadata"]["name"]
            if name in claimed or c.controller_of(pod) is not None or c.is_terminating(pod):
                continue
            adopted = clone(pod)
            am = adopted["metadata"]
            am.setdefault("ownerReferences", []).append(c.owner_ref(job))
            if TRACKING not in (am.get("finalizers") or []):
                am["finalizers"] = list(am.get("finalizers") or []) + [TRACKING]
            stored = ctx.update(adopted)
            if stored is not None:
                claimed[name] = stored
                ctx.change(job, f"adopted pod {name}")
    return list(claimed.values())


def _sync_pods(ctx, job: dict, pods: list[dict]) -> dict | None:
    """One syncJob: counters, failure and success, pods to create or delete, then status
    through the tracking protocol. Returns the Job as last written (None on a conflict)."""
    spec, meta = job["spec"], job["metadata"]
    ns = meta["namespace"]
    now, stamp = ctx.now, ctx.stamp
    indexed = spec.get("completionMode") == "Indexed"
    completions = spec.get("completions")
    completions = int(completions) if completions is not None else None
    backoff_limit = int(spec.get("backoffLimit") if spec.get("backoffLimit") is not None else 6)
    suspended = bool(spec.get("suspend"))
    deleting = c.is_terminating(job)

    st = clone(job.get("status") or {})
    conds: list[dict] = st.setdefault("conditions", []) or []
    st["conditions"] = conds
    unc = st.get("uncountedTerminatedPods") or {}
    unc_s, unc_f = list(unc.get("succeeded") or []), list(unc.get("failed") or [])
    st["uncountedTerminatedPods"] = {"succeeded": unc_s, "failed": unc_f}

    active_pods = [p for p in pods if c.is_active(p)]
    finalized = [p for p in pods if tracked(p)]
    new_succeeded = [p for p in finalized if c.pod_phase(p) == "Succeeded" and p["metadata"]["uid"] not in unc_s]
    new_failed = [p for p in finalized if is_failed(p) and p["metadata"]["uid"] not in unc_f]
    succeeded = int(st.get("succeeded") or 0) + len(new_succeeded) + len(unc_s)
    failed = int(st.get("failed") or 0) + len(new_failed) + len(unc_f)

    if not st.get("startTime") and not suspended:
        st["startTime"] = stamp

    # What finishes the Job, if anything: an interim condition already written, or a limit.
    finish: dict | None = None
    met = _true(conds, "SuccessCriteriaMet")
    if met is not None:
        finish = clone(met)
    else:
        target = _true(conds, "FailureTarget")
        if target is not None:
            finish = new_condition("Failed", "True", target.get("reason", ""), target.get("message", ""), stamp)
    if finish is None:
        if failed > backoff_limit or past_backoff_limit_on_failure(spec, pods):
            finish = new_condition("FailureTarget", "True", "BackoffLimitExceeded", BACKOFF_MESSAGE, stamp)
        elif past_active_deadline(spec, st, now):
            finish = new_condition("FailureTarget", "True", "DeadlineExceeded", DEADLINE_MESSAGE, stamp)
        elif spec.get("activeDeadlineSeconds") is not None and c.parse_stamp(st.get("startTime")) is not None:
            ctx.requeue_at(c.parse_stamp(st["startTime"]) + dt.timedelta(seconds=int(spec["activeDeadlineSeconds"])),
                           f"activeDeadlineSeconds of job {meta['name']}")

    prev_indexes: list[Interval] = []
    succeeded_indexes: list[Interval] = []
    if indexed and completions is not None:
        prev_indexes = parse_indexes(st.get("completedIndexes"), completions)
        fresh = {completion_index(p) for p in finalized if c.pod_phase(p) == "Succeeded"}
        succeeded_indexes = with_indexes(prev_indexes, [ix for ix in fresh if 0 <= ix < completions])
        succeeded = total(succeeded_indexes)

    by_name = {p["metadata"]["name"]: p for p in pods}
    if finish is not None:
        # The Job failed (or was marked so before a crash): its active pods go, keeping their
        # finalizers so they are counted as failed before they disappear.
        deleted = 0
        for pod in active_pods:
            if ctx.delete(pod):
                deleted += 1
                _deleted_event(ctx, job, pod)
        if deleted != len(active_pods):
            finish = None
    else:
        manage_called = False
        if not deleting:
            _manage(ctx, job, active_pods, pods, by_name, succeeded, succeeded_indexes, completions, indexed, suspended)
            manage_called = True
        active_now = [p for p in _current(ctx, ns, by_name) if c.is_active(p)]
        if completions is None:
            complete = succeeded > 0 and not active_now
        else:
            complete = succeeded >= completions and not active_now
        if complete:
            finish = new_condition("SuccessCriteriaMet", "True", SUCCESS_REASON, SUCCESS_MESSAGE, stamp)
        elif manage_called:
            if suspended:
                if ensure_condition(conds, "Suspended", "True", "JobSuspended", "Job suspended", stamp):
                    ctx.event(job, "Normal", "Suspended", "Job suspended")
                    ctx.change(job, "suspended")
            elif ensure_condition(conds, "Suspended", "False", "JobResumed", "Job resumed", stamp):
                ctx.event(job, "Normal", "Resumed", "Job resumed")
                ctx.change(job, "resumed")
                st["startTime"] = stamp

    _observe(st, _current(ctx, ns, by_name))
    return _track(ctx, job, st, _current(ctx, ns, by_name), finish, indexed, completions, prev_indexes, succeeded_indexes, deleting)


def _current(ctx, ns: str, by_name: dict[str, dict]) -> list[dict]:
    """The Job's pods as they are now, after this sync's creations and deletions."""
    out = []
    for name in list(by_name):
        p = ctx.snap.get("Pod", ns, name)
        if p is None:
            del by_name[name]
        else:
            by_name[name] = p
            out.append(p)
    return out


def _observe(st: dict, pods: list[dict]) -> None:
    active = [p for p in pods if c.is_active(p)]
    st["active"] = len(active)
    st["ready"] = sum(1 for p in active if c.is_ready(p))
    st["terminating"] = sum(1 for p in pods if is_terminating_pod(p))


def _manage(ctx, job: dict, active_pods: list[dict], pods: list[dict], by_name: dict[str, dict], succeeded: int,
            succeeded_indexes: list[Interval], completions: int | None, indexed: bool, suspended: bool) -> None:
    """manageJob: delete what is too much, or create what is missing (never both at once)."""
    spec = job["spec"]
    parallelism = int(spec.get("parallelism") if spec.get("parallelism") is not None else 1)
    active = len(active_pods)
    if suspended:
        _delete_pods(ctx, job, pods_for_removal(active_pods, active, completions, indexed)[:MAX_CREATE_DELETE])
        return
    if completions is None:
        want = active if succeeded > 0 else parallelism
    else:
        want = max(0, min(completions - succeeded, parallelism))
    victims = pods_for_removal(active_pods, max(0, active - want), completions, indexed)[:MAX_CREATE_DELETE]
    if victims:
        _delete_pods(ctx, job, victims)
        return
    diff = want - active
    if diff <= 0:
        return
    wait = creation_backoff(pods, ctx.now)
    if wait > 0:
        ctx.requeue_after(wait, f"pod failure back-off of job {job['metadata']['name']}")
        return
    diff = min(diff, MAX_CREATE_DELETE)
    indexes: list[int | None] = [None] * diff
    if indexed and completions is not None:
        busy = with_indexes(succeeded_indexes, [completion_index(p) for p in active_pods if completion_index(p) >= 0])
        indexes = list(first_pending(busy, diff, completions))
    template = clone(spec.get("template") or {})
    if indexed:
        tspec = template.setdefault("spec", {})
        for ctr in (tspec.get("initContainers") or []) + (tspec.get("containers") or []):
            _index_env(ctr)
    tmeta = template.setdefault("metadata", {})
    if TRACKING not in (tmeta.get("finalizers") or []):
        tmeta["finalizers"] = list(tmeta.get("finalizers") or []) + [TRACKING]
    name, ns = job["metadata"]["name"], job["metadata"]["namespace"]
    for ix in indexes:
        t = template
        if ix is not None:
            t = clone(template)
            m = t["metadata"]
            m["annotations"] = {**(m.get("annotations") or {}), INDEX: str(ix)}
            m["labels"] = {**(m.get("labels") or {}), INDEX: str(ix)}
            t.setdefault("spec", {})["hostname"] = f"{name}-{ix}"
        pod_name = generate_name(name, ix) + c.random_suffix()
        try:
            created = ctx.create(c.pod_from_template(t, job, pod_name, ns))
        except Forbidden as e:  # a quota or limit refused it: say so, retry next pass
            c.event_once(ctx, job, "Warning", "FailedCreate", f"Error creating: {e.message}")
            return
        if created is None:
            continue
        by_name[pod_name] = created
        ctx.event(job, "Normal", "SuccessfulCreate", f"Created pod: {pod_name}")
        ctx.change(job, f"created pod {pod_name}")


def _without_tracking(ctx, pod: dict) -> bool:
    """Remove the tracking finalizer; True once the pod no longer carries it (or is gone)."""
    if not tracked(pod):
        return True
    updated = clone(pod)
    fins = [f for f in updated["metadata"].get("finalizers") or [] if f != TRACKING]
    if fins:
        updated["metadata"]["finalizers"] = fins
    else:
        updated["metadata"].pop("finalizers", None)
    if ctx.update(updated) is not None:
        return True
    return ctx.snap.get("Pod", pod["metadata"]["namespace"], pod["metadata"]["name"]) is None


def _delete_pods(ctx, job: dict, pods: list[dict]) -> None:
    """deleteJobPods: pods the Job no longer wants (scale-down, suspend) are not failures,
    so their finalizer goes first."""
    for pod in pods:
        if not _without_tracking(ctx, pod):
            continue
        current = ctx.snap.get("Pod", pod["metadata"]["namespace"], pod["metadata"]["name"])
        if current is not None and ctx.delete(current):
            _deleted_event(ctx, job, pod)


def _deleted_event(ctx, job: dict, pod: dict) -> None:
    ctx.event(job, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")
    ctx.change(job, f"deleted pod {pod['metadata']['name']}")


def _clean_uncounted(st: dict, with_finalizer: set[str]) -> None:
    """Uids whose pods no longer carry the finalizer move into the counters."""
    unc = st["uncountedTerminatedPods"]
    for key in ("succeeded", "failed"):
        keep = [u for u in unc[key] if u in with_finalizer]
        if len(keep) != len(unc[key]):
            st[key] = int(st.get(key) or 0) + len(unc[key]) - len(keep)
            unc[key] = keep


def _write(ctx, job: dict, st: dict) -> dict | None:
    shaped = shape_status(st)
    if shaped == (job.get("status") or {}):
        return job
    updated = clone(job)
    updated["status"] = shaped
    return ctx.update(updated)


def _track(ctx, job: dict, st: dict, pods: list[dict], finish: dict | None, indexed: bool, completions: int | None,
           prev_indexes: list[Interval], succeeded_indexes: list[Interval], deleting: bool) -> dict | None:
    """trackJobStatusAndRemoveFinalizers: record finished pods, write, drop their finalizers,
    count them, and mark the Job finished when nothing is left uncounted or terminating."""
    unc = st["uncountedTerminatedPods"]
    conds = st["conditions"]
    with_finalizer = {p["metadata"]["uid"] for p in pods if tracked(p)}
    _clean_uncounted(st, with_finalizer)
    release: list[dict] = []
    new_indexes: list[int] = []
    full = False
    ordered = sorted(pods, key=completion_index) if indexed else pods
    for pod in ordered:
        if not tracked(pod):
            continue
        uid = pod["metadata"]["uid"]
        failed = is_failed(pod)
        if not (deleting or finish is not None or c.pod_phase(pod) == "Succeeded" or failed):
            continue
        release.append(pod)
        ix = completion_index(pod)
        valid_ix = completions is not None and 0 <= ix < completions
        if c.pod_phase(pod) == "Succeeded" and uid not in unc["failed"]:
            if indexed:
                if valid_ix and not has_index(prev_indexes, ix):
                    new_indexes.append(ix)
            elif uid not in unc["succeeded"]:
                unc["succeeded"].append(uid)
        elif failed or (finish is not None and finish["type"] not in ("SuccessCriteriaMet", "Complete")):
            if uid not in unc["failed"] and (not indexed or valid_ix):
                unc["failed"].append(uid)
        if len(new_indexes) + len(unc["succeeded"]) + len(unc["failed"]) >= MAX_UNCOUNTED:
            full = True
            break
    if indexed and completions is not None:
        done = with_indexes(succeeded_indexes, new_indexes)
        st["succeeded"] = total(done)
        st["completedIndexes"] = format_indexes(done)
    if finish is not None and finish["type"] == "FailureTarget":
        conds.append(clone(finish))
        finish = new_condition("Failed", "True", finish.get("reason", ""), finish.get("message", ""), ctx.stamp)
    if finish is not None and finish["type"] == "SuccessCriteriaMet":
        if _find(conds, "SuccessCriteriaMet") is None:
            conds.append(clone(finish))
        finish = new_condition("Complete", "True", finish.get("reason", ""), finish.get("message", ""), ctx.stamp)

    # 1. Record what is about to be counted, before any finalizer goes.
    job = _write(ctx, job, st)
    if job is None:
        return None
    # 2. Let the finished pods go.
    for pod in release:
        if _without_tracking(ctx, pod):
            with_finalizer.discard(pod["metadata"]["uid"])
    # 3. Count them, and finish the Job once nothing is uncounted or terminating.
    _clean_uncounted(st, with_finalizer)
    ns = job["metadata"]["namespace"]
    remaining = [p for p in (ctx.snap.get("Pod", ns, x["metadata"]["name"]) for x in pods) if p is not None]
    _observe(st, remaining)
    done = False
    if finish is not None and not full and not unc["succeeded"] and not unc["failed"] and st["terminating"] == 0:
        ensure_condition(conds, finish["type"], "True", finish.get("reason", ""), finish.get("message", ""), ctx.stamp)
        if finish["type"] == "Complete":
            st["completionTime"] = ctx.stamp
        done = True
    stored = _write(ctx, job, st)
    if stored is None or not done:
        return stored
    status = stored.get("status") or {}
    if finish["type"] == "Complete":
        if completions is not None and int(status.get("succeeded") or 0) > completions:
            ctx.event(stored, "Warning", "TooManySucceededPods", "Too many succeeded pods running after completion count reached")
        ctx.event(stored, "Normal", "Completed", "Job completed")
        ctx.change(stored, f"Complete ({status.get('succeeded') or 0} succeeded)")
    else:
        ctx.event(stored, "Warning", finish.get("reason", ""), finish.get("message", ""))
        ctx.change(stored, f"Failed ({finish.get('reason')}): {finish.get('message')}")
    return stored


def _expire(ctx, job: dict) -> None:
    """ttlSecondsAfterFinished: delete a finished Job once its time is up (foreground, with
    the uid as precondition, as upstream's TTL-after-finished controller)."""
    ttl = (job.get("spec") or {}).get("ttlSecondsAfterFinished")
    cond = finished_condition(job)
    if ttl is None or cond is None or c.is_terminating(job):
        return
    finished_at = c.parse_stamp(cond.get("lastTransitionTime"))
    if finished_at is None:
        return
    if (ctx.now - finished_at).total_seconds() < int(ttl):
        ctx.requeue_at(finished_at + dt.timedelta(seconds=int(ttl)), f"ttlSecondsAfterFinished of job {job['metadata']['name']}")
        return
    if ctx.delete(job, propagation="foreground"):
        ctx.change(job, f"deleted ({ttl}s after it finished)")


def _release_orphans(ctx) -> None:
    """Pods left with the tracking finalizer by a Job that is gone or finished, or with no
    controller at all, lose it (upstream's syncOrphanPod)."""
    jobs = {j["metadata"]["uid"]: j for j in ctx.snap.list("Job")}
    orphans = []
    for pod in ctx.snap.list("Pod"):
        if not tracked(pod):
            continue
        ref = c.controller_of(pod)
        if ref is not None:
            if ref.get("kind") != "Job" or ref.get("apiVersion") != "batch/v1":
                continue
            job = jobs.get(ref.get("uid"))
            if job is not None and finished_condition(job) is None:
                continue
        orphans.append(pod)
    ctx.guarded(orphans, lambda p: _without_tracking(ctx, p))
