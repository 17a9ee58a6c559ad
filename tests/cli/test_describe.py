"""`kubelite describe`: readable fields, conditions and the object's events."""
from __future__ import annotations

import pytest

from tests.conftest import T0, one_line, run_kubelite


@pytest.fixture
def api(api):
    a = api
    d = a.create({"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}, "annotations": {"owner": "team-a"}},
                  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": {"containers": [{"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80}],
                                                                 "env": [{"name": "MODE", "value": "prod"}]}]}}}}).obj
    a.create({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "web.1", "namespace": "default"},
              "involvedObject": {"kind": "Deployment", "name": "web", "namespace": "default", "uid": d["metadata"]["uid"]},
              "reason": "ScalingReplicaSet", "message": "Scaled up replica set web-abc to 2", "type": "Normal",
              "source": {"component": "deployment-controller"}, "firstTimestamp": T0, "lastTimestamp": T0, "count": 1})
    a.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default", "labels": {"app": "web"}},
              "data": {"mode": "prod"}})
    return a


def test_describe_a_deployment_shows_its_fields_template_and_events(kl, api):
    rc, out, err = kl("describe deploy web", now="2026-01-02T15:05:05Z")
    assert (rc, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Name:         web"
    assert lines[1] == "Namespace:    default"
    assert "Labels:       app=web" in lines
    assert "Annotations:  owner=team-a" in lines
    assert "last-applied" not in out
    assert "Selector:     app=web" in lines
    assert "Replicas:     2 desired | 0 updated | 0 total | 0 available | 0 unavailable" in lines
    assert "StrategyType: RollingUpdate" in lines
    assert "RollingUpdateStrategy: 25% max unavailable, 25% max surge" in lines
    assert "Pod Template" in lines
    assert "      Image:  nginx:1.25" in lines
    assert "      Port:   80/TCP" in lines
    assert "        MODE: prod" in lines
    assert lines[-4] == "Events:"
    assert lines[-3].split() == ["Type", "Reason", "Age", "From", "Message"]
    assert lines[-2].split() == ["----", "------", "----", "----", "-------"]
    assert lines[-1].split()[:4] == ["Normal", "ScalingReplicaSet", "60s", "deployment-controller"]
    assert lines[-1].endswith("Scaled up replica set web-abc to 2")


def test_describe_by_label_selector_and_kinds_without_a_special_describer(kl, api):
    rc, out, err = kl("describe cm -l app=web")
    assert (rc, err) == (0, "")
    assert out.splitlines()[:2] == ["Name:         cfg", "Namespace:    default"]
    assert "mode:\n----\nprod" in out
    assert out.rstrip().endswith("Events:  <none>")


def test_describing_a_missing_object_is_not_found(kl, api):
    rc, out, err = kl("describe deploy nope")
    assert (rc, out) == (1, "") and one_line(err) == 'Error from server (NotFound): deployments.apps "nope" not found'


def test_describing_a_type_with_no_objects_says_so(kl, api):
    assert kl("describe jobs") == (0, "", "No resources found in default namespace.\n")


def test_describe_says_admission_webhooks_are_never_called(state):
    hook = """apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: vw}
webhooks:
- name: check.example.com
  admissionReviewVersions: ["v1"]
  sideEffects: None
  clientConfig: {service: {name: hook, namespace: default, path: /validate}}
  rules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]
"""
    assert run_kubelite(["apply", "-f", "-"], state=state, stdin=hook).rc == 0
    out = run_kubelite(["describe", "validatingwebhookconfiguration", "vw"], state=state).out
    assert ("Not called:   kubelite has no network endpoint to reach admission webhooks; "
            "these 1 webhook(s) are stored and validated but never invoked") in out
