"""LimitRange, Priority and ResourceQuota admission in-process against a fresh state directory."""
from __future__ import annotations

import pytest

from kubelite.api import kinds
from kubelite.apiserver import APIServer
from kubelite.clock import Clock, parse_time
from kubelite.errors import Forbidden, Invalid
from tests.conftest import T0


@pytest.fixture
def api(tmp_path):
    return APIServer.open(tmp_path / "state", clock=Clock(fixed=parse_time(T0)))


def pod(name="p", **ctr):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "nginx", **ctr}]}}


def test_limit_range_defaults_reach_new_pods_and_are_noted(api):
    api.create({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "cpu"},
                "spec": {"limits": [{"type": "Container", "default": {"cpu": "1"}, "defaultRequest": {"cpu": "500m"}}]}})
    p = api.create(pod()).obj
    assert p["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1"}, "requests": {"cpu": "500m"}}
    assert p["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == \
        "LimitRanger plugin set: cpu request for container app; cpu limit for container app"


def test_a_limit_range_gets_its_defaults_from_max(api):
    lr = api.create({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "mem"},
                     "spec": {"limits": [{"type": "Container", "max": {"memory": "1Gi"}}]}}).obj
    assert lr["spec"]["limits"][0]["default"] == {"memory": "1Gi"}
    assert lr["spec"]["limits"][0]["defaultRequest"] == {"memory": "1Gi"}


def test_a_pod_over_the_maximum_is_refused(api):
    api.create({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "cpu"},
                "spec": {"limits": [{"type": "Container", "max": {"cpu": "800m"}, "min": {"cpu": "100m"}}]}})
    with pytest.raises(Forbidden) as e:
        api.create(pod(resources={"requests": {"cpu": "100m"}, "limits": {"cpu": "1500m"}}))
    assert e.value.message == 'pods "p" is forbidden: maximum cpu usage per Container is 800m, but limit is 1500m'
    assert api.try_get(kinds.by_kind("Pod"), "default", "p") is None


def test_the_system_priority_classes_exist_from_the_start(api):
    pcs = {pc["metadata"]["name"]: pc["value"] for pc in api.list(kinds.by_kind("PriorityClass"))}
    assert pcs == {"system-cluster-critical": 2000000000, "system-node-critical": 2000001000}


def test_a_pod_gets_its_class_priority_and_the_default_applies(api):
    api.create({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"}, "value": 1000,
                "preemptionPolicy": "Never"})
    p = api.create(pod(name="a") | {"spec": {"priorityClassName": "high", "containers": [{"name": "c", "image": "x"}]}}).obj
    assert (p["spec"]["priority"], p["spec"]["preemptionPolicy"]) == (1000, "Never")
    plain = api.create(pod(name="b")).obj
    assert (plain["spec"]["priority"], plain["spec"]["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    api.create({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "low"}, "value": 10,
                "globalDefault": True})
    c = api.create(pod(name="c")).obj
    assert (c["spec"]["priorityClassName"], c["spec"]["priority"]) == ("low", 10)


def test_an_unknown_class_and_a_second_default_are_refused(api):
    with pytest.raises(Forbidden, match='^pods "a" is forbidden: no PriorityClass with name nope was found$'):
        api.create(pod(name="a") | {"spec": {"priorityClassName": "nope", "containers": [{"name": "c", "image": "x"}]}})
    pc = lambda n: {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": n}, "value": 1, "globalDefault": True}  # noqa: E731
    api.create(pc("one"))
    with pytest.raises(Forbidden, match="PriorityClass one is already marked as default. Only one default can exist"):
        api.create(pc("two"))


def test_user_classes_stay_below_the_system_range(api):
    with pytest.raises(Invalid, match="maximum allowed value of a user defined priority is 1000000000"):
        api.create({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "big"}, "value": 1000000001})
    with pytest.raises(Invalid, match="prefix are reserved for system use only"):
        api.create({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "system-mine"}, "value": 1})


def test_quota_charges_admitted_pods_at_once_and_refuses_the_next(api):
    rq = kinds.by_kind("ResourceQuota")
    api.create({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"pods": "1"}}})
    with pytest.raises(Forbidden, match="^pods \"a\" is forbidden: status unknown for quota: q, resources: pods$"):
        api.create(pod(name="a"))
    q = api.get(rq, "default", "q")
    q["status"] = {"hard": {"pods": "1"}, "used": {"pods": "0"}}
    api.update(q, prepared=rq)
    api.create(pod(name="a"))
    assert api.get(rq, "default", "q")["status"]["used"] == {"pods": "1"}
    with pytest.raises(Forbidden, match=r"exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1"):
        api.create(pod(name="b"))
