"""A kind's second served version converts to the version kubelite stores."""
from __future__ import annotations

import json

from kubelite.api import schema, versions


def test_an_autoscaling_v1_hpa_becomes_v2_with_a_cpu_metric():
    convert = versions.other_version("autoscaling/v1", "HorizontalPodAutoscaler")[1]
    v2 = convert({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
                  "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 4,
                           "targetCPUUtilizationPercentage": 60},
                  "status": {"currentReplicas": 2, "desiredReplicas": 2, "currentCPUUtilizationPercentage": 30}})
    assert v2["apiVersion"] == "autoscaling/v2"
    assert v2["spec"] == {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 4, "metrics": [
        {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}}]}
    assert v2["status"]["currentMetrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "current": {"averageUtilization": 30}}}]


def test_an_hpa_without_a_cpu_target_gets_v1s_implicit_80_percent_explicitly():
    convert = versions.other_version("autoscaling/v1", "HorizontalPodAutoscaler").to_storage
    v2 = convert({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "spec": {"maxReplicas": 4}})
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]


V2 = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
      "metadata": {"name": "web", "namespace": "default", "annotations": {"team": "a"}},
      "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 8,
               "metrics": [{"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}},
                           {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}},
                           {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "10"}}},
                           {"type": "Object", "object": {"describedObject": {"apiVersion": "v1", "kind": "Service", "name": "s"},
                                                         "metric": {"name": "hits"}, "target": {"type": "Value", "value": "3"}}},
                           {"type": "External", "external": {"metric": {"name": "queue", "selector": {"matchLabels": {"q": "a"}}},
                                                             "target": {"type": "AverageValue", "averageValue": "30"}}}],
               "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max",
                                          "policies": [{"type": "Pods", "value": 2, "periodSeconds": 30}]}}},
      "status": {"observedGeneration": 1, "currentReplicas": 2, "desiredReplicas": 3,
                 "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 70, "averageValue": "70m"}}}],
                 "conditions": [{"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale", "message": "ok",
                                 "lastTransitionTime": "2026-03-01T12:00:00Z"}]}}


def test_a_v2_hpa_read_as_v1_has_the_cpu_fields_and_the_rest_in_upstreams_annotations():
    v1 = versions.from_storage(V2, "autoscaling/v1")
    assert v1["apiVersion"] == "autoscaling/v1"
    assert v1["spec"] == {"scaleTargetRef": V2["spec"]["scaleTargetRef"], "minReplicas": 1, "maxReplicas": 8,
                          "targetCPUUtilizationPercentage": 50}
    assert v1["status"] == {"observedGeneration": 1, "currentReplicas": 2, "desiredReplicas": 3, "currentCPUUtilizationPercentage": 70}
    ann = v1["metadata"]["annotations"]
    assert ann["team"] == "a"
    assert json.loads(ann["autoscaling.alpha.kubernetes.io/metrics"]) == [
        {"type": "Resource", "resource": {"name": "memory", "targetAverageValue": "100Mi"}},
        {"type": "Pods", "pods": {"metricName": "qps", "targetAverageValue": "10"}},
        {"type": "Object", "object": {"target": {"apiVersion": "v1", "kind": "Service", "name": "s"}, "metricName": "hits", "targetValue": "3"}},
        {"type": "External", "external": {"metricName": "queue", "metricSelector": {"matchLabels": {"q": "a"}}, "targetAverageValue": "30"}}]
    assert json.loads(ann["autoscaling.alpha.kubernetes.io/current-metrics"]) == [
        {"type": "Resource", "resource": {"name": "cpu", "currentAverageUtilization": 70, "currentAverageValue": "70m"}}]
    assert json.loads(ann["autoscaling.alpha.kubernetes.io/conditions"]) == V2["status"]["conditions"]
    assert json.loads(ann["autoscaling.alpha.kubernetes.io/behavior"]) == {
        "ScaleUp": None, "ScaleDown": {"StabilizationWindowSeconds": 60, "SelectPolicy": "Max",
                                       "Policies": [{"Type": "Pods", "Value": 2, "PeriodSeconds": 30}]}}
    assert V2["metadata"]["annotations"] == {"team": "a"}  # the stored object is not touched
    assert schema.validate("HorizontalPodAutoscaler.autoscaling.v1", v1) == []


def test_a_v2_hpa_survives_a_round_trip_through_v1():
    back = versions.to_storage(versions.from_storage(V2, "autoscaling/v1"))
    assert back["metadata"] == V2["metadata"]
    # upstream puts the CPU target after the metrics from the annotation
    assert back["spec"]["metrics"] == [V2["spec"]["metrics"][i] for i in (0, 2, 3, 4, 1)]
    assert back["spec"]["behavior"] == V2["spec"]["behavior"]
    assert {k: v for k, v in back["spec"].items() if k not in ("metrics", "behavior")} == \
        {k: v for k, v in V2["spec"].items() if k not in ("metrics", "behavior")}
    assert back["status"] == V2["status"]


def test_a_stored_object_read_in_its_own_version_is_unchanged():
    assert versions.from_storage(V2, "autoscaling/v2") is V2
    lst = {"kind": "HorizontalPodAutoscalerList", "apiVersion": "autoscaling/v2", "items": [V2]}
    as_v1 = versions.from_storage(lst, "autoscaling/v1")
    assert as_v1["apiVersion"] == "autoscaling/v1" and as_v1["items"][0]["spec"]["targetCPUUtilizationPercentage"] == 50


def test_a_core_event_read_as_events_k8s_io_has_its_field_names():
    core = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p"},
            "message": "pulled", "reason": "Pulled", "count": 3, "type": "Normal"}
    ev = versions.from_storage(core, "events.k8s.io/v1")
    assert ev == {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"}, "regarding": {"kind": "Pod", "name": "p"},
                  "note": "pulled", "reason": "Pulled", "deprecatedCount": 3, "type": "Normal"}
    assert versions.to_storage(ev) == core


def test_an_events_k8s_io_event_becomes_a_core_event():
    convert = versions.other_version("events.k8s.io/v1", "Event")[1]
    core = convert({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"},
                    "regarding": {"kind": "Pod", "name": "p"}, "note": "pulled", "reason": "Pulled",
                    "reportingController": "kubelet", "deprecatedCount": 3, "type": "Normal"})
    assert core == {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"},
                    "involvedObject": {"kind": "Pod", "name": "p"}, "message": "pulled", "reason": "Pulled",
                    "reportingComponent": "kubelet", "count": 3, "type": "Normal"}


def test_stored_versions_are_not_other_versions():
    assert versions.other_version("autoscaling/v2", "HorizontalPodAutoscaler") is None
    assert versions.other_version("v1", "Event") is None
    assert versions.served_versions("HorizontalPodAutoscaler") == ["autoscaling/v1"]
