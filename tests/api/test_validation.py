"""Semantic validation as upstream's ValidateX functions, and immutable fields on update."""
from __future__ import annotations

import copy

import pytest

from kubelite.api import defaults, schema
from kubelite.api.fielderrors import FieldError, invalid
from kubelite.api.meta import dns1035_label_errors, dns1123_label_errors, dns1123_subdomain_errors, label_key_errors, label_value_errors
from kubelite.api.validation import name_errors, validate_object, validate_update


def errors_of(obj: dict) -> list[str]:
    return [str(e) for e in validate_object(obj)]


def paths(obj: dict) -> list[str]:
    return [e.path for e in validate_object(obj)]


def deployment(**spec) -> dict:
    d = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
    }
    d["spec"].update(spec)
    return d


def service(**spec) -> dict:
    s = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
         "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    s["spec"].update(spec)
    return s


def job() -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi", "namespace": "default"},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl"}]}}}}


def pvc(storage="1Gi") -> dict:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "default"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}}}}


def pod(**spec) -> dict:
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
         "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    p["spec"].update(spec)
    return p


def test_well_formed_objects_have_no_errors():
    for obj in (deployment(), service(), job(), pvc(), pod()):
        assert validate_object(defaults.apply_defaults(copy.deepcopy(obj))) == []


# -- names ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, ok", [
    ("web", True), ("web-1", True), ("a.b.c", True), ("1abc", True), ("a" * 253, True),
    ("Web", False), ("web_", False), ("-web", False), ("web-", False), ("a..b", False), ("a" * 254, False), ("", False),
])
def test_most_names_are_dns_1123_subdomains(name, ok):
    assert (dns1123_subdomain_errors(name) == []) is ok
    assert (name_errors("ConfigMap", name) == []) is ok


@pytest.mark.parametrize("name, ok", [
    ("dev", True), ("team-a", True), ("1st", True), ("a" * 63, True),
    ("a.b", False), ("Dev", False), ("a" * 64, False),
])
def test_namespace_names_are_dns_1123_labels(name, ok):
    assert (dns1123_label_errors(name) == []) is ok
    assert (name_errors("Namespace", name) == []) is ok


@pytest.mark.parametrize("name, ok", [
    ("web", True), ("web-1", True), ("a" * 63, True),
    ("1web", False), ("web.svc", False), ("Web", False), ("a" * 64, False),
])
def test_service_names_are_dns_1035_labels(name, ok):
    assert (dns1035_label_errors(name) == []) is ok
    assert (name_errors("Service", name) == []) is ok


def test_rbac_names_need_only_be_path_segments():
    assert name_errors("ClusterRole", "system:controller:Foo_bar") == []
    assert name_errors("Role", "a/b") != []
    assert name_errors("RoleBinding", "..") != []


def test_an_invalid_name_is_reported_with_upstreams_wording():
    (msg,) = errors_of({**service(), "metadata": {"name": "1web"}})
    assert msg.startswith('metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric')


def test_a_missing_name_is_required_unless_generate_name_is_set():
    assert "metadata.name" in paths({"kind": "ConfigMap", "metadata": {}})
    assert paths({"kind": "ConfigMap", "metadata": {"generateName": "x-"}}) == []


# -- labels ---------------------------------------------------------------------------

@pytest.mark.parametrize("key, ok", [
    ("app", True), ("app.kubernetes.io/name", True), ("A_b.c-D", True), ("example.com/" + "a" * 63, True),
    ("", False), ("/app", False), ("app/", False), ("-app", False), ("a" * 64, False), ("Example.com/app", False),
    ("a/b/c", False), ("app name", False),
])
def test_label_keys_are_qualified_names_with_an_optional_dns_prefix(key, ok):
    assert (label_key_errors(key) == []) is ok


@pytest.mark.parametrize("value, ok", [
    ("", True), ("web", True), ("v1.2_3-x", True), ("a" * 63, True),
    ("-web", False), ("web-", False), ("a b", False), ("a" * 64, False), ("a/b", False),
])
def test_label_values_are_empty_or_qualified_names(value, ok):
    assert (label_value_errors(value) == []) is ok


