"""DaemonSet: one pod per eligible node, as upstream's pkg/controller/daemon.

A sync follows upstream's syncDaemonSet:

1. claim pods (adopt orphans matching the selector, release those that stop matching);
2. construct history: the ControllerRevision `<ds>-<hash>` whose data matches the
   template is current (created if missing, its revision bumped past the old ones);
   its hash is the `controller-revision-hash` label of new pods;
3. manage: for each node, NodeShouldRunDaemonPod decides (shouldRun,
   shouldContinueRunning) from the template's nodeName, nodeSelector, required node
   affinity and the node's NoSchedule/NoExecute taints against the pod's tolerations
   plus the automatic daemon tolerations. Missing pods are created (the pod is pinned
   with a required `matchFields metadata.name In [node]` affinity and the default
   scheduler binds it), pods on nodes that may no longer run one, failed or succeeded
   pods and surplus pods are deleted;
4. if manage wrote nothing (upstream's "expectations satisfied"), RollingUpdate
   deletes old pods within maxUnavailable or surges new ones within maxSurge (both
   rounded up); OnDelete waits for the user;
5. history beyond revisionHistoryLimit is cleaned up, and status is written.

The decisions are pure functions (node_should_run, pods_should_be_on_node,
rolling_update_plan, compute_status) so table tests reach them.
"""
from __future__ import annotations

from typing import Any

from kubelite.api.fastcopy import clone
from kubelite.api import selectors
from kubelite.api import kinds
from kubelite.controllers import _common as c
from kubelite.errors import Forbidden

HASH = c.REVISION_HASH
TEMPLATE_GENERATION = "pod-template-generation"
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"
BURST = 250  # upstream's BurstReplicas for the daemon set controller

NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
DISK_PRESSURE = "node.kubernetes.io/disk-pressure"
MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure"
PID_PRESSURE = "node.kubernetes.io/pid-pressure"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable"


# -- pure: tolerations, eligibility ------------------------------------------------------

def _same_toleration(a: dict, b: dict) -> bool:
    """Upstream's Toleration.MatchToleration: same key, operator, value and effect."""
    return all((a.get(k) or "") == (b.get(k) or "") for k in ("key", "operator", "value", "effect"))


def add_or_update_toleration(tolerations: list[dict], tol: dict) -> list[dict]:
    """Upstream's AddOrUpdateTolerationInPodSpec: replace a matching toleration, else append."""
    out, updated = [], False
    for t in tolerations or []:
        if _same_toleration(t, tol):
            out.append(dict(tol))
            updated = True
        else:
            out.append(t)
    if not updated:
        out.append(dict(tol))
    return out


def daemon_tolerations(spec: dict) -> list[dict]:
    """The pod's tolerations plus upstream's automatic daemon tolerations
    (AddOrUpdateDaemonPodTolerations): not-ready and unreachable NoExecute without
    tolerationSeconds, the pressure and unschedulable taints NoSchedule, and
    network-unavailable for hostNetwork pods."""
    tols = [dict(t) for t in spec.get("tolerations") or []]
    auto = [(NOT_READY, "NoExecute"), (UNREACHABLE, "NoExecute"), (DISK_PRESSURE, "NoSchedule"),
            (MEMORY_PRESSURE, "NoSchedule"), (PID_PRESSURE, "NoSchedule"), (UNSCHEDULABLE, "NoSchedule")]
    if spec.get("hostNetwork"):
        auto.append((NETWORK_UNAVAILABLE, "NoSchedule"))
    for key, effect in auto:
        tols = add_or_update_toleration(tols, {"key": key, "operator": "Exists", "effect": effect})
    return tols


def new_pod(ds: dict, node_name: str) -> dict:
    """Upstream's NewPod: the template as a pod for a node, with daemon tolerations (for predicates)."""
    tmpl = (ds.get("spec") or {}).get("template") or {}
    spec = clone(tmpl.get("spec") or {})
    spec["nodeName"] = node_name
    spec["tolerations"] = daemon_tolerations(spec)
    return {"metadata": clone(tmpl.get("metadata") or {}), "spec": spec}


