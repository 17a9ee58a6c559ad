"""An HPA scales a Deployment 2 -> 8 -> 3 as usage annotations change, the stabilization
window holding the scale-down, through the real CLI with KUBELITE_NOW stepping time."""
from __future__ import annotations

import json

from tests.controllers.helpers import at, cond, deployment_yaml, node_yaml, objects, one

HPA = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
       "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 2, "maxReplicas": 8,
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]}}


def stable(kl, now):
    r = kl(["reconcile", "--until-stable"], now=now)
    assert r.rc == 0, r.out + r.err


def replicas(kl) -> int:
    return one(kl, "deployment", "web")["spec"]["replicas"]


def test_an_hpa_scales_two_to_eight_to_three_holding_the_scale_down_for_the_window(kl):
    web = deployment_yaml("web", 2, requests={"cpu": "100m"}, annotations={"sim.kubelite.io/cpu": "200m"})
    kl(["apply", "-f", "-"], stdin=node_yaml("n1", cpu="8") + web + "---\n" + json.dumps(HPA), now=at(0))
    stable(kl, at(0))
    assert replicas(kl) == 2  # pods that just became ready are not measured for CPU yet
    assert cond(one(kl, "hpa", "web"), "ScalingActive")["reason"] == "FailedGetResourceMetric"

    assert kl(["reconcile"], now=at(60)).rc == 0  # one pass: one sync of the HPA
    hpa = one(kl, "hpa", "web")
    assert replicas(kl) == 4  # 200% of request against 50%: 8 wanted, doubling at most
    assert cond(hpa, "ScalingLimited") == cond(hpa, "ScalingLimited") | {"status": "True", "reason": "ScaleUpLimit"}
    assert hpa["status"]["currentMetrics"][0]["resource"]["current"] == {"averageUtilization": 200, "averageValue": "200m"}
    assert kl(["get", "hpa"], now=at(60)).out.splitlines()[1].split() == ["web", "Deployment/web", "cpu:", "200%/50%", "2", "8", "2", "60s"]
    stable(kl, at(60))  # the new pods count as idle while unready: 2 x 200% over 4 pods still wants 8
    assert replicas(kl) == 8
    assert sorted(e["message"] for e in objects(kl, "events") if e["reason"] == "SuccessfulRescale") == \
        ["New size: 4; reason: cpu resource utilization (percentage of request) above target",
         "New size: 8; reason: cpu resource utilization (percentage of request) above target"]

    assert kl(["annotate", "pods", "-l", "app=web", "sim.kubelite.io/cpu=15m", "--overwrite"], now=at(200)).rc == 0
    stable(kl, at(200))
    hpa = one(kl, "hpa", "web")
    assert replicas(kl) == 8
    assert cond(hpa, "AbleToScale")["reason"] == "ScaleDownStabilized"
    stable(kl, at(359))
    assert replicas(kl) == 8  # the highest recommendation of the last 300 s still holds
    stable(kl, at(361))
    assert replicas(kl) == 3
    assert hpa["status"]["desiredReplicas"] == 8 and one(kl, "hpa", "web")["status"]["desiredReplicas"] == 3
    assert len([p for p in objects(kl, "pods") if p["status"]["phase"] == "Running"]) == 3
    assert json.loads(kl(["reconcile", "-o", "json"], now=at(361)).out)["writes"] == 0


def test_top_shows_the_simulated_usage(kl):
    web = deployment_yaml("web", 2, requests={"cpu": "100m"}, annotations={"sim.kubelite.io/cpu": "250m", "sim.kubelite.io/memory": "64Mi"})
    kl(["apply", "-f", "-"], stdin=node_yaml("n1", cpu="4", memory="8Gi") + web, now=at(0))
    stable(kl, at(0))
    r = kl(["top", "pods"], now=at(1))
    assert r.rc == 0, r.err
    lines = r.out.splitlines()
    assert lines[0].split() == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert len(lines) == 3 and all(line.split()[1:] == ["250m", "64Mi"] for line in lines[1:])
    r = kl(["top", "nodes"], now=at(1))
    assert r.out.splitlines()[0].split() == ["NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%"]
    assert r.out.splitlines()[1].split() == ["n1", "500m", "12%", "128Mi", "1%"]
    data = json.loads(kl(["top", "pods", "-o", "json"], now=at(1)).out)
    assert data["kind"] == "PodMetricsList" and data["apiVersion"] == "metrics.k8s.io/v1beta1"
    assert data["items"][0]["containers"] == [{"name": "app", "usage": {"cpu": "250m", "memory": "64Mi"}}]


