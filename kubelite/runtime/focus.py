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
in; a time a FOCUSED controller asked to be woken at has come (its `requeue_after`,
reported by the last whole pass and by every focused one since; the other controllers'
times need no whole pass: they look at everything in every pass, so when only such a time
has come, the pass is focused, on nothing if nothing changed); the last pass had a conflict, a
problem or a failed commit; a file edited by hand was adopted (the look for them comes
before every pass, so an edit is seen even when nothing else changed); or RESYNC_SECONDS
have passed since the last whole pass while focused passes ran (upstream's resync:
whatever a focus rule missed is found there). With nothing committed since the last
pass and nothing due, there is no pass at all.

The informer cache: a focused pass does not load the store. It starts from the last
pass's snapshot (`Followed.cache`: every object that pass loaded, with its own writes
folded in, and the indexes and tallies built on them), brought up to date by
Snapshot.refresh from the journal's records since: each object another writer changed
is read again, one by one; the pass's own writes are recognised by their
resourceVersion and kept. The cache is a copy of the store, never memory of its own:
it is dropped, and the pass is whole, on every doubt listed above (a journal gap, a
conflict, an error, a hand edit, a file that does not read, a CRD changed), and a
whole pass builds a new one from the store. What the cache cannot see is what the
journal does not: a file rewritten in place by hand, without a rename (as `reconcile`
without --full cannot see it either); the next whole pass reads it.

With the cache, what a Pod change was before is known, so it focuses only the Services
that select it as it is or as it was, not every Service of its namespace.