def node_should_run(node: dict, ds: dict) -> tuple[bool, bool]:
    """(shouldRun, shouldContinueRunning), upstream's NodeShouldRunDaemonPod.

    shouldRun: the node fits nodeName, the required node affinity (nodeSelector included),
    and every NoSchedule/NoExecute taint is tolerated. A node that fits but has an
    untolerated NoSchedule taint only (say unreachable) keeps an existing pod."""
    name = node["metadata"]["name"]
    pod = new_pod(ds, name)
    want_node = (((ds.get("spec") or {}).get("template") or {}).get("spec") or {}).get("nodeName")
    if want_node and want_node != name:
        return False, False
    if not c.required_node_affinity_matches(pod, node):
        return False, False
    taints = (node.get("spec") or {}).get("taints") or []
    tolerations = pod["spec"]["tolerations"]
    if c.find_untolerated_taint(taints, tolerations, ("NoSchedule", "NoExecute")) is None:
        return True, True
    return False, c.find_untolerated_taint(taints, tolerations, ("NoExecute",)) is None


def node_affinity_for(affinity: dict | None, node_name: str) -> dict:
    """Upstream's ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity
    becomes a single `matchFields metadata.name In [node]` term (other affinity kept)."""
    aff = clone(affinity or {})
    na = aff.setdefault("nodeAffinity", {})
    req = na.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    req["nodeSelectorTerms"] = [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}]
    na["requiredDuringSchedulingIgnoredDuringExecution"] = req
    return aff


def target_node(pod: dict) -> str | None:
    """Upstream's GetTargetNodeName: spec.nodeName, else the node the matchFields affinity pins."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return spec["nodeName"]
    req = (((spec.get("affinity") or {}).get("nodeAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in req.get("nodeSelectorTerms") or []:
        for f in term.get("matchFields") or []:
            if f.get("key") == "metadata.name" and f.get("operator") == "In" and len(f.get("values") or []) == 1:
                return str(f["values"][0])
    return None


def template_generation(ds: dict) -> str | None:
    """The template generation: upstream's annotation when present."""
    return ((ds.get("metadata") or {}).get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)


def is_updated(pod: dict, hash_: str, generation: str | None) -> bool:
    """Upstream's IsPodUpdated: the hash label matches, or the template generation does."""
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return (bool(hash_) and labels.get(HASH) == hash_) or (generation is not None and labels.get(TEMPLATE_GENERATION) == generation)


def _created(pod: dict) -> str:
    return (pod.get("metadata") or {}).get("creationTimestamp") or ""


def by_creation_and_phase(pods: list[dict]) -> list[dict]:
    """Upstream's podByCreationTimestampAndPhase: scheduled first, then oldest, then name."""
    return sorted(pods, key=lambda p: (0 if (p.get("spec") or {}).get("nodeName") else 1, _created(p), p["metadata"]["name"]))


def rolling(ds: dict) -> dict | None:
    us = (ds.get("spec") or {}).get("updateStrategy") or {}
    if (us.get("type") or "RollingUpdate") != "RollingUpdate":
        return None
    return us.get("rollingUpdate") or {}


def surge_count(ds: dict, number: int) -> int:
    ru = rolling(ds)
    if ru is None:
        return 0
    return c.int_or_percent(ru.get("maxSurge"), number, True)


def unavailable_count(ds: dict, number: int) -> int:
    ru = rolling(ds)
    if ru is None:
        return 0
    return c.int_or_percent(ru.get("maxUnavailable", 1), number, True)


def allows_surge(ds: dict) -> bool:
    return surge_count(ds, 1) != 0


