"""StatefulSet: pods with stable identities and storage, as upstream's pkg/controller/statefulset.

A sync follows upstream's UpdateStatefulSet:

1. claim pods whose name is `<set>-<ordinal>` and that match the selector, and the
   ControllerRevisions that match it;
2. revisions: the update revision is the one whose data (a patch replacing
   spec.template) matches the set, created as `<set>-<hash>` or re-numbered on a
   rollback; the current revision is status.currentRevision (or the update one);
3. plan (pure, see `plan`): with OrderedReady ("monotonic") it walks ordinals upwards,
   deleting a finished pod or creating the lowest missing one and stopping, and stopping
   at any pod that is not Running, Ready and available; then it scales down from the
   highest ordinal, one pod at a time, once the rest are healthy; then a RollingUpdate
   deletes the highest-ordinal pod (>= partition) that is not at the update revision,
   waiting for each replaced pod to be healthy. Parallel creates and deletes without
   waiting. OnDelete leaves updates to the user;
4. execution: PVCs `<template>-<set>-<ordinal>` are created before their pod, with owner
   references per persistentVolumeClaimRetentionPolicy (the set for whenDeleted=Delete,
   the pod of a scaled-down ordinal for whenScaled=Delete);
5. status (replicas, readyReplicas, currentReplicas, updatedReplicas, availableReplicas,
   currentRevision, updateRevision, collisionCount, observedGeneration), then history
   beyond revisionHistoryLimit is truncated.
"""
from __future__ import annotations

import re
from typing import Any

from kubelite.api.fastcopy import clone
from kubelite.api import selectors
from kubelite.controllers import _common as c
from kubelite.errors import Forbidden

HASH = c.REVISION_HASH
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
RETAIN, DELETE = "Retain", "Delete"

_ORDINAL = re.compile(r"^(.*)-([0-9]+)$")


# -- pure: identity ------------------------------------------------------------------------

def parent_and_ordinal(name: str) -> tuple[str, int]:
    """Upstream's getParentNameAndOrdinal: ("web", 3) for "web-3", ("", -1) otherwise."""
    m = _ORDINAL.match(name or "")
    if not m:
        return "", -1
    n = int(m.group(2))
    if n > 2**31 - 1:
        return m.group(1), -1
    return m.group(1), n


def ordinal_of(pod: dict) -> int:
    return parent_and_ordinal(pod["metadata"]["name"])[1]


def start_ordinal(sts: dict) -> int:
    return int((((sts.get("spec") or {}).get("ordinals") or {}).get("start")) or 0)


def end_ordinal(sts: dict) -> int:
    return start_ordinal(sts) + c.replicas_of(sts) - 1


def in_range(ordinal: int, sts: dict) -> bool:
    return start_ordinal(sts) <= ordinal <= end_ordinal(sts)


def pod_name(sts: dict, ordinal: int) -> str:
    return f"{sts['metadata']['name']}-{ordinal}"


def claim_name(sts: dict, template_name: str, ordinal: int) -> str:
    return f"{template_name}-{sts['metadata']['name']}-{ordinal}"


def is_member(sts: dict, pod: dict) -> bool:
    return parent_and_ordinal(pod["metadata"]["name"])[0] == sts["metadata"]["name"]


def revision_of(pod: dict | None) -> str:
    return (((pod or {}).get("metadata") or {}).get("labels") or {}).get(HASH, "")


def monotonic(sts: dict) -> bool:
    return ((sts.get("spec") or {}).get("podManagementPolicy") or "OrderedReady") != "Parallel"


def _strategy(sts: dict) -> dict:
    return (sts.get("spec") or {}).get("updateStrategy") or {}


def partition(sts: dict) -> int:
    ru = _strategy(sts).get("rollingUpdate")
    return int((ru or {}).get("partition") or 0)


