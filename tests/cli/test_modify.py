"""`label`, `annotate`, `scale`, `patch` and `edit`: changing live objects, end to end."""
from __future__ import annotations

import json
import stat

import pytest

from tests.conftest import one_line, snapshot


@pytest.fixture
def api(api):
    a = api
    a.create({"apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})
    a.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default", "labels": {"app": "web"}},
              "data": {"a": "1"}})
    return a


def live(kl, what="deploy web"):
    rc, out, err = kl(f"get {what} -o json")
    assert rc == 0, err
    return json.loads(out)


# -- label and annotate -----------------------------------------------------------------

def test_label_adds_refuses_to_overwrite_then_overwrites_and_removes(kl, api, state):
    assert kl("label deploy web tier=frontend env=prod") == (0, "deployment.apps/web labeled\n", "")
    before = snapshot(state)
    rc, out, err = kl("label deploy web tier=backend")
    assert (rc, out) == (1, "") and one_line(err) == "error: 'tier' already has a value (frontend), and --overwrite is false"
    assert snapshot(state) == before
    assert kl("label deploy/web tier=backend --overwrite") == (0, "deployment.apps/web labeled\n", "")
    assert kl("label deploy web env-") == (0, "deployment.apps/web labeled\n", "")
    assert live(kl)["metadata"]["labels"] == {"app": "web", "tier": "backend"}


def test_setting_a_label_to_its_current_value_changes_nothing(kl, api, state):
    before = snapshot(state)
    assert kl("label deploy web app=web") == (0, "deployment.apps/web not labeled\n", "")
    assert snapshot(state) == before


def test_label_by_selector_and_invalid_label_values(kl, api, state):
    assert kl("label cm,deploy -l app=web team=a").out.splitlines() == ["configmap/cfg labeled", "deployment.apps/web labeled"]
    before = snapshot(state)
    rc, out, err = kl("label deploy web bad=-value-")
    assert rc == 1 and 'metadata.labels' in one_line(err) and "Invalid value" in err
    assert snapshot(state) == before


def test_annotate_adds_lists_and_removes(kl, api):
    assert kl(["annotate", "deploy", "web", "note=hello world"]) == (0, "deployment.apps/web annotated\n", "")
    assert kl("annotate deploy web --list") == (0, "note=hello world\n", "")
    assert kl("annotate deploy web note-") == (0, "deployment.apps/web annotated\n", "")
    assert "annotations" not in live(kl)["metadata"]


def test_label_with_a_stale_resource_version_is_a_conflict(kl, api):
    rc, out, err = kl("label deploy web x=y --resource-version=1")
    assert rc == 1 and one_line(err).startswith("Error from server (Conflict): Operation cannot be fulfilled")


# -- scale ---------------------------------------------------------------------------

def test_scale_sets_replicas_and_bumps_the_generation(kl, api):
    assert kl("scale deploy web --replicas=5") == (0, "deployment.apps/web scaled\n", "")
    d = live(kl)
    assert (d["spec"]["replicas"], d["metadata"]["generation"]) == (5, 2)


def test_scale_honours_the_current_replicas_precondition(kl, api, state):
    before = snapshot(state)
    rc, out, err = kl("scale deploy/web --current-replicas=3 --replicas=4")
    assert (rc, out) == (1, "")
    assert one_line(err).startswith('Error from server (Conflict): Operation cannot be fulfilled on deployments.apps "web"')
    assert snapshot(state) == before
    assert kl("scale deploy/web --current-replicas=2 --replicas=4") == (0, "deployment.apps/web scaled\n", "")


def test_scaling_something_without_replicas_or_to_a_negative_count_is_refused(kl, api):
    rc, _, err = kl("scale cm cfg --replicas=2")
    assert rc == 1 and one_line(err) == "error: cannot scale configmaps: no scale subresource"
    rc, _, err = kl("scale deploy web --replicas=-1")
    assert rc == 1 and "must be greater than or equal to 0" in one_line(err)


# -- patch ---------------------------------------------------------------------------