def pods_should_be_on_node(node: dict, ds: dict, pods: list[dict], hash_: str, now) -> tuple[bool, list[dict], list[tuple[str, str, str]]]:
    """Upstream's podsShouldBeOnNode for one node.

    Returns (needs a pod, pods to delete, events as (type, reason, message))."""
    should_run, should_continue = node_should_run(node, ds)
    node_name = node["metadata"]["name"]
    min_ready = int((ds.get("spec") or {}).get("minReadySeconds") or 0)
    to_delete: list[dict] = []
    events: list[tuple[str, str, str]] = []
    if should_run and not pods:
        return True, [], []
    if should_continue:
        running = []
        for p in pods:
            if c.is_terminating(p):
                continue
            phase = c.pod_phase(p)
            where = f"{p['metadata']['namespace']}/{p['metadata']['name']} on node {node_name}"
            if phase == "Failed":
                events.append(("Warning", "FailedDaemonPod", f"Found failed daemon pod {where}, will try to kill it"))
                to_delete.append(p)
            elif phase == "Succeeded":
                events.append(("Normal", "SucceededDaemonPod", f"Found succeeded daemon pod {where}, will try to delete it"))
                to_delete.append(p)
            else:
                running.append(p)
        needs = False
        if not allows_surge(ds):
            if len(running) > 1:
                to_delete += by_creation_and_phase(running)[1:]
            return needs, to_delete, events
        if len(running) <= 1:
            return (not running and should_run), to_delete, events
        oldest_new = oldest_old = None
        for p in by_creation_and_phase(running):
            if ((p["metadata"].get("labels") or {}).get(HASH)) == hash_:
                if oldest_new is None:
                    oldest_new = p
                    continue
            elif oldest_old is None:
                oldest_old = p
                continue
            to_delete.append(p)
        if oldest_new is not None and oldest_old is not None:
            if not c.is_ready(oldest_old) or c.is_available(oldest_new, min_ready, now):
                to_delete.append(oldest_old)
        return False, to_delete, events
    if pods:
        return False, [p for p in pods if not c.is_terminating(p)], []
    return False, [], []


def find_updated_pods_on_node(pods: list[dict], hash_: str, generation: str | None) -> tuple[dict | None, dict | None, bool]:
    """(newPod, oldPod, ok): upstream's findUpdatedPodsOnNode; not ok with two of a kind."""
    new = old = None
    for p in pods:
        if c.is_terminating(p):
            continue
        if is_updated(p, hash_, generation):
            if new is not None:
                return None, None, False
            new = p
        else:
            if old is not None:
                return None, None, False
            old = p
    return new, old, True


def rolling_update_plan(ds: dict, nodes: dict[str, dict], node_pods: dict[str, list[dict]], hash_: str, now) -> tuple[list[dict], list[str]]:
    """Upstream's rollingUpdate: (old pods to delete, nodes to create a new pod on).

    nodes: name -> Node for every node; node_pods: target node -> claimed daemon pods."""
    generation = template_generation(ds)
    min_ready = int((ds.get("spec") or {}).get("minReadySeconds") or 0)
    node_pods = {k: list(v) for k, v in node_pods.items()}
    desired = 0
    for name in sorted(nodes):
        if node_should_run(nodes[name], ds)[0]:
            desired += 1
            node_pods.setdefault(name, [])
    max_surge = surge_count(ds, desired)
    max_unavailable = unavailable_count(ds, desired)
    if desired > 0 and max_surge == 0 and max_unavailable == 0:
        max_unavailable = 1
    available = lambda p: c.is_available(p, min_ready, now)  # noqa: E731

    if max_surge == 0:
        num_unavailable = 0
        replacements: list[dict] = []
        candidates: list[dict] = []
        for name in sorted(node_pods):
            new, old, ok = find_updated_pods_on_node(node_pods[name], hash_, generation)
            if not ok:
                num_unavailable += 1
                continue
            if (old is None and new is None) or (old is not None and new is not None):
                num_unavailable += 1
            elif new is not None:
                if not available(new):
                    num_unavailable += 1
            elif not available(old):
                replacements.append(old)
                num_unavailable += 1
            elif num_unavailable >= max_unavailable:
                continue
            else:
                candidates.append(old)
        remaining = max(0, min(max_unavailable - num_unavailable, len(candidates)))
        return replacements + candidates[:remaining], []

    to_delete: list[dict] = []
    should_not_run: list[dict] = []
    candidate_nodes: list[str] = []
    allowed_nodes: list[str] = []
    num_surge = num_available = 0
    for name in sorted(node_pods):
        new, old, ok = find_updated_pods_on_node(node_pods[name], hash_, generation)
        if not ok:
            num_surge += 1
            continue
        if old is not None:
            num_available += 1 if available(old) else 0
        elif new is not None:
            num_available += 1 if available(new) else 0
        if old is None:
            continue
        if new is None:
            node = nodes.get(name)
            runs = node is not None and node_should_run(node, ds)[0]
            if not available(old):
                if not runs:
                    to_delete.append(old)
                    continue
                allowed_nodes.append(name)
            else:
                if not runs:
                    should_not_run.append(old)
                    continue
                if num_surge >= max_surge:
                    continue
                candidate_nodes.append(name)
        else:
            if not available(new):
                num_surge += 1
                continue
            to_delete.append(old)
    remaining = max(0, min(max_surge - num_surge, len(candidate_nodes)))
    create = allowed_nodes + candidate_nodes[:remaining]
    if should_not_run:
        left = max(0, min(max_unavailable - (desired - num_available), len(should_not_run)))
        to_delete += should_not_run[:left]
    return to_delete, create