# -- custom kinds, through the scale subresource their CRD declares ---------------------------------

def worker_crd(scale: dict | None = None) -> dict:
    """A CRD whose objects an operator runs as pods; with `scale`, it declares a scale subresource."""
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "properties": {"workers": {"type": "integer"}}},
        "status": {"type": "object", "properties": {"workers": {"type": "integer"}, "podSelector": {"type": "string"}}}}}
    subresources = {"status": {}, **({"scale": scale} if scale else {})}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "pools.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"plural": "pools", "singular": "pool", "kind": "Pool"},
                     "versions": [{"name": "v1", "served": True, "storage": True, "subresources": subresources,
                                   "schema": {"openAPIV3Schema": schema}}]}}


POOL_SCALE = {"specReplicasPath": ".spec.workers", "statusReplicasPath": ".status.workers", "labelSelectorPath": ".status.podSelector"}
POOL_HPA = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "pool"},
            "spec": {"scaleTargetRef": {"apiVersion": "example.com/v1", "kind": "Pool", "name": "pool"},
                     "minReplicas": 1, "maxReplicas": 4,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]}}


def pool_pod(name: str, cpu: str) -> dict:
    """A pod the pool's operator would run: the pool's label, a cpu request and simulated usage."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": {"pool": "pool"}, "annotations": {"sim.kubelite.io/cpu": cpu}},
            "spec": {"containers": [{"name": "w", "image": "worker:1", "resources": {"requests": {"cpu": "100m"}}}]}}


def docs(*objs) -> str:
    return "".join("---\n" + json.dumps(o) + "\n" for o in objs)


def operator_reports(kl, workers: int, selector: str | None, now: str) -> None:
    """What the pool's operator would write: its status, through the status subresource."""
    status = {"workers": workers, **({"podSelector": selector} if selector is not None else {})}
    r = kl(["patch", "pool", "pool", "--subresource", "status", "--type", "merge", "-p", json.dumps({"status": status})], now=now)
    assert r.rc == 0, r.err


def test_an_hpa_scales_a_custom_resource_through_its_scale_subresource(kl):
    kl(["apply", "-f", "-"], stdin=docs(worker_crd(POOL_SCALE)), now=at(0))
    pool = {"apiVersion": "example.com/v1", "kind": "Pool", "metadata": {"name": "pool"}, "spec": {"workers": 2}}
    busy = pool_pod("busy", "900m")
    busy["metadata"]["labels"] = {"pool": "another"}  # not selected: its usage must not count
    r = kl(["apply", "-f", "-"], stdin=node_yaml("n1", cpu="8") + docs(pool, pool_pod("pool-a", "200m"), pool_pod("pool-b", "200m"), busy), now=at(0))
    assert r.rc == 0, r.err
    operator_reports(kl, 2, "pool=pool", at(0))
    stable(kl, at(0))
    assert kl(["apply", "-f", "-"], stdin=json.dumps(POOL_HPA), now=at(60)).rc == 0
    assert kl(["reconcile"], now=at(60)).rc == 0

    hpa = one(kl, "hpa", "pool")
    # 2 x 200% of request against 50%: 8 wanted, 4 at most; the pod of another pool is not measured
    assert one(kl, "pool", "pool")["spec"]["workers"] == 4
    assert hpa["status"]["currentMetrics"][0]["resource"]["current"] == {"averageUtilization": 200, "averageValue": "200m"}
    assert cond(hpa, "AbleToScale")["reason"] == "SucceededRescale"
    assert cond(hpa, "ScalingLimited")["reason"] == "TooManyReplicas"
    assert [e["message"] for e in objects(kl, "events") if e["reason"] == "SuccessfulRescale"] == \
        ["New size: 4; reason: cpu resource utilization (percentage of request) above target"]
    stable(kl, at(60))  # until the operator reports the new workers, the HPA keeps its proposal
    assert one(kl, "pool", "pool")["spec"]["workers"] == 4
    assert json.loads(kl(["reconcile", "-o", "json"], now=at(60)).out)["writes"] == 0

    # The operator runs two more pods and reports them as usage falls; the recommendation of 8
    # holds the pool at its maximum for the window, then it shrinks to what 4 pods at 20% need.
    assert kl(["annotate", "pods", "-l", "pool=pool", "sim.kubelite.io/cpu=20m", "--overwrite"], now=at(61)).rc == 0
    kl(["apply", "-f", "-"], stdin=docs(pool_pod("pool-c", "20m"), pool_pod("pool-d", "20m")), now=at(61))
    operator_reports(kl, 4, "pool=pool", at(61))
    stable(kl, at(61))
    stable(kl, at(359))
    assert one(kl, "pool", "pool")["spec"]["workers"] == 4
    assert cond(one(kl, "hpa", "pool"), "AbleToScale")["reason"] == "ScaleDownStabilized"
    stable(kl, at(361))
    assert one(kl, "pool", "pool")["spec"]["workers"] == 2
    assert one(kl, "hpa", "pool")["status"]["currentReplicas"] == 4  # what the operator last reported
    assert "New size: 2; reason: All metrics below target" in [e["message"] for e in objects(kl, "events")]


