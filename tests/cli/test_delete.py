"""`kubelite delete`: by name, file, label selector or --all, with cascade modes."""
from __future__ import annotations

import json

import pytest

from tests.conftest import one_line, snapshot


def deployment(name, labels=None):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": name, **(labels or {})}},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


@pytest.fixture
def api(api):
    a = api
    for name, labels in (("web", {"tier": "fe"}), ("api", {"tier": "be"}), ("db", {"tier": "be"})):
        a.create(deployment(name, labels))
    return a


def names(kl, kind="deploy"):
    return kl(f"get {kind} -o name").out.split()


def test_delete_by_name_prints_deleted_and_removes_the_file(kl, api, state):
    assert kl("delete deploy web") == (0, 'deployment.apps "web" deleted\n', "")
    assert not (state / "registry/deployments/default/web.yaml").exists()
    assert names(kl) == ["deployment.apps/api", "deployment.apps/db"]


def test_delete_several_names_and_type_slash_name(kl, api):
    assert kl("delete deploy/web deployment/api") == (0, 'deployment.apps "web" deleted\ndeployment.apps "api" deleted\n', "")


def test_delete_by_label_selector(kl, api):
    assert kl("delete deploy -l tier=be") == (0, 'deployment.apps "api" deleted\ndeployment.apps "db" deleted\n', "")
    assert names(kl) == ["deployment.apps/web"]


def test_delete_all_of_a_type(kl, api):
    rc, out, _ = kl("delete deploy --all")
    assert rc == 0 and out.count("deleted") == 3
    assert kl("get deploy") == (0, "", "No resources found in default namespace.\n")
    assert kl("delete deploy --all") == (0, "", "No resources found in default namespace.\n")


def test_delete_from_a_file(kl, api, tmp_path):
    f = tmp_path / "web.yaml"
    f.write_text(json.dumps(deployment("web")))
    assert kl(["delete", "-f", f]) == (0, 'deployment.apps "web" deleted\n', "")


def test_deleting_a_missing_object_is_not_found_unless_ignored(kl, api, state):
    before = snapshot(state)
    assert kl("delete deploy nope") == (1, "", 'Error from server (NotFound): deployments.apps "nope" not found\n')
    assert kl("delete deploy nope --ignore-not-found") == (0, "", "")
    assert snapshot(state) == before


def test_a_missing_object_among_several_does_not_stop_the_others(kl, api):
    rc, out, err = kl("delete deploy nope web")
    assert (rc, out) == (1, 'deployment.apps "web" deleted\n')
    assert one_line(err) == 'Error from server (NotFound): deployments.apps "nope" not found'


@pytest.mark.parametrize("cascade, finalizer", [
    ("background", None), ("true", None), ("foreground", "foregroundDeletion"), ("orphan", "orphan"), ("false", "orphan")])
def test_every_cascade_mode_is_accepted(kl, api, cascade, finalizer):
    assert kl(f"delete deploy web --cascade={cascade}") == (0, 'deployment.apps "web" deleted\n', "")
    rc, out, _ = kl("get deploy web -o json --ignore-not-found")
    if finalizer is None:
        assert out == ""
    else:
        meta = json.loads(out)["metadata"]
        assert meta["finalizers"] == [finalizer] and meta["deletionTimestamp"]


def test_an_unknown_cascade_mode_is_refused(kl, api):
    rc, out, err = kl("delete deploy web --cascade=sideways")
    assert rc == 1 and one_line(err) == 'error: invalid cascade value (sideways). Must be "background", "foreground", or "orphan".'


def test_delete_dry_run_and_name_output(kl, api, state):
    before = snapshot(state)
    assert kl("delete deploy web --dry-run=client") == (0, 'deployment.apps "web" deleted (dry run)\n', "")
    assert kl("delete deploy web --dry-run=server -o name") == (0, "deployment.apps/web\n", "")
    assert snapshot(state) == before
    assert kl("delete deploy web -o name") == (0, "deployment.apps/web\n", "")


@pytest.mark.parametrize("args, message", [
    ("delete", "error: You must provide one or more resources by argument or filename."),
    ("delete deploy", "error: resource(s) were provided, but no name was specified"),
    ("delete deploy web -l app=web", "error: name cannot be provided when a selector is specified"),
])
def test_incomplete_delete_requests_are_usage_errors(kl, api, args, message):
    rc, out, err = kl(args)
    assert (rc, out) == (1, "") and one_line(err) == message


def test_the_system_namespaces_cannot_be_deleted(kl, api):
    rc, out, err = kl("delete namespace default")
    assert rc == 1 and one_line(err) == 'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted'


def test_deleting_a_namespace_marks_it_terminating(kl, api):
    assert kl("create namespace dev")[0] == 0
    assert kl("delete ns dev") == (0, 'namespace "dev" deleted\n', "")
    rc, out, _ = kl("get ns dev -o json --ignore-not-found")
    if out:  # removed at once, or left Terminating for the namespace controller
        assert json.loads(out)["status"]["phase"] == "Terminating"