def compute_status(ds: dict, nodes: list[dict], node_pods: dict[str, list[dict]], hash_: str, now) -> dict:
    """Upstream's updateDaemonSetStatus counts, per node, over the oldest daemon pod."""
    generation = template_generation(ds)
    min_ready = int((ds.get("spec") or {}).get("minReadySeconds") or 0)
    desired = current = misscheduled = ready = updated = available = 0
    for node in nodes:
        should_run, _ = node_should_run(node, ds)
        pods = node_pods.get(node["metadata"]["name"]) or []
        if should_run:
            desired += 1
            if not pods:
                continue
            current += 1
            pod = by_creation_and_phase(pods)[0]
            if c.is_ready(pod):
                ready += 1
                if c.is_available(pod, min_ready, now):
                    available += 1
            if is_updated(pod, hash_, generation):
                updated += 1
        elif pods:
            misscheduled += 1
    status: dict[str, Any] = {
        "currentNumberScheduled": current,
        "desiredNumberScheduled": desired,
        "numberMisscheduled": misscheduled,
        "numberReady": ready,
    }
    # omitempty fields, as upstream serializes them
    for k, v in (("updatedNumberScheduled", updated), ("numberAvailable", available), ("numberUnavailable", desired - available)):
        if v:
            status[k] = v
    return status


# -- sync --------------------------------------------------------------------------------------

REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    nodes = sorted(ctx.snap.list("Node"), key=lambda n: n["metadata"]["name"])
    for ds in ctx.snap.list("DaemonSet"):
        ctx.guarded([ds], lambda d: _Sync(ctx, d, nodes).run())


