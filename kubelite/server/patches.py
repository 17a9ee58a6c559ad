"""Strategic merge patch, as kubectl sends it: merge keys, `$patch`, `$retainKeys`,
`$setElementOrder/...` and `$deleteFromPrimitiveList/...` (pure; no I/O).

Lists of named things merge by the keys in kubelite.api.merge.MERGE_KEYS (upstream's
patchMergeKey tags); primitive lists with a merge strategy merge as sets; other lists
are replaced whole.
"""
from __future__ import annotations

from typing import Any

from kubelite.api.merge import MERGE_KEYS, SET_LISTS

_DELETE = object()


class PatchError(ValueError):
    pass


def strategic(original: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        raise PatchError("the patch is not a JSON object")
    out = _merge_map(original if isinstance(original, dict) else {}, patch)
    return {} if out is _DELETE else out


def _merge_map(orig: dict, patch: dict) -> Any:
    directive = patch.get("$patch")
    if directive == "delete":
        return _DELETE
    if directive == "replace":
        return {k: v for k, v in patch.items() if k != "$patch"}
    if directive is not None and directive != "merge":
        raise PatchError(f'Unknown patch type: "{directive}"')
    out = dict(orig)
    orders: dict[str, list] = {}
    retain = patch.get("$retainKeys")
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys"):
            continue
        if k.startswith("$setElementOrder/"):
            orders[k.split("/", 1)[1]] = v
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.split("/", 1)[1]
            if isinstance(out.get(field), list) and isinstance(v, list):
                out[field] = [x for x in out[field] if x not in v]
            continue
        if v is None:
            out.pop(k, None)
            continue
        cur = out.get(k)
        if isinstance(v, dict):
            merged = _merge_map(cur if isinstance(cur, dict) else {}, v)
            if merged is _DELETE:
                out.pop(k, None)
            else:
                out[k] = merged
        elif isinstance(v, list):
            out[k] = _merge_list(k, cur if isinstance(cur, list) else [], v)
        else:
            out[k] = v
    for field, order in orders.items():
        if isinstance(out.get(field), list) and isinstance(order, list):
            out[field] = _ordered(field, out[field], order)
    if isinstance(retain, list):
        out = {k: v for k, v in out.items() if k in retain}
    return out


def _key_for(field: str, items: list) -> str | None:
    for k in MERGE_KEYS.get(field, ()):
        if all(isinstance(i, dict) and k in i for i in items if not (isinstance(i, dict) and "$patch" in i and len(i) == 1)):
            return k
    return None


def _merge_list(field: str, orig: list, patch: list) -> list:
    if any(isinstance(i, dict) and i.get("$patch") == "replace" for i in patch):
        return [i for i in patch if not (isinstance(i, dict) and i.get("$patch") == "replace")]
    if field in SET_LISTS and all(not isinstance(i, (dict, list)) for i in patch):
        return orig + [x for x in patch if x not in orig]
    key = _key_for(field, patch) if patch and all(isinstance(i, dict) for i in patch) else None
    if key is None or not all(isinstance(i, dict) and key in i for i in orig):
        return [i for i in patch if not (isinstance(i, dict) and "$patch" in i)]
    out = list(orig)
    for item in patch:
        idx = next((n for n, o in enumerate(out) if o.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                out.pop(idx)
            continue
        if idx is None:
            out.append({k: v for k, v in item.items() if k != "$patch"})
        else:
            merged = _merge_map(out[idx], item)
            if merged is _DELETE:
                out.pop(idx)
            else:
                out[idx] = merged
    return out


def _ordered(field: str, items: list, order: list) -> list:
    """Items in the order `$setElementOrder` gives; items it does not name keep their place at the end."""
    if all(not isinstance(i, dict) for i in order):
        rank = {v: n for n, v in enumerate(order)}
        return sorted(items, key=lambda x: rank.get(x, len(rank)) if not isinstance(x, (dict, list)) else len(rank))
    key = _key_for(field, order)
    if key is None:
        return items
    rank = {o.get(key): n for n, o in enumerate(order)}
    return sorted(items, key=lambda x: rank.get(x.get(key), len(rank)) if isinstance(x, dict) else len(rank))
