"""RBAC evaluation: rule matching, subjects, the escalation coverage check, aggregation."""
from __future__ import annotations

import pytest

from kubelite.auth import rbac
from kubelite.auth.identity import Identity

R = rbac.Request


@pytest.mark.parametrize("rule, req, expected", [
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, R("get", "", "pods"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, R("list", "", "pods"), False),
    ({"verbs": ["*"], "apiGroups": ["apps"], "resources": ["deployments"]}, R("delete", "apps", "deployments"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, R("get", "apps", "pods"), False),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, R("get", "", "pods", "log"), False),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods/log"]}, R("get", "", "pods", "log"), True),
    ({"verbs": ["update"], "apiGroups": ["apps"], "resources": ["*/scale"]}, R("update", "apps", "deployments", "scale"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"]}, R("get", "", "secrets", name="db"), True),
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"]}, R("get", "", "secrets", name="other"), False),
    ({"verbs": ["list"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"]}, R("list", "", "secrets"), False),
    ({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}, R("escalate", "rbac.authorization.k8s.io", "roles"), True),
])
def test_a_rule_allows_exactly_what_it_names(rule, req, expected):
    assert rbac.rule_allows(rule, req) is expected


def test_subjects_match_users_groups_and_service_accounts():
    alice = Identity.of("alice", ["devs"])
    sa = Identity.of("system:serviceaccount:dev:builder")
    assert rbac.subject_matches({"kind": "User", "name": "alice"}, alice, "dev")
    assert rbac.subject_matches({"kind": "Group", "name": "devs"}, alice, "dev")
    assert rbac.subject_matches({"kind": "Group", "name": "system:authenticated"}, alice, "dev")
    assert rbac.subject_matches({"kind": "ServiceAccount", "name": "builder"}, sa, "dev")  # namespace defaults to the binding's
    assert not rbac.subject_matches({"kind": "ServiceAccount", "name": "builder", "namespace": "prod"}, sa, "dev")
    assert set(sa.groups) >= {"system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated"}


def test_coverage_requires_every_verb_resource_and_name_to_be_held():
    owner = [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}]
    assert rbac.uncovered(owner, [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]) == []
    missing = rbac.uncovered(owner, [{"verbs": ["get", "delete"], "apiGroups": [""], "resources": ["pods"]}])
    assert missing == [{"verbs": ["delete"], "apiGroups": [""], "resources": ["pods"]}]
    named = [{"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"]}]
    assert rbac.uncovered(named, [{"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"]}])
    assert rbac.uncovered(named, [{"verbs": ["get"], "apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"]}]) == []
    assert rbac.uncovered([{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}], [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]) == []


def test_describe_rule_uses_upstreams_compact_form():
    assert rbac.describe_rule({"verbs": ["delete"], "apiGroups": [""], "resources": ["pods"]}) == '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}'


def test_aggregation_gathers_rules_from_matching_roles_without_duplicates():
    target = {"metadata": {"name": "agg"}, "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "true"}}]}}
    a = {"metadata": {"name": "a", "labels": {"x": "true"}}, "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]}
    b = {"metadata": {"name": "b", "labels": {"x": "true"}}, "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]}
    c = {"metadata": {"name": "c", "labels": {}}, "rules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]}
    assert rbac.aggregate(target, [target, a, b, c]) == a["rules"]
