"""kubectl's three-way apply, RFC 7386 merge patch and RFC 6902 JSON patch."""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubelite.api.merge import LAST_APPLIED, PatchError, apply_manifest, json_patch, last_applied_of, merge_patch, three_way, with_last_applied


def deployment(containers=None, replicas=2, **spec_extra):
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": containers or [{"name": "web", "image": "nginx"}]}},
                 **spec_extra},
    }


def created(manifest):
    """What the store holds after `apply` created the object."""
    live = with_last_applied(manifest)
    live["metadata"].update(uid="u-1", resourceVersion="7", generation=1, creationTimestamp="2026-01-01T00:00:00Z")
    return live


# -- three-way apply -----------------------------------------------------------------

def test_a_field_removed_from_the_manifest_is_removed_from_the_object():
    v1 = deployment(minReadySeconds=5)
    v2 = deployment()
    out = apply_manifest(v2, created(v1))
    assert "minReadySeconds" not in out["spec"]


def test_a_field_removed_from_a_nested_map_is_removed_and_its_siblings_stay():
    v1 = deployment()
    v1["metadata"]["labels"]["tier"] = "fe"
    out = apply_manifest(deployment(), created(v1))
    assert out["metadata"]["labels"] == {"app": "web"}


def test_fields_set_by_others_survive_an_apply():
    live = created(deployment())
    live["status"] = {"replicas": 2, "readyReplicas": 1}
    live["metadata"]["labels"]["added-by"] = "kubelite-label"
    live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Always"  # a default
    live["spec"]["revisionHistoryLimit"] = 10
    out = apply_manifest(deployment(replicas=3), live)
    assert out["status"] == {"replicas": 2, "readyReplicas": 1}
    assert out["metadata"]["labels"] == {"app": "web", "added-by": "kubelite-label"}
    assert out["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"
    assert out["spec"]["revisionHistoryLimit"] == 10
    assert out["spec"]["replicas"] == 3


def test_server_owned_metadata_survives_an_apply():
    live = created(deployment())
    live["metadata"]["finalizers"] = ["example.com/hold"]
    live["metadata"]["ownerReferences"] = [{"uid": "o", "name": "x", "kind": "Foo", "apiVersion": "v1"}]
    out = apply_manifest(deployment(), live)
    for k in ("uid", "resourceVersion", "generation", "creationTimestamp", "finalizers", "ownerReferences"):
        assert out["metadata"][k] == live["metadata"][k]


def test_containers_merge_by_name_keeping_fields_others_set():
    live = created(deployment([{"name": "web", "image": "nginx:1"}, {"name": "log", "image": "fluentd"}]))
    live["spec"]["template"]["spec"]["containers"][0]["terminationMessagePath"] = "/dev/termination-log"
    live["spec"]["template"]["spec"]["containers"][1]["terminationMessagePath"] = "/dev/termination-log"
    out = apply_manifest(deployment([{"name": "log", "image": "fluentd:2"}, {"name": "web", "image": "nginx:2"}]), live)
    cs = out["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in cs] == ["log", "web"]
    assert cs[0] == {"name": "log", "image": "fluentd:2", "terminationMessagePath": "/dev/termination-log"}
    assert cs[1] == {"name": "web", "image": "nginx:2", "terminationMessagePath": "/dev/termination-log"}


def test_a_container_removed_from_the_manifest_is_removed_but_one_injected_by_others_stays():
    live = created(deployment([{"name": "web", "image": "nginx"}, {"name": "old", "image": "busybox"}]))
    live["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "envoy"})
    out = apply_manifest(deployment([{"name": "web", "image": "nginx"}]), live)
    assert [c["name"] for c in out["spec"]["template"]["spec"]["containers"]] == ["web", "sidecar"]


def test_env_and_ports_merge_by_their_keys():
    c1 = {"name": "web", "image": "nginx", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
          "ports": [{"containerPort": 80}, {"containerPort": 443}]}
    live = created(deployment([c1]))
    live["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] = "TCP"
    c2 = {"name": "web", "image": "nginx", "env": [{"name": "B", "value": "3"}], "ports": [{"containerPort": 80}]}
    out = apply_manifest(deployment([c2]), live)
    c = out["spec"]["template"]["spec"]["containers"][0]
    assert c["env"] == [{"name": "B", "value": "3"}]
    assert c["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


def test_lists_without_a_merge_key_are_replaced_whole():
    live = created(deployment([{"name": "web", "image": "nginx", "args": ["a", "b"]}]))
    out = apply_manifest(deployment([{"name": "web", "image": "nginx", "args": ["c"]}]), live)
    assert out["spec"]["template"]["spec"]["containers"][0]["args"] == ["c"]


def test_finalizers_merge_as_a_set():
    assert three_way(["a"], ["b"], ["a", "x"], "finalizers") == ["x", "b"]


def test_the_last_applied_annotation_records_the_manifest_without_itself():
    m = deployment()
    m["metadata"]["annotations"] = {LAST_APPLIED: "stale", "note": "hi"}
    out = with_last_applied(m)
    recorded = json.loads(out["metadata"]["annotations"][LAST_APPLIED])
    assert recorded["metadata"]["annotations"] == {"note": "hi"}
    assert last_applied_of(out) == recorded
    assert out["metadata"]["annotations"][LAST_APPLIED].endswith("\n")


def test_a_missing_or_corrupt_last_applied_annotation_reads_as_none():
    assert last_applied_of({"metadata": {}}) is None
    assert last_applied_of({"metadata": {"annotations": {LAST_APPLIED: "{not json"}}}) is None
    assert last_applied_of({"metadata": {"annotations": {LAST_APPLIED: "[1]"}}}) is None


def test_applying_without_a_last_applied_annotation_removes_nothing():
    live = deployment(minReadySeconds=5)
    live["metadata"]["resourceVersion"] = "3"
    out = apply_manifest(deployment(), live)
    assert out["spec"]["minReadySeconds"] == 5


def test_a_resource_version_in_the_manifest_is_kept_for_the_conflict_check():
    m = deployment()
    m["metadata"]["resourceVersion"] = "1"
    out = apply_manifest(m, created(deployment()))
    assert out["metadata"]["resourceVersion"] == "1"


def test_apply_does_not_mutate_its_inputs():
    m, live = deployment(), created(deployment(minReadySeconds=1))
    m0, live0 = copy.deepcopy(m), copy.deepcopy(live)
    apply_manifest(m, live)
    assert m == m0 and live == live0


# -- properties of the three-way merge -----------------------------------------------

_keys = st.sampled_from(["a", "b", "c", "name", "image", "replicas", "labels", "env", "containers", "ports", "args"])
_scalars = st.one_of(st.integers(-5, 5), st.text("xyz", max_size=3), st.booleans(), st.none())


def _named_list(children):
    return st.lists(st.fixed_dictionaries({"name": st.sampled_from(["n1", "n2", "n3", "n4"])}, optional={"a": children, "image": _scalars}),
                    max_size=4, unique_by=lambda d: d["name"])


_values = st.recursive(
    _scalars,
    lambda children: st.one_of(st.dictionaries(_keys, children, max_size=4), st.lists(_scalars, max_size=3)),
    max_leaves=12,
)
_specs = st.dictionaries(_keys, st.one_of(_values, _named_list(_values)), max_size=5)


def _manifest(spec):
    return {"apiVersion": "v1", "kind": "Thing", "metadata": {"name": "t", "namespace": "default"}, "spec": spec}


@settings(max_examples=60, deadline=None)
@given(_specs, _specs)
def test_applying_the_same_manifest_twice_is_a_fixed_point(first, second):
    live = created(_manifest(first))
    once = apply_manifest(_manifest(second), live)
    twice = apply_manifest(_manifest(second), once)
    assert twice == once


@settings(max_examples=60, deadline=None)
@given(_specs)
def test_applying_a_manifest_over_its_own_creation_changes_nothing(spec):
    live = created(_manifest(spec))
    assert apply_manifest(_manifest(spec), live) == live


@settings(max_examples=60, deadline=None)
@given(_specs, _specs)
def test_after_apply_every_top_level_field_of_the_manifest_has_the_manifests_scalar_values(first, second):
    out = apply_manifest(_manifest(second), created(_manifest(first)))
    for k, v in second.items():
        if not isinstance(v, (dict, list)):
            assert out["spec"][k] == v


@settings(max_examples=60, deadline=None)
@given(_specs, _specs)
def test_a_field_dropped_from_the_manifest_is_gone_after_apply(first, second):
    out = apply_manifest(_manifest(second), created(_manifest(first)))
    for k in first:
        if k not in second:
            assert k not in out["spec"]


# -- RFC 7386 JSON merge patch (the RFC's appendix A examples) ------------------------

@pytest.mark.parametrize("target, patch, result", [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
])
def test_merge_patch_follows_rfc_7386(target, patch, result):
    before = copy.deepcopy(target)
    assert merge_patch(target, patch) == result
    assert target == before


# -- RFC 6902 JSON patch -------------------------------------------------------------

DOC = {"foo": "bar", "list": [1, 2, 3], "obj": {"a/b": 1, "m~n": 2}}


@pytest.mark.parametrize("ops, result", [
    ([{"op": "add", "path": "/baz", "value": "qux"}], {**DOC, "baz": "qux"}),
    ([{"op": "add", "path": "/list/1", "value": 9}], {**DOC, "list": [1, 9, 2, 3]}),
    ([{"op": "add", "path": "/list/-", "value": 4}], {**DOC, "list": [1, 2, 3, 4]}),
    ([{"op": "add", "path": "/list/3", "value": 4}], {**DOC, "list": [1, 2, 3, 4]}),
    ([{"op": "add", "path": "/foo", "value": "new"}], {**DOC, "foo": "new"}),
    ([{"op": "remove", "path": "/foo"}], {k: v for k, v in DOC.items() if k != "foo"}),
    ([{"op": "remove", "path": "/list/0"}], {**DOC, "list": [2, 3]}),
    ([{"op": "replace", "path": "/foo", "value": 1}], {**DOC, "foo": 1}),
    ([{"op": "replace", "path": "/list/2", "value": 0}], {**DOC, "list": [1, 2, 0]}),
    ([{"op": "move", "from": "/foo", "path": "/moved"}], {"moved": "bar", "list": [1, 2, 3], "obj": DOC["obj"]}),
    ([{"op": "copy", "from": "/list", "path": "/copy"}], {**DOC, "copy": [1, 2, 3]}),
    ([{"op": "test", "path": "/foo", "value": "bar"}], DOC),
    ([{"op": "remove", "path": "/obj/a~1b"}, {"op": "replace", "path": "/obj/m~0n", "value": 3}], {**DOC, "obj": {"m~n": 3}}),
    ([{"op": "add", "path": "", "value": {"whole": 1}}], {"whole": 1}),
    ([], DOC),
])
def test_json_patch_follows_rfc_6902(ops, result):
    before = copy.deepcopy(DOC)
    assert json_patch(DOC, ops) == result
    assert DOC == before


@pytest.mark.parametrize("ops", [
    [{"op": "test", "path": "/foo", "value": "nope"}],
    [{"op": "remove", "path": "/missing"}],
    [{"op": "replace", "path": "/missing", "value": 1}],
    [{"op": "add", "path": "/missing/child", "value": 1}],
    [{"op": "add", "path": "/list/9", "value": 1}],
    [{"op": "remove", "path": "/list/9"}],
    [{"op": "move", "from": "/missing", "path": "/x"}],
    [{"op": "frobnicate", "path": "/foo"}],
    [{"path": "/foo"}],
    [{"op": "add", "path": "foo", "value": 1}],
    {"op": "add", "path": "/foo", "value": 1},
])
def test_bad_json_patches_are_refused(ops):
    with pytest.raises(PatchError):
        json_patch(DOC, ops)


def test_a_failing_json_patch_applies_none_of_its_operations():
    doc = copy.deepcopy(DOC)
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "replace", "path": "/foo", "value": "x"}, {"op": "test", "path": "/foo", "value": "bar"}])
    assert doc == DOC
