"""The ReplicaSchedulingPreference planner: KubeFed's algorithm (pkg/controller/util/planner), pure.

Given the total, per-cluster preferences (`"*"` for clusters not named) and the
available clusters, it returns how many replicas each cluster gets:

1. clusters are ordered by weight (descending), ties broken by FNV-32 of
   cluster name + the workload's "namespace/name" key, so single replicas do not
   always land on the alphabetically first cluster;
2. each cluster first gets its minReplicas (capped by its estimated capacity);
3. without rebalance, clusters already running more than that keep them
   ("preallocated"), up to their maxReplicas and capacity;
4. the rest is handed out by weight, rounding up, in rounds, until nothing remains
   or no cluster can take more (maxReplicas or capacity reached).

Replicas a cluster was given beyond its estimated capacity come back as `overflow`
(with rebalance all of it; without, at most what could not be placed elsewhere).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping


def fnv32(data: bytes) -> int:
    """FNV-1 32-bit, as Go's hash/fnv.New32 (multiply, then xor)."""
    h = 0x811C9DC5
    for b in data:
        h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= b
    return h


@dataclass(frozen=True)
class Preference:
    min_replicas: int = 0
    max_replicas: int | None = None
    weight: int = 0

    @classmethod
    def of(cls, value: Any) -> "Preference":
        if isinstance(value, Preference):
            return value
        value = value or {}
        mx = value.get("maxReplicas")
        return cls(int(value.get("minReplicas") or 0), None if mx is None else int(mx), int(value.get("weight") or 0))


@dataclass
class _Named:
    name: str
    hash: int
    pref: Preference


def plan(total: int, preferences: Mapping[str, Any], clusters: Iterable[str],
         current: Mapping[str, int] | None = None, capacity: Mapping[str, int] | None = None,
         rebalance: bool = False, key: str = "") -> tuple[dict[str, int], dict[str, int]]:
    """(replicas per cluster, overflow per cluster). Clusters with no preference (and no
    `"*"`) get 0. `current`: replicas running now; `capacity`: estimated replicas a
    cluster can run; `key`: the workload's "namespace/name"."""
    current = current or {}
    capacity = capacity or {}
    result: dict[str, int] = {}
    overflow: dict[str, int] = {}
    named: list[_Named] = []
    for c in clusters:
        if c in preferences:
            pref = Preference.of(preferences[c])
        elif "*" in preferences:
            pref = Preference.of(preferences["*"])
        else:
            result[c] = 0
            continue
        named.append(_Named(c, fnv32(c.encode() + key.encode()), pref))
    named.sort(key=lambda p: (-p.pref.weight, p.hash, p.name))

    remaining = int(total)
    for p in named:
        n = min(p.pref.min_replicas, remaining)
        if p.name in capacity:
            n = min(n, capacity[p.name])
        remaining -= n
        result[p.name] = n

    preallocated: dict[str, int] = {}
    if not rebalance:
        for p in named:
            planned = result[p.name]
            count = current.get(p.name)
            if count is not None and count > planned:
                target = count
                if p.pref.max_replicas is not None:
                    target = min(p.pref.max_replicas, target)
                if p.name in capacity:
                    target = min(capacity[p.name], target)
                extra = max(min(target - planned, remaining), 0)
                remaining -= extra
                preallocated[p.name] = extra
                result[p.name] = planned + extra

    modified = True
    while modified and remaining > 0:
        modified = False
        weight_sum = sum(p.pref.weight for p in named)
        still_open: list[_Named] = []
        to_distribute = remaining
        for p in named:
            if weight_sum <= 0:
                break
            start = result[p.name]
            extra = min((to_distribute * p.pref.weight + weight_sum - 1) // weight_sum, remaining)
            prealloc = preallocated.get(p.name, 0)
            used = min(extra, prealloc)
            preallocated[p.name] = prealloc - used
            extra -= used
            if used > 0:
                modified = True
            got = start + extra
            full = False
            if p.pref.max_replicas is not None and got > p.pref.max_replicas:
                got = p.pref.max_replicas
                full = True
            if p.name in capacity and got > capacity[p.name]:
                overflow[p.name] = got - capacity[p.name]
                got = capacity[p.name]
                full = True
            if not full:
                still_open.append(p)
            remaining -= got - start
            result[p.name] = got
            if got > start:
                modified = True
        named = still_open

    if rebalance:
        return result, overflow
    trimmed = {c: min(v, remaining) for c, v in overflow.items() if min(v, remaining) > 0}
    return result, trimmed


def schedule(total: int, preferences: Mapping[str, Any] | None, clusters: Iterable[str],
             current: Mapping[str, int] | None = None, capacity: Mapping[str, int] | None = None,
             rebalance: bool = False, key: str = "") -> dict[str, int]:
    """KubeFed's ReplicaScheduler.schedule: the plan plus overflow, for every cluster given.

    No preferences at all means `{"*": {weight: 1}}` (an even split)."""
    clusters = list(clusters)
    prefs = preferences if preferences else {"*": {"weight": 1}}
    result, overflow = plan(total, prefs, clusters, current, capacity, rebalance, key)
    out = {c: 0 for c in clusters}
    out.update(result)
    for c, n in overflow.items():
        out[c] = out.get(c, 0) + n
    return out
