"""Every GA kind is a first-class object: apply, get, list, describe, delete, owners and GC."""
from __future__ import annotations

import json

import pytest

from kubelite.api import kinds
from tests.conftest import REPO, T0, assert_every_object_valid, load_yaml, one_line

NEW_KINDS = REPO / "tests" / "data" / "new_kinds.yaml"
DOCS = load_yaml(NEW_KINDS.read_text())


def _ref(doc: dict) -> tuple[kinds.Kind, str]:
    return kinds.for_object(doc["apiVersion"], doc["kind"]), doc["metadata"]["name"]


def test_every_new_kind_is_created_then_unchanged_on_a_second_apply(kl, booted):
    rc, out, err = kl(["apply", "-f", str(NEW_KINDS)])
    assert rc == 0, err
    expected = [f"{_ref(d)[0].qualified}/{_ref(d)[1]}" for d in DOCS]
    assert out.splitlines() == [f"{e} created" for e in expected]
    rc, out, err = kl(["apply", "-f", str(NEW_KINDS)])
    assert rc == 0, err
    assert out.splitlines() == [f"{e} unchanged" for e in expected]
    assert assert_every_object_valid(booted) >= len(DOCS)


@pytest.mark.parametrize("doc", DOCS, ids=[d["kind"] for d in DOCS])
def test_each_new_kind_is_got_listed_described_and_deleted(kl, api, doc):
    api.apply(doc)
    kind, name = _ref(doc)
    ns = ["-n", "default"] if kind.namespaced else []
    rc, out, err = kl(["get", kind.plural, name, "-o", "name", *ns])
    assert (rc, out) == (0, f"{kind.qualified}/{name}\n"), err
    rc, out, err = kl(["get", kind.short_names[0] if kind.short_names else kind.singular, *ns])
    assert rc == 0 and name in out, err
    rc, out, err = kl(["get", kind.resource, name, "-o", "yaml", *ns])
    assert rc == 0 and f"kind: {kind.kind}" in out, err
    rc, out, err = kl(["describe", kind.singular, name, *ns])
    assert rc == 0 and f"Name:" in out and name in out, err
    rc, out, err = kl(["delete", kind.plural, name, *ns])
    assert (rc, out) == (0, f'{kind.qualified} "{name}" deleted\n'), err
    rc, out, err = kl(["get", kind.plural, name, *ns])
    assert rc == 1 and one_line(err) == f'Error from server (NotFound): {kind.resource} "{name}" not found'


def _owned(kind: str, api_version: str, name: str, owner: dict, **body) -> dict:
    ref = {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
           "uid": owner["metadata"]["uid"]}
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "ownerReferences": [ref]}, **body}


def test_garbage_collection_deletes_new_kinds_whose_owner_is_gone(kl, api):
    owner = api.apply({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "nginx"},
                       "spec": {"controller": "k8s.io/ingress-nginx"}}).obj
    api.apply(_owned("Ingress", "networking.k8s.io/v1", "web", owner,
                     spec={"ingressClassName": "nginx", "defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}))
    cm = api.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}}).obj
    api.apply(_owned("PodDisruptionBudget", "policy/v1", "web", cm, spec={"minAvailable": 1}))
    rc, _, err = kl("reconcile --controllers garbagecollector", now=T0)
    assert rc == 0, err
    assert kl("get ingress web -o name").out == "ingress.networking.k8s.io/web\n"  # owners still there
    assert kl("delete ingressclass nginx").rc == 0
    assert kl("delete configmap owner").rc == 0
    rc, _, err = kl("reconcile --controllers garbagecollector", now=T0)
    assert rc == 0, err
    assert kl("get ingress web").rc == 1
    assert kl("get pdb web").rc == 1


# The kinds' other served versions: stored as autoscaling/v2 and core v1.
HPA_V1 = """apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  maxReplicas: 5
  targetCPUUtilizationPercentage: 50
"""
EVENTS_V1 = """apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: pulled}
eventTime: "2026-01-02T15:04:05.000000Z"
reportingController: kubelet
reportingInstance: node-1
action: Pull
reason: Pulled
note: image pulled
type: Normal
regarding: {kind: Pod, name: web, namespace: default}
"""


def test_an_autoscaling_v1_hpa_is_stored_as_v2_and_reapplies_unchanged(kl):
    manifest = HPA_V1
    rc, out, err = kl("apply -f -", stdin=manifest)
    assert (rc, out) == (0, "horizontalpodautoscaler.autoscaling/web created\n"), err
    rc, out, err = kl(["get", "hpa", "web", "-o", "jsonpath={.apiVersion} {.spec.metrics[0].resource.target}"])
    assert out == 'autoscaling/v2 {"averageUtilization":50,"type":"Utilization"}', err
    assert kl("apply -f -", stdin=manifest).out == "horizontalpodautoscaler.autoscaling/web unchanged\n"


def test_an_hpa_reads_back_as_autoscaling_v1_when_that_version_is_named(kl):
    assert kl("apply -f -", stdin=HPA_V1.replace("targetCPUUtilizationPercentage: 50", """metrics:
  - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}
  - {type: Resource, resource: {name: memory, target: {type: AverageValue, averageValue: 100Mi}}}""").replace(
        "autoscaling/v1", "autoscaling/v2")).rc == 0
    for word in ("horizontalpodautoscalers.v1.autoscaling", "hpa.v1.autoscaling"):
        rc, out, err = kl(["get", word, "web", "-o", "json"])
        assert rc == 0, err
        v1 = json.loads(out)
        assert (v1["apiVersion"], v1["spec"]["targetCPUUtilizationPercentage"]) == ("autoscaling/v1", 50)
        assert json.loads(v1["metadata"]["annotations"]["autoscaling.alpha.kubernetes.io/metrics"]) == [
            {"type": "Resource", "resource": {"name": "memory", "targetAverageValue": "100Mi"}}]
    rc, out, err = kl(["get", "hpa.v1.autoscaling", "-o", "jsonpath={.items[0].apiVersion}"])
    assert out == "autoscaling/v1", err
    assert kl(["get", "hpa", "web", "-o", "jsonpath={.apiVersion}"]).out == "autoscaling/v2"  # the stored version by default
    # applied back as v1, it is stored as it was: the memory metric came back from the annotation
    assert kl("apply -f -", stdin=kl(["get", "hpa.v1.autoscaling", "web", "-o", "yaml"]).out).rc == 0
    rc, out, err = kl(["get", "hpa", "web", "-o", "jsonpath={.spec.metrics[*].resource.name}"])
    assert out == "memory cpu", err


def test_an_autoscaling_v1_hpa_is_checked_against_its_own_schema(kl):
    rc, out, err = kl("apply -f -", stdin="""apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 5, metrics: []}
""")
    assert rc == 1 and 'unknown field "spec.metrics"' in one_line(err)
    assert kl("get hpa").out == ""


def test_an_events_k8s_io_event_is_stored_as_a_core_event(kl):
    rc, out, err = kl("apply -f -", stdin=EVENTS_V1)
    assert (rc, out) == (0, "event/pulled created\n"), err
    rc, out, err = kl(["get", "event", "pulled", "-o", "jsonpath={.apiVersion} {.message} {.involvedObject.name}"])
    assert out == "v1 image pulled web", err