def test_bad_labels_are_reported_under_metadata_labels():
    obj = {"kind": "ConfigMap", "metadata": {"name": "x", "labels": {"bad key": "v", "k": "-bad"}}}
    got = paths(obj)
    assert len(got) == 2 and all(p.startswith("metadata.labels") for p in got)


def test_annotation_keys_are_checked_but_values_are_free_text():
    obj = {"kind": "ConfigMap", "metadata": {"name": "x", "annotations": {"note": "any text / at all!", "bad key": ""}}}
    assert paths(obj) == ["metadata.annotations"]


def test_annotations_over_256_kib_in_total_are_too_long():
    obj = {"kind": "ConfigMap", "metadata": {"name": "x", "annotations": {"a": "x" * (256 * 1024)}}}
    assert any("Too long" in e for e in errors_of(obj))


# -- workloads ------------------------------------------------------------------------

def test_a_selector_that_does_not_match_the_template_labels_is_invalid():
    d = deployment()
    d["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    assert errors_of(d) == ['spec.template.metadata.labels: Invalid value: {"app": "web"}: `selector` does not match template `labels`']


def test_an_empty_deployment_selector_is_invalid():
    assert "spec.selector" in paths(deployment(selector={}))


def test_max_surge_and_max_unavailable_may_not_both_be_zero():
    for surge, unavail in ((0, 0), ("0%", 0), (0, "0%"), ("0%", "0%")):
        d = deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavail}})
        assert errors_of(d) == [f"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: {unavail if isinstance(unavail, int) else chr(34) + unavail + chr(34)}: may not be 0 when `maxSurge` is 0"]
    ok = deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
    assert errors_of(ok) == []


def test_rolling_update_values_must_be_counts_or_percentages():
    d = deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25", "maxUnavailable": "101%"}})
    assert paths(d) == ["spec.strategy.rollingUpdate.maxSurge", "spec.strategy.rollingUpdate.maxUnavailable"]


def test_recreate_may_not_carry_rolling_update_parameters():
    d = deployment(strategy={"type": "Recreate", "rollingUpdate": {"maxSurge": 1}})
    assert "spec.strategy.rollingUpdate" in paths(d)


def test_negative_replicas_are_invalid():
    assert errors_of(deployment(replicas=-1)) == ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]


def test_progress_deadline_must_exceed_min_ready_seconds():
    assert "spec.progressDeadlineSeconds" in paths(deployment(progressDeadlineSeconds=10, minReadySeconds=10))


def test_a_deployment_pod_template_must_restart_always():
    d = deployment()
    d["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    assert paths(d) == ["spec.template.spec.restartPolicy"]


def test_a_job_needs_a_restart_policy_of_never_or_on_failure():
    j = job()
    j["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    assert paths(j) == ["spec.template.spec.restartPolicy"]
    del j["spec"]["template"]["spec"]["restartPolicy"]
    assert paths(j) == ["spec.template.spec.restartPolicy"]


def test_a_cronjob_schedule_must_parse():
    cj = {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "61 * * * *", "jobTemplate": job()["spec"] and {"spec": job()["spec"]}}}
    assert paths(cj) == ["spec.schedule"]
    cj["spec"]["schedule"] = "*/5 * * * *"
    assert paths(cj) == []
    cj["spec"]["timeZone"] = "Mars/Olympus"
    assert paths(cj) == ["spec.timeZone"]


# -- containers and ports -------------------------------------------------------------

@pytest.mark.parametrize("port, ok", [(1, True), (80, True), (65535, True), (0, False), (65536, False), (-1, False)])
def test_container_ports_are_between_1_and_65535(port, ok):
    p = pod()
    p["spec"]["containers"][0]["ports"] = [{"containerPort": port}]
    assert (paths(p) == []) is ok


@pytest.mark.parametrize("port, ok", [(1, True), (65535, True), (0, False), (70000, False)])
def test_service_ports_and_target_ports_are_in_range(port, ok):
    assert (paths(service(ports=[{"port": port}])) == []) is ok
    assert (paths(service(ports=[{"port": 80, "targetPort": port}])) == []) is ok


def test_a_named_target_port_must_be_an_iana_service_name():
    assert paths(service(ports=[{"port": 80, "targetPort": "http"}])) == []
    assert paths(service(ports=[{"port": 80, "targetPort": "Not_Valid"}])) == ["spec.ports[0].targetPort"]


def test_several_service_ports_need_unique_names():
    assert paths(service(ports=[{"port": 80}, {"port": 443}])) == ["spec.ports[0].name", "spec.ports[1].name"]
    assert paths(service(ports=[{"port": 80, "name": "a"}, {"port": 443, "name": "a"}])) == ["spec.ports[1].name"]


def test_a_node_port_is_forbidden_on_a_cluster_ip_service():
    assert paths(service(ports=[{"port": 80, "nodePort": 30080}])) == ["spec.ports[0].nodePort"]
    assert paths(service(type="NodePort", ports=[{"port": 80, "nodePort": 30080}])) == []


def test_a_cluster_ip_must_be_an_ip_or_none():
    assert paths(service(clusterIP="10.0.0.1")) == []
    assert paths(service(clusterIP="None")) == []
    assert paths(service(clusterIP="ten")) == ["spec.clusterIP"]


def test_duplicate_container_names_are_refused():
    p = pod(containers=[{"name": "c", "image": "a"}, {"name": "c", "image": "b"}])
    assert paths(p) == ["spec.containers[1].name"]


def test_a_volume_mount_must_name_a_volume():
    p = pod()
    p["spec"]["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/d"}]
    assert paths(p) == ["spec.containers[0].volumeMounts[0].name"]
    p["spec"]["volumes"] = [{"name": "data", "emptyDir": {}}]
    assert paths(p) == []