def revision_for(sts: dict, ordinal: int) -> str:
    """"current" or "update": which revision a new pod for this ordinal gets
    (upstream's newVersionedStatefulSetPod)."""
    us = _strategy(sts)
    ru = us.get("rollingUpdate")
    start = start_ordinal(sts)
    if (us.get("type") or "RollingUpdate") == "RollingUpdate" and ru is None and \
            ordinal < start + int((sts.get("status") or {}).get("currentReplicas") or 0):
        return "current"
    if ru is not None and ordinal < start + int(ru.get("partition") or 0):
        return "current"
    return "update"


def claims_for(sts: dict, ordinal: int) -> list[tuple[str, dict]]:
    """[(template name, PVC)] for an ordinal, as upstream's getPersistentVolumeClaims."""
    spec = sts.get("spec") or {}
    match_labels = (spec.get("selector") or {}).get("matchLabels") or {}
    out = []
    for t in spec.get("volumeClaimTemplates") or []:
        tmeta = t.get("metadata") or {}
        tname = tmeta.get("name") or ""
        labels = dict(tmeta.get("labels") or {})
        labels.update(match_labels)
        meta: dict[str, Any] = {"name": claim_name(sts, tname, ordinal), "namespace": sts["metadata"]["namespace"]}
        if labels:
            meta["labels"] = labels
        if tmeta.get("annotations"):
            meta["annotations"] = dict(tmeta["annotations"])
        if tmeta.get("finalizers"):
            meta["finalizers"] = list(tmeta["finalizers"])
        out.append((tname, {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta,
                            "spec": clone(t.get("spec") or {})}))
    return out


def new_pod(sts: dict, template: dict, ordinal: int, revision_name: str) -> dict:
    """Upstream's newStatefulSetPod + setPodRevision: identity, storage and revision label."""
    name = pod_name(sts, ordinal)
    pod = c.pod_from_template(template, sts, name, sts["metadata"]["namespace"])
    labels = pod["metadata"].setdefault("labels", {})
    labels[POD_NAME_LABEL] = name
    labels[POD_INDEX_LABEL] = str(ordinal)
    labels[HASH] = revision_name
    spec = pod["spec"]
    spec["hostname"] = name
    service = (sts.get("spec") or {}).get("serviceName")
    if service:
        spec["subdomain"] = service
    claims = claims_for(sts, ordinal)
    volumes = [{"name": tname, "persistentVolumeClaim": {"claimName": pvc["metadata"]["name"]}} for tname, pvc in claims]
    tnames = {tname for tname, _ in claims}
    volumes += [v for v in spec.get("volumes") or [] if v.get("name") not in tnames]
    if volumes:
        spec["volumes"] = volumes
    return pod


def identity_matches(sts: dict, pod: dict) -> bool:
    parent, ordinal = parent_and_ordinal(pod["metadata"]["name"])
    labels = pod["metadata"].get("labels") or {}
    return (ordinal >= 0 and parent == sts["metadata"]["name"] and pod["metadata"].get("namespace") == sts["metadata"]["namespace"]
            and labels.get(POD_NAME_LABEL) == pod["metadata"]["name"] and labels.get(POD_INDEX_LABEL) == str(ordinal))


def storage_matches(sts: dict, pod: dict) -> bool:
    ordinal = ordinal_of(pod)
    if ordinal < 0:
        return False
    vols = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or []}
    for t in (sts.get("spec") or {}).get("volumeClaimTemplates") or []:
        tname = (t.get("metadata") or {}).get("name")
        v = vols.get(tname)
        if v is None or (v.get("persistentVolumeClaim") or {}).get("claimName") != claim_name(sts, tname, ordinal):
            return False
    return True


# -- pure: health --------------------------------------------------------------------------

def running_and_ready(pod: dict) -> bool:
    return c.pod_phase(pod) == "Running" and c.is_ready(pod)


def running_and_available(pod: dict, min_ready: int, now) -> bool:
    return running_and_ready(pod) and c.is_available(pod, min_ready, now)


def unavailable(pod: dict | None, min_ready: int, now) -> bool:
    """Upstream's isUnavailable; a pod not created yet is unavailable."""
    return pod is None or c.is_terminating(pod) or not running_and_available(pod, min_ready, now)


