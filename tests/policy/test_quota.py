"""ResourceQuota usage and admission, after upstream's resource_quota_controller_test.go,
the quota admission tests and the ResourceQuota documentation."""
from __future__ import annotations

import datetime as dt

import pytest

from kubelite.policy import quota as q

NOW = dt.datetime(2026, 1, 2, 15, 4, 5, tzinfo=dt.timezone.utc)


def pod(name="p", requests=None, limits=None, phase="Running", **spec):
    res = {}
    if requests:
        res["requests"] = requests
    if limits:
        res["limits"] = limits
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "ns"},
            "spec": {"containers": [{"name": "ctr", "image": "nginx", "resources": res}], **spec},
            "status": {"phase": phase}}


def quota(hard, used=None, name="quota", **spec):
    status = {"hard": dict(hard), "used": dict(used)} if used is not None else {}
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name, "namespace": "ns"},
            "spec": {"hard": dict(hard), **spec}, "status": status}


def P(obj):
    return ("Pod", "pods", "", obj)


def test_used_counts_requests_and_limits_of_pods_that_are_not_terminal():
    rq = quota({"cpu": "3", "memory": "100Gi", "pods": "5", "limits.cpu": "4", "count/pods": "9"})
    objs = [P(pod("a", {"cpu": "100m", "memory": "1Gi"}, {"cpu": "200m"})),
            P(pod("b", {"cpu": "100m", "memory": "1Gi"}, {"cpu": "200m"})),
            P(pod("done", {"cpu": "1", "memory": "1Gi"}, phase="Succeeded"))]
    assert q.status_for(rq, q.used(rq, objs, NOW))["used"] == {
        "cpu": "200m", "memory": "2Gi", "pods": "2", "limits.cpu": "400m", "count/pods": "2"}


def test_used_takes_the_largest_init_container_when_it_exceeds_the_containers():
    p = pod("a", {"cpu": "100m"})
    p["spec"]["initContainers"] = [{"name": "init", "image": "busybox", "resources": {"requests": {"cpu": "500m"}}}]
    rq = quota({"requests.cpu": "2"})
    assert q.status_for(rq, q.used(rq, [P(p)], NOW))["used"] == {"requests.cpu": "500m"}


def test_services_count_node_ports_and_load_balancers():
    rq = quota({"services": "10", "services.nodeports": "10", "services.loadbalancers": "1"})
    svc = lambda t, ports: ("Service", "services", "", {"metadata": {"name": "s"}, "spec": {"type": t, "ports": [{"port": p} for p in ports]}})  # noqa: E731
    objs = [svc("ClusterIP", [80]), svc("NodePort", [80, 443]), svc("LoadBalancer", [80])]
    assert q.status_for(rq, q.used(rq, objs, NOW))["used"] == {"services": "3", "services.nodeports": "3", "services.loadbalancers": "1"}


def test_object_counts_use_the_group_qualified_name():
    rq = quota({"count/deployments.apps": "2"})
    objs = [("Deployment", "deployments", "apps", {"metadata": {"name": n}}) for n in ("a", "b")]
    assert q.used(rq, objs, NOW) == {"count/deployments.apps": 2}


# -- scopes --------------------------------------------------------------------------------

