"""The ReplicaSchedulingPreference planner, table-tested against KubeFed's own cases.

The first table is KubeFed's user guide (docs/userguide.md, "ReplicaSchedulingPreference"),
clusters A, B and C; the rest are KubeFed's planner_test.go, whose "hash dependent"
results pin the FNV-1 ordering of equal weights.
"""
from __future__ import annotations

import pytest

from kubelite.federation.planner import fnv32, plan, schedule

ABC = ["A", "B", "C"]


def w(weight=0, mn=0, mx=None) -> dict:
    d = {"weight": weight, "minReplicas": mn}
    if mx is not None:
        d["maxReplicas"] = mx
    return d


# -- KubeFed's documented examples ------------------------------------------------------------

@pytest.mark.parametrize("total, prefs, clusters, rebalance, expected", [
    # Distribute total replicas evenly in all available clusters.
    (9, {}, ABC, False, {"A": 3, "B": 3, "C": 3}),
    (9, {"*": w(1)}, ABC, False, {"A": 3, "B": 3, "C": 3}),
    # Weighted 1:2; C has no preference (weight 0) and gets none.
    (9, {"A": w(1), "B": w(2)}, ABC, False, {"A": 3, "B": 6, "C": 0}),
    # The same, with limits: A's minReplicas 4 caps the weighted split.
    (9, {"A": w(1, 4, 6), "B": w(2, 4, 8)}, ABC, False, {"A": 4, "B": 5, "C": 0}),
    # Evenly, but not more than 20 in C: all have capacity.
    (50, {"*": w(1), "C": w(1, mx=20)}, ABC, False, {"A": 16, "B": 17, "C": 17}),
    # B offline (or without capacity), rebalance: B is not available.
    (50, {"*": w(1), "C": w(1, mx=20)}, ["A", "C"], True, {"A": 30, "C": 20}),
    # A and B offline.
    (50, {"*": w(1), "C": w(1, mx=20)}, ["C"], True, {"C": 20}),
])
def test_kubefed_user_guide_examples(total, prefs, clusters, rebalance, expected):
    assert schedule(total, prefs, clusters, rebalance=rebalance) == expected


def test_the_brief_examples_exactly():
    assert plan(9, {"A": w(1), "B": w(2)}, ["A", "B"])[0] == {"A": 3, "B": 6}
    # KubeFed's example gives both clusters minReplicas 4 (A max 6, B max 8): A 4, B 5.
    assert plan(9, {"A": w(1, 4, 6), "B": w(2, 4, 8)}, ["A", "B"])[0] == {"A": 4, "B": 5}
    # With a minimum on A alone, B (weight 2) is served first from the 5 left: B 4, then A 1 more.
    assert plan(9, {"A": w(1, 4), "B": w(2)}, ["A", "B"])[0] == {"A": 5, "B": 4}
    assert plan(50, {"*": w(1), "C": w(1, mx=20)}, ABC)[0] == {"A": 16, "B": 17, "C": 17}
    assert plan(50, {"*": w(1), "C": w(1, mx=20)}, ["A", "C"], rebalance=True)[0] == {"A": 30, "C": 20}


def test_fnv32_is_gos_fnv1_not_fnv1a():
    # Go: fnv.New32().Write([]byte("a")).Sum32() == 0x050c5d7e ; FNV-1a would give 0xe40c292c
    assert fnv32(b"a") == 0x050C5D7E
    assert fnv32(b"") == 0x811C9DC5


# -- KubeFed's planner_test.go ----------------------------------------------------------------

@pytest.mark.parametrize("prefs, total, clusters, expected", [
    ({"*": w(1)}, 50, ABC, {"A": 16, "B": 17, "C": 17}),
    ({"*": w(1)}, 50, ["A", "B"], {"A": 25, "B": 25}),
    ({"*": w(1)}, 1, ["A", "B"], {"A": 0, "B": 1}),
    ({"*": w(1)}, 1, ["A", "B", "C", "D"], {"A": 0, "B": 0, "C": 0, "D": 1}),
    ({"*": w(1)}, 1, ["A"], {"A": 1}),
    ({"*": w(1)}, 1, [], {}),
    # TestMin
    ({"*": w(0, 2)}, 50, ABC, {"A": 2, "B": 2, "C": 2}),
    ({"*": w(0, 20)}, 50, ABC, {"A": 10, "B": 20, "C": 20}),
    ({"*": w(0, 20), "A": w(1, 100)}, 50, ABC, {"A": 50, "B": 0, "C": 0}),
    ({"*": w(1, 10, 12)}, 50, ABC, {"A": 12, "B": 12, "C": 12}),
    # TestMax
    ({"*": w(1, mx=2)}, 50, ABC, {"A": 2, "B": 2, "C": 2}),
    ({"*": w(0, mx=2)}, 50, ABC, {"A": 0, "B": 0, "C": 0}),
    # TestWeight
    ({"A": w(1), "B": w(2)}, 60, ABC, {"A": 20, "B": 40, "C": 0}),
    ({"A": w(10000), "B": w(1)}, 50, ABC, {"A": 50, "B": 0, "C": 0}),
    ({"A": w(10000), "B": w(1)}, 50, ["B", "C"], {"B": 50, "C": 0}),
    ({"A": w(10000, mx=10), "B": w(1), "C": w(1)}, 50, ABC, {"A": 10, "B": 20, "C": 20}),
    ({"A": w(10000, mx=10), "B": w(1), "C": w(1, mx=10)}, 50, ABC, {"A": 10, "B": 30, "C": 10}),
    ({"A": w(10000, mx=10), "B": w(1), "C": w(1, mx=21), "D": w(1, mx=10)}, 71, ["A", "B", "C", "D"],
     {"A": 10, "B": 30, "C": 21, "D": 10}),
    ({"A": w(10000, mx=10), "B": w(1), "C": w(1, mx=21), "D": w(1, mx=10), "E": w(1)}, 91,
     ["A", "B", "C", "D", "E"], {"A": 10, "B": 25, "C": 21, "D": 10, "E": 25}),
])
def test_kubefed_planner_cases(prefs, total, clusters, expected):
    result, overflow = plan(total, prefs, clusters)
    assert result == expected
    assert overflow == {}


