"""Watch: one poller follows the store's changes, whoever made them, and fans them out.

The store is written by other processes too (the CLI, a cron `reconcile`, a hand edit),
so changes are not seen as calls here but read back from the state directory. The hub
keeps an informer-style cache of each watched kind (object per key, for DELETED events
and selectors) and a bounded history of events, so a watch can resume from a recent
resourceVersion; an older one gets 410 Expired and the client relists.

The hub follows the store's change journal (Store.changes_since): each journaled change
of a watched kind is read once and sent. Every few seconds it has the store adopt hand
edits (which then enter the journal with fresh resourceVersions). Without a journal, or
when its history is gone, it compares each watched kind with the store instead.
"""
from __future__ import annotations

import asyncio
import collections
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from kubelite.api.kinds import Kind
from kubelite.errors import Expired, StateError

HISTORY = 10_000
RESCAN_SECONDS = 2.0
FILL_LOCK_SECONDS = 15.0
LANDING_SECONDS = 5.0


@dataclass
class Watcher:
    kind: Kind
    namespace: str | None
    name: str
    label_sel: Any
    field_sel: Any
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)

    def wants(self, obj: dict) -> bool:
        m = obj.get("metadata") or {}
        if self.namespace and m.get("namespace") != self.namespace:
            return False
        if self.name and m.get("name") != self.name:
            return False
        return self.label_sel.matches(m.get("labels")) and self.field_sel.matches(obj)

    def send(self, etype: str, obj: dict) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, (etype, obj))


def _key(obj: dict) -> tuple[str, str]:
    m = obj.get("metadata") or {}
    return (m.get("namespace") or "", m.get("name") or "")


def _rv(obj: dict) -> int:
    try:
        return int((obj.get("metadata") or {}).get("resourceVersion") or 0)
    except ValueError:
        return 0


