"""kubectl's client-side apply: a three-way strategic merge of last-applied, new and live.

- A field the manifest no longer sets (but the last applied one did) is removed.
- Fields the manifest never set (status, defaults, controller or `label` writes) survive.
- Lists of named things (containers, ports, env, volumes, ...) merge by their key,
  as upstream's patchMergeKey tags say; other lists are replaced whole.
"""
from __future__ import annotations

import json
from typing import Any
from kubelite.api.fastcopy import clone

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

# field name -> merge key, after upstream's patchMergeKey struct tags.
MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",),
    "initContainers": ("name",),
    "ephemeralContainers": ("name",),
    "env": ("name",),
    "volumes": ("name",),
    "volumeMounts": ("mountPath",),
    "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",),
    "hostAliases": ("ip",),
    "ports": ("containerPort", "port"),
    "conditions": ("type",),
    "ownerReferences": ("uid",),
    "topologySpreadConstraints": ("topologyKey",),
    "secrets": ("name",),
    "resourceClaims": ("name",),
    "readinessGates": ("conditionType",),
    "schedulingGates": ("name",),
}
# Lists of scalars merged as sets (patchStrategy "merge" on a primitive list).
SET_LISTS = {"finalizers"}


def _key_of(field: str, items: list) -> str | None:
    keys = MERGE_KEYS.get(field)
    if not keys:
        return None
    for k in keys:
        if all(isinstance(i, dict) and k in i for i in items):
            return k
    return None


def three_way(last: Any, new: Any, live: Any, field: str = "") -> Any:
    """The object after applying `new` over `live`, given the `last` applied manifest."""
    if isinstance(new, dict) and isinstance(live, dict):
        last = last if isinstance(last, dict) else {}
        out = dict(live)
        for k in last:
            if k not in new:
                out.pop(k, None)
        for k, v in new.items():
            if k in live:
                out[k] = three_way(last.get(k), v, live[k], k)
            else:
                out[k] = clone(v)
        return out
    if isinstance(new, list) and isinstance(live, list):
        last_l = last if isinstance(last, list) else []
        if field in SET_LISTS and all(not isinstance(x, (dict, list)) for x in new + live):
            dropped = [x for x in last_l if x not in new]
            out_l = [x for x in live if x not in dropped]
            out_l += [x for x in new if x not in out_l]
            return out_l
        key = _key_of(field, new + live + last_l)
        if key is None:
            return clone(new)
        live_by = {i[key]: i for i in live}
        last_by = {i[key]: i for i in last_l}
        new_keys = [i[key] for i in new]
        out_l = []
        # New order first, then live items nobody applied (set by others).
        for item in new:
            k = item[key]
            if k in live_by:
                out_l.append(three_way(last_by.get(k), item, live_by[k], field))
            else:
                out_l.append(clone(item))
        for item in live:
            k = item[key]
            if k not in new_keys and k not in last_by:
                out_l.append(item)
        return out_l
    return clone(new)


def last_applied_of(obj: dict) -> dict | None:
    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not raw:
        return None
    try:
        v = json.loads(raw)
    except ValueError:
        return None
    return v if isinstance(v, dict) else None


def with_last_applied(manifest: dict) -> dict:
    """The manifest carrying itself as the last-applied annotation, as kubectl writes it."""
    out = clone(manifest)
    clean = clone(manifest)
    ann = (clean.get("metadata") or {}).get("annotations")
    if isinstance(ann, dict):
        ann.pop(LAST_APPLIED, None)
        if not ann:
            clean["metadata"].pop("annotations")
    out.setdefault("metadata", {}).setdefault("annotations", {})
    if out["metadata"]["annotations"] is None:
        out["metadata"]["annotations"] = {}
    out["metadata"]["annotations"][LAST_APPLIED] = json.dumps(clean, sort_keys=True, separators=(",", ":")) + "\n"
    return out


def apply_manifest(manifest: dict, live: dict) -> dict:
    """The object `kubectl apply` would leave: live merged with the new manifest."""
    new = with_last_applied(manifest)
    last = last_applied_of(live) or {}
    # Server-owned metadata is never removed by apply.
    merged = three_way(last, new, live)
    meta = merged.setdefault("metadata", {})
    for k in ("uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp", "ownerReferences", "finalizers"):
        if k in (live.get("metadata") or {}) and k not in (new.get("metadata") or {}):
            meta[k] = live["metadata"][k]
    if "resourceVersion" in (manifest.get("metadata") or {}):
        meta["resourceVersion"] = manifest["metadata"]["resourceVersion"]
    else:
        meta["resourceVersion"] = (live.get("metadata") or {}).get("resourceVersion")
    return merged


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch (`kubectl patch --type merge`)."""
    if not isinstance(patch, dict):
        return clone(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


class PatchError(ValueError):
    pass


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"JSON pointer must start with '/': {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str], path: str) -> Any:
    for p in parts:
        if isinstance(doc, dict):
            if p not in doc:
                raise PatchError(f"path {path!r} not found")
            doc = doc[p]
        elif isinstance(doc, list):
            try:
                doc = doc[int(p)]
            except (ValueError, IndexError):
                raise PatchError(f"path {path!r} not found") from None
        else:
            raise PatchError(f"path {path!r} not found")
    return doc


def json_patch(doc: Any, ops: Any) -> Any:
    """RFC 6902 JSON patch (`kubectl patch --type json`): add, remove, replace, move, copy, test."""
    if not isinstance(ops, list):
        raise PatchError("a JSON patch must be a list of operations")
    doc = clone(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise PatchError("each JSON patch operation needs 'op' and 'path'")
        kind, path = op["op"], op["path"]
        parts = _pointer(path)
        if kind == "test":
            if _walk(doc, parts, path) != op.get("value"):
                raise PatchError(f"test failed at {path!r}")
            continue
        if kind in ("move", "copy"):
            src = _pointer(op.get("from", ""))
            value = clone(_walk(doc, src, op.get("from", "")))
            if kind == "move":
                doc = _remove(doc, src, op.get("from", ""))
            doc = _add(doc, parts, value, path)
            continue
        if kind == "remove":
            doc = _remove(doc, parts, path)
        elif kind == "add":
            doc = _add(doc, parts, clone(op.get("value")), path)
        elif kind == "replace":
            _walk(doc, parts, path)
            doc = _remove(doc, parts, path)
            doc = _add(doc, parts, clone(op.get("value")), path)
        else:
            raise PatchError(f"unknown JSON patch operation {kind!r}")
    return doc


def _add(doc: Any, parts: list[str], value: Any, path: str) -> Any:
    if not parts:
        return value
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        else:
            try:
                i = int(last)
            except ValueError:
                raise PatchError(f"bad array index in {path!r}") from None
            if not 0 <= i <= len(parent):
                raise PatchError(f"array index out of range in {path!r}")
            parent.insert(i, value)
    else:
        raise PatchError(f"path {path!r} not found")
    return doc


def _remove(doc: Any, parts: list[str], path: str) -> Any:
    if not parts:
        return None
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"path {path!r} not found")
        del parent[last]
    elif isinstance(parent, list):
        try:
            del parent[int(last)]
        except (ValueError, IndexError):
            raise PatchError(f"path {path!r} not found") from None
    else:
        raise PatchError(f"path {path!r} not found")
    return doc
