"""CustomResourceDefinitions: names accepted, Established, and deletion of a CRD's objects.

As upstream's naming, establishing and finalizer controllers. Names are first accepted
when a CRD is written (kubelite.admission.customresources), so its kind is servable at
once; this pass accepts names a deleted CRD freed. A CRD marked for deletion is
Terminating (InstanceDeletionInProgress): every object of its kind is deleted, and once
none remains the condition turns InstanceDeletionCompleted, the cleanup finalizer goes,
and with it the CRD and its kind.
"""
from __future__ import annotations

from kubelite.api import kinds
from kubelite.api.crd import definition, naming, served
from kubelite.api.fastcopy import clone
from kubelite.controllers import _common as c

CRD = "CustomResourceDefinition"


REQUEUES = True  # no wait on the clock: it acts only on what is stored (runtime/quiet.py)


def sync(ctx) -> None:
    crds = ctx.snap.list(CRD)
    for crd in crds:
        if c.is_terminating(crd):
            if naming.CLEANUP_FINALIZER in (crd["metadata"].get("finalizers") or []):
                ctx.guarded([crd], lambda o: _finalize(ctx, o))
        elif not definition.is_condition_true(crd, "NamesAccepted"):
            ctx.guarded([crd], lambda o: _accept_names(ctx, o, crds))


def _accept_names(ctx, crd: dict, crds: list[dict]) -> None:
    group = (crd.get("spec") or {}).get("group")
    others = [o for o in crds if o is not crd and (o.get("spec") or {}).get("group") == group]
    updated = clone(crd)
    names, accepted, established = naming.calculate(updated, others)
    status = updated.setdefault("status", {})
    status["acceptedNames"] = names
    now = ctx.api.clock.stamp()
    changed = naming.set_condition(status, accepted, now)
    changed |= naming.set_condition(status, established, now)
    if changed and ctx.update(updated) is not None:
        kinds.invalidate_custom()
        ctx.change(crd, "names accepted" if accepted["status"] == "True" else accepted.get("message", ""))


def _finalize(ctx, crd: dict) -> None:
    updated = clone(crd)
    status = updated.setdefault("status", {})
    now = ctx.api.clock.stamp()
    if naming.set_condition(status, {"type": "Terminating", "status": "True", "reason": "InstanceDeletionInProgress",
                                     "message": "CustomResource deletion is in progress"}, now):
        written = ctx.update(updated)
        if written is None:
            return
        updated = clone(written)
        status = updated.setdefault("status", {})
    kind = served.kind_of(crd)
    remaining = 0
    if kind is not None:
        kind = kinds.for_object(f"{kind.group}/{kind.version}", kind.kind) or kind
        for o in ctx.api.store.list(kind):
            remaining += 1
            if not c.is_terminating(o):
                ctx.delete(o)
        remaining = sum(1 for _ in ctx.api.store.list(kind))
    if remaining:
        ctx.change(crd, f"Terminating: deleting {remaining} object(s)")
        return
    naming.set_condition(status, {"type": "Terminating", "status": "False", "reason": "InstanceDeletionCompleted",
                                  "message": "removed all instances"}, now)
    updated["metadata"]["finalizers"] = [f for f in updated["metadata"].get("finalizers") or []
                                         if f != naming.CLEANUP_FINALIZER]
    if ctx.update(updated) is not None:
        kinds.invalidate_custom()
        ctx.change(crd, "deleted")
