"""The scale subresource over HTTP, for a custom kind whose CRD declares one (kubelite.api.scale)."""
from __future__ import annotations

from tests.conftest import run_kubelite

CRD = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "pools.example.com"},
       "spec": {"group": "example.com", "scope": "Namespaced", "names": {"plural": "pools", "singular": "pool", "kind": "Pool"},
                "versions": [{"name": "v1", "served": True, "storage": True,
                              "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.workers",
                                                                      "statusReplicasPath": ".status.workers",
                                                                      "labelSelectorPath": ".status.podSelector"}},
                              "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                  "spec": {"type": "object", "properties": {"workers": {"type": "integer"}}},
                                  "status": {"type": "object", "properties": {"workers": {"type": "integer"},
                                                                              "podSelector": {"type": "string"}}}}}}}]}}


def test_a_custom_kinds_scale_reads_and_writes_the_paths_its_crd_names(served_idle):
    assert served_idle.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRD)[0] == 201
    path = "/apis/example.com/v1/namespaces/default/pools"
    code, made = served_idle.request("POST", path, {"apiVersion": "example.com/v1", "kind": "Pool", "metadata": {"name": "p"},
                                                    "spec": {"workers": 2}})
    assert code == 201, made
    made["status"] = {"workers": 2, "podSelector": "pool=p"}
    assert served_idle.request("PUT", path + "/p/status", made)[0] == 200
    code, scale = served_idle.request("GET", path + "/p/scale")
    assert (code, scale["kind"], scale["spec"], scale["status"]) == (200, "Scale", {"replicas": 2}, {"replicas": 2, "selector": "pool=p"})
    scale["spec"]["replicas"] = 5
    assert served_idle.request("PUT", path + "/p/scale", scale)[0] == 200
    assert served_idle.request("GET", path + "/p")[1]["spec"]["workers"] == 5
    code, listed = served_idle.request("GET", "/apis/example.com/v1")
    assert "pools/scale" in [r["name"] for r in listed["resources"]]
    # kubelite scale, on the same object from the CLI, goes through the same paths
    assert run_kubelite(["scale", "pool/p", "--replicas=3"], state=served_idle.state).rc == 0
    assert served_idle.request("GET", path + "/p/scale")[1]["spec"]["replicas"] == 3
