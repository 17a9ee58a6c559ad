"""`version`, `api-resources` and `completion`."""
from __future__ import annotations

import json

import pytest

from kubelite import __version__
from kubelite.api import kinds
from tests.conftest import run_kubelite


def test_version_prints_the_client_version(kl):
    assert kl("version") == (0, f"Client Version: v{__version__}\n", "")
    assert kl("version --client") == (0, f"Client Version: v{__version__}\n", "")
    info = json.loads(kl("version -o json").out)
    assert info["clientVersion"]["gitVersion"] == f"v{__version__}"


def test_version_does_not_create_a_state_directory(tmp_path):
    assert run_kubelite("version", state=tmp_path / "new").rc == 0
    assert not (tmp_path / "new").exists()


def test_api_resources_prints_every_kind_with_kubectls_names_and_scope(kl):
    rc, out, err = kl("api-resources")
    assert (rc, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["pods"] == ["pods", "po", "v1", "true", "Pod"]
    assert rows["deployments"] == ["deployments", "deploy", "apps/v1", "true", "Deployment"]
    assert rows["nodes"] == ["nodes", "no", "v1", "false", "Node"]
    assert rows["cronjobs"] == ["cronjobs", "cj", "batch/v1", "true", "CronJob"]
    assert rows["clusterroles"] == ["clusterroles", "rbac.authorization.k8s.io/v1", "false", "ClusterRole"]
    assert {r for r in rows} >= {k.plural for k in kinds.KINDS}


def test_api_resources_lists_the_new_kinds_and_events_in_both_groups(kl):
    rc, out, err = kl("api-resources -o wide")
    assert (rc, err) == (0, "")
    rows = [line.split() for line in out.splitlines()[1:]]
    assert [r[:5] for r in rows if r[0] == "events"] == [
        ["events", "ev", "v1", "true", "Event"], ["events", "ev", "events.k8s.io/v1", "true", "Event"]]
    by_name = {r[0]: r for r in rows}
    assert by_name["ingresses"][:5] == ["ingresses", "ing", "networking.k8s.io/v1", "true", "Ingress"]
    assert by_name["customresourcedefinitions"][1:] == [
        "crd,crds", "apiextensions.k8s.io/v1", "false", "CustomResourceDefinition",
        "create,delete,deletecollection,get,list,patch,update,watch", "api-extensions"]
    assert by_name["horizontalpodautoscalers"][2] == "autoscaling/v2" and by_name["horizontalpodautoscalers"][-1] == "all"


@pytest.mark.parametrize("kind, short", [
    ("Pod", "po"), ("ReplicationController", "rc"), ("Service", "svc"), ("Endpoints", "ep"), ("Node", "no"),
    ("Namespace", "ns"), ("ConfigMap", "cm"), ("ServiceAccount", "sa"), ("PersistentVolume", "pv"),
    ("PersistentVolumeClaim", "pvc"), ("Event", "ev"), ("ReplicaSet", "rs"), ("Deployment", "deploy"),
    ("DaemonSet", "ds"), ("StatefulSet", "sts"), ("CronJob", "cj"),
])
def test_short_names_are_upstreams(kind, short):
    assert short in kinds.by_kind(kind).short_names
    assert kinds.resolve(short).kind == kind


@pytest.mark.parametrize("kind, namespaced", [
    ("Pod", True), ("Node", False), ("Namespace", False), ("PersistentVolume", False), ("PersistentVolumeClaim", True),
    ("ClusterRole", False), ("ClusterRoleBinding", False), ("Role", True), ("StorageClass", False), ("Lease", True),
    ("EndpointSlice", True),
])
def test_scopes_are_upstreams(kind, namespaced):
    assert kinds.by_kind(kind).namespaced is namespaced


def test_api_resources_filters_by_scope_and_prints_names(kl):
    rc, out, _ = kl("api-resources --namespaced=false -o name")
    assert rc == 0
    names = out.split()
    assert "nodes" in names and "namespaces" in names and "clusterroles.rbac.authorization.k8s.io" in names
    assert "pods" not in names


@pytest.mark.parametrize("shell, marker", [("bash", "complete"), ("zsh", "compdef"), ("fish", "complete")])
def test_completion_prints_a_script_for_each_shell(kl, shell, marker):
    rc, out, err = kl(f"completion {shell}")
    assert (rc, err) == (0, "")
    assert marker in out and "kubelite" in out


def test_completion_of_an_unknown_shell_is_refused(kl):
    rc, out, err = kl("completion tcsh")
    assert rc == 1 and out == "" and "tcsh" in err
