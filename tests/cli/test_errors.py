"""Bad input never writes anything: each is one clear line on stderr and a non-zero exit.

Every case runs against a state directory that already holds objects, and checks it is
unchanged byte for byte afterwards.
"""
from __future__ import annotations

import time

import pytest

from tests.conftest import one_line, snapshot

GOOD_CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\ndata:\n  a: '1'\n"
DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
"""


def _bomb(levels: int = 9) -> str:
    lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', 'data:',
             '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"  l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# (id, manifest, what stderr must say)
CASES = [
    ("yaml-that-does-not-parse", "apiVersion: v1\nkind: [ConfigMap\n", ['"bad.yaml" (document 1): yaml: line']),
    ("unknown-kind", "apiVersion: v1\nkind: Widget\nmetadata: {name: w}\n",
     ['resource mapping not found for kind "Widget" in version "v1" in "bad.yaml" (document 1)']),
    ("unknown-api-version", "apiVersion: apps/v9\nkind: Deployment\nmetadata: {name: w}\n",
     ['resource mapping not found for kind "Deployment" in version "apps/v9"', 'did you mean apiVersion "apps/v1"?']),
    ("misspelled-built-in-kind", "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: w}\n",
     ['no matches for kind "Deploymnet" in version "apps/v1"; did you mean kind "Deployment"?']),
    ("kind-a-crd-could-supply", "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: w}\n",
     ['kind "CronTab" in version "stable.example.com/v1" in "bad.yaml" (document 1): ensure CRDs are installed first']),
    ("missing-kind", "apiVersion: v1\nmetadata: {name: w}\n", ['error validating "bad.yaml" (document 1): kind not set']),
    ("a-list-document", "- a\n- b\n", ['"bad.yaml" (document 1)', "must be a mapping", "not a list"]),
    ("a-scalar-document", "hello\n", ['"bad.yaml" (document 1)', "not a string"]),
    ("duplicate-keys", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: {a: '1'}\ndata: {b: '2'}\n",
     ['"bad.yaml" (document 1): yaml: line 5: mapping key "data" already defined']),
    ("alias-bomb", _bomb(), ['"bad.yaml" (document 1): yaml: document contains excessive aliasing']),
    ("deep-nesting", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: " + "[" * 1000 + "]" * 1000 + "\n",
     ['"bad.yaml" (document 1): yaml: exceeded max depth']),
    ("wrong-type", DEPLOY.replace("replicas: 1", "replicas: three"),
     ['error validating "bad.yaml" (document 1): The Deployment "web" is invalid: spec.replicas: Invalid value: "three": must be of type integer']),
    ("unknown-field", DEPLOY.replace("        image: nginx\n", "        image: nginx\n        imag: typo\n"),
     ['unknown field "spec.template.spec.containers[0].imag"']),
    ("unknown-top-level-field", GOOD_CM + "extra: 1\n", ['The ConfigMap "ok" is invalid: unknown field "extra"']),
    ("deployment-without-selector-or-template", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n",
     ["spec.selector: Required value", "spec.template: Required value"]),
    ("container-without-image", DEPLOY.replace("        image: nginx\n", ""),
     ["spec.template.spec.containers[0].image: Required value"]),
    ("container-without-name", DEPLOY.replace("      - name: web\n        image: nginx\n", "      - image: nginx\n"),
     ["spec.template.spec.containers[0].name: Required value"]),
    ("missing-metadata", "apiVersion: v1\nkind: ConfigMap\n", ['error validating "bad.yaml" (document 1): ConfigMap: metadata: Required value']),
    ("missing-name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n", ["metadata.name: Required value"]),
    ("invalid-name", GOOD_CM.replace("name: ok", "name: Not_OK"), ['metadata.name: Invalid value: "Not_OK"']),
    ("selector-not-matching-template", DEPLOY.replace("matchLabels: {app: web}", "matchLabels: {app: other}"),
     ["`selector` does not match template `labels`"]),
    ("bad-quantity", DEPLOY.replace("        image: nginx\n", "        image: nginx\n        resources: {requests: {cpu: 1.1.M}}\n"),
     ["spec.template.spec.containers[0].resources.requests[cpu]: Invalid value: \"1.1.M\""]),
    ("zero-surge-and-unavailable", DEPLOY.replace("  replicas: 1\n", "  replicas: 1\n  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}\n"),
     ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"]),
    ("port-out-of-range", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 70000}]}\n",
     ["spec.ports[0].port: Invalid value: 70000"]),
    ("not-utf8", b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \xff}\n", ['"bad.yaml": invalid UTF-8 at byte']),
    ("nul-byte", b"apiVersion: v1\x00\n", ['"bad.yaml": contains a NUL byte']),
    ("too-large", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {a: '" + "x" * (3 * 1024 * 1024) + "'}\n",
     ["Request entity too large: limit is 3145728 bytes"]),
]


@pytest.fixture
def populated(api, booted):
    """A state directory holding some objects already."""
    api.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "existing"}, "data": {"k": "v"}})
    return booted


# `create -f` reads and validates through the same path; a few cases check it does too.
_CREATE_TOO = {"yaml-that-does-not-parse", "unknown-kind", "duplicate-keys", "alias-bomb", "wrong-type", "unknown-field"}
_RUNS = [pytest.param("apply", c[1], c[2], id=f"apply-{c[0]}") for c in CASES] + \
        [pytest.param("create", c[1], c[2], id=f"create-{c[0]}") for c in CASES if c[0] in _CREATE_TOO]


@pytest.mark.parametrize("verb, text, expected", _RUNS)
def test_bad_input_exits_non_zero_with_one_line_naming_the_problem_and_writes_nothing(kl, populated, tmp_path, verb, text, expected):
    f = tmp_path / "bad.yaml"
    f.write_bytes(text if isinstance(text, bytes) else text.encode())
    before = snapshot(populated)
    t = time.monotonic()
    rc, out, err = kl([verb, "-f", "bad.yaml"], cwd=tmp_path)
    assert time.monotonic() - t < 30  # a hang detector, not a speed check
    assert rc != 0 and out == ""
    line = one_line(err)
    for fragment in expected:
        assert fragment in line, line
    assert snapshot(populated) == before


def test_a_multi_document_apply_with_one_bad_document_writes_none(kl, populated, tmp_path):
    f = tmp_path / "app.yaml"
    f.write_text(GOOD_CM + "---\n" + DEPLOY + "---\n" + DEPLOY.replace("name: web\nspec", "name: Bad_Name\nspec"))
    before = snapshot(populated)
    rc, out, err = kl(["apply", "-f", "app.yaml"], cwd=tmp_path)
    assert (rc, out) == (1, "")
    assert one_line(err).startswith('error: error validating "app.yaml" (document 3): The Deployment "Bad_Name" is invalid: metadata.name')
    assert snapshot(populated) == before


def test_a_bad_file_among_good_files_of_a_directory_writes_nothing(kl, populated, tmp_path):
    d = tmp_path / "manifests"
    d.mkdir()
    (d / "a.yaml").write_text(GOOD_CM)
    (d / "b.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nmetadata: {name: y}\n")
    before = snapshot(populated)
    rc, out, err = kl(["apply", "-f", d])
    assert (rc, out) == (1, "")
    assert 'mapping key "metadata" already defined' in one_line(err)
    assert snapshot(populated) == before


def test_bad_input_on_stdin_names_stdin(kl, populated):
    rc, out, err = kl("apply -f -", stdin="kind: [\n")
    assert rc == 1 and one_line(err).startswith('error: "STDIN" (document 1): yaml: line')


def test_a_path_that_does_not_exist_is_an_error(kl, populated):
    before = snapshot(populated)
    rc, out, err = kl("apply -f /no/such/file.yaml")
    assert rc == 1 and one_line(err) == 'error: the path "/no/such/file.yaml" does not exist'
    assert snapshot(populated) == before


def test_apply_without_files_is_a_usage_error(kl, populated):
    rc, out, err = kl("apply")
    assert rc == 1 and one_line(err) == "error: must specify one of -f and -k"


def test_an_empty_manifest_is_an_error(kl, populated):
    rc, out, err = kl("apply -f -", stdin="# nothing here\n---\n")
    assert rc == 1 and one_line(err) == "error: no objects passed to apply"


def test_unknown_commands_and_flags_exit_1(kl):
    rc, out, err = kl("frobnicate")
    assert rc == 1 and one_line(err) == 'error: unknown command "frobnicate" for "kubelite"'
    rc, out, err = kl("get pods --frobnicate")
    assert rc == 1 and err.startswith("error: No such option '--frobnicate'")


def test_an_unparseable_kubelite_now_is_a_clear_error(kl):
    rc, out, err = kl("get pods", now="yesterday")
    assert rc == 1 and "KUBELITE_NOW='yesterday' is not an RFC 3339 time" in one_line(err)


def test_a_corrupt_object_file_is_skipped_in_lists_with_a_warning(kl, populated):
    bad = populated / "registry/configmaps/default/broken.yaml"
    bad.write_text("a: [unclosed\n")
    rc, out, err = kl("get cm -o custom-columns=NAME:.metadata.name --no-headers")
    assert (rc, out) == (0, "existing\n")
    assert one_line(err).startswith(f"Warning: skipping unreadable object file {bad}")
    rc, out, err = kl("get cm -o name")  # names come from file names: no file is opened
    assert (rc, out, err) == (0, "configmap/broken\nconfigmap/existing\n", "")


@pytest.mark.parametrize("manifest, hint", [
    ("apiVersion: v1\nkind: ConfigMapp\n", 'no matches for kind "ConfigMapp" in version "v1"; did you mean kind "ConfigMap"?'),
    ("apiVersion: networking.k8s.io/v1\nkind: Ingres\n", 'did you mean kind "Ingress"?'),
    ("apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\n", 'did you mean apiVersion "autoscaling/v2"?'),
    ("apiVersion: apps/v1\nkind: Flurb\n", 'no matches for kind "Flurb" in version "apps/v1"'),
    ("apiVersion: widgets/v1\nkind: Widget\n", 'no matches for kind "Widget" in version "widgets/v1"'),
])
def test_crds_are_suggested_only_where_a_crd_could_supply_the_kind(kl, manifest, hint):
    rc, _, err = kl("apply -f -", stdin=manifest + "metadata: {name: w}\n")
    line = one_line(err)
    assert rc == 1 and line.endswith(hint), line
    assert "CRD" not in line


@pytest.mark.parametrize("word, suggestion", [("deploymnet", "deployment"), ("ingres", "ingress"),
                                              ("netpols", "netpol"), ("prioritycalss", "priorityclass")])
def test_a_misspelled_resource_type_gets_the_closest_one(kl, word, suggestion):
    rc, _, err = kl(["get", word])
    assert rc == 1
    assert one_line(err) == f'error: the server doesn\'t have a resource type "{word}"; did you mean "{suggestion}"?'


def test_a_resource_type_nothing_is_close_to_gets_no_suggestion(kl):
    rc, _, err = kl("get flurbs")
    assert (rc, one_line(err)) == (1, 'error: the server doesn\'t have a resource type "flurbs"')
