"""Deployment: roll ReplicaSets forward, as upstream's pkg/controller/deployment.

The sync follows upstream's phases: claim ReplicaSets, then either a scaling event
(proportional scaling across active ReplicaSets), a Recreate rollout or a RollingUpdate
rollout, then history cleanup and status with the Available and Progressing conditions.
The arithmetic (fenceposts, proportions, new ReplicaSet size) is pure and table-tested.
"""
from __future__ import annotations

import datetime as dt

from typing import Any

from kubelite.api.fastcopy import clone
from kubelite.api import selectors
from kubelite.clock import parse_time
from kubelite.controllers import _common as c

# Re-run in the same pass when these change after it ran: its ReplicaSets' statuses make its status.
WATCHES = ("ReplicaSet",)

REVISION = "deployment.kubernetes.io/revision"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
HASH = "pod-template-hash"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_NOT_COPIED = {LAST_APPLIED, REVISION, DESIRED, MAX_REPLICAS, "deployment.kubernetes.io/revision-history"}


# -- pure arithmetic ------------------------------------------------------------

def resolve_fenceposts(max_surge: Any, max_unavailable: Any, desired: int) -> tuple[int, int]:
    """maxSurge rounds up, maxUnavailable rounds down; both 0 means unavailable 1."""
    surge = c.int_or_percent(max_surge, desired, True)
    unavailable = c.int_or_percent(max_unavailable, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _rolling(d: dict) -> dict | None:
    s = (d.get("spec") or {}).get("strategy") or {}
    if (s.get("type") or "RollingUpdate") != "RollingUpdate":
        return None
    return s.get("rollingUpdate") or {"maxSurge": "25%", "maxUnavailable": "25%"}


def max_surge(d: dict) -> int:
    ru = _rolling(d)
    if ru is None:
        return 0
    return resolve_fenceposts(ru.get("maxSurge"), ru.get("maxUnavailable"), c.replicas_of(d))[0]


def max_unavailable(d: dict) -> int:
    ru = _rolling(d)
    replicas = c.replicas_of(d)
    if ru is None or replicas == 0:
        return 0
    u = resolve_fenceposts(ru.get("maxSurge"), ru.get("maxUnavailable"), replicas)[1]
    return min(u, replicas)


def new_rs_replicas(d: dict, all_rss: list[dict], new_rs: dict | None) -> int:
    """How big the new ReplicaSet may be now (upstream's NewRSNewReplicas)."""
    replicas = c.replicas_of(d)
    if _rolling(d) is None:
        return replicas
    current = sum(c.replicas_of(rs) for rs in all_rss)
    max_total = replicas + max_surge(d)
    if current >= max_total:
        return c.replicas_of(new_rs) if new_rs else 0
    new_size = c.replicas_of(new_rs) if new_rs else 0
    scale_up = min(max_total - current, replicas - new_size)
    return new_size + scale_up


def rs_fraction(rs: dict, d: dict) -> int:
    """Upstream's getReplicaSetFraction: this ReplicaSet's share of a resize."""
    replicas = c.replicas_of(d)
    if replicas == 0:
        return -c.replicas_of(rs)
    deployment_replicas = replicas + max_surge(d)
    ann = (rs["metadata"].get("annotations") or {}).get(MAX_REPLICAS)
    try:
        annotated = int(ann) if ann is not None else c.status_replicas(d)
    except ValueError:
        annotated = c.status_replicas(d)
    if annotated == 0:
        return 0
    new_size = c.replicas_of(rs) * deployment_replicas / annotated
    return int(new_size + 0.5) - c.replicas_of(rs)


def proportion(rs: dict, d: dict, to_add: int, added: int) -> int:
    if c.replicas_of(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = rs_fraction(rs, d)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def proportional_sizes(d: dict, active: list[dict]) -> dict[str, int]:
    """New sizes for the active ReplicaSets when replicas change mid-rollout."""
    replicas = c.replicas_of(d)
    total = sum(c.replicas_of(rs) for rs in active)
    allowed = replicas + max_surge(d) if replicas > 0 else 0
    to_add = allowed - total
    if to_add > 0:
        ordered = sorted(active, key=lambda rs: (-c.replicas_of(rs), _Newer(rs)))
    else:
        ordered = sorted(active, key=lambda rs: (-c.replicas_of(rs), _created(rs), rs["metadata"]["name"]))
    sizes: dict[str, int] = {}
    added = 0
    for rs in ordered:
        name = rs["metadata"]["name"]
        if to_add != 0:
            p = proportion(rs, d, to_add, added)
            sizes[name] = c.replicas_of(rs) + p
            added += p
        else:
            sizes[name] = c.replicas_of(rs)
    leftover = to_add - added
    if ordered and leftover != 0:
        first = ordered[0]["metadata"]["name"]
        sizes[first] = max(0, sizes[first] + leftover)
    return sizes


class _Newer:
    """Sorts newer ReplicaSets first."""

    def __init__(self, rs: dict):
        self.key = (_created(rs), rs["metadata"]["name"])

    def __lt__(self, other: "_Newer") -> bool:
        return self.key > other.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Newer) and self.key == other.key


def _created(rs: dict) -> str:
    return rs["metadata"].get("creationTimestamp") or ""


def _revision(rs: dict) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get(REVISION, "0"))
    except ValueError:
        return 0


