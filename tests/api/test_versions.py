"""A kind's second served version converts to the version kubelite stores."""
from __future__ import annotations

from kubelite.api import versions


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


def test_an_hpa_without_a_cpu_target_keeps_no_metric():
    convert = versions.other_version("autoscaling/v1", "HorizontalPodAutoscaler")[1]
    v2 = convert({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "spec": {"maxReplicas": 4}})
    assert "metrics" not in v2["spec"]


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