# -- pure: the plan ----------------------------------------------------------------------

def plan(sts: dict, pods: list[dict], update_revision: str, now) -> list[tuple]:
    """What upstream's updateStatefulSet would do this sync, in order.

    pods: the set's claimed pods. Actions:
      ("recreate", pod)            delete a Succeeded/Failed pod (recreated next sync)
      ("create", ordinal, which)   create the pod, which = "current" | "update"
      ("claims", pod)              create missing PVCs of a Pending pod
      ("ensure", pod)              fix identity labels and PVC owner references
      ("condemned-claims", pod)    set PVC owner references of a pod being scaled down
      ("scale-down", pod)          delete a pod beyond the replica range
      ("update", pod)              delete a pod that is not at the update revision
    With OrderedReady the plan ends at the first action or pod that must be waited for.
    """
    spec = sts.get("spec") or {}
    min_ready = int(spec.get("minReadySeconds") or 0)
    start, end = start_ordinal(sts), end_ordinal(sts)
    replicas: dict[int, dict | None] = {o: None for o in range(start, end + 1)}
    condemned: list[dict] = []
    for p in pods:
        o = ordinal_of(p)
        if start <= o <= end:
            replicas[o] = p
        elif o >= 0:
            condemned.append(p)
    condemned.sort(key=ordinal_of, reverse=True)
    first_unavailable = None
    for o in range(start, end + 1):
        if unavailable(replicas[o], min_ready, now):
            first_unavailable = ("replica", o)
            break
    if first_unavailable is None:
        for p in reversed(condemned):
            if unavailable(p, min_ready, now):
                first_unavailable = ("pod", p["metadata"]["name"])
                break
    if c.is_terminating(sts):
        return []
    mono = monotonic(sts)
    actions: list[tuple] = []
    fresh: set[int] = set()  # ordinals whose pod this plan creates or deletes
    for o in range(start, end + 1):
        pod = replicas[o]
        if pod is not None and c.pod_phase(pod) in ("Succeeded", "Failed"):
            if not c.is_terminating(pod):
                actions.append(("recreate", pod))
            fresh.add(o)
            if mono:
                return actions
            continue
        if pod is None:
            actions.append(("create", o, revision_for(sts, o)))
            fresh.add(o)
            if mono:
                return actions
            continue
        if c.pod_phase(pod) == "Pending":
            actions.append(("claims", pod))
        if mono and (c.is_terminating(pod) or not running_and_available(pod, min_ready, now)):
            return actions
        actions.append(("ensure", pod))
    for p in condemned:
        actions.append(("condemned-claims", p))
    for p in condemned:
        if c.is_terminating(p):
            if mono:
                return actions
            continue
        if mono and not running_and_available(p, min_ready, now) and first_unavailable != ("pod", p["metadata"]["name"]):
            return actions
        actions.append(("scale-down", p))
        if mono:
            return actions
    if (_strategy(sts).get("type") or "RollingUpdate") == "OnDelete":
        return actions
    update_min = partition(sts) if _strategy(sts).get("rollingUpdate") is not None else 0
    for target in range(end - start, update_min - 1, -1):
        o = start + target
        pod = replicas[o]
        if o in fresh or pod is None:
            return actions  # just created or deleted: unavailable
        if revision_of(pod) != update_revision and not c.is_terminating(pod):
            actions.append(("update", pod))
            return actions
        if unavailable(pod, min_ready, now):
            return actions
    return actions


# -- pure: PVC retention (upstream's isClaimOwnerUpToDate / updateClaimOwnerRefForSetAndPod) ---

def retention(sts: dict) -> tuple[str, str]:
    """(whenScaled, whenDeleted)."""
    pol = (sts.get("spec") or {}).get("persistentVolumeClaimRetentionPolicy") or {}
    return pol.get("whenScaled") or RETAIN, pol.get("whenDeleted") or RETAIN


