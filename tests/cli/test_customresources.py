"""CustomResourceDefinitions end to end through the real command, table-tested against the
documented examples of kubernetes.io ("Extend the Kubernetes API with
CustomResourceDefinitions" and "Versions in CustomResourceDefinitions")."""
from __future__ import annotations

import copy
import json

import pytest

from tests.conftest import T0, run_kubelite

SCHEMA = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
    "cronSpec": {"type": "string", "pattern": r"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$"},
    "image": {"type": "string"},
    "replicas": {"type": "integer", "minimum": 1, "maximum": 10}}}}}


def crd(schema=SCHEMA, scope="Namespaced", **version) -> dict:
    v = {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}
    v.update(version)
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "crontabs.stable.example.com"},
            "spec": {"group": "stable.example.com", "versions": [v], "scope": scope,
                     "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"]}}}


def crontab(name="my-new-cron-object", version="v1", **spec) -> dict:
    spec = spec or {"cronSpec": "* * * * */5", "image": "my-awesome-cron-image"}
    return {"apiVersion": f"stable.example.com/{version}", "kind": "CronTab", "metadata": {"name": name}, "spec": spec}


def apply(state, *objs, now=T0):
    return run_kubelite(["apply", "-f", "-"], state=state, stdin="\n---\n".join(json.dumps(o) for o in objs), now=now)


def get_json(state, *args):
    r = run_kubelite(["get", *args, "-o", "json"], state=state, now=T0)
    assert r.rc == 0, r.err
    return json.loads(r.out)


def test_docs_crontab_is_servable_at_once_and_a_second_apply_is_unchanged(state):
    r = apply(state, crd())
    assert r.out == "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n", r.err
    r = apply(state, crontab())
    assert r.out == "crontab.stable.example.com/my-new-cron-object created\n", r.err
    again = apply(state, crd(), crontab())
    assert again.out.splitlines() == [
        "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com unchanged",
        "crontab.stable.example.com/my-new-cron-object unchanged"]
    for word in ("crontab", "crontabs", "ct", "crontabs.stable.example.com", "CronTab"):
        r = run_kubelite(["get", word], state=state, now=T0)
        assert r.out.splitlines()[0].split() == ["NAME", "AGE"], (word, r.err)
        assert r.out.splitlines()[1].split()[0] == "my-new-cron-object"
    obj = get_json(state, "ct", "my-new-cron-object")
    assert obj["apiVersion"] == "stable.example.com/v1" and obj["metadata"]["namespace"] == "default"
    assert obj["spec"] == {"cronSpec": "* * * * */5", "image": "my-awesome-cron-image"}
    status = get_json(state, "crd", "crontabs.stable.example.com")["status"]
    assert {(c["type"], c["status"], c["reason"], c["message"]) for c in status["conditions"]} == {
        ("NamesAccepted", "True", "NoConflicts", "no conflicts found"),
        ("Established", "True", "InitialNamesAccepted", "the initial names have been accepted")}
    assert status["acceptedNames"]["listKind"] == "CronTabList" and status["storedVersions"] == ["v1"]


def test_get_custom_objects_as_names_lists_them_from_their_groups_folder(state):
    apply(state, crd())
    apply(state, crontab(), crontab("second"))
    for args in (["ct", "-o", "name"], ["crontabs", "-A", "-o", "name"], ["ct", "-n", "default", "-o", "name"]):
        r = run_kubelite(["get", *args], state=state, now=T0)
        assert r.out.splitlines() == ["crontab.stable.example.com/my-new-cron-object", "crontab.stable.example.com/second"], (args, r.err)


def test_docs_invalid_crontab_is_refused_naming_both_fields(state):
    apply(state, crd())
    r = apply(state, crontab(cronSpec="* * * *", image="my-awesome-cron-image", replicas=15))
    assert r.rc == 1
    assert ('The CronTab "my-new-cron-object" is invalid: [spec.cronSpec: Invalid value: "* * * *": spec.cronSpec in '
            r"body should match '^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$', spec.replicas: Invalid value: 15: "
            "spec.replicas in body should be less than or equal to 10]") in r.err
    assert run_kubelite(["get", "ct"], state=state).err.strip() == "No resources found in default namespace."


