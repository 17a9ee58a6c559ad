"""Which member clusters a federated object is placed in (KubeFed's ComputePlacement).

- `spec.placement.clusters` given (even empty): exactly those clusters that are joined;
  the selector is then ignored ("named clusters win").
- else `spec.placement.clusterSelector` given: the clusters whose labels it matches;
  an empty selector `{}` matches every cluster.
- neither (or no placement at all): no cluster.

Namespaced objects are further limited to the clusters their namespace's
FederatedNamespace is placed in, when there is one (KubeFed's ComputeNamespacedPlacement).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from kubelite.api import selectors
from kubelite.errors import UsageError


class PlacementError(ValueError):
    pass


def compute(placement: Any, clusters: Mapping[str, Mapping[str, str] | None]) -> list[str]:
    """Sorted names of the clusters selected. `clusters` maps joined cluster names to their labels."""
    if not isinstance(placement, dict):
        return []
    if placement.get("clusters") is not None:
        named = {c.get("name") for c in placement.get("clusters") or [] if isinstance(c, dict)}
        return sorted(n for n in clusters if n in named)
    if "clusterSelector" not in placement or placement.get("clusterSelector") is None:
        return []
    try:
        sel = selectors.from_label_selector(placement["clusterSelector"])
    except UsageError as e:
        raise PlacementError(f"invalid clusterSelector: {e.message}") from None
    return sorted(n for n, labels in clusters.items() if sel.matches(labels or {}))


def within(names: Iterable[str], allowed: Iterable[str] | None) -> list[str]:
    """`names` limited to `allowed` (None: no limit)."""
    if allowed is None:
        return sorted(names)
    allowed = set(allowed)
    return sorted(n for n in names if n in allowed)
