"""One pass's view of the store: each kind loaded once, indexed by name, owner, label and node.

Controllers read only from the snapshot; their writes go through the API and are
folded back in, so later controllers in the same pass see them.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Iterator

from kubelite.api import kinds
from kubelite.api.kinds import Kind
from kubelite.api.selectors import Selector

Key = tuple[str, str]  # (namespace, name)


def key_of(obj: dict) -> Key:
    m = obj.get("metadata") or {}
    return (m.get("namespace") or "", m.get("name") or "")


class Snapshot:
    def __init__(self, api):
        self.api = api
        self._objs: dict[str, dict[Key, dict]] = {}
        self._by_uid: dict[str, tuple[Kind, dict]] = {}
        self._by_owner: dict[str, dict[tuple[str, Key], dict]] = defaultdict(dict)
        self._by_label: dict[str, dict[tuple[str, str, str], dict[Key, dict]]] = {}
        self._pods_by_node: dict[str, dict[Key, dict]] | None = None
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

    def _unindex(self, kind: Kind, o: dict) -> None:
        m = o.get("metadata") or {}
        uid = m.get("uid")
        if uid and self._by_uid.get(uid, (None, None))[1] is o:
            del self._by_uid[uid]
        for ref in m.get("ownerReferences") or []:
            self._by_owner.get(ref.get("uid"), {}).pop((kind.kind, key_of(o)), None)
        idx = self._by_label.get(kind.kind)
        if idx is not None:
            for k, v in (m.get("labels") or {}).items():
                idx.get((m.get("namespace") or "", k, v), {}).pop(key_of(o), None)
        if kind.kind == "Pod" and self._pods_by_node is not None:
            node = (o.get("spec") or {}).get("nodeName")
            if node:
                self._pods_by_node.get(node, {}).pop(key_of(o), None)

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
            self.focus.note(kind.kind, obj)

    def remove(self, kind: Kind, obj: dict) -> None:
        table = self._load(kind.kind)
        old = table.pop(key_of(obj), None)
        if old is not None:
            self._unindex(kind, old)
            self.changes[kind.kind] += 1
        if self.focus is not None:
            self.focus.note(kind.kind, old or obj, deleted=True)

    def loaded_kinds(self) -> Iterator[str]:
        return iter(list(self._objs))