def test_unknown_fields_are_refused_as_kubectls_strict_validation_does(state):
    apply(state, crd())
    r = apply(state, crontab(cronSpec="* * * * */5", image="x", someRandomField=42))
    assert r.rc == 1 and 'unknown field "spec.someRandomField"' in r.err


def test_docs_defaults_fill_missing_fields(state):
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["spec"]["properties"]["cronSpec"]["default"] = "5 0 * * *"
    schema["properties"]["spec"]["properties"]["replicas"]["default"] = 1
    apply(state, crd(schema))
    apply(state, crontab(image="my-awesome-cron-image"))
    assert get_json(state, "ct", "my-new-cron-object")["spec"] == {
        "cronSpec": "5 0 * * *", "image": "my-awesome-cron-image", "replicas": 1}
    assert apply(state, crontab(image="my-awesome-cron-image")).out.endswith("unchanged\n")


def test_a_default_that_breaks_its_own_schema_refuses_the_crd(state):
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["spec"]["properties"]["replicas"]["default"] = 20
    r = apply(state, crd(schema))
    assert r.rc == 1
    assert ("spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].default: Invalid value: 20: "
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].default in body should be "
            "less than or equal to 10") in r.err


COLUMNS = [
    {"name": "Spec", "type": "string", "description": "The cron spec defining the interval a CronJob is run",
     "jsonPath": ".spec.cronSpec"},
    {"name": "Replicas", "type": "integer", "description": "The number of jobs launched by the CronJob",
     "jsonPath": ".spec.replicas"},
    {"name": "Image", "type": "string", "jsonPath": ".spec.image", "priority": 1},
    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
]


def test_docs_additional_printer_columns_in_get_and_wide(state):
    apply(state, crd(additionalPrinterColumns=COLUMNS))
    apply(state, crontab(cronSpec="* * * * *", image="my-awesome-cron-image", replicas=1))
    apply(state, crontab("no-replicas", cronSpec="* * * * *", image="img"))
    out = run_kubelite(["get", "crontab"], state=state, now="2026-01-02T15:04:12Z").out.splitlines()
    assert out[0].split() == ["NAME", "SPEC", "REPLICAS", "AGE"]
    assert out[1].startswith("my-new-cron-object   * * * * *   1 ")
    assert out[1].split()[-2:] == ["1", "7s"] and out[2].split()[-2:] == ["<none>", "7s"]
    wide = run_kubelite(["get", "ct", "-o", "wide"], state=state, now="2026-01-02T15:04:12Z").out.splitlines()
    assert wide[0].split() == ["NAME", "SPEC", "REPLICAS", "AGE", "IMAGE"]
    assert wide[1].split()[-1] == "my-awesome-cron-image"


def test_docs_versions_serve_both_warn_on_the_deprecated_one_and_store_in_the_storage_version(state):
    v1beta1 = {"name": "v1beta1", "served": True, "storage": False, "deprecated": True,
               "deprecationWarning": "stable.example.com/v1beta1 CronTab is deprecated; see https://example.com for instructions",
               "schema": {"openAPIV3Schema": SCHEMA}}
    c = crd()
    c["spec"]["versions"].insert(0, v1beta1)
    assert apply(state, c).rc == 0
    r = apply(state, crontab(version="v1beta1"))
    assert r.rc == 0, r.err
    assert "Warning: stable.example.com/v1beta1 CronTab is deprecated; see https://example.com for instructions" in r.err
    assert get_json(state, "ct", "my-new-cron-object")["apiVersion"] == "stable.example.com/v1"
    c["spec"]["versions"][0].pop("deprecationWarning")
    apply(state, c)
    r = apply(state, crontab("other", version="v1beta1"))
    assert "Warning: stable.example.com/v1beta1 CronTab is deprecated" in r.err
    c["spec"]["versions"][0]["served"] = False
    apply(state, c)
    r = apply(state, crontab("third", version="v1beta1"))
    assert r.rc == 1 and 'resource mapping not found for kind "CronTab" in version "stable.example.com/v1beta1"' in r.err


