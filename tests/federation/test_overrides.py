"""Overrides (JSON-pointer add/replace/remove, replace by default) and placement, as pure tables."""
from __future__ import annotations

import pytest

from kubelite.federation import overrides, placement
from kubelite.federation.overrides import OverrideError

DEPLOY = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}, "annotations": {"foo": "bar"}},
    "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.26"},
                                                                 {"name": "log", "image": "busybox"}]}}},
}


@pytest.mark.parametrize("ops, path, expected", [
    # replace is the default op
    ([{"path": "/spec/replicas", "value": 5}], ("spec", "replicas"), 5),
    ([{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:1.27"}],
     ("spec", "template", "spec", "containers", 0, "image"), "nginx:1.27"),
    # replace of a missing object key sets it
    ([{"path": "/spec/paused", "value": True}], ("spec", "paused"), True),
    # add to an object, and into an array by index or at the end
    ([{"op": "add", "path": "/metadata/labels/tier", "value": "gold"}], ("metadata", "labels", "tier"), "gold"),
    ([{"op": "add", "path": "/spec/template/spec/containers/1", "value": {"name": "mid", "image": "x"}}],
     ("spec", "template", "spec", "containers", 1, "name"), "mid"),
    ([{"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": "last", "image": "x"}}],
     ("spec", "template", "spec", "containers", 2, "name"), "last"),
    # KubeFed's documented example: ensure the annotation foo: bar exists (add replaces the map)
    ([{"op": "add", "path": "/metadata/annotations", "value": {"foo": "baz"}}], ("metadata", "annotations"), {"foo": "baz"}),
    # later operations see earlier ones
    ([{"path": "/spec/replicas", "value": 5}, {"path": "/spec/replicas", "value": 7}], ("spec", "replicas"), 7),
    # ~1 and ~0 escapes
    ([{"op": "add", "path": "/metadata/labels/example.com~1tier", "value": "x"}],
     ("metadata", "labels", "example.com/tier"), "x"),
])
def test_operations(ops, path, expected):
    out = overrides.apply(DEPLOY, ops)
    node = out
    for p in path:
        node = node[p]
    assert node == expected
    assert DEPLOY["spec"]["replicas"] == 3 and len(DEPLOY["spec"]["template"]["spec"]["containers"]) == 2  # pure


def test_remove_deletes_and_is_idempotent_for_missing_keys():
    out = overrides.apply(DEPLOY, [{"op": "remove", "path": "/metadata/annotations/foo"}])
    assert out["metadata"]["annotations"] == {}
    again = overrides.apply(out, [{"op": "remove", "path": "/metadata/annotations/foo"}])
    assert again == out
    out = overrides.apply(DEPLOY, [{"op": "remove", "path": "/spec/template/spec/containers/0"}])
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["log"]


@pytest.mark.parametrize("op, path, fragment", [
    ("replace", "spec/replicas", "must start with '/'"),
    ("replace", "/spec/nothing/here", "/spec/nothing does not exist"),
    ("replace", "/spec/template/spec/containers/5/image", "out of range"),
    ("add", "/spec/template/spec/containers/9", "out of range"),
    ("replace", "/spec/template/spec/containers/x", "not an array index"),
    ("remove", "/spec/template/spec/containers/7", "out of range"),
    ("move", "/spec/replicas", "not supported"),
    ("replace", "/metadata/name", "cannot be overridden"),
    ("replace", "/kind", "cannot be overridden"),
    ("replace", "/spec/replicas/deeper", "not an object or array"),
])
def test_errors_name_the_path(op, path, fragment):
    with pytest.raises(OverrideError) as e:
        overrides.apply(DEPLOY, [{"op": op, "path": path, "value": 1}])
    assert fragment in str(e.value)


def test_overrides_are_picked_per_cluster_in_order():
    spec = [{"clusterName": "c1", "clusterOverrides": [{"path": "/a", "value": 1}]},
            {"clusterName": "c2", "clusterOverrides": [{"path": "/b", "value": 2}]},
            {"clusterName": "c1", "clusterOverrides": [{"path": "/c", "value": 3}]}]
    assert [o["path"] for o in overrides.for_cluster(spec, "c1")] == ["/a", "/c"]
    assert overrides.for_cluster(spec, "c9") == []
    assert overrides.for_cluster(None, "c1") == []


# -- placement ---------------------------------------------------------------------------------

CLUSTERS = {"c1": {"tier": "gold", "region": "eu"}, "c2": {"tier": "gold", "region": "us"}, "c3": {"tier": "silver"}}


@pytest.mark.parametrize("spec, expected", [
    (None, []),                                                     # no placement: none
    ({}, []),                                                       # neither field: none
    ({"clusterSelector": {}}, ["c1", "c2", "c3"]),                  # empty selector: all
    ({"clusterSelector": {"matchLabels": {"tier": "gold"}}}, ["c1", "c2"]),
    ({"clusterSelector": {"matchExpressions": [{"key": "region", "operator": "Exists"}]}}, ["c1", "c2"]),
    ({"clusterSelector": {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["gold"]}]}}, ["c3"]),
    ({"clusters": [{"name": "c3"}, {"name": "c1"}]}, ["c1", "c3"]),
    ({"clusters": [{"name": "c2"}], "clusterSelector": {}}, ["c2"]),  # named clusters win over the selector
    ({"clusters": [], "clusterSelector": {}}, []),                  # an empty list is still "named"
    ({"clusters": [{"name": "c9"}, {"name": "c1"}]}, ["c1"]),       # only joined clusters
    ({"clusters": None, "clusterSelector": {"matchLabels": {"tier": "silver"}}}, ["c3"]),
])
def test_placement_precedence(spec, expected):
    assert placement.compute(spec, CLUSTERS) == expected


def test_an_invalid_selector_is_a_placement_error():
    with pytest.raises(placement.PlacementError):
        placement.compute({"clusterSelector": {"matchExpressions": [{"key": "a", "operator": "Near"}]}}, CLUSTERS)


def test_within_limits_to_the_namespace_placement():
    assert placement.within(["c1", "c2"], ["c2", "c3"]) == ["c2"]
    assert placement.within(["c2", "c1"], None) == ["c1", "c2"]
