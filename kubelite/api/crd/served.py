"""The kinds a set of CustomResourceDefinitions serves, indexed as kubelite.api.kinds indexes
the built-in ones. Pure: CRD objects in, Kind objects and lookup tables out.

A CRD serves its kind once it is Established, under the names its NamesAccepted status
accepted (status.acceptedNames), in every served version. Objects are stored in the
storage version (conversion None: only apiVersion changes), so that is the Kind's version.
"""
from __future__ import annotations

import re

from kubelite.api.crd import definition

_KUBE_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


def version_priority(v: str) -> tuple:
    """Upstream's kube-aware order, highest first when sorted: v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > other."""
    m = _KUBE_VERSION.match(v)
    if not m:
        return (0, 0, 0, v)
    major, stage, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    rank = {None: 3, "beta": 2, "alpha": 1}[stage]
    return (rank, major, minor, "")


def preferred_version(crd: dict) -> str | None:
    served = definition.served_versions(crd)
    return max(served, key=version_priority) if served else None


def kind_of(crd: dict):
    """The Kind a CRD serves, or None while it is not Established."""
    from kubelite.api.kinds import Kind

    if not definition.is_condition_true(crd, "Established"):
        return None
    spec = crd.get("spec") or {}
    names = (crd.get("status") or {}).get("acceptedNames") or {}
    storage = definition.storage_version(crd)
    if not names.get("kind") or not names.get("plural") or not storage:
        return None
    return Kind(names["kind"], spec.get("group", ""), storage, names["plural"], names.get("singular") or names["kind"].lower(),
                spec.get("scope") == "Namespaced", tuple(names.get("shortNames") or ()), True,
                tuple(names.get("categories") or ()), custom=True)


def index(crds: list[dict]):
    """(kinds, by (apiVersion, kind), by lower-case type word, Kind -> CRD)."""
    kinds, by_gvk, by_name, defs = [], {}, {}, {}
    for crd in sorted(crds, key=lambda c: (c.get("metadata") or {}).get("creationTimestamp") or ""):
        k = kind_of(crd)
        if k is None:
            continue
        kinds.append(k)
        defs[k] = crd
        for v in definition.served_versions(crd):
            by_gvk.setdefault((f"{k.group}/{v}", k.kind), k)
        words = {k.plural, k.singular, k.kind.lower(), *k.short_names}
        for w in words:
            by_name.setdefault(w, []).append(k)
            by_name.setdefault(f"{w}.{k.group}", []).append(k)
            for v in definition.served_versions(crd):
                by_name.setdefault(f"{w}.{v}.{k.group}", []).append(k)
    return tuple(kinds), by_gvk, by_name, defs
