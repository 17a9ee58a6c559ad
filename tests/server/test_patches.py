"""Strategic merge patch with kubectl's directives (pure)."""
from __future__ import annotations

import pytest

from kubelite.server.patches import PatchError, strategic

POD = {"spec": {"containers": [{"name": "a", "image": "x", "env": [{"name": "E", "value": "1"}]},
                               {"name": "b", "image": "y"}],
                "finalizers_": None}, "metadata": {"finalizers": ["f1"], "labels": {"k": "v"}}}


@pytest.mark.parametrize("patch, check", [
    # containers merge by name: one changed, the other kept
    ({"spec": {"containers": [{"name": "b", "image": "z"}]}},
     lambda o: [(c["name"], c["image"]) for c in o["spec"]["containers"]] == [("a", "x"), ("b", "z")]),
    # a new item is appended
    ({"spec": {"containers": [{"name": "c", "image": "w"}]}},
     lambda o: [c["name"] for c in o["spec"]["containers"]] == ["a", "b", "c"]),
    # $patch: delete removes an item by its key
    ({"spec": {"containers": [{"name": "a", "$patch": "delete"}]}},
     lambda o: [c["name"] for c in o["spec"]["containers"]] == ["b"]),
    # null deletes a map key
    ({"metadata": {"labels": {"k": None}}}, lambda o: o["metadata"]["labels"] == {}),
    # $patch: replace on a map replaces it whole
    ({"metadata": {"labels": {"$patch": "replace", "n": "m"}}}, lambda o: o["metadata"]["labels"] == {"n": "m"}),
    # finalizers merge as a set; $deleteFromPrimitiveList removes from it
    ({"metadata": {"finalizers": ["f2"]}}, lambda o: o["metadata"]["finalizers"] == ["f1", "f2"]),
    ({"metadata": {"$deleteFromPrimitiveList/finalizers": ["f1"]}}, lambda o: o["metadata"]["finalizers"] == []),
    # $setElementOrder orders the merged list as kubectl asks
    ({"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}], "containers": [{"name": "a", "image": "q"}]}},
     lambda o: [c["name"] for c in o["spec"]["containers"]] == ["b", "a"]),
    # $retainKeys keeps only the listed keys of a map
    ({"spec": {"$retainKeys": ["containers"], "finalizers_": None}}, lambda o: set(o["spec"]) == {"containers"}),
    # nested lists merge by their own keys (env by name)
    ({"spec": {"containers": [{"name": "a", "env": [{"name": "F", "value": "2"}]}]}},
     lambda o: [e["name"] for e in o["spec"]["containers"][0]["env"]] == ["E", "F"]),
])
def test_strategic_merge_patch(patch, check):
    import copy

    assert check(strategic(copy.deepcopy(POD), patch))


def test_an_unknown_directive_is_refused():
    with pytest.raises(PatchError):
        strategic({}, {"$patch": "explode"})


def test_a_patch_that_is_not_an_object_is_refused():
    with pytest.raises(PatchError):
        strategic({}, ["not", "a", "map"])
