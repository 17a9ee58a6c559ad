"""Garbage collection by ownerReferences, with upstream's deletion propagation.

- An object whose owners are all gone is deleted (background).
- Owner references to owners that are gone are removed while other owners remain.
- An owner with the `foregroundDeletion` finalizer deletes its dependents first and is
  removed once no dependent with blockOwnerDeletion remains.
- An owner with the `orphan` finalizer strips its reference from its dependents, then goes.
- Events older than an hour expire, as etcd's event TTL does upstream.
"""
from __future__ import annotations

import datetime as dt
import os

from kubelite.api.fastcopy import clone
from kubelite.api import kinds
from kubelite.controllers import _common as c
from kubelite.errors import KubeliteError

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"
EVENT_TTL = 3600


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)
# A focused pass visits only objects its changes reach (runtime/focus.py): a deletion focuses
# whatever names it as owner. Event expiry is on the clock: whole passes do it.
FOCUSED = True


def sync(ctx) -> None:
    names = [k.kind for k in kinds.all_kinds() if k.kind != "Event"]
    ctx.snap.load_all(names)
    everything = [o for k in names for o in ctx.snap.list(k)]
    for o in everything:
        fins = (o["metadata"].get("finalizers") or [])
        if c.is_terminating(o) and (FOREGROUND in fins or ORPHAN in fins):
            ctx.guarded([o], lambda x: _finalize(ctx, x))
    by_uid = ctx.snap.by_uid
    for o in everything:
        refs = o["metadata"].get("ownerReferences")
        if not refs:
            continue
        # Every owner is there (every kind that can own is loaded above): nothing to collect.
        # Finalizers above only ever drop references, so this holds for o as it is now too.
        if type(refs) is list and all(type(r) is dict and type(r.get("uid")) is str and by_uid(r["uid"]) is not None for r in refs):
            continue
        o = _current(ctx, o)  # finalizers above may have just rewritten it
        if o is not None and o["metadata"].get("ownerReferences") and not c.is_terminating(o):
            ctx.guarded([o], lambda x: _collect(ctx, x))
    if ctx.focus is None:
        _expire_events(ctx)


def _current(ctx, o: dict) -> dict | None:
    return ctx.snap.get(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"])


def _finalize(ctx, owner: dict) -> None:
    uid = owner["metadata"]["uid"]
    fins = list(owner["metadata"].get("finalizers") or [])
    deps = ctx.snap.dependents(uid)
    if ORPHAN in fins:
        for _, d in deps:
            updated = clone(d)
            refs = [r for r in d["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
            if refs:
                updated["metadata"]["ownerReferences"] = refs
            else:
                updated["metadata"].pop("ownerReferences", None)
            if ctx.update(updated) is not None:
                ctx.change(d, f"orphaned from {owner['kind'].lower()}/{owner['metadata']['name']}")
        fins.remove(ORPHAN)
    elif FOREGROUND in fins:
        blocking = 0
        for _, d in deps:
            ref = next((r for r in d["metadata"].get("ownerReferences") or [] if r.get("uid") == uid), {})
            if ref.get("blockOwnerDeletion"):
                blocking += 1
            if not c.is_terminating(d):
                has_own = bool(ctx.snap.dependents(d["metadata"]["uid"]))
                if ctx.delete(d, propagation="foreground" if has_own else "background"):
                    ctx.change(d, f"deleted (foreground deletion of {owner['kind'].lower()}/{owner['metadata']['name']})")
        remaining = [d for _, d in ctx.snap.dependents(uid)
                     if next((r for r in d["metadata"].get("ownerReferences") or [] if r.get("uid") == uid), {}).get("blockOwnerDeletion")]
        if remaining:
            return
        fins.remove(FOREGROUND)
    else:
        return
    current = _current(ctx, owner) or owner
    updated = clone(current)
    if fins:
        updated["metadata"]["finalizers"] = fins
    else:
        updated["metadata"].pop("finalizers", None)
    if ctx.update(updated) is not None and not fins:
        ctx.change(owner, "deleted")


def _owner_state(ctx, ref: dict) -> tuple[bool, dict | None]:
    """(exists, owner) for an owner reference, looked up by uid."""
    kind = kinds.for_object(ref.get("apiVersion"), ref.get("kind"))
    if kind is not None:
        ctx.snap.load_all([kind.kind])
    found = ctx.snap.by_uid(ref.get("uid", ""))
    if found is None:
        return False, None
    return True, found[1]


def _unreadable(ctx, ref: dict, dependent: dict) -> bool:
    """Whether an owner missing from the snapshot still has a file that could not be read:
    a read error is not absence, so its dependents are left alone. A readable object of
    that name with another uid is a new object: the owner is gone."""
    kind = kinds.for_object(ref.get("apiVersion"), ref.get("kind"))
    if kind is None or not ref.get("name"):
        return False
    ns = (dependent.get("metadata") or {}).get("namespace") if kind.namespaced else None
    if ctx.snap.get(kind.kind, ns, ref["name"]) is not None:
        return False
    return ctx.api.store.exists(kind, ns, ref["name"])


def _collect(ctx, o: dict) -> None:
    refs = o["metadata"].get("ownerReferences") or []
    alive, dangling = [], []
    for r in refs:
        exists, owner = _owner_state(ctx, r)
        if not exists:
            if _unreadable(ctx, r, o):
                return  # damaged, not gone: never collect on a read error
            dangling.append(r)
            continue
        alive.append(r)
    if not alive:
        if ctx.delete(o):
            ctx.change(o, "deleted (owner is gone)")
        return
    if dangling:
        updated = clone(o)
        updated["metadata"]["ownerReferences"] = alive
        if ctx.update(updated) is not None:
            ctx.change(o, f"removed owner reference(s) to {', '.join(r.get('kind', '') + '/' + r.get('name', '') for r in dangling)}")


def _last_seen(ev: dict) -> str:
    """When an Event last occurred ("" when it does not say)."""
    last = ev.get("lastTimestamp") or ev.get("eventTime") or (ev.get("metadata") or {}).get("creationTimestamp")
    return last if isinstance(last, str) else ""


def _expire_events(ctx) -> None:
    """Delete Events whose last occurrence is older than the TTL.

    Events are most of a store's objects and nothing else reads them in a pass, so they
    are not loaded into the snapshot: the store projects each to its last occurrence,
    remembered in the parse cache by file identity, so an unchanged Event costs a stat.
    """
    ek = kinds.by_kind("Event")
    expired: dict[str, bool] = {}  # stamps repeat (events of one second): decide each once
    for path, last in ctx.api.store.project(ek, "last-seen", _last_seen):
        if not last:
            continue
        old = expired.get(last)
        if old is None:
            old = expired[last] = c.seconds_since(last, ctx.now) > EVENT_TTL
        if not old:
            continue
        folder, _, file = path.rpartition(os.sep)  # a file's path names its object
        try:
            ctx.api.delete(ek, folder.rpartition(os.sep)[2], file[:-len(".yaml")])
            ctx.writes += 1
        except KubeliteError:
            continue  # gone already, or changed under us: the next pass looks again
    fresh = [t for t in (c.parse_stamp(s) for s, old in expired.items() if not old) if t is not None]
    if fresh:  # expired once more than the TTL has passed: the next whole second after
        ctx.requeue_at(min(fresh) + dt.timedelta(seconds=EVENT_TTL + 1), "Event expiry")
