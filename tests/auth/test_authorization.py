"""Every verb is authorized as the API requests it would make; denials write nothing."""
from __future__ import annotations

import json

import pytest

from tests.conftest import run_kubelite


@pytest.fixture
def cluster(state):
    """dev namespace, a pod, a secret; alice reads pods in dev; builder SA exists."""
    def kl(*args, stdin=None):
        return run_kubelite(list(args), state=state, stdin=stdin)

    kl("create", "namespace", "dev")
    kl("create", "role", "pod-reader", "--verb=get,list", "--resource=pods", "-n", "dev")
    kl("create", "rolebinding", "alice-reads", "--role=pod-reader", "--user=alice", "-n", "dev")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "dev"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    kl("apply", "-f", "-", stdin=json.dumps(pod))
    kl("create", "secret", "generic", "db", "--from-literal=password=hunter2", "-n", "dev")
    kl("create", "serviceaccount", "builder", "-n", "dev")
    return kl


def _snapshot(state):
    return {p.relative_to(state): p.read_bytes() for p in state.rglob("*") if p.is_file() and "locks" not in p.parts and p.name != "audit.log"}


@pytest.mark.parametrize("args, expected", [
    (["list", "pods", "-n", "dev", "--as", "alice"], "yes"),
    (["get", "pods", "x", "-n", "dev", "--as", "alice"], "yes"),
    (["list", "pods", "-n", "default", "--as", "alice"], "no"),
    (["delete", "pods", "-n", "dev", "--as", "alice"], "no"),
    (["get", "pods/log", "-n", "dev", "--as", "alice"], "no"),
    (["list", "pods", "-n", "dev", "--as", "bob"], "no"),
    (["list", "pods", "-n", "dev", "--as", "bob", "--as-group", "system:masters"], "yes"),
    (["create", "deployments.apps", "-n", "prod"], "yes"),  # the administrator
    (["update", "deployments", "--subresource", "scale", "-n", "dev", "--as", "alice"], "no"),
])
def test_can_i_matrix(cluster, args, expected):
    r = cluster("auth", "can-i", *args)
    assert r.out.strip() == expected
    assert r.rc == (0 if expected == "yes" else 1)


def test_a_denied_delete_is_forbidden_with_upstreams_message_and_writes_nothing(cluster, state):
    before = _snapshot(state)
    r = cluster("delete", "pod", "x", "-n", "dev", "--as", "alice")
    assert r.rc == 1
    assert r.err.strip() == 'Error from server (Forbidden): pods "x" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "dev"'
    assert _snapshot(state) == before
    audit = [json.loads(l) for l in (state / "audit.log").read_text().splitlines()]
    denial = audit[-1]
    assert denial["user"]["username"] == "alice" and denial["verb"] == "delete"
    assert denial["annotations"]["authorization.k8s.io/decision"] == "forbid"
    assert denial["objectRef"] == {"resource": "pods", "apiGroup": "", "apiVersion": "v1", "namespace": "dev", "name": "x"}


def test_denied_list_names_the_namespace_and_cluster_scope(cluster):
    r = cluster("get", "pods", "--as", "alice")
    assert r.err.strip() == 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"'
    r = cluster("get", "nodes", "--as", "alice")
    assert 'cannot list resource "nodes" in API group "" at the cluster scope' in r.err


def test_view_bound_in_a_namespace_grants_reads_there_only(cluster):
    cluster("create", "rolebinding", "carol-views", "--clusterrole=view", "--user=carol", "-n", "dev")
    assert cluster("get", "pods", "-n", "dev", "--as", "carol").rc == 0
    assert cluster("get", "pods", "-n", "default", "--as", "carol").rc == 1
    assert cluster("get", "secrets", "-n", "dev", "--as", "carol").rc == 1  # view excludes secrets
    assert cluster("delete", "pod", "x", "-n", "dev", "--as", "carol").rc == 1


def test_group_bindings_work_through_as_group(cluster):
    cluster("create", "rolebinding", "devs-edit", "--clusterrole=edit", "--group=devs", "-n", "dev")
    assert cluster("auth", "can-i", "create", "deployments", "-n", "dev", "--as", "dave", "--as-group", "devs").out.strip() == "yes"
    assert cluster("auth", "can-i", "create", "deployments", "-n", "dev", "--as", "dave").out.strip() == "no"


def test_service_accounts_act_through_as_and_through_tokens_and_deletion_revokes(cluster):
    cluster("create", "rolebinding", "builder-view", "--clusterrole=view", "--serviceaccount=dev:builder", "-n", "dev")
    assert cluster("get", "pods", "-n", "dev", "--as", "system:serviceaccount:dev:builder").rc == 0
    token = cluster("create", "token", "builder", "-n", "dev").out.strip()
    who = cluster("auth", "whoami", "--token", token).out
    assert "system:serviceaccount:dev:builder" in who and "system:serviceaccounts:dev" in who
    assert cluster("get", "pods", "-n", "dev", "--token", token).rc == 0
    assert cluster("get", "pods", "-n", "default", "--token", token).rc == 1
    cluster("delete", "serviceaccount", "builder", "-n", "dev")
    r = cluster("get", "pods", "-n", "dev", "--token", token)
    assert r.rc == 1 and r.err.strip() == "error: You must be logged in to the server (Unauthorized)"
    r = cluster("get", "pods", "--token", "not-a-token")
    assert r.err.strip() == "error: You must be logged in to the server (Unauthorized)"


