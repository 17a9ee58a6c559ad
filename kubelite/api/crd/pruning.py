"""Pruning of fields a CRD's schema does not specify, as upstream's `schema/pruning`.

apiVersion, kind and metadata survive at the root and in embedded resources;
x-kubernetes-preserve-unknown-fields keeps a subtree's unknown fields, while the
properties it does specify are pruned again.
"""
from __future__ import annotations

from typing import Any

from kubelite.api.crd.paths import child, index

_META = ("apiVersion", "kind", "metadata")


def prune(obj: Any, schema: dict | None, root: bool = True) -> list[str]:
    """Remove unknown fields from obj in place; return the paths removed, in order."""
    if root:
        schema = dict(schema or {}, **{"x-kubernetes-embedded-resource": True})
    removed: list[str] = []
    _prune(obj, schema, "", removed)
    return removed


def _props(s: dict) -> dict:
    p = s.get("properties")
    return p if isinstance(p, dict) else {}


def _additional(s: dict) -> tuple[bool, dict | None]:
    """Whether the schema has additionalProperties, and its schema (None: any value)."""
    ap = s.get("additionalProperties")
    if ap is None or ap is False:
        return False, None
    return True, ap if isinstance(ap, dict) else None


def _prune(x: Any, s: dict | None, path: str, removed: list[str], preserve: bool = False) -> None:
    """Upstream's prune and skipPrune in one: under x-kubernetes-preserve-unknown-fields
    (or inside an array of such items) unknown fields stay, specified ones are pruned again."""
    preserve = preserve or (s is not None and s.get("x-kubernetes-preserve-unknown-fields") is True)
    if isinstance(x, dict):
        if s is None:
            if not preserve:
                removed += [child(path, k) for k in x]
                x.clear()
            return
        embedded = s.get("x-kubernetes-embedded-resource") is True
        props = _props(s)
        has_ap, ap = _additional(s)
        for k in list(x):
            if embedded and k in _META:
                continue
            if k in props:
                _prune(x[k], props[k], child(path, k), removed)
            elif has_ap:
                _prune(x[k], ap, child(path, k), removed)
            elif not preserve:
                removed.append(child(path, k))
                del x[k]
    elif isinstance(x, list):
        items = s.get("items") if isinstance(s, dict) and isinstance(s.get("items"), dict) else None
        if preserve and items is None:
            return
        for i, v in enumerate(x):
            _prune(v, items, index(path, i), removed, preserve and s is not None and
                   s.get("x-kubernetes-preserve-unknown-fields") is True)