@pytest.mark.parametrize("q, ok", [("100m", True), ("1Gi", True), ("1e3", True), ("1.1.M", False), ("lots", False)])
def test_resource_quantities_must_parse(q, ok):
    p = pod()
    p["spec"]["containers"][0]["resources"] = {"requests": {"cpu": q}}
    assert (paths(p) == []) is ok


def test_requests_may_not_exceed_limits():
    p = pod()
    p["spec"]["containers"][0]["resources"] = {"requests": {"memory": "2Gi"}, "limits": {"memory": "1Gi"}}
    assert paths(p) == ["spec.containers[0].resources.requests"]


# -- data kinds -----------------------------------------------------------------------

def test_config_map_keys_must_be_config_keys():
    assert paths({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"ok.key_1-x": "v", "bad/key": "v"}}) == ["data[bad/key]"]


def test_secret_data_must_be_base64_and_its_value_is_not_echoed():
    (msg,) = errors_of({"kind": "Secret", "metadata": {"name": "s"}, "data": {"pw": "not base64!!"}})
    assert "not base64" not in msg and "illegal base64 data" in msg


def test_a_tls_secret_needs_its_certificate_and_key():
    assert paths({"kind": "Secret", "metadata": {"name": "s"}, "type": "kubernetes.io/tls", "data": {}}) == ["data[tls.crt]", "data[tls.key]"]


def test_a_pvc_needs_access_modes_and_a_positive_storage_request():
    assert paths(pvc()) == []
    assert paths(pvc("0")) == ["spec.resources[storage]"]
    assert paths(pvc("1.1.M")) == ["spec.resources[storage]"]
    bad = pvc()
    bad["spec"]["accessModes"] = ["ReadWriteSometimes"]
    assert paths(bad) == ["spec.accessModes[0]"]


def test_a_binding_must_refer_to_a_role_in_the_rbac_group():
    rb = {"kind": "RoleBinding", "metadata": {"name": "b"},
          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
          "subjects": [{"kind": "User", "name": "alice"}]}
    assert paths(rb) == []
    crb = {**rb, "kind": "ClusterRoleBinding"}
    assert paths(crb) == ["roleRef.kind"]


# -- immutable fields -----------------------------------------------------------------

def test_a_deployment_selector_is_immutable():
    old = deployment()
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "web", "v": "2"}}
    new["spec"]["template"]["metadata"]["labels"]["v"] = "2"
    (err,) = validate_update(old, new)
    assert err.path == "spec.selector" and "field is immutable" in str(err)