def test_webhook_conversion_is_refused_with_a_clear_message(state):
    c = crd()
    c["spec"]["conversion"] = {"strategy": "Webhook", "webhook": {
        "conversionReviewVersions": ["v1"], "clientConfig": {"service": {"name": "conv", "namespace": "default"}}}}
    r = apply(state, c)
    assert r.rc == 1
    assert ('spec.conversion.strategy: Unsupported value: "Webhook": webhook conversion is not supported by kubelite: '
            "it has no network endpoint to call a conversion webhook") in r.err
    assert "No resources found" in run_kubelite(["get", "crd"], state=state).err


SCALE_SCHEMA = {"type": "object", "properties": {
    "spec": {"type": "object", "properties": {"cronSpec": {"type": "string"}, "image": {"type": "string"},
                                              "replicas": {"type": "integer"}}},
    "status": {"type": "object", "properties": {"replicas": {"type": "integer"}, "labelSelector": {"type": "string"}}}}}
SUBRESOURCES = {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                                        "labelSelectorPath": ".status.labelSelector"}}


def test_docs_status_subresource_ignores_status_on_the_main_resource_and_generation_follows_spec(state):
    apply(state, crd(SCALE_SCHEMA, subresources=SUBRESOURCES))
    obj = crontab(cronSpec="* * * * */5", image="img", replicas=1)
    obj["status"] = {"replicas": 5}
    assert apply(state, obj).rc == 0
    got = get_json(state, "ct", "my-new-cron-object")
    assert "status" not in got and got["metadata"]["generation"] == 1
    obj["metadata"]["labels"] = {"a": "b"}
    apply(state, obj)
    assert get_json(state, "ct", "my-new-cron-object")["metadata"]["generation"] == 1
    obj["spec"]["image"] = "img2"
    apply(state, obj)
    assert get_json(state, "ct", "my-new-cron-object")["metadata"]["generation"] == 2


def test_docs_scale_subresource_scales_spec_replicas(state):
    apply(state, crd(SCALE_SCHEMA, subresources=SUBRESOURCES))
    apply(state, crontab(cronSpec="* * * * */5", image="img", replicas=1))
    r = run_kubelite(["scale", "--replicas=5", "crontabs/my-new-cron-object"], state=state)
    assert r.out == "crontab.stable.example.com/my-new-cron-object scaled\n", r.err
    assert get_json(state, "ct", "my-new-cron-object")["spec"]["replicas"] == 5


def test_scale_without_the_subresource_is_refused(state):
    apply(state, crd())
    apply(state, crontab())
    r = run_kubelite(["scale", "--replicas=5", "ct/my-new-cron-object"], state=state)
    assert r.rc == 1 and "cannot scale crontabs.stable.example.com: no scale subresource" in r.err


def test_docs_deleting_the_crd_deletes_its_objects_then_the_kind(state):
    apply(state, crd())
    apply(state, crontab(), crontab("second"))
    assert run_kubelite(["delete", "crd", "crontabs.stable.example.com"], state=state).rc == 0
    terminating = get_json(state, "crd", "crontabs.stable.example.com")
    assert terminating["metadata"]["deletionTimestamp"]
    assert terminating["metadata"]["finalizers"] == ["customresourcecleanup.apiextensions.k8s.io"]
    r = apply(state, crontab("third"))
    assert r.rc == 1 and "create not allowed while custom resource definition is terminating" in r.err
    assert run_kubelite(["reconcile"], state=state).rc == 0
    assert "No resources found" in run_kubelite(["get", "crd"], state=state).err
    r = run_kubelite(["get", "crontabs"], state=state)
    assert r.rc == 1 and 'the server doesn\'t have a resource type "crontabs"' in r.err
    # Recreated, it starts out empty (docs).
    apply(state, crd())
    assert "No resources found" in run_kubelite(["get", "ct"], state=state).err