def test_tokens_are_stored_only_as_hashes(cluster, state):
    token = cluster("create", "token", "builder", "-n", "dev").out.strip()
    for p in state.rglob("*"):
        if p.is_file():
            assert token.encode() not in p.read_bytes()
    assert all(oct(p.stat().st_mode)[-3:] == "600" for p in (state / "tokens").iterdir())


def test_resource_names_limit_get_to_the_named_objects(cluster):
    cluster("create", "secret", "generic", "other", "--from-literal=a=b", "-n", "dev")
    cluster("create", "role", "db-secret", "--verb=get", "--resource=secrets", "--resource-name=db", "-n", "dev")
    cluster("create", "rolebinding", "erin-db", "--role=db-secret", "--user=erin", "-n", "dev")
    assert cluster("get", "secret", "db", "-n", "dev", "--as", "erin").rc == 0
    assert cluster("get", "secret", "other", "-n", "dev", "--as", "erin").rc == 1
    assert cluster("get", "secrets", "-n", "dev", "--as", "erin").rc == 1  # list is not get


def test_a_user_cannot_create_a_role_granting_more_than_they_hold(cluster, state):
    cluster("create", "role", "role-maker", "--verb=create", "--resource=roles", "--verb=get", "-n", "dev")
    cluster("create", "role", "reader", "--verb=get", "--resource=pods", "-n", "dev")
    cluster("create", "rolebinding", "frank-roles", "--role=role-maker", "--user=frank", "-n", "dev")
    cluster("create", "rolebinding", "frank-reads", "--role=reader", "--user=frank", "-n", "dev")
    before = _snapshot(state)
    r = cluster("create", "role", "deleter", "--verb=delete", "--resource=pods", "-n", "dev", "--as", "frank")
    assert r.rc == 1
    assert 'is attempting to grant RBAC permissions not currently held: {APIGroups:[""], Resources:["pods"], Verbs:["delete"]}' in r.err
    assert _snapshot(state) == before
    assert cluster("create", "role", "getter", "--verb=get", "--resource=pods", "-n", "dev", "--as", "frank").rc == 0


def test_binding_a_role_needs_its_permissions_or_the_bind_verb(cluster):
    cluster("create", "role", "binder", "--verb=create", "--resource=rolebindings", "-n", "dev")
    cluster("create", "rolebinding", "gina-binds", "--role=binder", "--user=gina", "-n", "dev")
    r = cluster("create", "rolebinding", "sneaky", "--clusterrole=admin", "--user=gina", "-n", "dev", "--as", "gina")
    assert r.rc == 1 and "attempting to grant RBAC permissions not currently held" in r.err
    cluster("create", "role", "may-bind", "--verb=bind", "--resource=clusterroles", "--resource-name=admin", "-n", "dev")
    cluster("create", "rolebinding", "gina-may-bind", "--role=may-bind", "--user=gina", "-n", "dev")
    assert cluster("create", "rolebinding", "sneaky", "--clusterrole=admin", "--user=gina", "-n", "dev", "--as", "gina").rc == 0


def test_bootstrap_roles_exist_and_masters_are_cluster_admins(cluster):
    r = cluster("get", "clusterroles", "-o", "name")
    for name in ("cluster-admin", "admin", "edit", "view"):
        assert f"clusterrole.rbac.authorization.k8s.io/{name}" in r.out.split()
    crb = json.loads(cluster("get", "clusterrolebinding", "cluster-admin", "-o", "json").out)
    assert crb["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}]
    who = cluster("auth", "whoami").out
    assert "kubernetes-admin" in who and "system:masters" in who


def test_a_pod_whose_service_account_does_not_exist_is_refused(cluster):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "y", "namespace": "dev"},
           "spec": {"serviceAccountName": "ghost", "containers": [{"name": "c", "image": "nginx"}]}}
    r = cluster("apply", "-f", "-", stdin=json.dumps(pod))
    assert r.rc == 1
    assert 'error looking up service account dev/ghost: serviceaccount "ghost" not found' in r.err


def test_secret_values_never_show_outside_get_yaml(cluster, state):
    out = []
    for args in (["describe", "secret", "db", "-n", "dev"], ["get", "secret", "db", "-n", "dev"],
                 ["get", "events", "-A"], ["reconcile"], ["audit"]):
        r = cluster(*args)
        out.append(r.out + r.err)
    blob = "\n".join(out)
    assert "hunter2" not in blob and "aHVudGVyMg==" not in blob
    assert "password:  7 bytes" in out[0]
    assert "aHVudGVyMg==" in cluster("get", "secret", "db", "-n", "dev", "-o", "yaml").out
    assert cluster("get", "secret", "db", "-n", "dev", "-o", "yaml", "--as", "alice").rc == 1


def test_state_directory_and_secret_files_are_private(cluster, state):
    assert oct(state.stat().st_mode)[-3:] == "700"
    secret = state / "registry" / "secrets" / "dev" / "db.yaml"
    assert oct(secret.stat().st_mode)[-3:] == "600"
