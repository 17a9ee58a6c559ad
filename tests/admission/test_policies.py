"""ValidatingAdmissionPolicy with CEL, in-process against a fresh state directory, table-tested
against the kubernetes.io example ("Validating Admission Policy")."""
from __future__ import annotations

import pytest

from kubelite.apiserver import APIServer
from kubelite.clock import Clock
from kubelite.errors import Forbidden, Invalid
from tests.conftest import T0


def policy(*validations, name="demo-policy.example.com", **spec):
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy", "metadata": {"name": name},
            "spec": {"failurePolicy": "Fail", "matchConstraints": {"resourceRules": [
                {"apiGroups": ["apps"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["deployments"]}]},
                "validations": list(validations) or [{"expression": "object.spec.replicas <= 5"}], **spec}}


def binding(actions=("Deny",), name="demo-binding-test.example.com", **spec):
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": name},
            "spec": {"policyName": "demo-policy.example.com", "validationActions": list(actions),
                     "matchResources": {"namespaceSelector": {"matchLabels": {"environment": "test"}}}, **spec}}


def deployment(replicas, ns="test", name="web"):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


@pytest.fixture
def api(tmp_path):
    a = APIServer.open(tmp_path / "state", Clock.from_env({"KUBELITE_NOW": T0}))
    a.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test", "labels": {"environment": "test"}}})
    return a


def test_docs_policy_denies_too_many_replicas_in_matching_namespaces_only(api):
    api.create(policy())
    api.create(binding())
    with pytest.raises(Forbidden) as e:
        api.create(deployment(6))
    assert str(e.value) == ('deployments.apps "web" is forbidden: ValidatingAdmissionPolicy \'demo-policy.example.com\' '
                            "with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5")
    api.create(deployment(5))
    api.create(deployment(6, ns="default"))  # the namespace selector does not match


def test_updates_are_checked_with_old_object(api):
    api.create(policy({"expression": "oldObject == null || object.spec.replicas >= oldObject.spec.replicas",
                       "message": "may not scale down"}))
    api.create(binding())
    api.create(deployment(3))
    d = api.get(api.kind_of(deployment(3)), "test", "web")
    d["spec"]["replicas"] = 2
    with pytest.raises(Forbidden, match="denied request: may not scale down"):
        api.update(d)


def test_warn_action_warns_and_lets_the_write_through(api):
    api.create(policy())
    api.create(binding(actions=("Warn",)))
    api.create(deployment(9))
    assert api.warnings == ["Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with binding "
                            "'demo-binding-test.example.com': failed expression: object.spec.replicas <= 5"]


def test_params_come_from_the_bindings_param_ref(api):
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "limits", "namespace": "default"},
                "data": {"max": "4"}})
    api.create(policy({"expression": "object.spec.replicas <= int(params.data.max)",
                       "messageExpression": "'at most ' + params.data.max + ' replicas'"},
                      paramKind={"apiVersion": "v1", "kind": "ConfigMap"}))
    api.create(binding(paramRef={"name": "limits", "namespace": "default", "parameterNotFoundAction": "Deny"}))
    with pytest.raises(Forbidden, match="denied request: at most 4 replicas"):
        api.create(deployment(5))
    api.create(deployment(4))


def test_match_conditions_and_variables(api):
    api.create(policy({"expression": "variables.many == false"},
                      variables=[{"name": "many", "expression": "object.spec.replicas > 2"}],
                      matchConditions=[{"name": "not-web", "expression": "object.metadata.name != 'web'"}]))
    api.create(binding())
    api.create(deployment(9))  # the match condition excludes it
    with pytest.raises(Forbidden):
        api.create(deployment(9, name="api"))


def test_policies_whose_expressions_do_not_compile_are_refused(api):
    with pytest.raises(Invalid) as e:
        api.create(policy({"expression": "object.spec.replicas <= "}))
    assert str(e.value).startswith('The ValidatingAdmissionPolicy "demo-policy.example.com" is invalid: '
                                   'spec.validations[0].expression: Invalid value: "object.spec.replicas <= ": '
                                   "compilation failed: ERROR: <input>:1:25: Syntax error")


def test_bindings_need_a_validation_action(api):
    with pytest.raises(Invalid, match="spec.validationActions: Required value"):
        api.create(binding(actions=()))