def test_a_crd_without_objects_goes_at_once(state):
    apply(state, crd())
    r = run_kubelite(["delete", "crd", "crontabs.stable.example.com"], state=state)
    assert r.out == 'customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted\n', r.err
    assert "No resources found" in run_kubelite(["get", "crd"], state=state).err
    assert run_kubelite(["get", "ct"], state=state).rc == 1


def test_crontab_with_a_finalizer_keeps_its_crd_terminating(state):
    apply(state, crd())
    held = crontab()
    held["metadata"]["finalizers"] = ["stable.example.com/finalizer"]
    apply(state, held)
    run_kubelite(["delete", "crd", "crontabs.stable.example.com"], state=state)
    run_kubelite(["reconcile"], state=state)
    conds = {c["type"]: c for c in get_json(state, "crd", "crontabs.stable.example.com")["status"]["conditions"]}
    assert (conds["Terminating"]["status"], conds["Terminating"]["reason"]) == ("True", "InstanceDeletionInProgress")
    assert get_json(state, "ct", "my-new-cron-object")["metadata"]["deletionTimestamp"]


def test_cluster_scoped_custom_kinds_have_no_namespace(state):
    assert apply(state, crd(scope="Cluster")).rc == 0
    obj = crontab()
    obj["metadata"]["namespace"] = "ignored"
    assert apply(state, obj).rc == 0
    got = get_json(state, "crontab", "my-new-cron-object")
    assert "namespace" not in got["metadata"]
    assert (state / "registry" / "crontabs.stable.example.com" / "my-new-cron-object.yaml").exists()


