"""Namespaces: Terminating, emptied, then removed; protected system namespaces; default ServiceAccounts."""
from __future__ import annotations

from tests.controllers.helpers import at, objects, one


def test_deleting_a_namespace_terminates_it_deletes_its_contents_then_removes_it(kl):
    kl(["create", "namespace", "dev"], now=at(0))
    kl(["create", "configmap", "a", "-n", "dev", "--from-literal=x=y"], now=at(0))
    kl(["reconcile"], now=at(0))
    assert kl(["delete", "namespace", "dev"]).out.strip() == 'namespace "dev" deleted'
    ns = one(kl, "ns", "dev")
    assert ns["status"]["phase"] == "Terminating"
    r = kl(["create", "configmap", "b", "-n", "dev"])
    assert r.rc == 1
    assert r.err.strip() == 'Error from server (Forbidden): configmaps "b" is forbidden: unable to create new content in namespace dev because it is being terminated'
    kl(["reconcile", "--until-stable"], now=at(1))
    assert "dev" not in {n["metadata"]["name"] for n in objects(kl, "ns")}
    assert objects(kl, "cm", "-n", "dev") == []


def test_system_namespaces_cannot_be_deleted(kl):
    for ns in ("default", "kube-system", "kube-public"):
        r = kl(["delete", "namespace", ns])
        assert r.rc == 1 and "Forbidden" in r.err and "may not be deleted" in r.err


def test_every_active_namespace_gets_a_default_service_account(kl):
    kl(["create", "namespace", "team-a"], now=at(0))
    kl(["reconcile"], now=at(0))
    names = {(s["metadata"]["namespace"], s["metadata"]["name"]) for s in objects(kl, "sa", "-A")}
    assert {("default", "default"), ("kube-system", "default"), ("team-a", "default")} <= names
