"""Federation: KubeFed's cluster health, sync, replica-scheduling and service-DNS controllers.

Runs last in the host's pass:

1. Every KubeFedCluster in kube-federation-system is probed (kubelite/federation/members.py);
   one that cannot be used is Offline, reported, and skipped, never fatal to the others.
2. Every Federated<Kind> is placed (named clusters, else the selector; limited to its
   namespace's FederatedNamespace placement when there is one), rendered per cluster
   (template, retained fields, overrides, the ReplicaSchedulingPreference's replicas) and
   created or updated in each placed member through that member's own APIServer, under
   the member's store lock, labelled kubefed.io/managed=true. Copies in clusters no longer
   placed are deleted. An object federation does not manage is never touched: the
   cluster's status says AlreadyExists (or ManagedLabelFalse).
3. status.clusters and the Propagation condition record the outcome per cluster.
4. A deleted federated object (finalizer kubefed.io/sync-controller) is removed from the
   members first, or only unlabelled with the annotation kubefed.io/orphan: "true".
5. ServiceDNSRecords list, per cluster, the ready endpoints of each federated service.
6. KubeFedCluster statuses (Ready / Offline) are written last, so a member that failed
   during the pass shows it.
"""
from __future__ import annotations


from kubelite.api.fastcopy import clone
from kubelite.api import kinds
from kubelite.clock import seconds_since
from kubelite.controllers import _common as c
from kubelite.errors import AlreadyExists, Conflict, KubeliteError, NotFound, StateError
from kubelite.federation import DEFAULT_FEDERATION, FED_NAMESPACE, FINALIZER, MANAGED_LABEL, ORPHAN_ANNOTATION
from kubelite.federation import dns, placement, planner
from kubelite.federation import propagation as prop
from kubelite.federation.members import MALFORMED, NOT_REACHABLE, Member, open_members
from kubelite.federation.overrides import OverrideError
from kubelite.federation.types import RSP_TARGETS, TYPES, FederatedType

UNSCHEDULABLE_THRESHOLD = 60  # seconds a pod must have been unschedulable (KubeFed's podanalyzer)


class Pass:
    def __init__(self, ctx, members: list[Member]):
        self.ctx = ctx
        self.members = members
        self.by_name = {m.name: m for m in members}
        self.labels = {m.name: m.labels for m in members}


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    clusters = [o for o in ctx.snap.list("KubeFedCluster", FED_NAMESPACE) if not c.is_terminating(o)]
    fed_objects = [(ft, o) for ft in TYPES for o in sorted(ctx.snap.list(ft.federated), key=_key)]
    if not clusters and not fed_objects and not ctx.snap.list("ServiceDNSRecord"):
        return
    ctx.requeue_after(0, "federation members are other state directories")
    p = Pass(ctx, open_members(clusters, ctx.api, ctx.clock))
    try:
        for ft, fed in fed_objects:
            cur = ctx.snap.get(ft.federated, fed["metadata"].get("namespace"), fed["metadata"]["name"])
            if cur is not None:
                ctx.guarded([cur], lambda o, ft=ft: _sync_object(p, ft, o))
    finally:
        for m in p.members:
            err = m.close()
            if err is not None:
                ctx.problem(m.cluster, f"writes to the member were lost: {err}")
    ctx.guarded([{}], lambda _: _sync_dns(p))
    for m in p.members:
        ctx.guarded([m.cluster], lambda o, m=m: _cluster_status(p, m))


def _key(o: dict) -> tuple:
    m = o["metadata"]
    return (m.get("namespace") or "", m["name"])


# -- one federated object ------------------------------------------------------------------

def _sync_object(p: Pass, ft: FederatedType, fed: dict) -> None:
    ctx = p.ctx
    meta = fed["metadata"]
    if c.is_terminating(fed):
        if FINALIZER in (meta.get("finalizers") or []):
            _finalize(p, ft, fed)
        return
    if FINALIZER not in (meta.get("finalizers") or []):
        updated = clone(fed)
        updated["metadata"]["finalizers"] = list(meta.get("finalizers") or []) + [FINALIZER]
        fed = ctx.update(updated)
        if fed is None:
            return
    try:
        placed = _placement(p, ft, fed)
    except placement.PlacementError as e:
        c.event_once(ctx, fed, "Warning", prop.COMPUTE_PLACEMENT_FAILED, str(e))
        _write_status(p, fed, prop.COMPUTE_PLACEMENT_FAILED, {}, False)
        return
    replicas = _rsp_replicas(p, ft, fed, placed) if ft.federated in RSP_TARGETS else None
    statuses: dict[str, str] = {}
    wrote = False
    for m in p.members:
        if m.name in placed:
            if not m.ready:
                statuses[m.name] = prop.CLUSTER_NOT_READY
                continue
            status, w = _ensure(p, ft, fed, m, None if replicas is None else replicas.get(m.name, 0))
            statuses[m.name] = status
        elif m.ready:
            status, w = _remove(p, ft, fed, m)
            if status is not None:
                statuses[m.name] = status
        else:
            continue
        wrote = wrote or w
    _write_status(p, fed, prop.OK, statuses, wrote)


