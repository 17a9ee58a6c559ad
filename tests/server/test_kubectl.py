"""Real kubectl 1.32 against a real `kubelite serve`: each command prints what it prints against a cluster."""
from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import run_kubelite
from tests.server.conftest import SAMPLES, kubectl, needs_kubectl, wait_for

pytestmark = needs_kubectl


def _ok(r):
    assert r.rc == 0, r.err
    return r.out


def _running(served, ns="shop", want=3, label="app=web"):
    def check():
        r = kubectl(served, f"get pods -n {ns} -l {label} -o json")
        items = json.loads(r.out)["items"] if r.rc == 0 else []
        return len([p for p in items if p["status"].get("phase") == "Running"]) >= want
    return wait_for(check, 60)


@pytest.fixture
def app(served):
    """The samples/ cluster applied through the server, its web Deployment Running."""
    _ok(kubectl(served, ["apply", "-f", SAMPLES]))
    assert _running(served)
    return served


def test_api_resources_lists_short_names_namespaced_and_kinds(served):
    out = _ok(kubectl(served, "api-resources"))
    line = next(l for l in out.splitlines() if l.startswith("deployments "))
    assert line.split() == ["deployments", "deploy", "apps/v1", "true", "Deployment"]
    assert "selfsubjectaccessreviews" in out


def test_api_versions_lists_every_group_version(served):
    out = _ok(kubectl(served, "api-versions")).split()
    assert {"v1", "apps/v1", "batch/v1", "rbac.authorization.k8s.io/v1"} <= set(out)


def test_explain_reads_the_served_openapi(served):
    out = _ok(kubectl(served, "explain deployment.spec.replicas"))
    assert "KIND:       Deployment" in out and "replicas" in out


def test_apply_of_a_multi_document_app_creates_then_is_unchanged(served):
    first = _ok(kubectl(served, ["apply", "-f", SAMPLES / "00-namespace.yaml", "-f", SAMPLES / "20-web.yaml"]))
    assert "deployment.apps/web created" in first and "service/web created" in first
    second = _ok(kubectl(served, ["apply", "-f", SAMPLES / "00-namespace.yaml", "-f", SAMPLES / "20-web.yaml"]))
    assert second.splitlines() and all(l.endswith(" unchanged") for l in second.splitlines()), second


def test_an_invalid_manifest_is_refused_with_the_field_and_nothing_is_written(served):
    bad = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad}\nspec:\n  replicas: -1\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n"
    r = kubectl(served, "apply -f -", stdin=bad)
    assert r.rc == 1
    assert 'The Deployment "bad" is invalid' in r.err and "spec.replicas" in r.err
    assert kubectl(served, "get deploy bad").rc == 1


def test_an_unknown_field_is_refused_by_strict_field_validation(served):
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\nbogus: 1\n"
    r = kubectl(served, "apply -f -", stdin=cm)
    assert r.rc == 1 and 'unknown field "bogus"' in r.err
    ok = kubectl(served, "apply --validate=false -f -", stdin=cm)
    assert ok.rc == 0, ok.err  # without validation the server drops the field, as upstream does
    assert "bogus" not in json.loads(_ok(kubectl(served, "get cm c -o json")))


def test_server_side_apply_conflicts_with_another_manager_until_forced(served):
    _ok(kubectl(served, ["apply", "-f", SAMPLES / "00-namespace.yaml"]))
    web = SAMPLES / "20-web.yaml"
    assert "serverside-applied" in _ok(kubectl(served, ["apply", "--server-side", "-f", web]))
    _ok(kubectl(served, "scale deploy web -n shop --replicas=5"))
    r = kubectl(served, ["apply", "--server-side", "-f", web])
    assert r.rc == 1 and 'Apply failed with 1 conflict: conflict with "kubectl"' in r.err and ".spec.replicas" in r.err
    _ok(kubectl(served, ["apply", "--server-side", "--force-conflicts", "-f", web]))
    assert _ok(kubectl(served, "get deploy web -n shop -o jsonpath={.spec.replicas}")) == "3"