class _Sync:
    def __init__(self, ctx, ds: dict, nodes: list[dict]):
        self.ctx = ctx
        self.ds = ds
        self.name = ds["metadata"]["name"]
        self.ns = ds["metadata"]["namespace"]
        self.spec = ds.get("spec") or {}
        self.nodes = nodes
        self.node_map = {n["metadata"]["name"]: n for n in nodes}
        self.selector = selectors.from_label_selector(self.spec.get("selector"))
        self.wrote = False

    def run(self) -> None:
        if c.is_terminating(self.ds):
            return  # as upstream: a daemon set being deleted is left to the garbage collector
        if self.selector.empty:
            self.ctx.event(self.ds, "Warning", "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.")
            return
        c.claim_objects(self.ctx, self.ds, "Pod", self.selector)
        cur, old = self.construct_history()
        if cur is None:
            return  # a hash collision bumped collisionCount; the next pass names it anew
        hash_ = (cur["metadata"].get("labels") or {}).get(HASH) or cur["metadata"]["name"]
        self.manage(hash_)
        if not self.wrote and rolling(self.ds) is not None:
            self.rolling_update(hash_)
        self.cleanup_history(old)
        self.update_status(hash_)

    # -- pods --------------------------------------------------------------------------
    def daemon_pods(self, include_deleted_terminal: bool = False) -> dict[str, list[dict]]:
        """Claimed pods by target node (upstream's getNodesToDaemonPods), fresh from the snapshot."""
        out: dict[str, list[dict]] = {}
        for p in self.ctx.snap.owned("Pod", self.ds["metadata"]["uid"]):
            if not c.is_controlled_by(p, self.ds):
                continue
            if not include_deleted_terminal and c.is_terminating(p) and c.pod_phase(p) in ("Succeeded", "Failed"):
                continue
            node = target_node(p)
            if node:
                out.setdefault(node, []).append(p)
        for v in out.values():
            v.sort(key=lambda p: p["metadata"]["name"])
        return out

    def manage(self, hash_: str) -> None:
        node_pods = self.daemon_pods()
        create: list[str] = []
        delete: list[dict] = []
        for node in self.nodes:
            needs, dels, events = pods_should_be_on_node(node, self.ds, node_pods.get(node["metadata"]["name"]) or [], hash_, self.ctx.now)
            if needs:
                create.append(node["metadata"]["name"])
            delete += dels
            for etype, reason, msg in events:
                self.ctx.event(self.ds, etype, reason, msg)
        # Pods pinned to nodes that no longer exist: upstream deletes the unscheduled ones
        # (getUnscheduledPodsWithoutNode) and leaves bound ones to the pod GC, which kubelite
        # does not have, so both go here.
        node_kind = kinds.by_kind("Node")
        for node_name in sorted(node_pods):
            # A node whose file exists but could not be read is not a removed node.
            if node_name not in self.node_map and not self.ctx.api.store.exists(node_kind, None, node_name):
                delete += [p for p in node_pods[node_name] if not c.is_terminating(p)]
        self.sync_nodes(delete, create, hash_)

    def pod_template(self, hash_: str) -> dict:
        """Upstream's CreatePodTemplate: daemon tolerations, template generation and hash labels."""
        t = clone(self.spec.get("template") or {})
        spec = t.setdefault("spec", {})
        spec["tolerations"] = daemon_tolerations(spec)
        labels = t.setdefault("metadata", {}).setdefault("labels", {})
        gen = template_generation(self.ds) or str(self.ds["metadata"].get("generation", 1))
        labels[TEMPLATE_GENERATION] = gen
        if hash_:
            labels[HASH] = hash_
        return t

    def sync_nodes(self, delete: list[dict], create: list[str], hash_: str) -> None:
        template = self.pod_template(hash_) if create else None
        for node_name in create[:BURST]:
            t = clone(template)
            t["spec"]["affinity"] = node_affinity_for(t["spec"].get("affinity"), node_name)
            name = self._pod_name()
            pod = c.pod_from_template(t, self.ds, name, self.ns)
            try:
                if self.ctx.create(pod) is None:
                    continue
            except Forbidden as e:  # a quota or limit refused it: say so, retry next pass
                c.event_once(self.ctx, self.ds, "Warning", "FailedCreate", f"Error creating: {e.message}")
                break
            self.wrote = True
            self.ctx.event(self.ds, "Normal", "SuccessfulCreate", f"Created pod: {name}")
            self.ctx.change(self.ds, f"created pod {name} for node {node_name}")
        seen = set()
        for pod in delete[:BURST]:
            pname = pod["metadata"]["name"]
            if pname in seen:
                continue
            seen.add(pname)
            if self.ctx.delete(pod):
                self.wrote = True
                self.ctx.event(self.ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pname}")
                where = target_node(pod)
                self.ctx.change(self.ds, f"deleted pod {pname}" + (f" on node {where}" if where else ""))

    def _pod_name(self) -> str:
        for _ in range(10):
            name = f"{self.name}-{c.random_suffix()}"
            if self.ctx.snap.get("Pod", self.ns, name) is None:
                return name
        return f"{self.name}-{c.random_suffix()}"

    def rolling_update(self, hash_: str) -> None:
        delete, create = rolling_update_plan(self.ds, self.node_map, self.daemon_pods(), hash_, self.ctx.now)
        self.sync_nodes(delete, create, hash_)

    # -- history -----------------------------------------------------------------------------
    def construct_history(self) -> tuple[dict | None, list[dict]]:
        """Upstream's constructHistory: (current revision, old revisions)."""
        data = c.template_patch(self.spec.get("template") or {})
        current: list[dict] = []
        old: list[dict] = []
        for h in c.claim_objects(self.ctx, self.ds, "ControllerRevision", self.selector):
            if HASH not in (h["metadata"].get("labels") or {}):
                upd = clone(h)
                upd["metadata"].setdefault("labels", {})[HASH] = h["metadata"]["name"]
                h = self.ctx.update(upd) or h
            (current if h.get("data") == data else old).append(h)
        next_rev = max([int(h.get("revision") or 0) for h in old] or [0]) + 1
        if not current:
            return self.snapshot(data, next_rev), old
        cur = self.dedup(current)
        if int(cur.get("revision") or 0) < next_rev:
            upd = clone(cur)
            upd["revision"] = next_rev
            cur = self.ctx.update(upd) or cur
        return cur, old

    def snapshot(self, data: dict, revision: int) -> dict | None:
        collisions = int((self.ds.get("status") or {}).get("collisionCount") or 0)
        hash_ = c.template_hash(self.spec.get("template") or {}, collisions)
        name = f"{self.name}-{hash_}"
        labels = dict(((self.spec.get("template") or {}).get("metadata") or {}).get("labels") or {})
        labels[HASH] = hash_
        meta: dict[str, Any] = {"name": name, "namespace": self.ns, "labels": labels, "ownerReferences": [c.owner_ref(self.ds)]}
        if self.ds["metadata"].get("annotations"):
            meta["annotations"] = dict(self.ds["metadata"]["annotations"])
        rev = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta, "data": data, "revision": revision}
        existing = self.ctx.snap.get("ControllerRevision", self.ns, name)
        if existing is None:
            created = self.ctx.create(rev)
            if created is not None:
                self.ctx.change(self.ds, f"created controller revision {name} (revision {revision})")
            return created
        if c.is_controlled_by(existing, self.ds) and existing.get("data") == data:
            return existing
        # A name collision: bump collisionCount so the next pass hashes to a new name.
        fresh = clone(self.ctx.snap.get("DaemonSet", self.ns, self.name) or self.ds)
        fresh.setdefault("status", {})["collisionCount"] = collisions + 1
        self.ctx.update(fresh)
        return None

    def dedup(self, current: list[dict]) -> dict:
        """Upstream's dedupCurHistories: keep the highest revision, relabel pods, drop the rest."""
        keep = max(current, key=c.revision_key)
        keep_hash = (keep["metadata"].get("labels") or {}).get(HASH)
        for h in current:
            if h is keep:
                continue
            dup_hash = (h["metadata"].get("labels") or {}).get(HASH)
            for p in self.ctx.snap.owned("Pod", self.ds["metadata"]["uid"]):
                if (p["metadata"].get("labels") or {}).get(HASH) == dup_hash:
                    upd = clone(p)
                    upd["metadata"]["labels"][HASH] = keep_hash
                    self.ctx.update(upd)
            if self.ctx.delete(h):
                self.ctx.change(self.ds, f"deleted duplicate controller revision {h['metadata']['name']}")
        return keep

    def cleanup_history(self, old: list[dict]) -> None:
        limit = self.spec.get("revisionHistoryLimit")
        limit = 10 if limit is None else int(limit)
        to_kill = len(old) - limit
        if to_kill <= 0:
            return
        live = {(p["metadata"].get("labels") or {}).get(HASH)
                for pods in self.daemon_pods(include_deleted_terminal=True).values() for p in pods}
        for h in sorted(old, key=c.revision_key):
            if to_kill <= 0:
                break
            if (h["metadata"].get("labels") or {}).get(HASH) in live:
                continue
            if self.ctx.delete(h):
                self.ctx.change(self.ds, f"deleted old controller revision {h['metadata']['name']} (revisionHistoryLimit {limit})")
            to_kill -= 1

    # -- status ----------------------------------------------------------------------------
    def update_status(self, hash_: str) -> None:
        ds = self.ctx.snap.get("DaemonSet", self.ns, self.name) or self.ds
        counts = compute_status(ds, self.nodes, self.daemon_pods(), hash_, self.ctx.now)
        c.requeue_for_min_ready(self.ctx, [p for pods in self.daemon_pods().values() for p in pods],
                                (ds.get("spec") or {}).get("minReadySeconds") or 0, f"daemonset {self.ns}/{self.name}")
        prev = ds.get("status") or {}
        st = {k: v for k, v in prev.items() if k in ("collisionCount", "conditions")}
        st.update(counts)
        st["observedGeneration"] = ds["metadata"].get("generation", 1)
        if st != prev:
            upd = clone(ds)
            upd["status"] = st
            self.ctx.update(upd)