def equal_ignore_hash(t1: dict, t2: dict) -> bool:
    return _without_hash(t1 or {}) == _without_hash(t2 or {})


def _without_hash(template: dict) -> dict:
    """The template without its pod-template-hash label (a shallow copy only when it has one)."""
    meta = template.get("metadata") or {}
    labels = meta.get("labels")
    if not labels or HASH not in labels:
        return template
    return {**template, "metadata": {**meta, "labels": {k: v for k, v in labels.items() if k != HASH}}}


# -- sync -------------------------------------------------------------------------

class _Sync:
    def __init__(self, ctx, d: dict):
        self.ctx = ctx
        self.d = d
        self.name = d["metadata"]["name"]
        self.ns = d["metadata"]["namespace"]
        self.spec = d.get("spec") or {}
        self.selector = selectors.from_label_selector(self.spec.get("selector"))
        self.progress_reason: tuple[str, str] | None = None

    def claim(self) -> list[dict]:
        uid = self.d["metadata"]["uid"]
        out = []
        for rs in self.ctx.snap.owned("ReplicaSet", uid):
            if c.is_controlled_by(rs, self.d):
                out.append(rs)
        if not c.is_terminating(self.d):
            for rs in self.ctx.snap.select("ReplicaSet", self.ns, self.selector):
                if c.controller_of(rs) is None and not c.is_terminating(rs):
                    adopted = clone(rs)
                    adopted["metadata"].setdefault("ownerReferences", []).append(c.owner_ref(self.d))
                    stored = self.ctx.update(adopted)
                    if stored is not None:
                        out.append(stored)
        return out

    def split(self, rss: list[dict]) -> tuple[dict | None, list[dict]]:
        new = None
        tmpl = self.spec.get("template") or {}
        for rs in sorted(rss, key=_created):
            if equal_ignore_hash((rs.get("spec") or {}).get("template") or {}, tmpl):
                new = rs
                break
        return new, [rs for rs in rss if rs is not new]

    def scale(self, rs: dict, size: int) -> dict:
        """Set a ReplicaSet's replicas and annotations (upstream's scaleReplicaSet)."""
        updated = clone(rs)
        ann = updated["metadata"].setdefault("annotations", {})
        ann[DESIRED] = str(c.replicas_of(self.d))
        ann[MAX_REPLICAS] = str(c.replicas_of(self.d) + max_surge(self.d))
        old = c.replicas_of(rs)
        updated["spec"]["replicas"] = size
        if updated == rs:
            return rs
        stored = self.ctx.update(updated)
        if stored is None:
            return rs
        if old != size:
            verb = "up" if size > old else "down"
            msg = f"Scaled {verb} replica set {rs['metadata']['name']} from {old} to {size}"
            self.ctx.event(self.d, "Normal", "ScalingReplicaSet", msg)
            self.ctx.change(self.d, f"scaled {verb} replica set {rs['metadata']['name']} from {old} to {size}")
        return stored

    def new_rs(self, rss: list[dict], old: list[dict], create: bool) -> dict | None:
        new, _ = self.split(rss)
        max_old = max([_revision(rs) for rs in old] or [0])
        if new is not None:
            want_rev = str(max_old + 1) if _revision(new) <= max_old else str(_revision(new))
            updated = clone(new)
            ann = updated["metadata"].setdefault("annotations", {})
            ann[REVISION] = want_rev
            for k, v in (self.d["metadata"].get("annotations") or {}).items():
                if k not in _NOT_COPIED:
                    ann[k] = v
            if updated["spec"].get("minReadySeconds", 0) != self.spec.get("minReadySeconds", 0):
                updated["spec"]["minReadySeconds"] = self.spec.get("minReadySeconds", 0)
            if updated != new:
                new = self.ctx.update(updated) or new
            self.progress_reason = self.progress_reason or ("FoundNewReplicaSet", f'Found new replica set "{new["metadata"]["name"]}"')
            return new
        if not create:
            return None
        tmpl = clone(self.spec.get("template") or {})
        collisions = int((self.d.get("status") or {}).get("collisionCount") or 0)
        h = c.template_hash(tmpl, collisions)
        tmpl.setdefault("metadata", {}).setdefault("labels", {})[HASH] = h
        sel = clone(self.spec.get("selector") or {})
        sel.setdefault("matchLabels", {})[HASH] = h
        name = f"{self.name}-{h}"
        size = new_rs_replicas(self.d, rss, None)
        ann = {k: v for k, v in (self.d["metadata"].get("annotations") or {}).items() if k not in _NOT_COPIED}
        ann.update({DESIRED: str(c.replicas_of(self.d)), MAX_REPLICAS: str(c.replicas_of(self.d) + max_surge(self.d)), REVISION: str(max_old + 1)})
        rs = {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": self.ns, "labels": dict(tmpl["metadata"]["labels"]),
                         "annotations": ann, "ownerReferences": [c.owner_ref(self.d)]},
            "spec": {"replicas": size, "minReadySeconds": self.spec.get("minReadySeconds", 0), "selector": sel, "template": tmpl},
        }
        existing = self.ctx.snap.get("ReplicaSet", self.ns, name)
        if existing is not None:
            # A hash collision: bump collisionCount so the next pass picks a new name.
            if not equal_ignore_hash((existing.get("spec") or {}).get("template") or {}, self.spec.get("template") or {}):
                d2 = clone(self.ctx.snap.get("Deployment", self.ns, self.name) or self.d)
                d2.setdefault("status", {})["collisionCount"] = collisions + 1
                self.ctx.update(d2)
            return None
        created = self.ctx.create(rs)
        if created is None:
            return None
        self.progress_reason = ("NewReplicaSetCreated", f'Created new replica set "{name}"')
        if size > 0:
            msg = f"Scaled up replica set {name} from 0 to {size}"
            self.ctx.event(self.d, "Normal", "ScalingReplicaSet", msg)
            self.ctx.change(self.d, f"scaled up replica set {name} from 0 to {size}")
        else:
            self.ctx.change(self.d, f"created replica set {name}")
        return created

    # -- strategies ---------------------------------------------------------------------
    def is_scaling_event(self, rss: list[dict]) -> bool:
        for rs in rss:
            if c.replicas_of(rs) <= 0:
                continue
            desired = (rs["metadata"].get("annotations") or {}).get(DESIRED)
            if desired is not None and desired != str(c.replicas_of(self.d)):
                return True
        return False

    def sync_scale(self, new: dict | None, old: list[dict]) -> None:
        """Upstream's scale(): one active ReplicaSet takes all; several share proportionally."""
        replicas = c.replicas_of(self.d)
        active = [rs for rs in ([new] if new else []) + old if c.replicas_of(rs) > 0]
        if len(active) <= 1:
            target = active[0] if active else (new or (max(old, key=_created) if old else None))
            if target is not None and (c.replicas_of(target) != replicas or self._annotations_stale(target)):
                self.scale(target, replicas)
            return
        if new is not None and c.replicas_of(new) == replicas and \
                (new["metadata"].get("annotations") or {}).get(DESIRED) == str(replicas) and \
                c.status_replicas(new, "availableReplicas") == replicas:
            for rs in old:
                if c.replicas_of(rs) > 0:
                    self.scale(rs, 0)
            return
        if _rolling(self.d) is not None:
            sizes = proportional_sizes(self.d, active)
            for rs in active:
                self.scale(rs, sizes[rs["metadata"]["name"]])

    def _annotations_stale(self, rs: dict) -> bool:
        ann = rs["metadata"].get("annotations") or {}
        return ann.get(DESIRED) != str(c.replicas_of(self.d)) or ann.get(MAX_REPLICAS) != str(c.replicas_of(self.d) + max_surge(self.d))

    def rolling(self, rss: list[dict]) -> tuple[dict | None, list[dict]]:
        _, old = self.split(rss)
        new = self.new_rs(rss, old, create=True)
        all_rss = old + ([new] if new else [])
        if new is not None:
            # reconcileNewReplicaSet
            replicas = c.replicas_of(self.d)
            if c.replicas_of(new) > replicas:
                self.scale(new, replicas)
                return new, old
            if c.replicas_of(new) < replicas:
                size = new_rs_replicas(self.d, all_rss, new)
                if size != c.replicas_of(new):
                    self.scale(new, size)
                    return new, old
        # reconcileOldReplicaSets
        old_active = [rs for rs in old if c.replicas_of(rs) > 0]
        if not old_active:
            return new, old
        all_count = sum(c.replicas_of(rs) for rs in all_rss)
        min_available = c.replicas_of(self.d) - max_unavailable(self.d)
        new_unavailable = (c.replicas_of(new) - c.status_replicas(new, "availableReplicas")) if new else 0
        max_scaled_down = all_count - min_available - new_unavailable
        if max_scaled_down <= 0:
            return new, old
        # cleanupUnhealthyReplicas: old pods that are not available go first.
        cleaned = 0
        for rs in sorted(old_active, key=lambda r: (_created(r), r["metadata"]["name"])):
            if cleaned >= max_scaled_down:
                break
            unhealthy = c.replicas_of(rs) - c.status_replicas(rs, "availableReplicas")
            if unhealthy <= 0:
                continue
            down = min(max_scaled_down - cleaned, unhealthy)
            self.scale(rs, c.replicas_of(rs) - down)
            cleaned += down
        if cleaned:
            return new, old
        # scaleDownOldReplicaSetsForRollingUpdate
        available = sum(c.status_replicas(rs, "availableReplicas") for rs in all_rss)
        if available <= min_available:
            return new, old
        total_down = available - min_available
        done = 0
        for rs in sorted(old_active, key=lambda r: (_created(r), r["metadata"]["name"])):
            if done >= total_down:
                break
            down = min(c.replicas_of(rs), total_down - done)
            self.scale(rs, c.replicas_of(rs) - down)
            done += down
        return new, old

    def recreate(self, rss: list[dict]) -> tuple[dict | None, list[dict]]:
        new, old = self.split(rss)
        new = self.new_rs(rss, old, create=False)
        scaled = False
        for rs in old:
            if c.replicas_of(rs) > 0:
                self.scale(rs, 0)
                scaled = True
        if scaled:
            return new, old
        # Wait until every old pod is gone (not merely terminal-free) before starting new ones.
        for rs in old:
            for pod in self.ctx.snap.owned("Pod", rs["metadata"]["uid"]):
                if c.pod_phase(pod) not in ("Succeeded", "Failed"):
                    return new, old
        if new is None:
            new = self.new_rs(rss, old, create=True)
        if new is not None and c.replicas_of(new) != c.replicas_of(self.d):
            self.scale(new, c.replicas_of(self.d))
        return new, old

    def cleanup(self, old: list[dict]) -> None:
        limit = self.spec.get("revisionHistoryLimit")
        if limit is None:
            return
        cleanable = [rs for rs in old if not c.is_terminating(rs) and c.replicas_of(rs) == 0 and c.status_replicas(rs) == 0
                     and (rs.get("status") or {}).get("observedGeneration", 0) >= rs["metadata"].get("generation", 1)
                     and not self.ctx.snap.owned("Pod", rs["metadata"]["uid"])]
        extra = len(cleanable) - int(limit)
        if extra <= 0:
            return
        for rs in sorted(cleanable, key=lambda r: (_revision(r), _created(r)))[:extra]:
            if self.ctx.delete(rs):
                self.ctx.change(self.d, f"deleted old replica set {rs['metadata']['name']} (revisionHistoryLimit {limit})")

    # -- status ---------------------------------------------------------------------------
    def status(self, new: dict | None, old: list[dict]) -> None:
        d = self.ctx.snap.get("Deployment", self.ns, self.name) or self.d
        all_rss = ([new] if new else []) + old
        replicas = c.replicas_of(d)
        prev = d.get("status") or {}
        st = clone(prev)
        st["observedGeneration"] = d["metadata"].get("generation", 1)
        st["replicas"] = sum(c.status_replicas(rs) for rs in all_rss)
        st["updatedReplicas"] = c.status_replicas(new) if new else 0
        st["readyReplicas"] = sum(c.status_replicas(rs, "readyReplicas") for rs in all_rss)
        st["availableReplicas"] = sum(c.status_replicas(rs, "availableReplicas") for rs in all_rss)
        total_spec = sum(c.replicas_of(rs) for rs in all_rss)
        st["unavailableReplicas"] = max(0, total_spec - st["availableReplicas"])
        if st["availableReplicas"] >= replicas - max_unavailable(d):
            _condition(st, prev, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", self.ctx.stamp)
        else:
            _condition(st, prev, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", self.ctx.stamp)
        self._progressing(d, st, prev, new)
        for k in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"):
            if st.get(k) == 0:
                st.pop(k)
        if st != prev:
            updated = clone(d)
            updated["status"] = st
            rev = str(_revision(new)) if new else None
            if rev and (updated["metadata"].get("annotations") or {}).get(REVISION) != rev:
                updated["metadata"].setdefault("annotations", {})[REVISION] = rev
            self.ctx.update(updated)
        elif new is not None and (d["metadata"].get("annotations") or {}).get(REVISION) != str(_revision(new)):
            updated = clone(d)
            updated["metadata"].setdefault("annotations", {})[REVISION] = str(_revision(new))
            self.ctx.update(updated)

    def _progressing(self, d: dict, st: dict, prev: dict, new: dict | None) -> None:
        """Upstream's syncRolloutStatus: complete, progressing, or timed out against the deadline."""
        spec = d.get("spec") or {}
        old = c.condition({"status": prev}, "Progressing")
        rs_name = new["metadata"]["name"] if new else ""
        if spec.get("paused"):
            _condition(st, prev, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", self.ctx.stamp)
            return
        if old is not None and old.get("reason") == "DeploymentPaused":
            _condition(st, prev, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", self.ctx.stamp)
            return
        deadline = spec.get("progressDeadlineSeconds")
        if deadline is None or new is None:
            return
        replicas = c.replicas_of(d)
        complete = (st.get("updatedReplicas", 0) == replicas and st.get("replicas", 0) == replicas
                    and st.get("availableReplicas", 0) == replicas and st.get("observedGeneration", 0) >= d["metadata"].get("generation", 1))
        old_old = int(prev.get("replicas") or 0) - int(prev.get("updatedReplicas") or 0)
        new_old = st.get("replicas", 0) - st.get("updatedReplicas", 0)
        progressing = (st.get("updatedReplicas", 0) > int(prev.get("updatedReplicas") or 0) or new_old < old_old
                       or st.get("readyReplicas", 0) > int(prev.get("readyReplicas") or 0)
                       or st.get("availableReplicas", 0) > int(prev.get("availableReplicas") or 0))
        if complete:
            _condition(st, prev, "Progressing", "True", "NewReplicaSetAvailable", f'ReplicaSet "{rs_name}" has successfully progressed.', self.ctx.stamp)
        elif self.progress_reason and self.progress_reason[0] == "NewReplicaSetCreated":
            _condition(st, prev, "Progressing", "True", *self.progress_reason, self.ctx.stamp)
        elif progressing:
            _condition(st, prev, "Progressing", "True", "ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.', self.ctx.stamp, bump=True)
        elif old is None:
            _condition(st, prev, "Progressing", "True", *(self.progress_reason or ("ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.')), self.ctx.stamp)
        elif old.get("reason") not in ("NewReplicaSetAvailable", "ProgressDeadlineExceeded"):
            since = old.get("lastUpdateTime") or old.get("lastTransitionTime")
            try:
                timed_out = (self.ctx.now - parse_time(since)).total_seconds() > int(deadline)
            except (TypeError, ValueError):
                timed_out = False
            if not timed_out and since:  # timed out once more than the deadline has passed
                self.ctx.requeue_at(parse_time(since) + dt.timedelta(seconds=int(deadline) + 1), f"progressDeadlineSeconds of deployment {self.name}")
            if timed_out:
                _condition(st, prev, "Progressing", "False", "ProgressDeadlineExceeded", f'ReplicaSet "{rs_name}" has timed out progressing.', self.ctx.stamp)
                self.ctx.event(d, "Warning", "ProgressDeadlineExceeded", f'Deployment "{self.name}" has timed out progressing.')
                self.ctx.change(d, f"progress deadline exceeded ({deadline}s)")


def _condition(st: dict, prev: dict, ctype: str, status: str, reason: str, message: str, now: str, bump: bool = False) -> None:
    """Set a deployment condition: lastUpdateTime moves when it changes (or on progress),
    lastTransitionTime only when its status flips."""
    old = c.condition({"status": prev}, ctype)
    cond = {"type": ctype, "status": status, "reason": reason, "message": message}
    if old is not None and all(old.get(k) == cond[k] for k in ("status", "reason", "message")) and not bump:
        cond["lastUpdateTime"] = old.get("lastUpdateTime", now)
        cond["lastTransitionTime"] = old.get("lastTransitionTime", now)
    else:
        cond["lastUpdateTime"] = now
        cond["lastTransitionTime"] = old.get("lastTransitionTime", now) if old is not None and old.get("status") == status else now
    others = [x for x in st.get("conditions") or [] if x.get("type") != ctype]
    order = {"Available": 0, "Progressing": 1, "ReplicaFailure": 2}
    st["conditions"] = sorted(others + [cond], key=lambda x: order.get(x.get("type"), 9))


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)
# A focused pass visits only Deployments its changes reach (runtime/focus.py): a Deployment's
# sync reads its ReplicaSets and their pods, whose changes focus it through ownerReferences.
FOCUSED = True


def sync(ctx) -> None:
    for d in ctx.snap.list("Deployment"):
        ctx.guarded([d], lambda x: _sync_one(ctx, x))


def _sync_one(ctx, d: dict) -> None:
    s = _Sync(ctx, d)
    rss = s.claim()
    if c.is_terminating(d):
        new, old = s.split(rss)
        s.status(new, old)
        return
    if (d.get("spec") or {}).get("paused"):
        new, old = s.split(rss)
        new = s.new_rs(rss, old, create=False)
        s.sync_scale(new, old)
        s.cleanup(old)
        s.status(new, old)
        return
    if s.is_scaling_event(rss):
        new, old = s.split(rss)
        new = s.new_rs(rss, old, create=False)
        s.sync_scale(new, old)
        s.status(new, old)
        return
    if _rolling(d) is None:
        new, old = s.recreate(rss)
    else:
        new, old = s.rolling(rss)
    new = ctx.snap.get("ReplicaSet", s.ns, new["metadata"]["name"]) if new else None
    old = [ctx.snap.get("ReplicaSet", s.ns, rs["metadata"]["name"]) or rs for rs in old]
    replicas = c.replicas_of(d)
    if new is not None and c.replicas_of(new) == replicas and c.status_replicas(new, "availableReplicas") == replicas \
            and not any(c.replicas_of(rs) for rs in old):
        s.cleanup(old)
    s.status(new, old)
