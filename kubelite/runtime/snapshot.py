"""One pass's view of the store: each kind loaded once, indexed by name, owner, label and node.

Controllers read only from the snapshot; their writes go through the API and are
folded back in, so later controllers in the same pass see them.

In a long-running process a snapshot also outlives its pass, as an informer's cache
(runtime/focus.py): `refresh` brings it up to date from the change journal's records
(re-reading each object another writer changed; the pass's own writes are already in),
and `begin` starts the next pass on it. Its indexes, and the tallies derived from a
kind (`tally`), are kept up to date object by object, never rebuilt.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable, Iterator

from kubelite.api import kinds
from kubelite.api.kinds import Kind
from kubelite.api.selectors import Selector

Key = tuple[str, str]  # (namespace, name)


def key_of(obj: dict) -> Key:
    m = obj.get("metadata") or {}
    return (m.get("namespace") or "", m.get("name") or "")


def change_kind(ch) -> Kind | None:
    """The kind a journal record names; None when it is no longer served (its CRD is gone)."""
    try:
        return kinds.resolve(f"{ch.plural}.{ch.group}" if ch.group else ch.plural)
    except Exception:
        return None


class Tally:
    """Sums derived from one kind's objects, by bucket: fn(obj) -> (bucket, {name: amount})
    or None. Kept as objects are indexed and unindexed, so a sum over many objects costs
    what changed, not what there is (the scheduler's per-node usage)."""

    def __init__(self, fn: Callable[[dict], tuple[str, dict[str, int]] | None]):
        self.fn = fn
        self.sums: dict[str, dict[str, int]] = {}

    def add(self, obj: dict, sign: int) -> None:
        got = self.fn(obj)
        if got is None:
            return
        bucket, amounts = got
        s = self.sums.get(bucket)
        if s is None:
            s = self.sums[bucket] = {}
        for r, v in amounts.items():
            s[r] = s.get(r, 0) + sign * v


class Snapshot:
    def __init__(self, api):
        self.api = api
        self._objs: dict[str, dict[Key, dict]] = {}
        self._by_uid: dict[str, tuple[Kind, dict]] = {}
        self._by_owner: dict[str, dict[tuple[str, Key], dict]] = defaultdict(dict)
        self._by_label: dict[str, dict[tuple[str, str, str], dict[Key, dict]]] = {}
        self._pods_by_node: dict[str, dict[Key, dict]] | None = None
        self._tallies: dict[str, dict[Callable, Tally]] = {}  # kind -> fn -> its tally
        # Writes folded back per kind: the runner re-runs a controller whose watched kinds
        # changed after it ran (an informer's event, within one pass).
        self.changes: dict[str, int] = defaultdict(int)
        # A focused pass's focus (runtime/focus.py): what is written joins it.
        self.focus = None

    # -- loading -----------------------------------------------------------------
    def _load(self, kind_name: str) -> dict[Key, dict]:
        got = self._objs.get(kind_name)
        if got is not None:
            return got
        kind = kinds.by_kind(kind_name)
        table: dict[Key, dict] = {}
        for o in self.api.store.list(kind):
            k = key_of(o)
            table[k] = o
            self._index(kind, o, k)
        self._objs[kind_name] = table
        return table

    def load_all(self, kind_names: Iterable[str]) -> None:
        for k in kind_names:
            self._load(k)

    def _index(self, kind: Kind, o: dict, key: Key | None = None) -> None:
        m = o.get("metadata") or {}
        key = key or key_of(o)
        uid = m.get("uid")
        if uid:
            self._by_uid[uid] = (kind, o)
        for ref in m.get("ownerReferences") or []:
            if ref.get("uid"):
                self._by_owner[ref["uid"]][(kind.kind, key)] = o
        idx = self._by_label.get(kind.kind)
        if idx is not None:
            for k, v in (m.get("labels") or {}).items():
                idx.setdefault((m.get("namespace") or "", k, v), {})[key] = o
        if kind.kind == "Pod" and self._pods_by_node is not None:
            node = (o.get("spec") or {}).get("nodeName")
            if node:
                self._pods_by_node.setdefault(node, {})[key] = o
        for t in self._tallies.get(kind.kind, {}).values():
            t.add(o, 1)

    def _unindex(self, kind: Kind, o: dict) -> None:
        m = o.get("metadata") or {}
        uid = m.get("uid")
        if uid and self._by_uid.get(uid, (None, None))[1] is o:
            del self._by_uid[uid]
        key = key_of(o)
        # Empty buckets are dropped: a snapshot that outlives its pass would collect them.
        for ref in m.get("ownerReferences") or []:
            _pop(self._by_owner, ref.get("uid"), (kind.kind, key))
        idx = self._by_label.get(kind.kind)
        if idx is not None:
            for k, v in (m.get("labels") or {}).items():
                _pop(idx, (m.get("namespace") or "", k, v), key)
        if kind.kind == "Pod" and self._pods_by_node is not None:
            node = (o.get("spec") or {}).get("nodeName")
            if node:
                _pop(self._pods_by_node, node, key)
        for t in self._tallies.get(kind.kind, {}).values():
            t.add(o, -1)

    # -- reads -----------------------------------------------------------------------
    def list(self, kind_name: str, namespace: str | None = None) -> list[dict]:
        table = self._load(kind_name)
        if namespace is None:
            return list(table.values())
        return [o for (ns, _), o in table.items() if ns == namespace]

    def get(self, kind_name: str, namespace: str | None, name: str) -> dict | None:
        return self._load(kind_name).get((namespace or "", name))

    def by_uid(self, uid: str) -> tuple[Kind, dict] | None:
        return self._by_uid.get(uid)

    def dependents(self, uid: str) -> list[tuple[str, dict]]:
        return [(k, o) for (k, _), o in self._by_owner.get(uid, {}).items()]

    def owned(self, kind_name: str, uid: str) -> list[dict]:
        self._load(kind_name)
        return [o for (k, _), o in self._by_owner.get(uid, {}).items() if k == kind_name]

    def select(self, kind_name: str, namespace: str, selector: Selector) -> list[dict]:
        """Objects in a namespace matching a selector, through the label index where it can."""
        table = self._load(kind_name)
        if selector.empty:
            return [o for (ns, _), o in table.items() if ns == namespace]
        pairs = selector.equality_pairs()
        if not pairs:
            return [o for (ns, _), o in table.items() if ns == namespace and selector.matches((o.get("metadata") or {}).get("labels"))]
        idx = self._by_label.get(kind_name)
        if idx is None:
            idx = {}
            self._by_label[kind_name] = idx
            for o in table.values():
                m = o.get("metadata") or {}
                for k, v in (m.get("labels") or {}).items():
                    idx.setdefault((m.get("namespace") or "", k, v), {})[key_of(o)] = o
        smallest = min((idx.get((namespace, k, v), {}) for k, v in pairs.items()), key=len)
        return [o for o in smallest.values() if selector.matches((o.get("metadata") or {}).get("labels"))]

    def pods_on(self, node: str) -> list[dict]:
        if self._pods_by_node is None:
            self._pods_by_node = {}
            for o in self._load("Pod").values():
                n = (o.get("spec") or {}).get("nodeName")
                if n:
                    self._pods_by_node.setdefault(n, {})[key_of(o)] = o
        return list(self._pods_by_node.get(node, {}).values())

    def tally(self, kind_name: str, fn: Callable[[dict], tuple[str, dict[str, int]] | None]) -> dict[str, dict[str, int]]:
        """fn summed over the kind's objects by bucket (see Tally), kept current from now on.
        The caller must not change what it returns."""
        mine = self._tallies.setdefault(kind_name, {})
        t = mine.get(fn)
        if t is None:
            table = self._load(kind_name)
            t = mine[fn] = Tally(fn)
            for o in table.values():
                t.add(o, 1)
        return t.sums

    # -- writes folded back ----------------------------------------------------
    def put(self, kind: Kind, obj: dict) -> None:
        table = self._load(kind.kind)
        old = table.get(key_of(obj))
        if old is not None:
            self._unindex(kind, old)
        table[key_of(obj)] = obj
        self._index(kind, obj)
        self.changes[kind.kind] += 1
        if self.focus is not None:
            self.focus.note(kind.kind, obj, old=old)

    def remove(self, kind: Kind, obj: dict) -> None:
        table = self._load(kind.kind)
        old = table.pop(key_of(obj), None)
        if old is not None:
            self._unindex(kind, old)
            self.changes[kind.kind] += 1
        if self.focus is not None:
            self.focus.note(kind.kind, None, *key_of(old or obj), deleted=True, old=old or obj)

    def loaded_kinds(self) -> Iterator[str]:
        return iter(list(self._objs))

    # -- outliving the pass (an informer's cache) ---------------------------------------
    def begin(self) -> None:
        """Start another pass on this snapshot: nothing written yet, no focus."""
        self.changes = defaultdict(int)
        self.focus = None

    def refresh(self, records) -> dict[tuple[str, str, str], dict | None]:
        """Bring the loaded kinds up to date with the journal's records since the snapshot
        last was (oldest first): each object changed since is read again from the store,
        unless the snapshot already holds the version the last record names (the pass's own
        write). Returns, for each object read again, what the snapshot held before (None:
        nothing), keyed (kind, namespace, name). Raises KubeliteError when a record names a
        kind no longer served or a file cannot be read: the caller then starts afresh."""
        from kubelite.errors import StateError

        last: dict[tuple[str, str, str], tuple[Kind, object]] = {}
        for ch in records:
            kind = change_kind(ch)
            if kind is None:
                raise StateError(f"the change journal names {ch.plural}, which is no longer served")
            last[(kind.kind, ch.namespace or "", ch.name)] = (kind, ch)
        old: dict[tuple[str, str, str], dict | None] = {}
        store = self.api.store
        for (kind_name, ns, name), (kind, ch) in last.items():
            table = self._objs.get(kind_name)
            if table is None:
                continue  # not loaded: the store is read when a controller first lists it
            key = (ns, name)
            cur = table.get(key)
            if ch.type == "DELETED":
                if cur is None:
                    continue
            elif cur is not None and (cur.get("metadata") or {}).get("resourceVersion") == str(ch.rv):
                continue
            new = store.try_get(kind, ns or None, name)
            old[(kind_name, ns, name)] = cur
            if cur is not None:
                self._unindex(kind, cur)
                if new is None:
                    del table[key]
            if new is not None:
                table[key] = new  # an object changed keeps its place in list(), as put() keeps it
                self._index(kind, new, key)
        return old


def _pop(index: dict, bucket, key) -> None:
    got = index.get(bucket)
    if got is not None:
        got.pop(key, None)
        if not got:
            del index[bucket]