class Hub:
    def __init__(self, api_factory):
        self._api_factory = api_factory  # a control-plane APIServer for this thread
        self._lock = threading.Lock()
        self.caches: dict[Kind, dict[tuple[str, str], dict]] = {}
        self.since: dict[Kind, int] = {}  # the rv each cache was filled at
        self.history: collections.deque = collections.deque(maxlen=HISTORY)  # (rv, kind, type, obj)
        self.watchers: list[Watcher] = []
        self.rv = 0
        self._last_scan = 0.0
        self._landing: tuple[int, float] | None = None  # (rv, since when) of a change whose file has not landed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Watches may resume from any resourceVersion since the server started; older is 410.
        self.start_rv = api_factory().store.current_rv()

    # -- lifecycle -------------------------------------------------------------------
    def start(self, interval: float = 0.1) -> None:
        self._thread = threading.Thread(target=self._run, args=(interval,), name="kubelite-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.poll()
            except Exception:  # a bad moment (a file mid-rename): the next poll sees it
                pass

    # -- the cache -------------------------------------------------------------------
    def _fill(self, kind: Kind) -> int:
        """List a kind into its cache; returns the resourceVersion the list is complete to.

        Under the store lock no commit is half done, so every journaled change up to that
        version is in the files listed. (A commit journals its lines, then renames its
        files: read between the two, the version would promise objects the list lacks, and
        a watch from an older version would never be sent them.) When the lock stays held
        (a long reconcile pass), the list is made without it."""
        api = self._api_factory()
        try:
            with api.store.locked(timeout=FILL_LOCK_SECONDS):
                rv = api.store.current_rv()
                objs = api.list(kind, None)
        except StateError:
            rv = api.store.current_rv()
            objs = api.list(kind, None)
        self.caches[kind] = {_key(o): o for o in objs}
        self.since[kind] = rv
        return rv

    def poll(self) -> None:
        with self._lock:
            if not self.caches:
                return
            api = self._api_factory()
            store = api.store
            scan_due = time.monotonic() - self._last_scan >= RESCAN_SECONDS
            if scan_due:
                self._last_scan = time.monotonic()
                try:
                    # hand edits become journaled changes with fresh resourceVersions; the store
                    # lock is taken only when a file looks edited by hand
                    store.adopt_hand_edits(timeout=0.5)
                except Exception:
                    pass  # the lock is busy (a pass or a writer): the next poll tries again
            now_rv = store.current_rv()
            if now_rv == self.rv:
                return
            changes = store.changes_since(self.rv) if self.rv else None
            if changes is None:  # no journal, or history lost: compare the caches with the store
                for kind in list(self.caches):
                    self._rescan(api, kind, now_rv)
                self.rv = now_rv
            else:
                self.rv = self._follow(api, changes, now_rv)

    def _rescan(self, api, kind: Kind, now_rv: int) -> None:
        old = self.caches[kind]
        new = {_key(o): o for o in api.list(kind, None)}
        events = []
        for k, o in new.items():
            prev = old.get(k)
            if prev is None:
                events.append(("ADDED", o))
            elif prev.get("metadata", {}).get("resourceVersion") != o.get("metadata", {}).get("resourceVersion") or prev != o:
                events.append(("MODIFIED", o))
        for k, o in old.items():
            if k not in new:
                gone = dict(o, metadata=dict(o.get("metadata") or {}, resourceVersion=str(now_rv)))
                events.append(("DELETED", gone))
        events.sort(key=lambda e: _rv(e[1]))
        self.caches[kind] = new
        for etype, o in events:
            self.history.append((_rv(o), kind, etype, o))
            for w in self.watchers:
                if w.kind == kind and w.wants(o):
                    w.send(etype, o)

    def _follow(self, api, changes, now_rv: int) -> int:
        """Turn journal lines into events for the cached kinds: read each changed object once.

        A commit journals its lines before it renames its files into place, so a line may be
        read before its object: then the file is not there yet, still holds an older
        version, or is still there after a delete, and that change and every later one wait
        for the next poll.
        Returns the resourceVersion delivered up to."""
        by_res = {(k.group, k.plural): k for k in self.caches}
        last = {}
        for ch in changes:
            kind = by_res.get((ch.group, ch.plural))
            if kind is not None:
                last[(kind, ch.namespace, ch.name)] = ch  # an object changed twice is read once, as it is now
        for (kind, ns, name), ch in sorted(last.items(), key=lambda kv: kv[1].rv):
            cache = self.caches[kind]
            key = (ns or "", name)
            prev = cache.get(key)
            try:
                obj = api.store.try_get(kind, ns or None, name)
            except Exception:
                return ch.rv - 1  # mid-write: look again next time
            landed = (obj is None) == (ch.type == "DELETED") and (obj is None or _rv(obj) >= ch.rv)
            if not landed and self._wait_for(ch.rv):
                return ch.rv - 1  # the commit has not renamed (or removed) this file yet
            if obj is not None and prev is not None and _rv(prev) >= _rv(obj):
                continue  # the cache was filled with it already
            if obj is None:
                if prev is None:
                    continue
                del cache[key]
                etype, o = "DELETED", dict(prev, metadata=dict(prev.get("metadata") or {}, resourceVersion=str(ch.rv)))
            else:
                cache[key] = obj
                etype, o = ("ADDED" if prev is None else "MODIFIED"), obj
            self.history.append((ch.rv, kind, etype, o))
            for w in self.watchers:
                if w.kind == kind and w.wants(o):
                    w.send(etype, o)
        return max(now_rv, max((c.rv for c in changes), default=now_rv))

    def _wait_for(self, rv: int) -> bool:
        """Whether to wait for a change's file to land. A commit renames its files right
        after journaling them; one whose rename failed never lands, and after
        LANDING_SECONDS the object is sent as it is."""
        now = time.monotonic()
        if self._landing is None or self._landing[0] != rv:
            self._landing = (rv, now)
        return now - self._landing[1] < LANDING_SECONDS

    # -- watchers --------------------------------------------------------------------
    def add(self, w: Watcher, resource_version: str | None, send_initial: bool) -> None:
        """Register a watcher; queue its initial events (ADDED for current objects, or the
        history after resource_version). Raises Expired when that history is gone."""
        with self._lock:
            if w.kind not in self.caches:
                filled = self._fill(w.kind)
                if not self.rv:
                    self.rv = filled
            cache = self.caches[w.kind]
            rv = int(resource_version) if resource_version and resource_version != "0" else None
            if rv is None or send_initial:
                for o in sorted(cache.values(), key=_key):
                    if w.wants(o):
                        w.send("ADDED", o)
            else:
                if rv < self.start_rv:
                    raise Expired(f"too old resource version: {rv} ({self.start_rv})")
                floor = self.since[w.kind]
                if rv < floor:
                    self._backfill(w, rv, floor)
                for hrv, kind, etype, o in self.history:
                    if kind == w.kind and hrv > max(rv, floor) and w.wants(o):
                        w.send(etype, o)
            self.watchers.append(w)

    def _backfill(self, w: Watcher, rv: int, floor: int) -> None:
        """The kind was first watched after rv: send what changed between rv and the fill.

        The journal says which objects changed there and how (created, changed, deleted);
        each is sent once, as the cache holds it now, or for a deletion as its name. With
        the journal's history gone, every cached object newer than rv is sent as MODIFIED."""
        cache = self.caches[w.kind]
        changes = self._api_factory().store.changes_since(rv)
        if changes is None:
            for o in sorted(cache.values(), key=_rv):
                if _rv(o) > rv and w.wants(o):
                    w.send("MODIFIED", o)
            return
        seen: dict[tuple[str, str], tuple[str, str, int]] = {}  # key -> (first type, last type, last rv)
        for ch in changes:
            if ch.rv > floor:
                break
            if (ch.group, ch.plural) == (w.kind.group, w.kind.plural):
                key = (ch.namespace or "", ch.name)
                seen[key] = (seen[key][0] if key in seen else ch.type, ch.type, ch.rv)
        for key, (first, last, _) in sorted(seen.items(), key=lambda kv: kv[1][2]):
            if last == "DELETED":
                etype = None if first == "ADDED" else "DELETED"  # born and gone in between: nothing
            else:
                etype = "ADDED" if first == "ADDED" else "MODIFIED"
            o = cache.get(key)
            if etype in ("ADDED", "MODIFIED") and o is not None:
                if w.wants(o):
                    w.send(etype, o)
            elif etype == "DELETED" and o is None:
                ns, name = key
                meta = {"name": name, "resourceVersion": str(floor)}
                if ns:
                    meta["namespace"] = ns
                gone = {"apiVersion": w.kind.api_version, "kind": w.kind.kind, "metadata": meta}
                if w.wants(gone):
                    w.send("DELETED", gone)

    def remove(self, w: Watcher) -> None:
        with self._lock:
            if w in self.watchers:
                self.watchers.remove(w)

    def current_rv(self) -> int:
        return self.rv