def test_diff_exits_0_when_live_matches_and_1_when_it_differs(app):
    web = (SAMPLES / "20-web.yaml").read_text()
    assert kubectl(app, "diff -f -", stdin=web).rc == 0
    r = kubectl(app, "diff -f -", stdin=web.replace("nginx:1.26", "nginx:1.99"))
    assert r.rc == 1 and "+        image: nginx:1.99" in r.out


def test_get_tables_match_the_cli(app):
    served_out = _ok(kubectl(app, "get deploy,svc -n shop"))
    cli = run_kubelite("get deploy,svc -n shop", state=app.state)
    def shape(text):  # ages move on between the two commands
        return [l.split()[:3] for l in text.splitlines()]
    assert shape(served_out) == shape(cli.out)
    wide = _ok(kubectl(app, "get pods -n shop -o wide -l app=web"))
    assert wide.splitlines()[0].split()[:6] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP"]


def test_get_structured_outputs_and_selectors(app):
    obj = json.loads(_ok(kubectl(app, "get deploy web -n shop -o json")))
    assert obj["kind"] == "Deployment" and obj["spec"]["replicas"] == 3
    assert "kind: Deployment" in _ok(kubectl(app, "get deploy web -n shop -o yaml"))
    names = _ok(kubectl(app, "get pods -n shop -l app=web -o jsonpath={.items[*].metadata.name}")).split()
    assert len(names) == 3 and all(n.startswith("web-") for n in names)
    node = json.loads(_ok(kubectl(app, f"get pod {names[0]} -n shop -o json")))["spec"]["nodeName"]
    on_node = _ok(kubectl(app, f"get pods -A --field-selector spec.nodeName={node} -o name")).split()
    assert f"pod/{names[0]}" in on_node
    r = kubectl(app, "get pods --field-selector spec.bogus=1")
    assert r.rc == 1 and "field label" in r.err


def test_describe_shows_the_events_of_the_object(app):
    out = _ok(kubectl(app, "describe deploy web -n shop"))
    assert "ScalingReplicaSet" in out and "Events:" in out


def test_scale_set_image_and_rollout_status_complete_with_the_served_controllers(app):
    _ok(kubectl(app, "scale deploy web -n shop --replicas=4"))
    _ok(kubectl(app, "set image deploy/web -n shop web=nginx:1.27"))
    out = _ok(kubectl(app, "rollout status deploy/web -n shop --timeout=90s", timeout=120))
    assert 'deployment "web" successfully rolled out' in out
    hist = _ok(kubectl(app, "rollout history deploy/web -n shop"))
    assert [l.split()[0] for l in hist.splitlines()[2:] if l.strip()] == ["1", "2"]
    _ok(kubectl(app, "rollout undo deploy/web -n shop"))
    assert _ok(kubectl(app, "rollout status deploy/web -n shop --timeout=90s", timeout=120))
    img = _ok(kubectl(app, "get deploy web -n shop -o jsonpath={.spec.template.spec.containers[0].image}"))
    assert img == "nginx:1.26"


def test_wait_for_condition_available(app):
    out = _ok(kubectl(app, "wait --for=condition=Available deploy/web -n shop --timeout=60s", timeout=90))
    assert out.strip() == "deployment.apps/web condition met"


def test_label_and_annotate(app):
    assert _ok(kubectl(app, "label deploy web -n shop tier=front")).strip() == "deployment.apps/web labeled"
    assert _ok(kubectl(app, "annotate deploy web -n shop note=x")).strip() == "deployment.apps/web annotated"
    assert "web" in _ok(kubectl(app, "get deploy -n shop -l tier=front -o name"))
    r = run_kubelite("get deploy web -n shop -o json", state=app.state)
    assert json.loads(r.out)["metadata"]["annotations"]["note"] == "x"  # the CLI sees the server's write