def _matches_ref(ref: dict, obj: dict) -> bool:
    return ref.get("apiVersion") == obj.get("apiVersion") and ref.get("kind") == obj.get("kind") and \
        ref.get("name") == (obj.get("metadata") or {}).get("name")


def _uid(obj: dict) -> str:
    return (obj.get("metadata") or {}).get("uid") or ""


def has_owner_ref(claim: dict, owner: dict) -> bool:
    uid = _uid(owner)
    return any(r.get("uid") == uid for r in (claim.get("metadata") or {}).get("ownerReferences") or [])


def has_stale_owner_ref(claim: dict, obj: dict) -> bool:
    for r in (claim.get("metadata") or {}).get("ownerReferences") or []:
        if _matches_ref(r, obj):
            return r.get("uid") != _uid(obj)
    return False


def has_unexpected_controller(claim: dict, sts: dict, pod: dict) -> bool:
    if retention(sts) == (RETAIN, RETAIN):
        return False
    for r in (claim.get("metadata") or {}).get("ownerReferences") or []:
        if _matches_ref(r, sts):
            if r.get("uid") != _uid(sts):
                return True
            continue
        if _matches_ref(r, pod):
            if r.get("uid") != _uid(pod):
                return True
            continue
        if r.get("controller"):
            return True
    return False


def _has_non_controller_owner(claim: dict, sts: dict, pod: dict) -> bool:
    uids = {_uid(sts), _uid(pod)}
    return any(r.get("uid") in uids and not r.get("controller") for r in (claim.get("metadata") or {}).get("ownerReferences") or [])


def claim_owner_up_to_date(claim: dict, sts: dict, pod: dict) -> bool:
    if has_stale_owner_ref(claim, sts) or has_stale_owner_ref(claim, pod):
        return True  # managed by a previous incarnation: leave it alone
    if has_unexpected_controller(claim, sts, pod):
        return not (has_owner_ref(claim, sts) or has_owner_ref(claim, pod))
    if _has_non_controller_owner(claim, sts, pod):
        return False
    scaled, deleted = retention(sts)
    set_ref, pod_ref = has_owner_ref(claim, sts), has_owner_ref(claim, pod)
    scaled_down = not in_range(ordinal_of(pod), sts)
    if scaled == DELETE and deleted == DELETE:
        return scaled_down != set_ref and scaled_down == pod_ref
    if scaled == DELETE:
        return not set_ref and scaled_down == pod_ref
    if deleted == DELETE:
        return set_ref and not pod_ref
    return not set_ref and not pod_ref


def claim_owner_refs(claim: dict, sts: dict, pod: dict) -> list[dict]:
    """The claim's owner references brought in line with the retention policy."""
    refs = [r for r in (claim.get("metadata") or {}).get("ownerReferences") or []]
    unexpected = has_unexpected_controller(claim, sts, pod)
    refs = [r for r in refs if not (_matches_ref(r, sts) or _matches_ref(r, pod))]
    if unexpected:
        return refs
    scaled, deleted = retention(sts)
    scaled_down = not in_range(ordinal_of(pod), sts)

    def add(owner: dict) -> None:
        if not any(r.get("uid") == _uid(owner) for r in refs):
            refs.append(c.owner_ref(owner))

    if scaled == DELETE and scaled_down:
        add(pod)
    elif deleted == DELETE and not (scaled == DELETE and scaled_down):
        add(sts)
    return refs


# -- pure: status ---------------------------------------------------------------------------

