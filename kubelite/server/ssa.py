"""Server-side apply: field managers, managedFields (FieldsV1), conflicts (409) and force.

Fields are paths of segments, as FieldsV1 spells them: ("f", name) for a map field,
("k", '{"name":"web"}') for an item of a list merged by key, ("v", '"x"') for an item
of a set, and (".",) for an item itself. A manager owns the set of paths it last
applied (operation Apply) or changed (operation Update). Applying:
- a field another manager owns, with a different value, is a conflict unless force=true,
  which takes it over;
- a field this manager applied before and no longer applies, and no one else owns, is removed.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from kubelite.api.fastcopy import clone
from kubelite.api.merge import MERGE_KEYS, SET_LISTS
from kubelite.errors import BadRequest, Conflict, NotFound

Path = tuple
IDENTITY = {("f", "apiVersion"), ("f", "kind")}
SKIP_META = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
             "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"}


# -- field sets ------------------------------------------------------------------------
def _merge_key(field: str, items: list) -> str | None:
    for k in MERGE_KEYS.get(field, ()):
        if items and all(isinstance(i, dict) and k in i for i in items):
            return k
    return None


def _kseg(key: str, item: dict) -> tuple[str, str]:
    return ("k", json.dumps({key: item[key]}, separators=(",", ":"), sort_keys=True))


def fieldset(obj: dict) -> set[Path]:
    out: set[Path] = set()
    for k, v in obj.items():
        if k in ("apiVersion", "kind", "status"):
            continue
        if k == "metadata" and isinstance(v, dict):
            meta = {mk: mv for mk, mv in v.items() if mk not in SKIP_META}
            if meta:
                _walk(meta, (("f", "metadata"),), out)
            continue
        _walk_value(k, v, (), out)
    return out


def _walk(d: dict, prefix: Path, out: set[Path]) -> None:
    for k, v in d.items():
        _walk_value(k, v, prefix, out)


def _walk_value(k: str, v: Any, prefix: Path, out: set[Path]) -> None:
    p = prefix + (("f", k),)
    if isinstance(v, dict) and v:
        _walk(v, p, out)
    elif isinstance(v, list) and v and _merge_key(k, v):
        key = _merge_key(k, v)
        for item in v:
            kp = p + (_kseg(key, item),)
            out.add(kp + ((".",),))
            _walk(item, kp, out)
    elif isinstance(v, list) and k in SET_LISTS and all(not isinstance(x, (dict, list)) for x in v):
        for x in v:
            out.add(p + (("v", json.dumps(x, separators=(",", ":"))),))
    else:
        out.add(p)


def to_fields_v1(paths: set[Path]) -> dict:
    root: dict = {}
    for p in paths:
        node = root
        for seg in p:
            name = "." if seg == (".",) else f"{seg[0]}:{seg[1]}"
            node = node.setdefault(name, {})
    return root


def from_fields_v1(tree: Any, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    if not isinstance(tree, dict):
        return out
    if not tree and prefix:
        out.add(prefix)
    for name, sub in tree.items():
        if name == ".":
            out.add(prefix + ((".",),))
            continue
        kind, _, rest = name.partition(":")
        out |= from_fields_v1(sub, prefix + ((kind, rest),))
    return out


# -- values at paths ------------------------------------------------------------------------
_MISSING = object()


def _step(node: Any, seg: tuple) -> Any:
    if seg == (".",):
        return node
    kind, name = seg
    if kind == "f":
        return node.get(name, _MISSING) if isinstance(node, dict) else _MISSING
    if kind == "k" and isinstance(node, list):
        want = json.loads(name)
        for item in node:
            if isinstance(item, dict) and all(item.get(a) == b for a, b in want.items()):
                return item
        return _MISSING
    if kind == "v" and isinstance(node, list):
        v = json.loads(name)
        return v if v in node else _MISSING
    return _MISSING


def value_at(obj: Any, path: Path) -> Any:
    node = obj
    for seg in path:
        node = _step(node, seg)
        if node is _MISSING:
            return _MISSING
    return node


def _remove(obj: Any, path: Path) -> None:
    if not path:
        return
    if path[-1] == (".",):
        path = path[:-1]
    parent = value_at(obj, path[:-1]) if len(path) > 1 else obj
    if parent is _MISSING:
        return
    kind, name = path[-1]
    if kind == "f" and isinstance(parent, dict):
        parent.pop(name, None)
    elif kind == "k" and isinstance(parent, list):
        want = json.loads(name)
        parent[:] = [i for i in parent if not (isinstance(i, dict) and all(i.get(a) == b for a, b in want.items()))]
    elif kind == "v" and isinstance(parent, list):
        v = json.loads(name)
        parent[:] = [i for i in parent if i != v]


def _prune_empty(obj: Any, path: Path) -> None:
    """After removing a field, drop the maps and lists it leaves empty, as apply does."""
    for n in range(len(path) - 1, 0, -1):
        node = value_at(obj, path[:n])
        if node is _MISSING or node:
            return
        _remove(obj, path[:n])


# -- merging ---------------------------------------------------------------------------------
def merge(live: Any, applied: Any, field: str = "") -> Any:
    if isinstance(live, dict) and isinstance(applied, dict):
        out = dict(live)
        for k, v in applied.items():
            out[k] = merge(live.get(k), v, k) if k in live else clone(v)
        return out
    if isinstance(live, list) and isinstance(applied, list):
        key = _merge_key(field, applied)
        if key and all(isinstance(i, dict) and key in i for i in live):
            out = list(live)
            for item in applied:
                idx = next((n for n, o in enumerate(out) if o.get(key) == item.get(key)), None)
                if idx is None:
                    out.append(clone(item))
                else:
                    out[idx] = merge(out[idx], item)
            return out
        if field in SET_LISTS:
            return live + [x for x in applied if x not in live]
    return clone(applied)


# -- managers ---------------------------------------------------------------------------------
def managers(obj: dict) -> list[dict]:
    return list((obj.get("metadata") or {}).get("managedFields") or [])


def _set_managers(obj: dict, entries: list[dict]) -> None:
    entries = [e for e in entries if e.get("fieldsV1")]
    if entries:
        obj.setdefault("metadata", {})["managedFields"] = entries
    else:
        (obj.get("metadata") or {}).pop("managedFields", None)


def _entry(manager: str, operation: str, api_version: str, now: str, paths: set[Path], sub: str = "") -> dict:
    e = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": now,
         "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(paths)}
    if sub:
        e["subresource"] = sub
    return e


def _path_text(p: Path) -> str:
    out = ""
    for seg in p:
        if seg == (".",):
            continue
        kind, name = seg
        if kind == "f":
            out += "." + name
        elif kind == "k":
            out += "[" + ",".join(f"{a}={json.dumps(b)}" for a, b in json.loads(name).items()) + "]"
        else:
            out += f"[{name}]"
    return out


def apply_to(live: dict | None, applied: dict, manager: str, force: bool, now: str, api_version: str) -> dict:
    """The object after `manager` applies `applied` over `live` (None: a create). Raises Conflict."""
    new_set = fieldset(applied)
    if live is None:
        obj = clone(applied)
        _set_managers(obj, [_entry(manager, "Apply", api_version, now, new_set)])
        return obj
    entries = managers(live)
    mine = next((e for e in entries if e.get("manager") == manager and e.get("operation") == "Apply"), None)
    old_set = from_fields_v1(mine.get("fieldsV1")) if mine else set()
    conflicts: dict[str, list[str]] = {}
    others = []
    for e in entries:
        if e is mine:
            continue
        owned = from_fields_v1(e.get("fieldsV1"))
        clash = {p for p in new_set & owned if p[-1] != (".",) and value_at(live, p) != value_at(applied, p)}
        if clash and not force:
            label = f'conflict with "{e.get("manager")}"' + (f' using {e.get("apiVersion")}' if e.get("apiVersion") else "")
            conflicts.setdefault(label, []).extend(sorted(_path_text(p) for p in clash))
        if force:
            owned -= new_set
        others.append((e, owned))
    if conflicts:
        n = sum(len(v) for v in conflicts.values())
        if n == 1:
            (label, paths), = conflicts.items()
            msg = f"Apply failed with 1 conflict: {label}: {paths[0]}"
        else:
            lines = []
            for label, paths in conflicts.items():
                lines.append(label.replace("conflict with", "conflicts with", 1) + ":")
                lines += [f"- {p}" for p in paths]
            msg = f"Apply failed with {n} conflicts: " + "\n".join(lines)
        raise FieldConflicts(msg, [{"reason": "FieldManagerConflict", "message": label, "field": p}
                                   for label, ps in conflicts.items() for p in ps])
    obj = merge(live, {k: v for k, v in applied.items() if k not in ("status",)})
    still_owned = set().union(*[o for _, o in others]) if others else set()
    for p in sorted(old_set - new_set, key=len, reverse=True):
        if p not in still_owned and not any(q[:len(p)] == p for q in new_set):
            _remove(obj, p)
            _prune_empty(obj, p)
    if _bare(obj) == _bare(live) and old_set == new_set and all(from_fields_v1(e.get("fieldsV1")) == o for e, o in others):
        return clone(live)  # applying the same thing twice changes nothing, managedFields' times included
    out = [dict(e, fieldsV1=to_fields_v1(o)) for e, o in others if o]
    out.append(_entry(manager, "Apply", api_version, now, new_set))
    _set_managers(obj, out)
    return obj


def _bare(obj: dict) -> dict:
    out = dict(obj)
    out["metadata"] = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}
    return out


class FieldConflicts(Exception):
    def __init__(self, message: str, causes: list[dict]):
        super().__init__(message)
        self.message, self.causes = message, causes


def record_update(old: dict | None, new: dict, manager: str, now: str, api_version: str, sub: str = "") -> None:
    """A non-apply write by `manager`: it comes to own the fields it changed (operation Update)."""
    if not manager:
        return
    new_fields = fieldset(new)
    if old is None:
        changed = new_fields
    else:
        old_fields = fieldset(old)
        changed = {p for p in new_fields if value_at(old, p) != value_at(new, p)} | (new_fields - old_fields)
    entries = managers(old) if old is not None else []
    if not changed and not entries:
        return
    out = []
    for e in entries:
        owned = from_fields_v1(e.get("fieldsV1")) - changed
        owned &= new_fields
        if e.get("manager") == manager and e.get("operation") == "Update" and e.get("subresource", "") == sub:
            changed |= owned
            continue
        if owned:
            out.append(dict(e, fieldsV1=to_fields_v1(owned)))
    if changed:
        out.append(_entry(manager, "Update", api_version, now, changed, sub))
    _set_managers(new, out)


def apply(c) -> tuple[int, dict]:
    """PATCH with application/apply-patch+yaml."""
    info, api = c.info, c.api
    manager = c.query.get("fieldManager")
    if not manager:
        raise BadRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
    applied = c.body
    if not isinstance(applied, dict):
        raise BadRequest("the apply patch is not an object")
    kind = info.kind
    from kubelite.server import handlers

    handlers.check_gvk(kind, applied)
    meta = applied.setdefault("metadata", {}) if isinstance(applied.get("metadata"), dict) or "metadata" not in applied else None
    if meta is None:
        raise BadRequest("metadata must be an object")
    if meta.get("name") and meta["name"] != info.name:
        raise BadRequest(f"the name of the object ({meta['name']}) does not match the name on the URL ({info.name})")
    meta["name"] = info.name
    if kind.namespaced:
        meta["namespace"] = info.namespace
    # an apply configuration is partial: only its unknown fields are judged here, the merged
    # object gets the whole check when it is written
    from kubelite.api import schema

    api.unknown_fields(kind, applied, schema.validate(kind.kind, applied), handlers.field_validation(c))
    force = c.query.get("force") == "true"
    now = api.clock.stamp()
    with api.store.locked():
        try:
            live = api.get(kind, info.namespace, info.name)
        except NotFound:
            live = None
        if live is None:
            obj = apply_to(None, applied, manager, force, now, kind.api_version)
            res = api.create(obj, namespace=info.namespace, dry_run=c.dry_run)
            return 201, res.obj
        try:
            obj = apply_to(live, applied, manager, force, now, kind.api_version)
        except FieldConflicts as e:
            err = Conflict(kind.resource, info.name)
            err.message = e.message
            err.args = (e.message,)
            err.causes = e.causes
            raise err from None
        obj["metadata"]["resourceVersion"] = live["metadata"].get("resourceVersion")
        obj = handlers.apply_strategy(info, live, obj) if info.subresource != "status" else obj
        res = api.update(obj, dry_run=c.dry_run, verb="patch", subresource=info.subresource)
    return 200, res.obj


def iter_paths(paths: set[Path]) -> Iterator[str]:
    for p in sorted(paths):
        yield _path_text(p)