def events_of(kl, reason: str) -> list[str]:
    return [e["message"] for e in objects(kl, "events") if e["reason"] == reason]


def test_an_hpa_whose_custom_target_has_no_scale_subresource_cannot_get_its_scale(kl):
    pool = {"apiVersion": "example.com/v1", "kind": "Pool", "metadata": {"name": "pool"}, "spec": {"workers": 2}}
    kl(["apply", "-f", "-"], stdin=docs(worker_crd()), now=at(0))
    assert kl(["apply", "-f", "-"], stdin=docs(pool, POOL_HPA), now=at(0)).rc == 0
    stable(kl, at(0))
    able = cond(one(kl, "hpa", "pool"), "AbleToScale")
    assert (able["status"], able["reason"]) == ("False", "FailedGetScale")
    assert able["message"] == "the HPA controller was unable to get the target's current scale: the server could not find the requested resource"
    assert events_of(kl, "FailedGetScale") == ["the server could not find the requested resource"]
    assert one(kl, "pool", "pool")["spec"]["workers"] == 2


def test_a_custom_target_without_a_selector_or_replicas_stops_the_hpa_with_upstreams_reasons(kl):
    pool = {"apiVersion": "example.com/v1", "kind": "Pool", "metadata": {"name": "pool"}, "spec": {"workers": 2}}
    kl(["apply", "-f", "-"], stdin=docs(worker_crd(POOL_SCALE)), now=at(0))
    assert kl(["apply", "-f", "-"], stdin=docs(pool, POOL_HPA), now=at(0)).rc == 0
    operator_reports(kl, 2, None, at(0))  # no selector reported
    stable(kl, at(0))
    hpa = one(kl, "hpa", "pool")
    assert cond(hpa, "AbleToScale")["reason"] == "SucceededGetScale"
    active = cond(hpa, "ScalingActive")
    assert (active["status"], active["reason"], active["message"]) == ("False", "InvalidSelector", "the HPA target's scale is missing a selector")
    assert events_of(kl, "SelectorRequired") == ["selector is required"]

    operator_reports(kl, 2, "pool in (", at(1))
    stable(kl, at(1))
    active = cond(one(kl, "hpa", "pool"), "ScalingActive")
    assert active["reason"] == "InvalidSelector"
    assert active["message"].startswith("couldn't convert selector into a corresponding internal selector object: ")
    assert events_of(kl, "InvalidSelector") == [active["message"]]

    assert kl(["patch", "pool", "pool", "--type", "json", "-p", '[{"op": "remove", "path": "/spec/workers"}]'], now=at(2)).rc == 0
    stable(kl, at(2))
    able = cond(one(kl, "hpa", "pool"), "AbleToScale")
    assert (able["status"], able["reason"]) == ("False", "FailedGetScale")
    assert able["message"].endswith('Internal error occurred: the spec replicas field ".spec.workers" does not exist')


def test_an_hpa_targeting_a_kind_without_scale_cannot_get_its_scale(kl):
    hpa = json.loads(json.dumps(HPA))
    hpa["spec"]["scaleTargetRef"] = {"apiVersion": "v1", "kind": "ConfigMap", "name": "web"}
    assert kl(["apply", "-f", "-"], stdin=docs({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}}, hpa), now=at(0)).rc == 0
    stable(kl, at(0))
    able = cond(one(kl, "hpa", "web"), "AbleToScale")
    assert (able["status"], able["reason"]) == ("False", "FailedGetScale")
    assert events_of(kl, "FailedGetScale") == ["the server could not find the requested resource"]