def test_patch_strategic_merge_and_json(kl, api):
    assert kl(["patch", "deploy", "web", "-p", '{"spec":{"replicas":3}}']) == (0, "deployment.apps/web patched\n", "")
    assert kl(["patch", "deploy", "web", "-p",
               '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"envoy"}]}}}}'])[0] == 0
    assert sorted(c["name"] for c in live(kl)["spec"]["template"]["spec"]["containers"]) == ["side", "web"]
    assert kl(["patch", "deploy", "web", "--type", "merge", "-p", '{"metadata":{"labels":{"tier":"fe"}}}'])[0] == 0
    assert kl(["patch", "deploy", "web", "--type", "json", "-p", '[{"op":"replace","path":"/spec/replicas","value":4}]'])[0] == 0
    d = live(kl)
    assert d["spec"]["replicas"] == 4 and d["metadata"]["labels"] == {"app": "web", "tier": "fe"}
    assert kl(["patch", "deploy", "web", "-p", '{"spec":{"replicas":4}}']) == (0, "deployment.apps/web patched (no change)\n", "")


def test_a_merge_patch_with_null_removes_a_field(kl, api):
    assert kl(["patch", "cm", "cfg", "--type", "merge", "-p", '{"data":{"a":null,"b":"2"}}'])[0] == 0
    assert live(kl, "cm cfg")["data"] == {"b": "2"}


def test_a_patch_from_a_file(kl, api, tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("spec:\n  replicas: 6\n")
    assert kl(["patch", "deploy", "web", "--patch-file", p]) == (0, "deployment.apps/web patched\n", "")


@pytest.mark.parametrize("args, fragment", [
    (["--type", "json", "-p", '[{"op":"remove","path":"/spec/nope"}]'], "unable to apply the patch"),
    (["-p", '{"spec":{"replicas":-1}}'], "spec.replicas: Invalid value: -1"),
    (["-p", '{"spec":{"replicas":"many"}}'], "spec.replicas"),
    (["-p", '{"spec":{"selector":{"matchLabels":{"app":"x"}}}}'], 'The Deployment "web" is invalid'),
    (["--type", "merge", "-p", '{"metadata":{"name":"other"}}'], "may not change"),
    (["-p", "[1, 2"], "yaml"),
])
def test_a_bad_patch_is_one_line_error_and_writes_nothing(kl, api, state, args, fragment):
    before = snapshot(state)
    rc, out, err = kl(["patch", "deploy", "web", *args])
    assert (rc, out) == (1, "")
    assert fragment in one_line(err)
    assert snapshot(state) == before


# -- edit ----------------------------------------------------------------------------

def editor(tmp_path, sed_expr: str) -> dict:
    script = tmp_path / "editor.sh"
    script.write_text(f'#!/bin/sh\nsed -i "{sed_expr}" "$1"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return {"EDITOR": str(script)}


def test_edit_saves_what_the_editor_changed(kl, api, tmp_path):
    assert kl("edit deploy web", env=editor(tmp_path, "s/replicas: 2/replicas: 7/")) == (0, "deployment.apps/web edited\n", "")
    assert live(kl)["spec"]["replicas"] == 7


def test_kube_editor_takes_precedence_over_editor(kl, api, tmp_path):
    env = editor(tmp_path, "s/replicas: 2/replicas: 3/")
    (tmp_path / "k").mkdir()
    env["KUBE_EDITOR"] = editor(tmp_path / "k", "s/replicas: 2/replicas: 9/")["EDITOR"]
    assert kl("edit deploy/web", env=env)[0] == 0
    assert live(kl)["spec"]["replicas"] == 9


def test_an_edit_that_changes_nothing_is_cancelled(kl, api, state):
    before = snapshot(state)
    assert kl("edit deploy web", env={"EDITOR": "true"}) == (0, "Edit cancelled, no changes made.\n", "")
    assert snapshot(state) == before


def test_an_invalid_edit_is_refused_and_writes_nothing(kl, api, state, tmp_path):
    before = snapshot(state)
    rc, out, err = kl("edit deploy web", env=editor(tmp_path, "s/replicas: 2/replicas: -2/"))
    assert (rc, out) == (1, "")
    assert "spec.replicas: Invalid value: -2" in one_line(err)
    assert snapshot(state) == before


def test_a_failing_editor_is_an_error(kl, api, state):
    before = snapshot(state)
    rc, out, err = kl("edit deploy web", env={"EDITOR": "false"})
    assert rc == 1 and "problem with the editor" in one_line(err)
    assert snapshot(state) == before
