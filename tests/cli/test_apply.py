"""`kubelite apply`, `replace` and `diff`, end to end through the real command."""
from __future__ import annotations

import json
import subprocess

from tests.conftest import (KUBECTL, assert_every_object_valid, load_yaml, mtimes, needs_kubectl, one_line,
                            snapshot)

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
  annotations: {owner: team-a}
spec:
  replicas: 2
  minReadySeconds: 5
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: [{containerPort: 80}]
"""
WEB_V2 = WEB.replace("  minReadySeconds: 5\n", "").replace("  annotations: {owner: team-a}\n", "").replace("replicas: 2", "replicas: 3")
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {mode: prod}\n"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def kubectl_dry_run(*args: str) -> str:
    """`kubectl create ARGS --dry-run=client -o yaml` (flags before any `--` command)."""
    args = list(args)
    cut = args.index("--") if "--" in args else len(args)
    argv = [KUBECTL, "create", *args[:cut], "--dry-run=client", "-o", "yaml", *args[cut:]]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def get_json(kl, *args):
    rc, out, err = kl(["get", *args, "-o", "json"])
    assert rc == 0, err
    return json.loads(out)


@needs_kubectl
def test_a_kubectl_generated_deployment_piped_to_apply_succeeds_and_gets_upstream_defaults(kl, state):
    manifest = subprocess.run([KUBECTL, "create", "deployment", "web", "--image=nginx", "--replicas=3",
                               "--dry-run=client", "-o", "yaml"], capture_output=True, text=True, check=True).stdout
    assert kl("apply -f -", stdin=manifest) == (0, "deployment.apps/web created\n", "")
    rc, out, err = kl("get deploy web -o yaml")
    assert rc == 0, err
    d = load_yaml(out)
    spec = d["spec"]
    assert spec["replicas"] == 3
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (10, 600)
    pod = spec["template"]["spec"]
    assert (pod["restartPolicy"], pod["dnsPolicy"], pod["schedulerName"]) == ("Always", "ClusterFirst", "default-scheduler")
    assert pod["containers"][0]["imagePullPolicy"] == "Always"
    meta = d["metadata"]
    assert meta["generation"] == 1 and meta["namespace"] == "default" and meta["uid"] and meta["resourceVersion"]
    assert "kubectl.kubernetes.io/last-applied-configuration" in meta["annotations"]
    assert assert_every_object_valid(state) >= 5  # the bootstrap objects and the deployment


@needs_kubectl
def test_manifests_from_every_kubectl_generator_apply_cleanly(kl, state, tmp_path):
    gens = [
        ["job", "pi", "--image=perl", "--", "perl", "-e", "print 1"],
        ["cronjob", "backup", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"],
        ["configmap", "cfg", "--from-literal=a=b"],
        ["secret", "generic", "db", "--from-literal=password=s3cret"],
        ["service", "clusterip", "web", "--tcp=80:8080"],
        ["service", "nodeport", "np", "--tcp=80:8080"],
        ["service", "externalname", "ext", "--external-name=db.example.com"],
        ["namespace", "dev"],
        ["serviceaccount", "builder"],
        ["rolebinding", "rb", "--role=r", "--user=alice"],
        ["clusterrolebinding", "crb", "--clusterrole=cr", "--group=ops"],
        ["secret", "docker-registry", "reg", "--docker-username=u", "--docker-password=p"],
    ]
    docs = [kubectl_dry_run(*g) for g in gens]
    rc, out, err = kl(["apply", "-f", write(tmp_path, "all.yaml", "---\n".join(docs))])
    assert (rc, err) == (0, "")
    assert out.splitlines() == [
        "job.batch/pi created", "cronjob.batch/backup created", "configmap/cfg created", "secret/db created",
        "service/web created", "service/np created", "service/ext created", "namespace/dev created",
        "serviceaccount/builder created", "rolebinding.rbac.authorization.k8s.io/rb created",
        "clusterrolebinding.rbac.authorization.k8s.io/crb created", "secret/reg created",
    ]
    assert assert_every_object_valid(state) >= 16


def test_applying_the_same_file_twice_prints_unchanged_and_touches_no_file(kl, state, tmp_path):
    f = write(tmp_path, "app.yaml", WEB + "---\n" + CM)
    assert kl(["apply", "-f", f]) == (0, "deployment.apps/web created\nconfigmap/cfg created\n", "")
    before, times = snapshot(state), mtimes(state)
    assert kl(["apply", "-f", f]) == (0, "deployment.apps/web unchanged\nconfigmap/cfg unchanged\n", "")
    assert snapshot(state) == before
    assert mtimes(state) == times


def test_apply_removes_a_field_dropped_from_the_manifest_and_keeps_a_label_added_by_kubelite_label(kl, state, tmp_path):
    assert kl(["apply", "-f", write(tmp_path, "v1.yaml", WEB)])[0] == 0
    assert kl("label deploy web tier=frontend") == (0, "deployment.apps/web labeled\n", "")
    assert kl(["apply", "-f", write(tmp_path, "v2.yaml", WEB_V2)]) == (0, "deployment.apps/web configured\n", "")
    d = get_json(kl, "deploy", "web")
    assert "minReadySeconds" not in d["spec"]
    assert "owner" not in d["metadata"].get("annotations", {})
    assert d["spec"]["replicas"] == 3
    assert d["metadata"]["labels"] == {"app": "web", "tier": "frontend"}
    assert d["metadata"]["generation"] == 2
    assert d["spec"]["template"]["spec"]["containers"][0]["terminationMessagePath"] == "/dev/termination-log"
    assert_every_object_valid(state)


def test_apply_dry_run_prints_what_it_would_do_and_writes_nothing(kl, state, tmp_path):
    f = write(tmp_path, "cm.yaml", CM)
    before = snapshot(state)
    assert kl(["apply", "-f", f, "--dry-run=client"]) == (0, "configmap/cfg created (dry run)\n", "")
    assert kl(["apply", "-f", f, "--dry-run=server"]) == (0, "configmap/cfg created (server dry run)\n", "")
    assert snapshot(state) == before
    assert kl(["apply", "-f", f, "--dry-run=bogus"])[0] == 1


def test_server_side_apply_records_its_manager_and_a_second_apply_touches_no_file(kl, state, tmp_path):
    f = write(tmp_path, "app.yaml", WEB + "---\n" + CM)
    out = "deployment.apps/web serverside-applied\nconfigmap/cfg serverside-applied\n"
    assert kl(["apply", "--server-side", "-f", f]) == (0, out, "")
    d = get_json(kl, "deploy", "web")
    assert "kubectl.kubernetes.io/last-applied-configuration" not in d["metadata"]["annotations"]
    (entry,) = d["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == ("kubectl", "Apply", "apps/v1")
    assert entry["fieldsV1"]["f:spec"]["f:replicas"] == {}
    before, times = snapshot(state), mtimes(state)
    assert kl(["apply", "--server-side", "-f", f]) == (0, out, "")  # kubectl's word, also when nothing changed
    assert snapshot(state) == before and mtimes(state) == times
    assert_every_object_valid(state)


def test_server_side_apply_removes_fields_its_manager_no_longer_applies(kl, tmp_path):
    assert kl(["apply", "--server-side", "-f", write(tmp_path, "v1.yaml", WEB)])[0] == 0
    assert kl(["apply", "--server-side", "-f", write(tmp_path, "v2.yaml", WEB_V2)]) == (0, "deployment.apps/web serverside-applied\n", "")
    d = get_json(kl, "deploy", "web")
    assert "minReadySeconds" not in d["spec"] and "owner" not in d["metadata"].get("annotations", {})
    assert d["spec"]["replicas"] == 3 and d["metadata"]["generation"] == 2


def test_server_side_apply_refuses_another_managers_field_until_forced(kl, tmp_path):
    assert kl(["apply", "--server-side", "--field-manager", "team-a", "-f", write(tmp_path, "a.yaml", WEB)])[0] == 0
    b = write(tmp_path, "b.yaml", WEB.replace("replicas: 2", "replicas: 5"))
    rc, out, err = kl(["apply", "--server-side", "--field-manager", "team-b", "-f", b])
    assert rc == 1 and out == ""
    assert err == ('error: Apply failed with 1 conflict: conflict with "team-a" using apps/v1: .spec.replicas '
                   "(re-run with --force-conflicts to take these fields over)\n")
    assert get_json(kl, "deploy", "web")["spec"]["replicas"] == 2
    assert kl(["apply", "--server-side", "--field-manager", "team-b", "--force-conflicts", "-f", b])[0] == 0
    d = get_json(kl, "deploy", "web")
    assert d["spec"]["replicas"] == 5
    owners = {m["manager"]: m["fieldsV1"]["f:spec"] for m in d["metadata"]["managedFields"]}
    assert "f:replicas" in owners["team-b"] and "f:replicas" not in owners.get("team-a", {})
    rc, _, err = kl(["apply", "--force-conflicts", "-f", b])
    assert rc == 1 and err == "error: --force-conflicts only works with --server-side\n"


def test_server_side_apply_takes_an_object_over_its_annotation_limit_that_client_side_refuses(kl, tmp_path):
    big = CM.replace("data: {mode: prod}", "data: {blob: " + "x" * 300_000 + "}")
    f = write(tmp_path, "big.yaml", big)
    rc, _, err = kl(["apply", "-f", f])
    assert rc == 1 and 'The ConfigMap "cfg" is invalid: metadata.annotations: Too long: must have at most 262144 bytes' in err
    assert kl(["apply", "--server-side", "-f", f]) == (0, "configmap/cfg serverside-applied\n", "")
    assert kl(["apply", "--server-side", "-f", f, "--dry-run=server"]) == (0, "configmap/cfg serverside-applied (server dry run)\n", "")


def test_apply_walks_a_directory_and_with_dash_r_its_subdirectories(kl, tmp_path):
    d = tmp_path / "manifests"
    (d / "nested").mkdir(parents=True)
    write(d, "a.yaml", CM)
    write(d, "b.json", json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "from-json"}}))
    write(d, "README.md", "not a manifest")
    write(d / "nested", "c.yml", CM.replace("cfg", "nested"))
    assert kl(["apply", "-f", d]) == (0, "configmap/cfg created\nconfigmap/from-json created\n", "")
    assert kl(["apply", "-R", "-f", d])[1].splitlines() == [
        "configmap/cfg unchanged", "configmap/from-json unchanged", "configmap/nested created"]


def test_apply_expands_a_kind_list(kl):
    lst = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "b"}}]}
    assert kl("apply -f -", stdin=json.dumps(lst)) == (0, "configmap/a created\nserviceaccount/b created\n", "")


def test_apply_output_name_and_yaml(kl):
    assert kl("apply -f - -o name", stdin=CM) == (0, "configmap/cfg\n", "")
    rc, out, _ = kl("apply -f - -o yaml", stdin=CM)
    assert rc == 0 and load_yaml(out)["data"] == {"mode": "prod"}


def test_apply_places_objects_in_the_namespace_flag_and_refuses_a_conflicting_one(kl, tmp_path):
    assert kl("create namespace dev")[0] == 0
    assert kl("apply -n dev -f -", stdin=CM) == (0, "configmap/cfg created\n", "")
    assert kl("get cm cfg -n dev -o name") == (0, "configmap/cfg\n", "")
    rc, out, err = kl("apply -n other -f -", stdin=CM.replace("name: cfg}", "name: cfg, namespace: dev}"))
    assert rc == 1 and out == ""
    assert one_line(err) == ('error: the namespace from the provided object "dev" does not match the namespace "other". '
                             "You must pass '--namespace=dev' to perform this operation.")


def test_apply_into_a_namespace_that_does_not_exist_is_not_found_and_writes_nothing(kl, state):
    before = snapshot(state)
    rc, out, err = kl("apply -f -", stdin=CM + "---\n" + CM.replace("cfg}", "cfg2, namespace: nope}"))
    assert (rc, out) == (1, "")
    assert one_line(err) == 'Error from server (NotFound): namespaces "nope" not found'
    assert snapshot(state) == before


def test_apply_can_create_a_namespace_and_objects_in_it_in_one_go(kl):
    ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n"
    rc, out, err = kl("apply -f -", stdin=ns + "---\n" + CM.replace("cfg}", "cfg, namespace: team}"))
    assert (rc, out, err) == (0, "namespace/team created\nconfigmap/cfg created\n", "")


def test_apply_of_an_immutable_field_change_is_refused_and_writes_nothing(kl, state, tmp_path):
    assert kl(["apply", "-f", write(tmp_path, "v1.yaml", WEB)])[0] == 0
    before = snapshot(state)
    changed = WEB.replace("{matchLabels: {app: web}}", "{matchLabels: {app: web, v: '2'}}").replace(
        "metadata: {labels: {app: web}}", "metadata: {labels: {app: web, v: '2'}}")
    rc, out, err = kl(["apply", "-f", write(tmp_path, "v2.yaml", changed)])
    assert (rc, out) == (1, "")
    assert "spec.selector" in one_line(err) and "field is immutable" in err
    assert snapshot(state) == before


# -- replace --------------------------------------------------------------------------

def test_replace_with_a_stale_resource_version_is_a_conflict_and_writes_nothing(kl, state, tmp_path):
    assert kl(["apply", "-f", write(tmp_path, "web.yaml", WEB)])[0] == 0
    rc, live, _ = kl("get deploy web -o yaml")
    stale = write(tmp_path, "live.yaml", live.replace("replicas: 2", "replicas: 7"))
    assert kl("scale deploy web --replicas=4")[0] == 0
    before = snapshot(state)
    rc, out, err = kl(["replace", "-f", stale])
    assert (rc, out) == (1, "")
    assert one_line(err) == ('Error from server (Conflict): Operation cannot be fulfilled on deployments.apps "web": '
                             "the object has been modified; please apply your changes to the latest version and try again")
    assert snapshot(state) == before


def test_replace_with_the_current_resource_version_replaces_the_object(kl, tmp_path):
    assert kl(["apply", "-f", write(tmp_path, "web.yaml", WEB)])[0] == 0
    live = kl("get deploy web -o yaml").out
    assert kl(["replace", "-f", write(tmp_path, "live.yaml", live.replace("replicas: 2", "replicas: 7"))]) == (
        0, "deployment.apps/web replaced\n", "")
    assert kl("get deploy web -o jsonpath={.spec.replicas}").out == "7"


def test_replacing_an_object_that_does_not_exist_is_not_found(kl):
    rc, out, err = kl("replace -f -", stdin=CM)
    assert rc == 1 and one_line(err) == 'Error from server (NotFound): configmaps "cfg" not found'


# -- diff -----------------------------------------------------------------------------

def test_diff_shows_what_apply_would_change_and_exits_1(kl, state, tmp_path):
    assert kl(["apply", "-f", write(tmp_path, "v1.yaml", WEB)])[0] == 0
    before = snapshot(state)
    rc, out, err = kl(["diff", "-f", write(tmp_path, "v2.yaml", WEB_V2)])
    assert rc == 1, err
    assert "--- LIVE/apps.v1.Deployment.default.web" in out
    assert "+++ MERGED/apps.v1.Deployment.default.web" in out
    assert "-  minReadySeconds: 5" in out and "-  replicas: 2" in out and "+  replicas: 3" in out
    assert snapshot(state) == before


def test_diff_of_an_applied_manifest_is_empty_and_exits_0(kl, tmp_path):
    f = write(tmp_path, "v1.yaml", WEB)
    assert kl(["apply", "-f", f])[0] == 0
    assert kl(["diff", "-f", f]) == (0, "", "")