def test_namespace_deletion_deletes_custom_objects_in_it(state):
    apply(state, crd(), {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    obj = crontab()
    obj["metadata"]["namespace"] = "team"
    apply(state, obj)
    run_kubelite(["delete", "namespace", "team"], state=state)
    run_kubelite(["reconcile", "--until-stable"], state=state)
    assert not list((state / "registry" / "crontabs.stable.example.com").glob("team/*.yaml"))


def test_a_second_crd_claiming_a_kind_in_use_is_not_established(state):
    apply(state, crd())
    other = crd()
    other["metadata"]["name"] = "crontabs2.stable.example.com"
    other["spec"]["names"] = {"plural": "crontabs2", "singular": "crontab2", "kind": "CronTab", "shortNames": ["ct2"]}
    assert apply(state, other).rc == 0
    conds = {c["type"]: c for c in get_json(state, "crd", "crontabs2.stable.example.com")["status"]["conditions"]}
    # Upstream checks kind, then listKind: the last conflict found is the one reported.
    assert (conds["NamesAccepted"]["status"], conds["NamesAccepted"]["reason"], conds["NamesAccepted"]["message"]) == (
        "False", "ListKindConflict", '"CronTabList" is already in use')
    assert (conds["Established"]["status"], conds["Established"]["reason"]) == ("False", "NotAccepted")
    assert run_kubelite(["get", "ct2"], state=state).rc == 1
    # The first goes; the controller then accepts the second's names.
    run_kubelite(["delete", "crd", "crontabs.stable.example.com"], state=state)
    run_kubelite(["reconcile", "--until-stable"], state=state)
    assert run_kubelite(["get", "ct2"], state=state).rc == 0


CEL_SCHEMA = {"type": "object", "properties": {"spec": {
    "type": "object",
    "x-kubernetes-validations": [
        {"rule": "self.minReplicas <= self.replicas", "message": "replicas should be greater than or equal to minReplicas."},
        {"rule": "self.replicas <= self.maxReplicas", "message": "replicas should be smaller than or equal to maxReplicas."}],
    "properties": {"minReplicas": {"type": "integer"}, "replicas": {"type": "integer"}, "maxReplicas": {"type": "integer"},
                   "label": {"type": "string", "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "label is immutable"}]}},
    "required": ["minReplicas", "replicas", "maxReplicas"]}}}


def test_docs_cel_rules_refuse_objects_and_transition_rules_refuse_changes(state):
    assert apply(state, crd(CEL_SCHEMA)).rc == 0
    r = apply(state, crontab(minReplicas=0, replicas=20, maxReplicas=10))
    assert r.rc == 1
    assert ('The CronTab "my-new-cron-object" is invalid: spec: Invalid value: "object": '
            "replicas should be smaller than or equal to maxReplicas.") in r.err
    assert apply(state, crontab(minReplicas=0, replicas=5, maxReplicas=10, label="a")).rc == 0
    r = apply(state, crontab(minReplicas=0, replicas=5, maxReplicas=10, label="b"))
    assert r.rc == 1 and 'spec.label: Invalid value: "string": label is immutable' in r.err


@pytest.mark.parametrize("rule, message", [
    ("self.replicas <=", "compilation failed: ERROR: <input>:1:17: Syntax error"),
    ("self.nonExistingField > 0", "compilation failed: ERROR: <input>:1:5: undefined field 'nonExistingField'"),
])
def test_docs_rules_that_do_not_compile_refuse_the_crd(state, rule, message):
    schema = copy.deepcopy(CEL_SCHEMA)
    schema["properties"]["spec"]["x-kubernetes-validations"] = [{"rule": rule}]
    r = apply(state, crd(schema))
    assert r.rc == 1
    assert "spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: Invalid value: " in r.err
    assert message in r.err


def test_non_structural_schema_refuses_the_crd_with_upstreams_message(state):
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {"foo": {"pattern": "abc"}}}}}
    r = apply(state, crd(schema))
    assert r.rc == 1
    assert ("spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[foo].type: Required value: "
            "must not be empty for specified object fields") in r.err


def test_explain_reads_the_crds_schema(state):
    described = copy.deepcopy(SCHEMA)
    described["properties"]["spec"]["properties"]["replicas"]["description"] = "How many jobs run at once."
    apply(state, crd(described))
    r = run_kubelite(["explain", "ct.spec.replicas"], state=state)
    assert r.rc == 0, r.err
    assert "KIND:       CronTab" in r.out and "FIELD: replicas <integer>" in r.out and "How many jobs run at once." in r.out
    top = run_kubelite(["explain", "crontabs"], state=state).out
    assert "apiVersion\t<string>" in top and "spec\t<Object>" in top


def test_api_resources_lists_custom_kinds(state):
    apply(state, crd())
    rows = [line.split() for line in run_kubelite(["api-resources"], state=state).out.splitlines()]
    assert ["crontabs", "ct", "stable.example.com/v1", "true", "CronTab"] in rows


def test_get_pod_stays_on_the_fast_path_with_crds_installed(state):
    from kubelite.cli import fast

    apply(state, crd(), {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}})
    import os

    os.environ["KUBELITE_CACHE_DIR"] = os.environ.get("KUBELITE_CACHE_DIR", "")
    text = fast.answer(["--state-dir", str(state), "get", "configmap", "cfg", "-o", "name"])
    assert text == "configmap/cfg\n"
    assert fast.answer(["--state-dir", str(state), "get", "ct", "x", "-o", "name"]) is None


def test_a_long_lived_api_server_sees_crds_other_processes_write(state):
    from kubelite.api import kinds
    from kubelite.apiserver import APIServer

    api = APIServer.open(state)
    assert "crontabs" not in [k.plural for k in kinds.all_kinds()]
    apply(state, crd())
    assert kinds.resolve("ct").kind == "CronTab"
    run_kubelite(["delete", "crd", "crontabs.stable.example.com"], state=state)
    run_kubelite(["reconcile"], state=state)
    assert "crontabs" not in [k.plural for k in kinds.all_kinds()]
    assert api.store.root == state