The focus is computed only from what the store says now (the journal and the objects);
nothing a controller decides depends on it, only how much it looks at.
"""
from __future__ import annotations

import time
from collections import defaultdict

from kubelite.api import kinds
from kubelite.runtime.snapshot import change_kind

RESYNC_SECONDS = 300.0  # upstream's informers resync hours apart; with a real clock, 30 s made an idle serve at 10,000 pods spend 8% of a core on it
MAX_CHANGES = 2000

_ADOPTABLE = {"Pod", "ReplicaSet", "ControllerRevision", "Job", "PersistentVolumeClaim"}
_POD_INPUTS = {"ConfigMap", "Secret", "PersistentVolumeClaim"}
_OWNER_DEPTH = 6


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


UNKNOWN = object()  # what an object was before a change, when the pass cannot know


class Focus:
    """The objects one focused pass visits."""

    def __init__(self, snap):
        self.snap = snap
        self.keys: set[tuple[str, str, str]] = set()  # (kind, namespace, name)
        self.wide: dict[str, set[str]] = defaultdict(set)  # kind ("*": any) -> whole namespaces
        self.gone: set[tuple[str, str]] = set()  # (kind, name) of deleted objects: their dependents
        # namespace -> label sets of changed pods (as they are and as they were): the Services
        # selecting one of them are focused
        self.pod_labels: dict[str, dict[frozenset, dict]] = defaultdict(dict)

    def wants(self, obj: dict) -> bool:
        # Asked of every object a focused controller lists (the garbage collector lists them all).
        m = obj.get("metadata") or {}
        kind, ns = obj.get("kind") or "", m.get("namespace") or ""
        if (kind, ns, m.get("name") or "") in self.keys:
            return True
        wide = self.wide
        if wide and (ns in wide.get(kind, ()) or ns in wide.get("*", ())):
            return True
        if kind == "Service" and ns in self.pod_labels:
            sel = (obj.get("spec") or {}).get("selector")
            if sel and any(all(labels.get(k) == v for k, v in sel.items()) for labels in self.pod_labels[ns].values()):
                return True
        if self.gone:
            return any((r.get("kind"), r.get("name")) in self.gone for r in m.get("ownerReferences") or ())
        return False

    def note(self, kind_name: str, obj: dict | None, namespace: str = "", name: str = "", deleted: bool = False,
             old=UNKNOWN) -> None:
        """An object changed (obj as it is now), or was deleted (obj None, or as it was).
        old: what it was before (None: it was not there), when the pass knows; the rules
        that depend on what changed then look at both versions instead of widening."""
        if obj is not None:
            m = _meta(obj)
            namespace, name = m.get("namespace") or "", m.get("name") or ""
        self.keys.add((kind_name, namespace, name))
        if deleted:
            self.gone.add((kind_name, name))
        versions = [o for o in (obj, old) if isinstance(o, dict)]
        if kind_name == "Pod":
            if old is UNKNOWN:
                self.wide["Service"].add(namespace)
            else:
                for o in versions:
                    labels = _meta(o).get("labels") or {}
                    self.pod_labels[namespace][frozenset(labels.items())] = labels
        if kind_name in _POD_INPUTS:  # a pod waiting for it (CreateContainerConfigError) may start now
            self.wide["Pod"].add(namespace)
        if kind_name == "Node":
            for p in self.snap.pods_on(name):
                pm = _meta(p)
                self.keys.add(("Pod", pm.get("namespace") or "", pm.get("name") or ""))
        if kind_name == "Endpoints":  # kept by the Service of its name, which it does not name as owner
            self.keys.add(("Service", namespace, name))
        for o in versions:
            if kind_name in _ADOPTABLE and not _meta(o).get("ownerReferences"):
                self.wide["*"].add(namespace)
            self._owners(o, namespace, _OWNER_DEPTH)

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
    when it last ran whole, the earliest time a controller asked to be woken at, and the
    last pass's snapshot (its informer cache, see `cache`)."""

    def __init__(self, freeze: bool = False):
        # freeze: a process that keeps the cache for long (serve) moves it out of the cyclic
        # collector's sight after each whole pass (gc.freeze), and back in before the next.
        self.freeze = freeze
        self.rv: int | None = None
        self.full_at = 0.0  # time.monotonic() of the last whole pass
        self.focused_since_full = False
        # Clock times (epoch seconds) controllers asked to be woken at. A FOCUSED controller's
        # wait is for objects a focused pass might not visit: the pass then is whole. The
        # other controllers look at everything in every pass, focused or not: a focused pass
        # (with nothing changed, if so) serves their waits, such as the nodes' heartbeats
        # every 10 s, without reloading the store.
        self.due: float | None = None
        self.due_rest: float | None = None
        self.clean = False  # the last pass had no conflict, problem or failed commit
        # The last pass's snapshot, the next focused pass's starting point once refreshed
        # from the journal. A copy of the store as of `rv`, plus what the journal says
        # changed since; kept only after a clean pass, dropped on any doubt (forget).
        self.cache = None

    def plan(self, store, now: float):
        """('skip', None) when nothing happened and nothing is due; ('focus', changes) for
        a focused pass; ('full', None) for a whole one. Reads the journal's tail only."""
        if self.rv is None or not self.clean or self.cache is None:
            return "full", None
        if self.due is not None and now >= self.due:
            return "full", None
        if self.focused_since_full and time.monotonic() - self.full_at >= RESYNC_SECONDS:
            return "full", None
        changes = store.changes_since(self.rv)
        if changes is None or len(changes) > MAX_CHANGES:
            return "full", None
        if not changes and (self.due_rest is None or now < self.due_rest):
            return "skip", None
        return "focus", changes

    def refreshed(self, changes):
        """The cache brought up to the journal's changes (from plan), and what it held
        before for the objects it read again; None when it cannot be (a file that does not
        read, a kind no longer served, a CustomResourceDefinition changed): whole pass."""
        from kubelite.errors import KubeliteError

        if any(ch.plural == "customresourcedefinitions" for ch in changes):
            return None  # the kinds served may have changed: start from the store
        try:
            old = self.cache.refresh(changes)
        except KubeliteError:
            return None
        if changes:
            self.rv = max(c.rv for c in changes)  # what commits from now on is the next pass's
        return old

    def started(self, store) -> None:
        """Before a whole pass reads anything: where the next pass's changes begin; the
        cache is dropped (the pass builds its own)."""
        self.rv = store.current_rv()
        self.cache = None

    def forget(self) -> None:
        """Any doubt: the next pass is whole, from the store."""
        self.rv, self.cache = None, None

    def finished(self, result, whole: bool, snap=None) -> None:
        self.clean = not (result.conflicts or result.problems)
        self.cache = snap if self.clean else None
        due = result.due_focused
        self.due_rest = result.due_rest  # those controllers looked at everything in this pass
        if whole:
            self.full_at, self.focused_since_full, self.due = time.monotonic(), False, due
        else:
            self.focused_since_full = True
            if due is not None and (self.due is None or due < self.due):
                self.due = due


def focus_from(snap, changes, old: dict | None = None) -> Focus:
    """The focus of a pass from the journal's changes since the last one. old: what the
    snapshot held before, for the objects Snapshot.refresh read again."""
    f = Focus(snap)
    old = old or {}
    for ch in changes:
        kind = change_kind(ch)
        if kind is None:
            continue  # a kind no longer served (its CRD is gone): nothing to visit
        if kind.kind == "Event":
            continue  # no controller acts on Events
        ns = ch.namespace or ""
        obj = snap.get(kind.kind, ns, ch.name)
        was = old.get((kind.kind, ns, ch.name), UNKNOWN)
        if obj is None and ch.type == "DELETED" and not isinstance(was, dict):
            # gone before this pass could see whom it belonged to: its namespace is the focus
            f.wide["*"].add(ns)
        f.note(kind.kind, obj, ns, ch.name, deleted=ch.type == "DELETED", old=was)
    return f