def _placement(p: Pass, ft: FederatedType, fed: dict) -> list[str]:
    meta = fed["metadata"]
    if ft.target == "Namespace" and meta["name"] != meta.get("namespace"):
        raise placement.PlacementError(
            f'a FederatedNamespace must be named after its namespace ("{meta.get("namespace")}"), not "{meta["name"]}"')
    placed = placement.compute((fed.get("spec") or {}).get("placement"), p.labels)
    if ft.target != "Namespace":
        ns = meta.get("namespace")
        fns = p.ctx.snap.get("FederatedNamespace", ns, ns)
        if fns is not None and not c.is_terminating(fns):
            try:
                allowed = placement.compute((fns.get("spec") or {}).get("placement"), p.labels)
            except placement.PlacementError as e:
                raise placement.PlacementError(f"the FederatedNamespace {ns} has an {e}") from None
            placed = placement.within(placed, allowed)
    return placed


def _write_status(p: Pass, fed: dict, reason: str, statuses: dict[str, str], wrote: bool) -> None:
    new = prop.set_status(fed, reason, statuses, wrote, p.ctx.stamp)
    if new != fed:
        p.ctx.update(new)


def _describe(ft: FederatedType, fed: dict) -> tuple[kinds.Kind, str | None, str, str]:
    ns, name = prop.target_name(ft, fed)
    kind = ft.target_kind
    shown = f"{ns}/{name}" if ns else name
    return kind, ns, name, shown


def _member_error(p: Pass, m: Member, fed: dict, reason: str, e: KubeliteError, writing: bool = True) -> None:
    """Record a failure in a member as an event on the federated object. A member whose
    store refuses a write (lock timeout, read-only, full) is Offline for the rest of the pass."""
    if writing and isinstance(e, StateError):
        m.fail(e.message)
    c.event_once(p.ctx, fed, "Warning", reason, f'cluster "{m.name}": {e.message}')


def _ensure(p: Pass, ft: FederatedType, fed: dict, m: Member, replicas: int | None) -> tuple[str, bool]:
    """Make `m` hold the rendered object. Returns (cluster status, whether the member was written)."""
    ctx = p.ctx
    kind, ns, name, shown = _describe(ft, fed)
    try:
        cur = m.get(kind, ns, name)
    except KubeliteError as e:
        _member_error(p, m, fed, prop.RETRIEVAL_FAILED, e, writing=False)
        return prop.RETRIEVAL_FAILED, False
    if cur is not None and not prop.is_managed(cur):
        return prop.unmanaged_status(cur), False
    if cur is not None and c.is_terminating(cur):
        return prop.WAITING_FOR_REMOVAL, False
    try:
        desired = prop.render(ft, fed, m.name, cur, replicas)
    except OverrideError as e:
        c.event_once(ctx, fed, "Warning", prop.APPLY_OVERRIDES_FAILED, f'cluster "{m.name}": {e}')
        return prop.APPLY_OVERRIDES_FAILED, False
    if cur is None:
        if ns is not None:
            err = _ensure_namespace(p, m, fed, ns)
            if err is not None:
                return prop.CREATION_FAILED, False
        try:
            with m.locked():
                k, obj = m.api.prepare(desired, ns)
                m.api.create(obj, ns, prepared=k)
        except AlreadyExists:
            ctx.conflicts += 1  # created meanwhile: look again next pass
            return prop.OK, False
        except KubeliteError as e:
            _member_error(p, m, fed, prop.CREATION_FAILED, e)
            return prop.CREATION_FAILED, False
        ctx.writes += 1
        ctx.change(fed, f"cluster {m.name}: created {kind.qualified}/{name}")
        ctx.event(fed, "Normal", "CreateInCluster", f'Creating {kind.kind} "{shown}" in cluster "{m.name}"')
        return prop.OK, True
    if _unchanged(desired, cur):
        return prop.OK, False
    try:
        with m.locked():
            k, obj = m.api.prepare(desired, ns)
            _, changed = m.api.write(k, obj)
    except (Conflict, NotFound):
        ctx.conflicts += 1  # the member changed it meanwhile: again next pass
        return prop.OK, False
    except KubeliteError as e:
        _member_error(p, m, fed, prop.UPDATE_FAILED, e)
        return prop.UPDATE_FAILED, False
    if not changed:
        return prop.OK, False
    ctx.writes += 1
    ctx.change(fed, f"cluster {m.name}: updated {kind.qualified}/{name}")
    ctx.event(fed, "Normal", "UpdateInCluster", f'Updating {kind.kind} "{shown}" in cluster "{m.name}"')
    return prop.OK, True