@pytest.mark.parametrize("total, clusters, existing, expected", [
    (50, ABC, {"C": 30}, {"A": 10, "B": 10, "C": 30}),
    (50, ["A", "B"], {"A": 30}, {"A": 30, "B": 20}),
    (15, ["A", "B"], {"A": 0, "B": 8}, {"A": 7, "B": 8}),
    (15, ["A", "B"], {"A": 1, "B": 8}, {"A": 7, "B": 8}),
    (15, ["A", "B"], {"A": 4, "B": 8}, {"A": 7, "B": 8}),
    (15, ["A", "B"], {"A": 5, "B": 8}, {"A": 7, "B": 8}),
    (15, ["A", "B"], {"A": 6, "B": 8}, {"A": 7, "B": 8}),
    (15, ["A", "B"], {"A": 7, "B": 8}, {"A": 7, "B": 8}),
    (500000, ["A", "B"], {"A": 300000}, {"A": 300000, "B": 200000}),
    (50, ["A", "B"], {"A": 10}, {"A": 25, "B": 25}),
    (50, ["A", "B"], {"A": 10, "B": 70}, {"A": 0, "B": 50}),
    (1, ["A", "B"], {"A": 30}, {"A": 1, "B": 0}),
    (50, ["A", "B"], {"A": 10, "B": 20}, {"A": 25, "B": 25}),
])
def test_without_rebalance_running_replicas_stay(total, clusters, existing, expected):
    result, overflow = plan(total, {"*": w(1)}, clusters, current=existing)
    assert result == expected
    assert overflow == {}


@pytest.mark.parametrize("rebalance, prefs, total, clusters, capacity, expected, overflow", [
    (True, {"*": w(1)}, 50, ABC, {"C": 10}, {"A": 20, "B": 20, "C": 10}, {"C": 7}),
    (True, {"A": w(10000), "B": w(1)}, 50, ["B", "C"], {"B": 10}, {"B": 10, "C": 0}, {"B": 40}),
    (True, {"A": w(1), "B": w(2)}, 60, ABC, {"B": 10}, {"A": 50, "B": 10, "C": 0}, {"B": 30}),
    (True, {"A": w(10000, mx=10), "B": w(1), "C": w(1, mx=21), "D": w(1, mx=10)}, 71, ["A", "B", "C", "D"],
     {"C": 10}, {"A": 10, "B": 41, "C": 10, "D": 10}, {"C": 11}),
    (False, {"A": w(1), "B": w(1)}, 60, ABC, {"A": 10, "B": 10}, {"A": 10, "B": 10, "C": 0}, {"A": 20, "B": 20}),
    (False, {"A": w(1), "B": w(5)}, 60, ABC, {"B": 10}, {"A": 50, "B": 10, "C": 0}, {}),
    (False, {"*": w(0, 20)}, 50, ABC, {"B": 10}, {"A": 20, "B": 10, "C": 20}, {}),
    (True, {"*": w(1, 20)}, 60, ["A", "B"], {"B": 10}, {"A": 50, "B": 10}, {"B": 15}),
])
def test_capacity_limits_and_overflow(rebalance, prefs, total, clusters, capacity, expected, overflow):
    assert plan(total, prefs, clusters, capacity=capacity, rebalance=rebalance) == (expected, overflow)


def test_schedule_adds_overflow_and_lists_every_cluster():
    # A cluster that cannot run what it was given keeps trying (plan + overflow), as KubeFed.
    assert schedule(50, {"*": w(1)}, ABC, capacity={"C": 10}, rebalance=True) == {"A": 20, "B": 20, "C": 17}
    assert schedule(5, {"A": w(1)}, ABC) == {"A": 5, "B": 0, "C": 0}


def test_the_hash_key_decides_ties_between_equal_weights():
    results = {k: plan(1, {"*": w(1)}, ["A", "B"], key=k)[0] for k in ("", "shop/web", "ns/x", "a/b", "default/web")}
    assert all(sum(r.values()) == 1 for r in results.values())
    assert len({tuple(sorted(r.items())) for r in results.values()}) == 2  # the key moves the single replica