def compute_status(sts: dict, pods: list[dict], current_revision: str, update_revision: str, collision_count: int, now) -> dict:
    """Upstream's updateStatus + completeRollingUpdate, serialized as upstream does."""
    min_ready = int((sts.get("spec") or {}).get("minReadySeconds") or 0)
    replicas = ready = available = current = updated = 0
    for p in pods:
        if ordinal_of(p) < 0:
            continue
        replicas += 1
        if running_and_ready(p):
            ready += 1
            if c.is_available(p, min_ready, now):
                available += 1
        if not c.is_terminating(p):
            rev = revision_of(p)
            current += rev == current_revision
            updated += rev == update_revision
    want = c.replicas_of(sts)
    if (_strategy(sts).get("type") or "RollingUpdate") == "RollingUpdate" and updated == want and ready == want and replicas == want:
        current, current_revision = updated, update_revision
    st: dict[str, Any] = {"replicas": replicas, "availableReplicas": available, "collisionCount": collision_count,
                          "observedGeneration": (sts.get("metadata") or {}).get("generation", 1)}
    for k, v in (("readyReplicas", ready), ("currentReplicas", current), ("updatedReplicas", updated),
                 ("currentRevision", current_revision), ("updateRevision", update_revision)):
        if v:
            st[k] = v
    return st


# -- sync --------------------------------------------------------------------------------------

REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    for sts in ctx.snap.list("StatefulSet"):
        ctx.guarded([sts], lambda s: _Sync(ctx, s).run())


class _Stop(Exception):
    """Execution must not go on this pass (a stale or terminating claim, a create conflict)."""