def test_edit_with_an_editor_script(app, tmp_path):
    editor = tmp_path / "ed.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/replicas: 3/replicas: 2/' \"$1\"\n")
    editor.chmod(0o755)
    out = _ok(kubectl(app, "edit deploy web -n shop", env={"EDITOR": str(editor)}))
    assert out.strip() == "deployment.apps/web edited"
    assert _ok(kubectl(app, "get deploy web -n shop -o jsonpath={.spec.replicas}")) == "2"


def test_delete_wait_returns_once_the_object_is_gone(app):
    out = _ok(kubectl(app, "delete deploy web -n shop --wait=true --timeout=60s", timeout=90))
    assert out.strip() == 'deployment.apps "web" deleted'
    r = kubectl(app, "get deploy web -n shop")
    assert r.rc == 1 and 'deployments.apps "web" not found' in r.err


def test_cordon_drain_uncordon(app):
    assert _ok(kubectl(app, "cordon node-1")).strip() == "node/node-1 cordoned"
    assert "SchedulingDisabled" in _ok(kubectl(app, "get node node-1"))
    out = _ok(kubectl(app, "drain node-2 --ignore-daemonsets --delete-emptydir-data --timeout=60s", timeout=90))
    assert out.strip().endswith("node/node-2 drained")
    pods = json.loads(_ok(kubectl(app, "get pods -A -o json")))["items"]
    assert not [p for p in pods if p["spec"].get("nodeName") == "node-2"
                and not any(r.get("kind") == "DaemonSet" for r in p["metadata"].get("ownerReferences", []))]
    _ok(kubectl(app, "uncordon node-1 node-2"))


