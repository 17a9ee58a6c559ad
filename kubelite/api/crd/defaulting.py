"""Defaulting of custom objects by their CRD's schema, as upstream's `schema/defaulting`.

Nulls in fields that are neither nullable nor defaulted are dropped first
(PruneNonNullableNullsWithoutDefaults); then every missing field with a `default:`,
and every non-nullable null that has one, takes a copy of it, top-down, so a
defaulted object's own fields are defaulted too.
"""
from __future__ import annotations

import copy
from typing import Any


def _props(s: dict) -> dict:
    p = s.get("properties")
    return p if isinstance(p, dict) else {}


def _additional(s: dict | None) -> dict | None:
    ap = s.get("additionalProperties") if isinstance(s, dict) else None
    return ap if isinstance(ap, dict) else None


def _sub(s: dict | None, k: str) -> dict | None:
    if not isinstance(s, dict):
        return None
    p = _props(s)
    return p[k] if isinstance(p.get(k), dict) else _additional(s)


def _non_nullable_null(x: Any, s: dict | None) -> bool:
    return x is None and isinstance(s, dict) and s.get("nullable") is not True


def prune_nulls(x: Any, s: dict | None) -> None:
    """Drop null values the schema neither allows nor defaults."""
    if isinstance(x, dict):
        for k in list(x):
            sub = _sub(s, k)
            if _non_nullable_null(x[k], sub) and "default" not in sub:
                del x[k]
            else:
                prune_nulls(x[k], sub)
    elif isinstance(x, list):
        items = s.get("items") if isinstance(s, dict) and isinstance(s.get("items"), dict) else None
        for v in x:
            prune_nulls(v, items)


def default(x: Any, s: dict | None) -> None:
    """Fill in the schema's defaults in place."""
    if not isinstance(s, dict):
        return
    if isinstance(x, dict):
        for k, prop in _props(s).items():
            if not isinstance(prop, dict) or "default" not in prop:
                continue
            if k not in x or _non_nullable_null(x[k], prop):
                x[k] = copy.deepcopy(prop["default"])
        ap = _additional(s)
        for k in list(x):
            prop = _props(s).get(k)
            if isinstance(prop, dict):
                default(x[k], prop)
            elif ap is not None:
                if _non_nullable_null(x[k], ap) and "default" in ap:
                    x[k] = copy.deepcopy(ap["default"])
                default(x[k], ap)
    elif isinstance(x, list):
        items = s.get("items") if isinstance(s.get("items"), dict) else None
        for i in range(len(x)):
            if _non_nullable_null(x[i], items) and "default" in items:
                x[i] = copy.deepcopy(items["default"])
            default(x[i], items)


def apply(obj: dict, schema: dict) -> None:
    """What the API server does to a custom object on its way in: null pruning, then defaults."""
    prune_nulls(obj, schema)
    default(obj, schema)
