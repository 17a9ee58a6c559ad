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
