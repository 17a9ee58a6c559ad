"""What a member gets for a federated object (render, retained fields) and the federated status."""
from __future__ import annotations

from kubelite.federation import MANAGED_LABEL, dns, members
from kubelite.federation import propagation as prop
from kubelite.federation.types import BY_FEDERATED

FD = BY_FEDERATED["FederatedDeployment"]
FSVC = BY_FEDERATED["FederatedService"]
FNS = BY_FEDERATED["FederatedNamespace"]
FJOB = BY_FEDERATED["FederatedJob"]


def fed_deploy(**spec) -> dict:
    base = {"template": {"metadata": {"labels": {"app": "web"}, "annotations": {"team": "a"}},
                         "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                                  "template": {"metadata": {"labels": {"app": "web"}},
                                               "spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}}}}
    base.update(spec)
    return {"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedDeployment",
            "metadata": {"name": "web", "namespace": "shop", "generation": 2, "uid": "u1"}, "spec": base}


def test_render_names_the_object_after_the_federated_one_and_labels_it_managed():
    out = prop.render(FD, fed_deploy(), "c1", None)
    assert out["apiVersion"] == "apps/v1" and out["kind"] == "Deployment"
    assert out["metadata"] == {"name": "web", "namespace": "shop", "labels": {"app": "web", MANAGED_LABEL: "true"},
                               "annotations": {"team": "a"}}
    assert out["spec"]["replicas"] == 3


def test_render_applies_this_clusters_overrides_then_the_planned_replicas():
    f = fed_deploy(overrides=[{"clusterName": "c2", "clusterOverrides": [
        {"path": "/spec/template/spec/containers/0/image", "value": "nginx:1.27"},
        {"path": "/spec/replicas", "value": 9}]}])
    assert prop.render(FD, f, "c1", None)["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    c2 = prop.render(FD, f, "c2", None, replicas=4)
    assert c2["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert c2["spec"]["replicas"] == 4  # the ReplicaSchedulingPreference wins over a replicas override


def test_retained_fields_come_from_the_members_object():
    current = {"metadata": {"name": "web", "namespace": "shop", "resourceVersion": "7", "finalizers": ["x"],
                            "annotations": {"deployment.kubernetes.io/revision": "2", "team": "old"}},
               "spec": {"replicas": 5}, "status": {"readyReplicas": 5}}
    out = prop.render(FD, fed_deploy(), "c1", current)
    assert out["metadata"]["annotations"] == {"deployment.kubernetes.io/revision": "2", "team": "a"}
    assert out["metadata"]["resourceVersion"] == "7" and out["metadata"]["finalizers"] == ["x"]
    assert out["status"] == {"readyReplicas": 5}
    assert out["spec"]["replicas"] == 3
    assert prop.render(FD, fed_deploy(retainReplicas=True), "c1", current)["spec"]["replicas"] == 5


def test_services_keep_their_cluster_ip_and_node_ports():
    f = {"metadata": {"name": "web", "namespace": "shop"},
         "spec": {"template": {"spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80}]}}}}
    current = {"metadata": {}, "spec": {"clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                                        "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}]}}
    out = prop.render(FSVC, f, "c1", current)
    assert out["spec"]["clusterIP"] == "10.96.0.10" and out["spec"]["ports"][0]["nodePort"] == 30080


def test_jobs_keep_their_generated_selector():
    f = {"metadata": {"name": "pi", "namespace": "shop"},
         "spec": {"template": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl"}]}}}}}}
    gen = {"matchLabels": {"batch.kubernetes.io/controller-uid": "u"}}
    current = {"metadata": {}, "spec": {"selector": gen, "template": {"metadata": {"labels": {"job-name": "pi"}}}}}
    out = prop.render(FJOB, f, "c1", current)
    assert out["spec"]["selector"] == gen
    assert out["spec"]["template"]["metadata"]["labels"] == {"job-name": "pi"}


def test_a_federated_namespace_targets_its_own_namespace():
    f = {"metadata": {"name": "shop", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"a": "b"}}}}}
    out = prop.render(FNS, f, "c1", None)
    assert out["kind"] == "Namespace" and out["metadata"] == {"name": "shop", "labels": {"a": "b", MANAGED_LABEL: "true"}}


def test_unmanaged_objects_are_told_apart():
    assert prop.is_managed({"metadata": {"labels": {MANAGED_LABEL: "true"}}})
    assert prop.unmanaged_status({"metadata": {}}) == "AlreadyExists"
    assert prop.unmanaged_status({"metadata": {"labels": {MANAGED_LABEL: "false"}}}) == "ManagedLabelFalse"


def test_status_is_kubefeds_and_changes_only_when_something_does():
    f = fed_deploy()
    s1 = prop.set_status(f, prop.OK, {"c1": "", "c2": ""}, True, "T1")
    assert s1["status"] == {"observedGeneration": 2, "clusters": [{"name": "c1"}, {"name": "c2"}],
                            "conditions": [{"type": "Propagation", "status": "True", "lastTransitionTime": "T1",
                                            "lastUpdateTime": "T1"}]}
    assert prop.set_status(s1, prop.OK, {"c1": "", "c2": ""}, False, "T2") == s1
    s3 = prop.set_status(s1, prop.OK, {"c1": "", "c2": "AlreadyExists"}, False, "T3")
    cond = s3["status"]["conditions"][0]
    assert cond == {"type": "Propagation", "status": "False", "reason": "CheckClusters", "lastTransitionTime": "T3",
                    "lastUpdateTime": "T3"}
    assert s3["status"]["clusters"][1] == {"name": "c2", "status": "AlreadyExists"}


def test_endpoint_paths():
    assert str(members.endpoint_path("/a/b")) == "/a/b"
    assert str(members.endpoint_path("file:///a/b%20c")) == "/a/b c"
    assert str(members.endpoint_path("file://localhost/a")) == "/a"
    assert str(members.endpoint_path("../m1", base=members.Path("/fed/host"))) == "/fed/host/../m1"
    assert members.endpoint_path("https://10.0.0.1:6443") is None
    assert members.endpoint_path("") is None


def test_dns_entries_use_kubefeds_cluster_dns_shape():
    ep = {"subsets": [{"addresses": [{"ip": "10.2.0.10"}, {"ip": "10.2.0.9"}], "notReadyAddresses": [{"ip": "10.2.0.8"}]}]}
    assert dns.ready_addresses(ep) == ["10.2.0.9", "10.2.0.10"]
    assert dns.cluster_entry("c2", ["10.2.0.9"], ["zone-b"], "r1") == {
        "cluster": "c2", "loadBalancer": {"ingress": [{"ip": "10.2.0.9"}]}, "zones": ["zone-b"], "region": "r1"}