def _unchanged(desired: dict, current: dict) -> bool:
    """Whether writing `desired` would leave `current` as it is (defaults applied, store-owned
    fields copied), so an up-to-date member is not even locked."""
    from kubelite.api import defaults

    cand = clone(desired)
    defaults.apply_defaults(cand)
    meta, cmeta = cand["metadata"], current.get("metadata") or {}
    for k in ("uid", "creationTimestamp", "generation", "resourceVersion", "deletionTimestamp",
              "deletionGracePeriodSeconds"):
        if k in cmeta:
            meta[k] = cmeta[k]
        else:
            meta.pop(k, None)
    return cand == current


def _ensure_namespace(p: Pass, m: Member, fed: dict, ns: str) -> str | None:
    """A namespaced object needs its namespace in the member; federation creates it (labelled
    managed) when no FederatedNamespace did. Returns an error message, or None."""
    nsk = kinds.by_kind("Namespace")
    if m.api.store.exists(nsk, None, ns):
        return None
    try:
        with m.locked():
            m.api.create({"apiVersion": "v1", "kind": "Namespace",
                          "metadata": {"name": ns, "labels": {MANAGED_LABEL: "true"}}})
    except AlreadyExists:
        return None
    except KubeliteError as e:
        _member_error(p, m, fed, prop.CREATION_FAILED, e)
        return e.message
    p.ctx.writes += 1
    p.ctx.change(fed, f"cluster {m.name}: created namespace/{ns}")
    return None


def _remove(p: Pass, ft: FederatedType, fed: dict, m: Member) -> tuple[str | None, bool]:
    """Delete the managed copy from a cluster the object is no longer placed in."""
    ctx = p.ctx
    kind, ns, name, shown = _describe(ft, fed)
    try:
        cur = m.get(kind, ns, name)
    except KubeliteError as e:
        _member_error(p, m, fed, prop.RETRIEVAL_FAILED, e, writing=False)
        return prop.RETRIEVAL_FAILED, False
    if cur is None or not prop.is_managed(cur):
        return None, False
    if c.is_terminating(cur):
        return prop.WAITING_FOR_REMOVAL, False
    try:
        with m.locked():
            m.api.delete(kind, ns, name, uid=cur["metadata"].get("uid"))
    except NotFound:
        return None, False
    except Conflict:
        ctx.conflicts += 1
        return prop.WAITING_FOR_REMOVAL, False
    except KubeliteError as e:
        _member_error(p, m, fed, prop.DELETION_FAILED, e)
        return prop.DELETION_FAILED, False
    ctx.writes += 1
    ctx.change(fed, f"cluster {m.name}: deleted {kind.qualified}/{name}")
    ctx.event(fed, "Normal", "DeleteInCluster", f'Deleting {kind.kind} "{shown}" in cluster "{m.name}"')
    still = m.api.store.exists(kind, ns, name)
    return (prop.WAITING_FOR_REMOVAL if still else None), True


