"""Server-side apply's field sets, merging, removal and conflicts (pure)."""
from __future__ import annotations

import pytest

from kubelite.server import ssa

LIVE = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": "a"}]}}}}
NOW = "2026-01-01T00:00:00Z"


def test_fields_v1_round_trips_and_names_list_items_by_key():
    fs = ssa.fieldset(LIVE)
    tree = ssa.to_fields_v1(fs)
    assert tree["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"web"}'] == {".": {}, "f:image": {}, "f:name": {}}
    assert ssa.from_fields_v1(tree) == fs


def test_a_create_records_one_apply_manager():
    obj = ssa.apply_to(None, LIVE, "me", False, NOW, "apps/v1")
    (e,) = obj["metadata"]["managedFields"]
    assert (e["manager"], e["operation"], e["fieldsType"]) == ("me", "Apply", "FieldsV1")


def test_applying_the_same_thing_twice_changes_nothing():
    once = ssa.apply_to(None, LIVE, "me", False, NOW, "apps/v1")
    twice = ssa.apply_to(once, LIVE, "me", False, "2030-01-01T00:00:00Z", "apps/v1")
    assert twice == once


def test_a_field_another_manager_set_differently_is_a_conflict_until_forced():
    live = ssa.apply_to(None, LIVE, "me", False, NOW, "apps/v1")
    scaled = dict(live, spec=dict(live["spec"], replicas=5))
    ssa.record_update(live, scaled, "kubectl", NOW, "apps/v1", "scale")
    with pytest.raises(ssa.FieldConflicts) as e:
        ssa.apply_to(scaled, LIVE, "me", False, NOW, "apps/v1")
    assert e.value.message == 'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas'
    forced = ssa.apply_to(scaled, LIVE, "me", True, NOW, "apps/v1")
    assert forced["spec"]["replicas"] == 3
    assert [m["manager"] for m in forced["metadata"]["managedFields"]] == ["me"]


def test_the_same_value_is_shared_not_a_conflict():
    live = ssa.apply_to(None, LIVE, "me", False, NOW, "apps/v1")
    other = ssa.apply_to(live, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                                "spec": {"replicas": 3}}, "other", False, NOW, "apps/v1")
    assert {m["manager"] for m in other["metadata"]["managedFields"]} == {"me", "other"}


def test_a_field_no_longer_applied_and_owned_by_no_one_else_is_removed():
    live = ssa.apply_to(None, LIVE, "me", False, NOW, "apps/v1")
    smaller = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
               "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web", "image": "a"}]}}}}
    out = ssa.apply_to(live, smaller, "me", False, NOW, "apps/v1")
    assert "labels" not in out["metadata"]
    assert out["spec"]["replicas"] == 3