class _Sync:
    def __init__(self, ctx, sts: dict):
        self.ctx = ctx
        self.sts = sts
        self.name = sts["metadata"]["name"]
        self.ns = sts["metadata"]["namespace"]
        self.spec = sts.get("spec") or {}
        self.selector = selectors.from_label_selector(self.spec.get("selector"))

    def run(self) -> None:
        if self.selector.empty:
            return  # validation refuses an empty selector; never select every pod
        c.claim_objects(self.ctx, self.sts, "Pod", self.selector, member=lambda p: is_member(self.sts, p))
        revisions = sorted(c.claim_objects(self.ctx, self.sts, "ControllerRevision", self.selector), key=c.revision_key)
        got = self.revisions(revisions)
        if got is None:
            return
        current, update, collisions = got
        self.templates = {"current": c.template_from_patch(current.get("data")), "update": c.template_from_patch(update.get("data"))}
        self.names = {"current": current["metadata"]["name"], "update": update["metadata"]["name"]}
        try:
            for action in plan(self.sts, self.pods(), update["metadata"]["name"], self.ctx.now):
                getattr(self, "do_" + action[0].replace("-", "_"))(*action[1:])
        except _Stop:
            pass
        self.update_status(current["metadata"]["name"], update["metadata"]["name"], collisions)
        self.truncate_history(revisions, current, update)

    def pods(self) -> list[dict]:
        uid = self.sts["metadata"]["uid"]
        out = [p for p in self.ctx.snap.owned("Pod", uid) if c.is_controlled_by(p, self.sts) and is_member(self.sts, p)]
        return sorted(out, key=ordinal_of)

    def event_pod(self, verb: str, pod_name_: str, error: str | None = None) -> None:
        """Upstream's recordPodEvent."""
        if error is None:
            self.ctx.event(self.sts, "Normal", f"Successful{verb.title()}", f"{verb} Pod {pod_name_} in StatefulSet {self.name} successful")
        else:
            self.ctx.event(self.sts, "Warning", f"Failed{verb.title()}", f"{verb} Pod {pod_name_} in StatefulSet {self.name} failed error: {error}")

    # -- revisions ----------------------------------------------------------------------------
    def revisions(self, revisions: list[dict]) -> tuple[dict, dict, int] | None:
        """Upstream's getStatefulSetRevisions: (current, update, collisionCount)."""
        collisions = int((self.sts.get("status") or {}).get("collisionCount") or 0)
        data = c.template_patch(self.spec.get("template") or {})
        next_rev = int(revisions[-1].get("revision") or 0) + 1 if revisions else 1
        equal = [r for r in revisions if r.get("data") == data]
        if equal and equal[-1] is revisions[-1]:
            update = revisions[-1]
        elif equal:
            bumped = clone(equal[-1])
            bumped["revision"] = next_rev
            stored = self.ctx.update(bumped)
            if stored is None:
                return None
            update = stored
            self.ctx.change(self.sts, f"controller revision {update['metadata']['name']} is revision {next_rev} again")
        else:
            update = None
            for _ in range(10):
                rev = self.new_revision(data, next_rev, collisions)
                existing = self.ctx.snap.get("ControllerRevision", self.ns, rev["metadata"]["name"])
                if existing is None:
                    update = self.ctx.create(rev)
                    if update is None:
                        return None
                    self.ctx.change(self.sts, f"created controller revision {rev['metadata']['name']} (revision {next_rev})")
                    break
                if existing.get("data") == data:
                    update = existing
                    break
                collisions += 1
            if update is None:
                return None
        current = next((r for r in revisions if r["metadata"]["name"] == (self.sts.get("status") or {}).get("currentRevision")), None)
        return current or update, update, collisions

    def new_revision(self, data: dict, revision: int, collisions: int) -> dict:
        hash_ = c.revision_hash(data, collisions)
        labels = dict(((self.spec.get("template") or {}).get("metadata") or {}).get("labels") or {})
        labels[HASH] = hash_
        meta: dict[str, Any] = {"name": f"{self.name}-{hash_}", "namespace": self.ns, "labels": labels,
                                "ownerReferences": [c.owner_ref(self.sts)]}
        if self.sts["metadata"].get("annotations"):
            meta["annotations"] = dict(self.sts["metadata"]["annotations"])
        return {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta, "data": data, "revision": revision}

    def truncate_history(self, revisions: list[dict], current: dict, update: dict) -> None:
        live = {current["metadata"]["name"], update["metadata"]["name"]} | {revision_of(p) for p in self.pods()}
        history = [r for r in revisions if r["metadata"]["name"] not in live]
        limit = self.spec.get("revisionHistoryLimit")
        limit = 10 if limit is None else int(limit)
        if limit < 0 or len(history) <= limit:
            return
        for r in history[:len(history) - limit]:
            if self.ctx.delete(r):
                self.ctx.change(self.sts, f"deleted old controller revision {r['metadata']['name']} (revisionHistoryLimit {limit})")

    # -- claims -------------------------------------------------------------------------------
    def create_claims(self, ordinal: int, pod_name_: str) -> None:
        """Upstream's createPersistentVolumeClaims: create the missing ones; a claim being
        deleted stops the pod's creation."""
        for _, pvc in claims_for(self.sts, ordinal):
            existing = self.ctx.snap.get("PersistentVolumeClaim", self.ns, pvc["metadata"]["name"])
            if existing is None:
                if self.ctx.create(pvc) is None:
                    raise _Stop()
                msg = f"create Claim {pvc['metadata']['name']} Pod {pod_name_} in StatefulSet {self.name} success"
                self.ctx.event(self.sts, "Normal", "SuccessfulCreate", msg)
                self.ctx.change(self.sts, f"created claim {pvc['metadata']['name']}")
            elif c.is_terminating(existing):
                self.event_pod("create", pod_name_, f"pvc {pvc['metadata']['name']} is being deleted")
                raise _Stop()

    def claims_stale(self, ordinal: int, pod: dict) -> bool:
        """Upstream's PodClaimIsStale: a claim still owned by an earlier pod of this name."""
        if retention(self.sts)[0] == RETAIN:
            return False
        for _, pvc in claims_for(self.sts, ordinal):
            existing = self.ctx.snap.get("PersistentVolumeClaim", self.ns, pvc["metadata"]["name"])
            if existing is not None and has_stale_owner_ref(existing, pod):
                return True
        return False

    def fix_claim_owners(self, pod: dict) -> bool:
        """Upstream's UpdatePodClaimForRetentionPolicy; True if a claim was updated."""
        changed = False
        for _, pvc in claims_for(self.sts, ordinal_of(pod)):
            existing = self.ctx.snap.get("PersistentVolumeClaim", self.ns, pvc["metadata"]["name"])
            if existing is None or claim_owner_up_to_date(existing, self.sts, pod):
                continue
            upd = clone(existing)
            refs = claim_owner_refs(existing, self.sts, pod)
            if refs:
                upd["metadata"]["ownerReferences"] = refs
            else:
                upd["metadata"].pop("ownerReferences", None)
            if upd != existing and self.ctx.update(upd) is not None:
                changed = True
                owners = ", ".join(f"{r['kind'].lower()}/{r['name']}" for r in refs) or "none"
                self.ctx.change(self.sts, f"claim {existing['metadata']['name']} owners: {owners}")
        return changed

    # -- actions ------------------------------------------------------------------------------
    def do_recreate(self, pod: dict) -> None:
        name = pod["metadata"]["name"]
        if self.ctx.delete(pod):
            self.event_pod("delete", name)
            self.ctx.change(self.sts, f"deleted {c.pod_phase(pod).lower()} pod {name} to recreate it")

    def do_create(self, ordinal: int, which: str) -> None:
        pod = new_pod(self.sts, self.templates[which], ordinal, self.names[which])
        name = pod["metadata"]["name"]
        if self.claims_stale(ordinal, pod):
            raise _Stop()
        self.create_claims(ordinal, name)
        try:
            created = self.ctx.create(pod)
        except Forbidden as e:  # a quota or limit refused it: say so once, retry next pass
            c.event_once(self.ctx, self.sts, "Warning", "FailedCreate",
                         f"create Pod {name} in StatefulSet {self.name} failed error: {e.message}")
            raise _Stop() from None
        if created is None:
            raise _Stop()
        self.fix_claim_owners(created)
        self.event_pod("create", name)
        self.ctx.change(self.sts, f"created pod {name}")

    def do_claims(self, pod: dict) -> None:
        try:
            self.create_claims(ordinal_of(pod), pod["metadata"]["name"])
        except _Stop:
            pass

    def do_ensure(self, pod: dict) -> None:
        """Upstream's UpdateStatefulPod for a running replica: identity labels, missing claims,
        claim owner references (a pod's volumes are immutable, so storage is not rewritten)."""
        if not storage_matches(self.sts, pod):
            try:
                self.create_claims(ordinal_of(pod), pod["metadata"]["name"])
            except _Stop:
                pass
        claims_changed = self.fix_claim_owners(pod)
        if identity_matches(self.sts, pod):
            if claims_changed:
                self.event_pod("update", pod["metadata"]["name"])
            return
        upd = clone(pod)
        labels = upd["metadata"].setdefault("labels", {})
        labels[POD_NAME_LABEL] = pod["metadata"]["name"]
        labels[POD_INDEX_LABEL] = str(ordinal_of(pod))
        if self.ctx.update(upd) is not None:
            self.event_pod("update", pod["metadata"]["name"])
            self.ctx.change(self.sts, f"updated identity of pod {pod['metadata']['name']}")

    def do_condemned_claims(self, pod: dict) -> None:
        self.fix_claim_owners(pod)

    def do_scale_down(self, pod: dict) -> None:
        name = pod["metadata"]["name"]
        if self.ctx.delete(pod):
            self.event_pod("delete", name)
            self.ctx.change(self.sts, f"deleted pod {name} (scale down)")

    def do_update(self, pod: dict) -> None:
        name = pod["metadata"]["name"]
        if self.ctx.delete(pod):
            self.event_pod("delete", name)
            self.ctx.change(self.sts, f"deleted pod {name} to update it to revision {self.names['update']}")

    # -- status ---------------------------------------------------------------------------------
    def update_status(self, current: str, update: str, collisions: int) -> None:
        sts = self.ctx.snap.get("StatefulSet", self.ns, self.name) or self.sts
        st = compute_status(sts, self.pods(), current, update, collisions, self.ctx.now)
        c.requeue_for_min_ready(self.ctx, self.pods(), (sts.get("spec") or {}).get("minReadySeconds") or 0, f"statefulset {self.ns}/{self.name}")
        prev = sts.get("status") or {}
        if prev.get("conditions"):
            st["conditions"] = prev["conditions"]
        if st != prev:
            upd = clone(sts)
            upd["status"] = st
            self.ctx.update(upd)