def _finalize(p: Pass, ft: FederatedType, fed: dict) -> None:
    """The federated object is being deleted: clear the members first (or only unlabel
    with kubefed.io/orphan), then drop the finalizer."""
    ctx = p.ctx
    kind, ns, name, shown = _describe(ft, fed)
    orphan = ((fed["metadata"].get("annotations") or {}).get(ORPHAN_ANNOTATION)) == "true"
    known = {s.get("name") for s in (fed.get("status") or {}).get("clusters") or []}
    statuses: dict[str, str] = {}
    wrote = False
    for m in p.members:
        if not m.ready:
            if m.name in known:
                statuses[m.name] = prop.CLUSTER_NOT_READY
            continue
        if not orphan:
            status, w = _remove(p, ft, fed, m)
            wrote = wrote or w
            if status is not None:
                statuses[m.name] = status
            continue
        cur = m.get(kind, ns, name)
        if cur is None or not prop.is_managed(cur):
            continue
        released = clone(cur)
        released["metadata"]["labels"].pop(MANAGED_LABEL, None)
        try:
            with m.locked():
                m.api.write(kind, released)
        except (Conflict, NotFound):
            ctx.conflicts += 1
            statuses[m.name] = prop.LABEL_REMOVAL_FAILED
            continue
        except KubeliteError as e:
            _member_error(p, m, fed, prop.LABEL_REMOVAL_FAILED, e)
            statuses[m.name] = prop.LABEL_REMOVAL_FAILED
            continue
        ctx.writes += 1
        wrote = True
        ctx.change(fed, f"cluster {m.name}: left {kind.qualified}/{name} in place (orphaned)")
    if statuses:
        _write_status(p, fed, prop.OK, statuses, wrote)
        return
    updated = clone(fed)
    updated["metadata"]["finalizers"] = [f for f in fed["metadata"].get("finalizers") or [] if f != FINALIZER]
    if ctx.update(updated) is not None:
        ctx.change(fed, "removed from every member cluster" if not orphan else "released in every member cluster")


# -- ReplicaSchedulingPreference -------------------------------------------------------------

def _rsp_replicas(p: Pass, ft: FederatedType, fed: dict, placed: list[str]) -> dict[str, int] | None:
    """Replicas per placed cluster from the preference of the same name, or None without one."""
    ctx = p.ctx
    meta = fed["metadata"]
    ns, name = meta.get("namespace"), meta["name"]
    rsp = ctx.snap.get("ReplicaSchedulingPreference", ns, name)
    if rsp is None or c.is_terminating(rsp):
        return None
    spec = rsp.get("spec") or {}
    if spec.get("targetKind") != ft.federated:
        return None
    rebalance = bool(spec.get("rebalance"))
    candidates = [n for n in placed if p.by_name[n].ready or not rebalance]
    current: dict[str, int] = {}
    capacity: dict[str, int] = {}
    for n in candidates:
        m = p.by_name[n]
        if not m.ready:
            continue
        running, cap = _replica_state(p, m, ft, fed)
        if running is not None:
            current[n] = running
        if cap is not None:
            capacity[n] = cap
    sched = planner.schedule(max(0, int(spec.get("totalReplicas") or 0)), spec.get("clusters") or {}, candidates,
                             current, capacity, rebalance, key=f"{ns}/{name}")
    result = {n: sched.get(n, 0) for n in placed}
    want = [{"name": n, "replicas": r} for n, r in sorted(result.items())]
    status = dict(rsp.get("status") or {})
    if (status.get("clusters") or []) != want:
        if want:
            status["clusters"] = want
        else:
            status.pop("clusters", None)
        updated = clone(rsp)
        updated["status"] = status
        if ctx.update(updated) is not None:
            plan = ", ".join(f"{n}={r}" for n, r in sorted(result.items())) or "no clusters"
            ctx.change(rsp, f"scheduled {plan}")
    return result


def _replica_state(p: Pass, m: Member, ft: FederatedType, fed: dict) -> tuple[int | None, int | None]:
    """(running-and-ready replicas, estimated capacity) of the member's copy (KubeFed's
    clustersReplicaState): capacity only when pods have been unschedulable for a minute."""
    kind, ns, name, _ = _describe(ft, fed)
    try:
        obj = m.get(kind, ns, name)
    except KubeliteError:
        return None, None
    if obj is None or not prop.is_managed(obj):
        return None, None
    replicas = int((obj.get("spec") or {}).get("replicas") or 0)
    ready = int((obj.get("status") or {}).get("readyReplicas") or 0)
    if replicas == ready:
        return ready, None
    match = (((obj.get("spec") or {}).get("selector") or {}).get("matchLabels")) or {}
    if not match:
        return 0, None
    running = unschedulable = 0
    try:
        pods = m.list(kinds.by_kind("Pod"), ns)
    except KubeliteError:
        return None, None
    for pod in pods:
        labels = pod["metadata"].get("labels") or {}
        if any(labels.get(k) != v for k, v in match.items()):
            continue
        if c.pod_phase(pod) == "Running":
            if c.is_ready(pod):
                running += 1
            continue
        cond = c.condition(pod, "PodScheduled")
        if cond and cond.get("status") == "False" and cond.get("reason") == "Unschedulable":
            age = seconds_since(cond.get("lastTransitionTime"), p.ctx.now)
            if age is not None and age > UNSCHEDULABLE_THRESHOLD:
                unschedulable += 1
    return running, (replicas - unschedulable if unschedulable else None)