def test_get_watch_streams_changes_made_by_the_cli(app):
    p = subprocess.Popen(["kubectl", "get", "configmaps", "-n", "shop", "-w", "--request-timeout=20s"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={"KUBECONFIG": str(app.kubeconfig), "PATH": "/usr/bin:/bin", "HOME": str(app.state.parent)})
    try:
        import time

        time.sleep(1.5)
        r = run_kubelite(["create", "configmap", "from-cli", "-n", "shop", "--from-literal=a=b"], state=app.state)
        assert r.rc == 0, r.err
        seen = wait_for(lambda: False, 3) or True
        assert seen
    finally:
        p.terminate()
        out, _ = p.communicate(timeout=10)
    assert b"from-cli" in out


CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              cronSpec: {type: string, description: the schedule}
              replicas: {type: integer, minimum: 1}
"""


def test_a_crd_applied_with_kubectl_serves_its_kind_with_columns_explain_and_validation(served):
    _ok(kubectl(served, "apply -f -", stdin=CRD))
    obj = "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: my}\nspec: {cronSpec: '*/5 * * * *', replicas: 2}\n"
    assert _ok(kubectl(served, "apply -f -", stdin=obj)).strip() == "crontab.stable.example.com/my created"
    assert _ok(kubectl(served, "get ct")).splitlines() == ["NAME   SPEC", "my     */5 * * * *"]
    assert "the schedule" in _ok(kubectl(served, "explain crontab.spec.cronSpec"))
    bad = kubectl(served, "apply -f -", stdin=obj.replace("name: my", "name: bad").replace("replicas: 2", "replicas: 0"))
    assert bad.rc == 1 and "spec.replicas" in bad.err


# -- kind: List: kubectl validates its items on the client, against /openapi/v2 as gnostic protobuf --

def _list(*docs: dict) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "List", "metadata": {}, "items": list(docs)})


def _samples(*names: str) -> list[dict]:
    from kubelite.api import yamlio

    return [d.data for n in names for d in yamlio.load_documents((SAMPLES / n).read_text(), n)]


def test_apply_of_a_kind_list_creates_its_items_then_is_unchanged(served):
    items = _samples("00-namespace.yaml", "20-web.yaml", "40-batch.yaml", "50-daemonset.yaml", "60-rbac.yaml")
    first = _ok(kubectl(served, "apply -f -", stdin=_list(*items))).splitlines()
    assert len(first) == len(items) and all(l.endswith(" created") for l in first), first
    assert "deployment.apps/web created" in first and "role.rbac.authorization.k8s.io/pod-reader created" in first
    second = _ok(kubectl(served, "apply -f -", stdin=_list(*items))).splitlines()
    assert second == [l.replace(" created", " unchanged") for l in first]


def test_get_as_yaml_piped_to_apply_round_trips_an_edit(served_idle):
    """No controllers run: the YAML carries resourceVersions, and a write in between is a 409 upstream too."""
    served = served_idle
    _ok(kubectl(served, ["apply", "-f", SAMPLES / "00-namespace.yaml", "-f", SAMPLES / "10-config.yaml",
                         "-f", SAMPLES / "20-web.yaml"]))
    got = _ok(kubectl(served, "get configmap/web-config deployment/web service/web -n shop -o yaml"))
    assert got.startswith("apiVersion: v1\nitems:") and "kind: List" in got and "LOG_LEVEL: info" in got
    out = _ok(kubectl(served, "apply -f -", stdin=got.replace("LOG_LEVEL: info", "LOG_LEVEL: debug")))
    assert [l.split()[0] for l in out.splitlines()] == ["configmap/web-config", "deployment.apps/web", "service/web"]
    cm = json.loads(_ok(kubectl(served, "get configmap web-config -n shop -o json")))
    assert cm["data"]["LOG_LEVEL"] == "debug"


def test_an_unknown_field_in_a_list_item_is_refused_by_kubectl_before_anything_is_written(served):
    good = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "good"}, "data": {"a": "b"}}
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bad"}, "data": {"a": "b"}, "bogus": 1}
    r = kubectl(served, "apply -f -", stdin=_list(good, bad))
    assert r.rc == 1
    assert 'error validating "STDIN": error validating data: ValidationError(ConfigMap): unknown field "bogus" in io.k8s.api.core.v1.ConfigMap;' in r.err
    assert "turn validation off with --validate=false" in r.err
    assert kubectl(served, "get configmap good").rc == 1  # validation runs before the first request
    deep = dict(_samples("20-web.yaml")[0])
    deep["spec"] = dict(deep["spec"], replicas="three")
    r = kubectl(served, "apply -f -", stdin=_list(deep))
    assert r.rc == 1 and 'ValidationError(Deployment.spec.replicas): invalid type for ' in r.err, r.err


def test_a_list_holds_custom_resources_whose_crd_declares_no_metadata(served):
    """The CRD's schema also has what Swagger 2.0 lacks (anyOf, nullable) and what kubectl's parser refuses."""
    crd = CRD + ("              port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}\n"
                 "              extra: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {a: {type: string}}}\n"
                 "              note: {type: string, nullable: true}\n"
                 "              tags: {type: array, x-kubernetes-preserve-unknown-fields: true, items: {type: string}}\n")
    _ok(kubectl(served, "apply -f -", stdin=crd))
    ct = {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "my", "labels": {"a": "b"}},
          "spec": {"cronSpec": "*/5 * * * *", "replicas": 2, "port": "http", "extra": {"zzz": 1}, "note": None,
                   "tags": ["x", "y"]}}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "beside"}, "data": {"a": "b"}}
    assert _ok(kubectl(served, "apply -f -", stdin=_list(ct, cm))).splitlines() == [
        "crontab.stable.example.com/my created", "configmap/beside created"]
    changed = kubectl(served, "apply -f -", stdin=_list(dict(ct, spec={"cronSpec": "* * * * *", "replicas": 3}), cm))
    assert changed.rc == 0 and changed.err == "", changed.err  # a merge patch, as for a custom resource upstream
    assert changed.out.splitlines() == ["crontab.stable.example.com/my configured", "configmap/beside unchanged"]
    r = kubectl(served, "apply -f -", stdin=_list(dict(ct, spec={"cronSpec": "x", "bogus": 1})))
    assert r.rc == 1 and 'ValidationError(CronTab.spec): unknown field "bogus" in com.example.stable.v1.CronTab.spec;' in r.err, r.err
