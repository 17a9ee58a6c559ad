"""Namespace: a namespace marked for deletion is Terminating; its contents are deleted, then it is.

Upstream's namespace controller: delete every namespaced object, wait until none remain,
then clear spec.finalizers so the namespace itself goes.
"""
from __future__ import annotations


from kubelite.api.fastcopy import clone
from kubelite.api import kinds
from kubelite.controllers import _common as c


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    for ns in ctx.snap.list("Namespace"):
        if c.is_terminating(ns):
            ctx.guarded([ns], lambda o: _finalize(ctx, o))
        elif (ns.get("status") or {}).get("phase") != "Active":
            updated = clone(ns)
            updated.setdefault("status", {})["phase"] = "Active"
            ctx.update(updated)


def _finalize(ctx, ns: dict) -> None:
    name = ns["metadata"]["name"]
    remaining = 0
    for kind in kinds.all_kinds():
        if not kind.namespaced:
            continue
        for o in ctx.snap.list(kind.kind, name):
            remaining += 1
            if not c.is_terminating(o):
                ctx.delete(o)
            elif kind.kind == "Event":
                ctx.delete(o)
    leftover = sum(len(ctx.snap.list(k.kind, name)) for k in kinds.all_kinds() if k.namespaced)
    if leftover:
        if remaining:
            ctx.change(ns, f"Terminating: deleting {leftover} object(s)")
        return
    updated = clone(ns)
    updated.setdefault("spec", {})["finalizers"] = []
    if ctx.update(updated) is not None:
        ctx.change(ns, "deleted")