# -- cross-cluster DNS ---------------------------------------------------------------------

def _sync_dns(p: Pass) -> None:
    ctx = p.ctx
    for fsvc in ctx.snap.list("FederatedService"):
        if c.is_terminating(fsvc):
            continue
        ns, name = fsvc["metadata"].get("namespace"), fsvc["metadata"]["name"]
        if ctx.snap.get("ServiceDNSRecord", ns, name) is None:
            rec = {"apiVersion": "multiclusterdns.kubefed.io/v1alpha1", "kind": "ServiceDNSRecord",
                   "metadata": {"name": name, "namespace": ns, "ownerReferences": [c.owner_ref(fsvc)]},
                   "spec": {"domainRef": DEFAULT_FEDERATION}}
            if ctx.create(rec) is not None:
                ctx.change(rec, f"created for federatedservice/{name}")
    records = ctx.snap.list("ServiceDNSRecord")
    if not records:
        return
    from kubelite.admission.config import settings

    domain = settings(ctx.api)["cluster-domain"]
    sk, ek = kinds.by_kind("Service"), kinds.by_kind("Endpoints")
    for rec in records:
        if c.is_terminating(rec):
            continue
        ns, name = rec["metadata"].get("namespace"), rec["metadata"]["name"]
        allow_empty = bool((rec.get("spec") or {}).get("allowServiceWithoutEndpoints"))
        entries = []
        for m in p.members:
            if not m.ready:
                continue
            try:
                if m.get(sk, ns, name) is None:
                    continue
                ips = dns.ready_addresses(m.get(ek, ns, name))
            except KubeliteError:
                continue
            if ips or allow_empty:
                entries.append(dns.cluster_entry(m.name, ips, m.health.zones, m.health.region))
        status = dns.record_status(domain, entries)
        if rec.get("status") != status:
            updated = clone(rec)
            updated["status"] = status
            if ctx.update(updated) is not None:
                shown = "; ".join(f"{e['cluster']}: {','.join(i['ip'] for i in e['loadBalancer'].get('ingress', [])) or '<none>'}"
                                  for e in status.get("dns", [])) or "no cluster"
                ctx.change(rec, f"dns {shown}")


# -- KubeFedCluster status -----------------------------------------------------------------

def _conditions(m: Member) -> list[dict]:
    h = m.health
    if h.ready:
        return [{"type": "Ready", "status": "True", "reason": h.reason, "message": h.message}]
    if h.reason == MALFORMED:
        return [{"type": "Ready", "status": "False", "reason": MALFORMED, "message": h.message},
                {"type": "ClusterConfigMalformed", "status": "True", "reason": MALFORMED, "message": h.message}]
    return [{"type": "Ready", "status": "False", "reason": NOT_REACHABLE, "message": h.message},
            {"type": "Offline", "status": "True", "reason": NOT_REACHABLE, "message": h.message}]


def _cluster_status(p: Pass, m: Member) -> None:
    ctx = p.ctx
    cluster = ctx.snap.get("KubeFedCluster", FED_NAMESPACE, m.name) or m.cluster
    old = cluster.get("status") or {}
    old_conds = {x.get("type"): x for x in old.get("conditions") or []}
    conds = []
    for new in _conditions(m):
        prev = old_conds.get(new["type"])
        same = prev is not None and all(prev.get(k) == new[k] for k in ("status", "reason", "message"))
        new["lastProbeTime"] = prev.get("lastProbeTime", ctx.stamp) if same else ctx.stamp
        keep = prev is not None and prev.get("status") == new["status"] and prev.get("lastTransitionTime")
        new["lastTransitionTime"] = prev["lastTransitionTime"] if keep else ctx.stamp
        conds.append({k: new[k] for k in ("type", "status", "lastProbeTime", "lastTransitionTime", "reason", "message")})
    status: dict = {"conditions": conds}
    if m.ready:
        if m.health.zones:
            status["zones"] = m.health.zones
        if m.health.region:
            status["region"] = m.health.region
    else:
        for k in ("zones", "region"):
            if old.get(k):
                status[k] = old[k]
    if not m.ready:
        ctx.problem(cluster, m.health.message)
    if status == old:
        return
    updated = clone(cluster)
    updated["status"] = status
    if ctx.update(updated) is not None:
        was_ready = (old_conds.get("Ready") or {}).get("status")
        now_ready = "True" if m.ready else "False"
        if was_ready != now_ready:
            ctx.change(cluster, "Ready" if m.ready else f"Offline: {m.health.message}")
