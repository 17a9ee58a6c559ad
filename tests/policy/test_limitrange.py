"""LimitRange defaults and limits, after upstream's limitranger admission_test.go and the
LimitRange documentation's examples."""
from __future__ import annotations

import pytest

from kubelite.policy import limitrange as lr


def ranges(*items):
    return [{"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "lr", "namespace": "ns"},
             "spec": {"limits": list(items)}}]


def pod(requests=None, limits=None, name="nginx"):
    res = {}
    if requests is not None:
        res["requests"] = requests
    if limits is not None:
        res["limits"] = limits
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
            "spec": {"containers": [{"name": name, "image": "nginx", "resources": res}]}}


def test_defaults_fill_missing_requests_and_limits_and_say_so():
    p = pod()
    assert lr.default_pod(p, ranges({"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"},
                                     "defaultRequest": {"cpu": "250m", "memory": "256Mi"}}))
    assert p["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "500m", "memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}}
    assert p["metadata"]["annotations"][lr.ANNOTATION] == (
        "LimitRanger plugin set: cpu, memory request for container nginx; cpu, memory limit for container nginx")


def test_defaults_never_override_what_the_container_says():
    p = pod(requests={"cpu": "100m"}, limits={"cpu": "1"})
    # As stored: the API server's defaulting filled defaultRequest from default.
    lr.default_pod(p, ranges({"type": "Container", "default": {"cpu": "500m", "memory": "1Gi"},
                              "defaultRequest": {"cpu": "500m", "memory": "1Gi"}}))
    res = p["spec"]["containers"][0]["resources"]
    assert res["requests"] == {"cpu": "100m", "memory": "1Gi"}
    assert res["limits"] == {"cpu": "1", "memory": "1Gi"}


def test_nothing_to_default_changes_nothing():
    p = pod(requests={"cpu": "1"}, limits={"cpu": "1"})
    assert not lr.default_pod(p, ranges({"type": "Container", "default": {"cpu": "2"}}))
    assert "annotations" not in p["metadata"]


CASES = [
    ("a request under min", {"type": "Container", "min": {"cpu": "200m"}}, pod({"cpu": "100m"}, {"cpu": "1"}),
     ["minimum cpu usage per Container is 200m, but request is 100m"]),
    ("no request with a min", {"type": "Container", "min": {"memory": "1Gi"}}, pod(),
     ["minimum memory usage per Container is 1Gi.  No request is specified"]),
    ("a limit over max", {"type": "Container", "max": {"cpu": "800m"}}, pod({"cpu": "100m"}, {"cpu": "1500m"}),
     ["maximum cpu usage per Container is 800m, but limit is 1500m"]),
    ("no limit with a max", {"type": "Container", "max": {"memory": "1Gi"}}, pod({"memory": "100Mi"}),
     ["maximum memory usage per Container is 1Gi.  No limit is specified"]),
    ("a ratio over the maximum", {"type": "Container", "maxLimitRequestRatio": {"memory": "2"}},
     pod({"memory": "100Mi"}, {"memory": "800Mi"}),
     ["memory max limit to request ratio per Container is 2, but provided ratio is 8.000000"]),
    ("a ratio without a request", {"type": "Container", "maxLimitRequestRatio": {"cpu": "4"}}, pod(None, {"cpu": "1"}),
     ["cpu max limit to request ratio per Container is 4, but no request is specified or request is 0"]),
    ("a pod over the pod max", {"type": "Pod", "max": {"cpu": "1"}}, pod({"cpu": "1"}, {"cpu": "2"}),
     ["maximum cpu usage per Pod is 1, but limit is 2"]),
    ("within every bound", {"type": "Container", "min": {"cpu": "100m"}, "max": {"cpu": "1"}, "maxLimitRequestRatio": {"cpu": "4"}},
     pod({"cpu": "250m"}, {"cpu": "1"}), []),
]


@pytest.mark.parametrize("case,item,obj,want", CASES, ids=[c[0] for c in CASES])
def test_limits_are_enforced_with_upstreams_messages(case, item, obj, want):
    assert lr.validate_pod(obj, ranges(item)) == want


def test_claims_are_held_to_min_and_max_storage():
    item = {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "2Gi"}}
    claim = lambda size: {"spec": {"resources": {"requests": {"storage": size}}}}  # noqa: E731
    assert lr.validate_claim(claim("5Gi"), ranges(item)) == ["maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi"]
    assert lr.validate_claim(claim("500Mi"), ranges(item)) == ["minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi"]
    assert lr.validate_claim(claim("1Gi"), ranges(item)) == []


def test_several_errors_aggregate_in_brackets():
    assert lr.aggregate(["a"]) == "a"
    assert lr.aggregate(["a", "b"]) == "[a, b]"
