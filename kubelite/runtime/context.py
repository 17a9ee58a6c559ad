"""What a controller sees during a pass: the snapshot, the clock, and writes that fold back."""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterable, TypeVar

from kubelite.api import kinds
from kubelite.errors import Conflict, KubeliteError, NotFound
from kubelite.runtime import events
from kubelite.runtime.snapshot import Snapshot

T = TypeVar("T")


@dataclass
class Change:
    controller: str
    object: str  # deployment.apps/web or pod/default/web-x
    message: str

    def line(self) -> str:
        return f"{self.object}: {self.message}"


@dataclass
class Problem:
    controller: str
    object: str
    error: str

    def line(self) -> str:
        where = f" {self.object}" if self.object else ""
        return f"error: {self.controller}{where}: {self.error}"


def ref(obj: dict) -> str:
    k = kinds.for_object(obj.get("apiVersion"), obj.get("kind"))
    m = obj.get("metadata") or {}
    q = k.qualified if k else str(obj.get("kind", "")).lower()
    if k is not None and k.namespaced and m.get("namespace") not in (None, "default"):
        return f"{q}/{m.get('name')} -n {m.get('namespace')}"
    return f"{q}/{m.get('name')}"


class PassContext:
    def __init__(self, api, snapshot: Snapshot, controller: str = ""):
        self.api = api
        self.snap = snapshot
        self.clock = api.clock
        self.now = api.clock.now()
        self.stamp = api.clock.stamp()
        self.controller = controller
        self.changes: list[Change] = []
        self.problems: list[Problem] = []
        self.conflicts = 0
        self.writes = 0
        self.due: tuple[float, str] | None = None  # (clock time as epoch seconds, why): see requeue_after
        # In a focused pass, for a controller declaring FOCUSED: guarded() visits only what
        # the focus wants (runtime/focus.py). None: every object.
        self.focus = None

    # -- when to run again -------------------------------------------------------------
    def requeue_after(self, seconds: float, why: str) -> None:
        """Ask for a pass `seconds` from now (controller-runtime's Result.RequeueAfter).

        A controller that waits on the clock (a heartbeat, a grace period, a schedule, a
        back-off, a deadline, minReadySeconds) says so here, naming what it waits for: a
        reconcile that finds the store unchanged since a quiet pass skips the pass until
        the earliest such time (kubelite.runtime.quiet). A controller module declares
        `REQUEUES = True` once every such wait is reported; while any controller does not,
        every reconcile runs a full pass. Asking for 0 seconds (or a time past) means the
        next reconcile always runs a pass."""
        due = self.now.timestamp() + max(0.0, seconds)
        if self.due is None or due < self.due[0]:
            self.due = (due, f"{self.controller}: {why}")

    def requeue_at(self, when, why: str) -> None:
        """requeue_after, for a point in time (an aware datetime)."""
        self.requeue_after((when - self.now).total_seconds(), why)

    # -- reporting ---------------------------------------------------------------
    def change(self, obj: dict, message: str) -> None:
        self.changes.append(Change(self.controller, ref(obj), message))

    def problem(self, obj: dict | None, error: str) -> None:
        self.problems.append(Problem(self.controller, ref(obj) if obj else "", error))

    def event(self, obj: dict, etype: str, reason: str, message: str, component: str | None = None, host: str | None = None) -> None:
        if events.record(self.api, obj, etype, reason, message, component or self.component, host):
            self.writes += 1

    @property
    def component(self) -> str:
        return {"scheduler": "default-scheduler", "kubelet": "kubelet"}.get(self.controller, f"{self.controller}-controller")

    def guarded(self, objs: Iterable[dict], fn: Callable[[dict], Any]) -> None:
        """Run fn on each object, isolating failures: one object's error is reported, the rest go on.
        In a focused pass, objects outside the focus are skipped."""
        focus = self.focus
        for o in list(objs):
            if focus is not None and not focus.wants(o):
                continue
            try:
                fn(o)
            except KubeliteError as e:
                self.problem(o, e.message)
            except Exception as e:  # a bug in one object's sync must not stop the pass
                tb = traceback.extract_tb(e.__traceback__)[-1]
                self.problem(o, f"{type(e).__name__}: {e} (at {tb.filename.rsplit('/', 1)[-1]}:{tb.lineno})")

    # -- writes ------------------------------------------------------------------------
    def create(self, obj: dict) -> dict | None:
        kind = kinds.for_object(obj["apiVersion"], obj["kind"])
        try:
            res = self.api.create(obj, obj["metadata"].get("namespace"), prepared=kind)
        except Conflict:
            self.conflicts += 1
            return None
        except KubeliteError as e:
            if e.reason == "AlreadyExists":
                self.conflicts += 1
                return None
            raise
        self.writes += 1
        self.snap.put(kind, res.obj)
        return res.obj

    def update(self, obj: dict) -> dict | None:
        """Write with the resourceVersion precondition; a Conflict leaves it to the next pass."""
        kind = kinds.for_object(obj["apiVersion"], obj["kind"])
        try:
            stored, changed = self.api.write(kind, obj)
        except Conflict:
            self.conflicts += 1
            return None
        except NotFound:
            self.snap.remove(kind, obj)
            return None
        if changed:
            self.writes += 1
            if self.api.store.exists(kind, stored["metadata"].get("namespace"), stored["metadata"]["name"]):
                self.snap.put(kind, stored)
            else:
                self.snap.remove(kind, stored)
        return stored

    def delete(self, obj: dict, propagation: str = "background") -> bool:
        kind = kinds.for_object(obj["apiVersion"], obj["kind"])
        m = obj["metadata"]
        try:
            res = self.api.delete(kind, m.get("namespace"), m["name"], propagation=propagation, uid=m.get("uid"))
        except NotFound:
            self.snap.remove(kind, obj)
            return False
        except Conflict:
            self.conflicts += 1
            return False
        self.writes += 1
        if self.api.store.exists(kind, m.get("namespace"), m["name"]):
            self.snap.put(kind, res.obj)
        else:
            self.snap.remove(kind, obj)
        return True
