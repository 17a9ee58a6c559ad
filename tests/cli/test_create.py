"""`kubelite create -f` and the generators, end to end through the real command."""
from __future__ import annotations

import base64
import json
import subprocess

import pytest

from tests.conftest import KUBECTL, assert_every_object_valid, load_yaml, needs_kubectl, one_line, snapshot

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: '1'}\n"


def test_create_from_a_file_creates_and_a_second_time_is_already_exists(kl, state, tmp_path):
    f = tmp_path / "cm.yaml"
    f.write_text(CM)
    assert kl(["create", "-f", f]) == (0, "configmap/cfg created\n", "")
    before = snapshot(state)
    rc, out, err = kl(["create", "-f", f])
    assert (rc, out) == (1, "")
    assert one_line(err) == f'Error from server (AlreadyExists): error when creating "{f}": configmaps "cfg" already exists'
    assert snapshot(state) == before


def test_create_does_not_record_a_last_applied_configuration(kl):
    assert kl("create -f -", stdin=CM)[0] == 0
    meta = json.loads(kl("get cm cfg -o json").out)["metadata"]
    assert "kubectl.kubernetes.io/last-applied-configuration" not in (meta.get("annotations") or {})


def test_create_deployment_makes_a_defaulted_deployment(kl, state):
    assert kl("create deployment web --image=nginx:1.25 --replicas=3 --port=80") == (0, "deployment.apps/web created\n", "")
    d = json.loads(kl("get deploy web -o json").out)
    assert d["metadata"]["labels"] == {"app": "web"}
    assert d["spec"]["replicas"] == 3
    assert d["spec"]["selector"] == {"matchLabels": {"app": "web"}}
    c = d["spec"]["template"]["spec"]["containers"][0]
    assert (c["name"], c["image"], c["ports"], c["imagePullPolicy"]) == ("nginx", "nginx:1.25", [{"containerPort": 80, "protocol": "TCP"}], "IfNotPresent")
    assert d["spec"]["strategy"]["type"] == "RollingUpdate"
    assert_every_object_valid(state)


def test_create_namespace_and_then_objects_in_it(kl):
    assert kl("create namespace dev") == (0, "namespace/dev created\n", "")
    assert kl("create serviceaccount builder -n dev") == (0, "serviceaccount/builder created\n", "")
    assert "serviceaccount/builder" in kl("get sa -n dev -o name").out.split()


def test_create_in_a_namespace_that_does_not_exist_is_not_found(kl):
    rc, out, err = kl("create configmap x -n nope --from-literal=a=b")
    assert rc == 1 and one_line(err) == 'Error from server (NotFound): namespaces "nope" not found'


def test_create_job_and_cronjob(kl, state):
    assert kl("create job pi --image=perl -- perl -e 'print 1'") == (0, "job.batch/pi created\n", "")
    assert kl(["create", "cronjob", "backup", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"]) == (0, "cronjob.batch/backup created\n", "")
    assert kl("create job manual --from=cronjob/backup") == (0, "job.batch/manual created\n", "")
    jobs = {j["metadata"]["name"]: j for j in json.loads(kl("get jobs -o json").out)["items"]}
    assert jobs["pi"]["spec"]["template"]["spec"]["containers"][0]["command"] == ["perl", "-e", "print 1"]
    assert jobs["pi"]["spec"]["backoffLimit"] == 6
    assert jobs["manual"]["metadata"]["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual"}
    assert jobs["manual"]["metadata"]["ownerReferences"][0]["name"] == "backup"
    assert_every_object_valid(state)


def test_create_configmap_and_secret_from_literals_files_and_env_files(kl, state, tmp_path):
    (tmp_path / "app.conf").write_text("x=1\n")
    (tmp_path / "blob.bin").write_bytes(b"\xff\x00\xfe")
    (tmp_path / "vars.env").write_text("# comment\nA=1\n\nB=two words\n")
    rc, out, err = kl(["create", "configmap", "cfg", "--from-literal=mode=prod", f"--from-file={tmp_path / 'app.conf'}",
                       f"--from-file=raw={tmp_path / 'blob.bin'}", f"--from-env-file={tmp_path / 'vars.env'}"])
    assert (rc, out, err) == (0, "configmap/cfg created\n", "")
    cm = json.loads(kl("get cm cfg -o json").out)
    assert cm["data"] == {"mode": "prod", "app.conf": "x=1\n", "A": "1", "B": "two words"}
    assert cm["binaryData"] == {"raw": base64.b64encode(b"\xff\x00\xfe").decode()}
    assert kl("create secret generic db --from-literal=password=s3cret") == (0, "secret/db created\n", "")
    s = json.loads(kl("get secret db -o json").out)
    assert (s["type"], s["data"]) == ("Opaque", {"password": base64.b64encode(b"s3cret").decode()})
    assert_every_object_valid(state)


def test_create_service_clusterip_with_ports(kl):
    assert kl("create service clusterip web --tcp=80:8080 --tcp=443") == (0, "service/web created\n", "")
    svc = json.loads(kl("get svc web -o json").out)
    assert svc["spec"]["ports"] == [
        {"name": "80-8080", "port": 80, "protocol": "TCP", "targetPort": 8080},
        {"name": "443-443", "port": 443, "protocol": "TCP", "targetPort": 443}]
    assert svc["spec"]["selector"] == {"app": "web"} and svc["spec"]["type"] == "ClusterIP"


def test_a_generator_with_an_invalid_name_is_refused(kl):
    rc, out, err = kl("create namespace Bad_Name")
    assert rc == 1 and out == ""
    assert one_line(err).startswith('The Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"')


def test_a_generator_without_its_required_flag_is_a_usage_error(kl):
    rc, out, err = kl("create deployment web")
    assert rc == 1 and out == "" and "--image" in err


GENERATORS = [
    ["deployment", "web", "--image=nginx", "--replicas=3"],
    ["deployment", "web", "--image=nginx:1.25", "--port=80"],
    ["job", "pi", "--image=perl", "--", "perl", "-e", "print 1"],
    ["cronjob", "backup", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"],
    ["namespace", "dev"],
    ["configmap", "cfg", "--from-literal=a=b", "--from-literal=c=d"],
    ["secret", "generic", "db", "--from-literal=password=s3cret"],
    ["serviceaccount", "builder"],
    ["service", "clusterip", "web", "--tcp=80:8080"],
]


@needs_kubectl
@pytest.mark.parametrize("args", GENERATORS, ids=lambda a: "-".join(a[:2]))
def test_dry_run_yaml_of_a_generator_is_the_object_kubectl_prints(kl, args):
    cut = args.index("--") if "--" in args else len(args)
    with_flags = ["create", *args[:cut], "--dry-run=client", "-o", "yaml", *args[cut:]]
    expected = subprocess.run([KUBECTL, *with_flags], capture_output=True, text=True, check=True).stdout
    rc, out, err = kl(with_flags)
    assert (rc, err) == (0, "")
    assert load_yaml(out) == load_yaml(expected)
    # Same layout too: key order and indentation, whatever the quoting style of strings.
    assert [line.split(":")[0] for line in out.splitlines()] == [line.split(":")[0] for line in expected.splitlines()]


def test_a_client_dry_run_creates_nothing(kl, state):
    before = snapshot(state)
    assert kl("create deployment web --image=nginx --dry-run=client") == (0, "deployment.apps/web created (dry run)\n", "")
    assert kl("create deployment web --image=nginx --dry-run=server -o name") == (0, "deployment.apps/web\n", "")
    assert snapshot(state) == before