SCOPE_CASES = [
    ("BestEffort selects pods without requests", {"scopes": ["BestEffort"]}, pod(), True),
    ("BestEffort skips pods with requests", {"scopes": ["BestEffort"]}, pod(requests={"cpu": "1"}), False),
    ("NotBestEffort selects pods with limits", {"scopes": ["NotBestEffort"]}, pod(limits={"memory": "1Gi"}), True),
    ("Terminating selects pods with a deadline", {"scopes": ["Terminating"]}, pod(activeDeadlineSeconds=30), True),
    ("NotTerminating skips them", {"scopes": ["NotTerminating"]}, pod(activeDeadlineSeconds=30), False),
    ("PriorityClass In selects the named class",
     {"scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}},
     pod(priorityClassName="high"), True),
    ("PriorityClass In skips other classes",
     {"scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}},
     pod(priorityClassName="low"), False),
    ("PriorityClass NotIn skips the named class",
     {"scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "NotIn", "values": ["high"]}]}},
     pod(priorityClassName="high"), False),
    ("PriorityClass Exists needs a class", {"scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "Exists"}]}},
     pod(), False),
]


@pytest.mark.parametrize("case,spec,obj,want", SCOPE_CASES, ids=[c[0] for c in SCOPE_CASES])
def test_scopes_select_pods_as_upstream(case, spec, obj, want):
    assert q.matches(quota({"pods": "1"}, **spec), "Pod", obj) is want


def test_a_scoped_quota_never_covers_other_kinds():
    assert not q.matches(quota({"services": "1"}, scopes=["NotTerminating"]), "Service", {"metadata": {"name": "s"}})


def test_a_best_effort_quota_tracks_only_the_pod_count():
    rq = quota({"pods": "3", "requests.cpu": "1"}, scopes=["BestEffort"])
    assert q.used(rq, [P(pod("a")), P(pod("b", requests={"cpu": "1"}))], NOW) == {"pods": 1, "requests.cpu": 0}


# -- admission -----------------------------------------------------------------------------

def test_a_pod_within_the_quota_is_admitted_and_counted():
    rq = quota({"cpu": "3", "memory": "100Gi", "pods": "5"}, used={"cpu": "1", "memory": "50Gi", "pods": "3"})
    after = q.admit(rq, "Pod", "pods", "", pod(requests={"cpu": "100m", "memory": "2Gi"}), None, NOW)
    assert q.status_for(rq, after)["used"] == {"cpu": "1100m", "memory": "52Gi", "pods": "4"}


def test_a_pod_over_the_quota_is_refused_with_upstreams_message():
    rq = quota({"cpu": "3", "memory": "100Gi", "pods": "5"}, used={"cpu": "1", "memory": "50Gi", "pods": "3"})
    with pytest.raises(q.QuotaError) as e:
        q.admit(rq, "Pod", "pods", "", pod(requests={"cpu": "3", "memory": "2Gi"}), None, NOW)
    assert str(e.value) == "exceeded quota: quota, requested: cpu=3, used: cpu=1, limited: cpu=3"


def test_the_documented_pod_count_message():
    rq = quota({"pods": "10"}, used={"pods": "10"}, name="pod-demo")
    with pytest.raises(q.QuotaError, match=r"^exceeded quota: pod-demo, requested: pods=1, used: pods=10, limited: pods=10$"):
        q.admit(rq, "Pod", "pods", "", pod(), None, NOW)


def test_several_exceeded_resources_are_listed_in_order():
    rq = quota({"pods": "1", "requests.memory": "1Gi"}, used={"pods": "1", "requests.memory": "1Gi"})
    with pytest.raises(q.QuotaError) as e:
        q.admit(rq, "Pod", "pods", "", pod(requests={"memory": "512Mi"}), None, NOW)
    assert str(e.value) == ("exceeded quota: quota, requested: pods=1,requests.memory=512Mi, "
                            "used: pods=1,requests.memory=1Gi, limited: pods=1,requests.memory=1Gi")


def test_a_pod_without_requests_is_refused_when_compute_is_tracked():
    rq = quota({"cpu": "1", "memory": "1Gi", "pods": "5"}, used={"cpu": "0", "memory": "0", "pods": "0"}, name="qtest")
    with pytest.raises(q.QuotaError) as e:
        q.admit(rq, "Pod", "pods", "", pod(), None, NOW)
    assert str(e.value) == "failed quota: qtest: must specify cpu for: ctr; memory for: ctr"


def test_limits_must_be_given_when_limits_are_tracked():
    rq = quota({"limits.cpu": "2"}, used={"limits.cpu": "0"}, name="quota")
    with pytest.raises(q.QuotaError, match="^failed quota: quota: must specify limits.cpu for: ctr$"):
        q.admit(rq, "Pod", "pods", "", pod(requests={"cpu": "1"}), None, NOW)


def test_a_quota_the_controller_has_not_seen_refuses_what_it_tracks():
    with pytest.raises(q.QuotaError, match="^status unknown for quota: quota, resources: pods$"):
        q.admit(quota({"pods": "1"}), "Pod", "pods", "", pod(), None, NOW)


def test_objects_a_quota_does_not_track_pass():
    rq = quota({"services": "1"}, used={"services": "1"})
    assert q.admit(rq, "ConfigMap", "configmaps", "", {"metadata": {"name": "c"}}, None, NOW) is None


def test_an_update_that_grows_nothing_is_not_refused():
    rq = quota({"pods": "1"}, used={"pods": "1"})
    p = pod()
    assert q.admit(rq, "Pod", "pods", "", p, p, NOW) is None
