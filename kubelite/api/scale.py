"""The scale subresource: where a kind keeps its replicas and selector, and an object's
autoscaling/v1 Scale. Pure, no I/O.

Built-in workloads (Deployment, ReplicaSet, StatefulSet, ReplicationController) keep
spec.replicas, status.replicas and their selector at spec.selector. A custom kind has a
scale subresource when its CRD's version declares one: specReplicasPath,
statusReplicasPath and, optionally, labelSelectorPath (a selector in string form), read as
upstream's apiextensions-apiserver does (registry/customresource/etcd.go,
scaleFromCustomResource): a missing status count is 0, a missing selector is "", a missing
spec count is an error. The CLI's `scale`, the HPA controller and `serve` share this.
"""
from __future__ import annotations

from typing import NamedTuple

from kubelite.api import selectors
from kubelite.api.kinds import Kind
from kubelite.errors import NotFound, ServerError

BUILTIN = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"})


class Paths(NamedTuple):
    """Field paths of a kind's scale, as tuples of keys."""

    spec: tuple[str, ...]
    status: tuple[str, ...]
    selector: tuple[str, ...] | None  # a custom kind's labelSelectorPath (a string); None for built-ins


def _split(path: str) -> tuple[str, ...]:
    return tuple(path.lstrip(".").split("."))


def paths(kind: Kind) -> Paths | None:
    """Where a kind keeps its scale, or None when it has no scale subresource."""
    if kind.custom:
        from kubelite.api import kinds
        from kubelite.api.crd import definition

        sc = definition.subresources(kinds.definition(kind) or {}, kind.version).get("scale")
        if not isinstance(sc, dict):
            return None
        spec, status, sel = sc.get("specReplicasPath"), sc.get("statusReplicasPath"), sc.get("labelSelectorPath")
        if not isinstance(spec, str) or not spec or not isinstance(status, str) or not status:
            return None  # the CRD check refuses these; a hand-edited CRD serves no scale
        return Paths(_split(spec), _split(status), _split(sel) if isinstance(sel, str) and sel else None)
    if kind.kind in BUILTIN:
        return Paths(("spec", "replicas"), ("status", "replicas"), None)
    return None


def get_path(obj: dict, path: tuple[str, ...] | list[str]):
    for p in path:
        obj = obj.get(p) if isinstance(obj, dict) else None
    return obj


def set_path(obj: dict, path: tuple[str, ...] | list[str], value) -> None:
    for p in path[:-1]:
        nxt = obj.get(p)
        if not isinstance(nxt, dict):
            nxt = obj[p] = {}
        obj = nxt
    obj[path[-1]] = value


def _int(v) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _required(kind: Kind) -> Paths:
    p = paths(kind)
    if p is None:  # upstream routes no /scale for it
        raise NotFound(kind.resource, "", "the server could not find the requested resource")
    return p


def spec_replicas(kind: Kind, obj: dict) -> int:
    """The scale's spec.replicas; a custom object without the field is upstream's internal error."""
    p = _required(kind)
    n = _int(get_path(obj, p.spec))
    if n is None:
        if kind.custom:
            raise ServerError(f'Internal error occurred: the spec replicas field ".{".".join(p.spec)}" does not exist')
        return 1  # a built-in workload's default
    return n


def status_replicas(kind: Kind, obj: dict) -> int:
    return _int(get_path(obj, _required(kind).status)) or 0


def selector_text(kind: Kind, obj: dict) -> str:
    """The scale's status.selector: a label selector in string form ("" when there is none)."""
    p = _required(kind)
    if p.selector is not None:
        sel = get_path(obj, p.selector)
        return sel if isinstance(sel, str) else ""
    if kind.custom:
        return ""
    sel = (obj.get("spec") or {}).get("selector")
    if kind.kind == "ReplicationController":  # a plain map
        return ",".join(f"{k}={v}" for k, v in sorted((sel or {}).items()))
    return str(selectors.from_label_selector(sel))


def of(kind: Kind, obj: dict) -> dict:
    """The object's autoscaling/v1 Scale."""
    m = obj.get("metadata") or {}
    meta = {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in m}
    return {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta,
            "spec": {"replicas": spec_replicas(kind, obj)},
            "status": {"replicas": status_replicas(kind, obj), "selector": selector_text(kind, obj)}}


def with_replicas(kind: Kind, obj: dict, replicas: int) -> dict:
    """A copy of the object with its scale's spec.replicas set."""
    from kubelite.api.fastcopy import clone

    out = clone(obj)
    set_path(out, _required(kind).spec, replicas)
    return out