def test_a_deployment_may_change_its_replicas_and_template():
    old = deployment()
    new = deployment(replicas=5)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    assert validate_update(old, new) == []


def test_a_replica_set_selector_is_immutable():
    old = {**deployment(), "kind": "ReplicaSet"}
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "x"}}
    assert [e.path for e in validate_update(old, new)] == ["spec.selector"]


def test_a_job_template_is_immutable_unless_the_job_is_suspended():
    old = defaults.apply_defaults(job())
    new = copy.deepcopy(old)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "perl:2"
    assert [e.path for e in validate_update(old, new)] == ["spec.template"]
    new["spec"]["suspend"] = True
    assert validate_update(old, new) == []


def test_a_service_cluster_ip_is_immutable_once_set():
    old = service(clusterIP="10.96.0.10")
    assert [e.path for e in validate_update(old, service(clusterIP="10.96.0.11"))] == ["spec.clusterIP"]
    assert validate_update(old, service(clusterIP="10.96.0.10")) == []
    assert validate_update(service(), service(clusterIP="10.96.0.11")) == []


def bound(claim: dict) -> dict:
    return {**claim, "status": {"phase": "Bound"}}


def test_a_pvc_spec_is_immutable_except_a_bound_claims_storage_request():
    old = bound(pvc("1Gi"))
    assert validate_update(old, bound(pvc("2Gi"))) == []
    assert [e.path for e in validate_update(pvc("1Gi"), pvc("2Gi"))] == ["spec"]  # not bound: no resize
    new = bound(pvc("1Gi"))
    new["spec"]["accessModes"] = ["ReadWriteMany"]
    assert [e.path for e in validate_update(old, new)] == ["spec"]


def test_a_pvc_storage_request_may_not_shrink():
    assert [e.path for e in validate_update(bound(pvc("2Gi")), bound(pvc("1Gi")))] == ["spec.resources.requests.storage"]


def test_a_binding_role_ref_is_immutable():
    old = {"kind": "RoleBinding", "roleRef": {"kind": "Role", "name": "a"}}
    new = {"kind": "RoleBinding", "roleRef": {"kind": "Role", "name": "b"}}
    assert [e.path for e in validate_update(old, new)] == ["roleRef"]


def test_an_immutable_config_map_refuses_data_changes():
    old = {"kind": "ConfigMap", "immutable": True, "data": {"a": "1"}}
    assert [e.path for e in validate_update(old, {**old, "data": {"a": "2"}})] == ["data"]


# -- structural (JSON Schema) -----------------------------------------------------------

def test_the_schema_rejects_wrong_types_unknown_fields_and_missing_required_fields_with_paths():
    d = deployment()
    d["spec"]["replicas"] = "three"
    d["spec"]["bogus"] = 1
    del d["spec"]["template"]["spec"]["containers"][0]["image"]
    got = {(e.path, e.type) for e in schema.validate("Deployment", d)}
    assert ("spec.replicas", "Invalid value") in got
    assert ("spec.bogus", "Unknown field") in got
    assert ("spec.template.spec.containers[0].image", "Required value") in got


def test_the_schema_accepts_what_kubectl_dry_run_emits():
    d = deployment()
    d["metadata"]["creationTimestamp"] = None
    d["spec"]["strategy"] = {}
    d["spec"]["template"]["metadata"]["creationTimestamp"] = None
    d["spec"]["template"]["spec"]["containers"][0]["resources"] = {}
    d["status"] = {}
    assert schema.validate("Deployment", d) == []


def test_field_errors_are_worded_as_upstream():
    assert str(FieldError("spec.replicas", "Invalid value", -1, "must be greater than or equal to 0")) == \
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0"
    assert str(FieldError("spec.selector", "Required value", None, "")) == "spec.selector: Required value"
    one = invalid("Deployment", "web", [FieldError("a", "Required value", None, "")])
    assert one.message == 'The Deployment "web" is invalid: a: Required value'
    many = invalid("Deployment", "web", [FieldError(p, "Required value", None, "") for p in "abcde"])
    assert many.message == 'The Deployment "web" is invalid: [a: Required value, b: Required value, c: Required value, and 2 more]'
