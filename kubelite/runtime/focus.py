"""Focused passes: in a long-running process, a pass after a few changes visits what they touch.

Upstream's controllers work from queues of changed keys, filled by informers, with a
periodic resync. A `kubelite reconcile` from the CLI has no memory between runs, so it
always runs a whole pass. `kubelite serve` runs its controllers in one process for hours:
between passes it keeps a `Followed` position in the store's change journal, and a pass
with a few changes committed since is *focused*:

- The changed objects (from the journal), their owners up the chain, and, for a changed
  Node, the pods bound to it, are the pass's focus. What a controller writes during the
  pass joins the focus at once, so later controllers (and the catch-up rounds) follow
  the chain a change sets off: Deployment, ReplicaSet, Pod, scheduler, kubelet.
- A controller module that declares `FOCUSED = True` has `ctx.guarded` skip the objects
  outside the focus: its per-object sync depends only on the object and on objects whose
  changes focus it (its owner chain's dependents, the pods of a Service's namespace).
  Every other controller runs whole, as it always does.
- A change whose meaning is wider than its owner chain widens the focus to a namespace:
  a Pod (or a ReplicaSet, a ControllerRevision, a Job) without an owner may be adopted
  by any controller of its namespace, and any Pod change concerns the namespace's Services.
  A deletion focuses every object whose ownerReferences name what was deleted.

A pass is whole, as from the CLI, when any of these holds: it is the process's first;
the journal's history since the last pass is gone; more than MAX_CHANGES changes came
in; a time a controller asked to be woken at has come (its `requeue_after`, reported by
the last whole pass and by every focused one since); the last pass had a conflict, a
problem or a failed commit; or RESYNC_SECONDS have passed since the last whole pass while
focused passes ran (upstream's resync: whatever a focus rule missed is found there). With
nothing committed since the last pass and nothing due, there is no pass at all.

The focus is computed only from what the store says now (the journal and the objects);
nothing a controller decides depends on it, only how much it looks at.
"""
from __future__ import annotations

import time
from collections import defaultdict

from kubelite.api import kinds

RESYNC_SECONDS = 30.0
MAX_CHANGES = 2000

_ADOPTABLE = {"Pod", "ReplicaSet", "ControllerRevision", "Job", "PersistentVolumeClaim"}
_POD_INPUTS = {"ConfigMap", "Secret", "PersistentVolumeClaim"}
_OWNER_DEPTH = 6


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


class Focus:
    """The objects one focused pass visits."""

    def __init__(self, snap):
        self.snap = snap
        self.keys: set[tuple[str, str, str]] = set()  # (kind, namespace, name)
        self.wide: dict[str, set[str]] = defaultdict(set)  # kind ("*": any) -> whole namespaces
        self.gone: set[tuple[str, str]] = set()  # (kind, name) of deleted objects: their dependents

    def wants(self, obj: dict) -> bool:
        m = _meta(obj)
        kind, ns, name = obj.get("kind") or "", m.get("namespace") or "", m.get("name") or ""
        if (kind, ns, name) in self.keys or ns in self.wide.get(kind, ()) or ns in self.wide.get("*", ()):
            return True
        return any((r.get("kind"), r.get("name")) in self.gone for r in m.get("ownerReferences") or ())

    def note(self, kind_name: str, obj: dict | None, namespace: str = "", name: str = "", deleted: bool = False) -> None:
        """An object changed (obj as it is now), or was deleted (obj as it was, or None)."""
        if obj is not None:
            m = _meta(obj)
            namespace, name = m.get("namespace") or "", m.get("name") or ""
        self.keys.add((kind_name, namespace, name))
        if deleted:
            self.gone.add((kind_name, name))
        if kind_name == "Pod":
            self.wide["Service"].add(namespace)
        if kind_name in _POD_INPUTS:  # a pod waiting for it (CreateContainerConfigError) may start now
            self.wide["Pod"].add(namespace)
        if kind_name == "Node":
            for p in self.snap.pods_on(name):
                pm = _meta(p)
                self.keys.add(("Pod", pm.get("namespace") or "", pm.get("name") or ""))
        if obj is None:
            return
        if kind_name in _ADOPTABLE and not _meta(obj).get("ownerReferences"):
            self.wide["*"].add(namespace)
        self._owners(obj, namespace, _OWNER_DEPTH)

    def _owners(self, obj: dict, namespace: str, depth: int) -> None:
        for r in _meta(obj).get("ownerReferences") or ():
            kind_name, name = r.get("kind") or "", r.get("name") or ""
            k = kinds.for_object(r.get("apiVersion"), kind_name)
            ns = namespace if k is None or k.namespaced else ""
            if (kind_name, ns, name) in self.keys:
                continue
            self.keys.add((kind_name, ns, name))
            if depth > 0 and k is not None:
                owner = self.snap.get(kind_name, ns, name)
                if owner is not None:
                    self._owners(owner, ns, depth - 1)


class Followed:
    """What a long-running process knows between passes: how far it has read the journal,
    when it last ran whole, and the earliest time a controller asked to be woken at."""

    def __init__(self):
        self.rv: int | None = None
        self.full_at = 0.0  # time.monotonic() of the last whole pass
        self.focused_since_full = False
        self.due: float | None = None  # clock time (epoch seconds)
        self.clean = False  # the last pass had no conflict, problem or failed commit

    def plan(self, store, now: float):
        """('skip', None) when nothing happened and nothing is due; ('focus', changes) for
        a focused pass; ('full', None) for a whole one. Reads the journal's tail only."""
        if self.rv is None or not self.clean:
            return "full", None
        if self.due is not None and now >= self.due:
            return "full", None
        if self.focused_since_full and time.monotonic() - self.full_at >= RESYNC_SECONDS:
            return "full", None
        changes = store.changes_since(self.rv)
        if changes is None or len(changes) > MAX_CHANGES:
            return "full", None
        if not changes:
            return "skip", None
        return "focus", changes

    def started(self, store) -> None:
        """Before a pass reads anything: where the next pass's changes begin."""
        self.rv = store.current_rv()

    def finished(self, result, whole: bool) -> None:
        self.clean = not (result.conflicts or result.problems)
        due = result.due[0] if result.due is not None else None
        if whole:
            self.full_at, self.focused_since_full, self.due = time.monotonic(), False, due
        else:
            self.focused_since_full = True
            if due is not None and (self.due is None or due < self.due):
                self.due = due


def focus_from(snap, changes) -> Focus:
    """The focus of a pass from the journal's changes since the last one."""
    f = Focus(snap)
    for ch in changes:
        try:
            kind = kinds.resolve(f"{ch.plural}.{ch.group}" if ch.group else ch.plural)
        except Exception:
            continue  # a kind no longer served (its CRD is gone): nothing to visit
        if kind.kind == "Event":
            continue  # no controller acts on Events
        obj = snap.get(kind.kind, ch.namespace or "", ch.name)
        if obj is None and ch.type == "DELETED":
            # gone before this pass could see whom it belonged to: its namespace is the focus
            f.wide["*"].add(ch.namespace or "")
        f.note(kind.kind, obj, ch.namespace or "", ch.name, deleted=ch.type == "DELETED")
    return f
