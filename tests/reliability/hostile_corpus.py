"""The hostile-input corpus of tests/data/hostile/: small entries committed as files, and the
huge ones (a 50 MB document, nesting 10,000 deep) made at test time.

    python -m tests.reliability.hostile_corpus     # rewrite the committed files

Every entry must make `kubelite apply -f ENTRY` exit non-zero in under 2 s, with exactly one
line on stderr (no traceback), leaving the state directory byte for byte unchanged.
"""
from __future__ import annotations

import copy
import json
import random
from pathlib import Path

from tests.conftest import REPO

CORPUS = REPO / "tests" / "data" / "hostile"

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}, "annotations": {"team": "a"}},
    "spec": {
        "replicas": 2, "revisionHistoryLimit": 10,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "nodeSelector": {"disk": "ssd"},
                "tolerations": [{"key": "k", "operator": "Exists"}],
                "volumes": [{"name": "data", "emptyDir": {}}],
                "containers": [{
                    "name": "web", "image": "nginx:1.27", "command": ["nginx"], "args": ["-g", "daemon off;"],
                    "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    "env": [{"name": "A", "value": "b"}],
                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                }],
            },
        },
    },
}
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "b"}}
ROLE = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "reader"},
        "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}

# Every level of the Deployment above, given a value of the wrong type.
WRONG_TYPES: list[tuple[str, tuple, object]] = [
    ("apiversion-int", ("apiVersion",), 1),
    ("kind-list", ("kind",), ["Deployment"]),
    ("metadata-string", ("metadata",), "web"),
    ("metadata-list", ("metadata",), ["web"]),
    ("name-int", ("metadata", "name"), 123),
    ("name-map", ("metadata", "name"), {"a": "b"}),
    ("labels-list", ("metadata", "labels"), ["app"]),
    ("label-value-int", ("metadata", "labels", "app"), 5),
    ("label-value-map", ("metadata", "labels", "app"), {"x": "y"}),
    ("annotations-string", ("metadata", "annotations"), "team=a"),
    ("annotation-value-list", ("metadata", "annotations", "team"), ["a"]),
    ("spec-list", ("spec",), []),
    ("spec-string", ("spec",), "replicas: 2"),
    ("replicas-string", ("spec", "replicas"), "2"),
    ("replicas-float", ("spec", "replicas"), 1.5),
    ("replicas-bool", ("spec", "replicas"), True),
    ("replicas-null-map", ("spec", "replicas"), {"n": 2}),
    ("revisionhistorylimit-string", ("spec", "revisionHistoryLimit"), "ten"),
    ("selector-string", ("spec", "selector"), "app=web"),
    ("matchlabels-list", ("spec", "selector", "matchLabels"), ["app"]),
    ("matchlabels-value-map", ("spec", "selector", "matchLabels", "app"), {"x": "y"}),
    ("strategy-string", ("spec", "strategy"), "Recreate"),
    ("maxsurge-list", ("spec", "strategy", "rollingUpdate", "maxSurge"), [1]),
    ("template-int", ("spec", "template"), 7),
    ("template-metadata-list", ("spec", "template", "metadata"), []),
    ("template-labels-string", ("spec", "template", "metadata", "labels"), "app=web"),
    ("podspec-string", ("spec", "template", "spec"), "containers"),
    ("nodeselector-list", ("spec", "template", "spec", "nodeSelector"), ["disk"]),
    ("tolerations-string", ("spec", "template", "spec", "tolerations"), "all"),
    ("volumes-map", ("spec", "template", "spec", "volumes"), {"data": {}}),
    ("containers-map", ("spec", "template", "spec", "containers"), {"name": "web", "image": "nginx"}),
    ("containers-string", ("spec", "template", "spec", "containers"), "nginx"),
    ("container-string", ("spec", "template", "spec", "containers", 0), "nginx"),
    ("container-null", ("spec", "template", "spec", "containers", 0), None),
    ("container-name-int", ("spec", "template", "spec", "containers", 0, "name"), 5),
    ("image-list", ("spec", "template", "spec", "containers", 0, "image"), ["nginx"]),
    ("command-string", ("spec", "template", "spec", "containers", 0, "command"), "nginx -g"),
    ("args-map", ("spec", "template", "spec", "containers", 0, "args"), {"g": "daemon off;"}),
    ("ports-string", ("spec", "template", "spec", "containers", 0, "ports"), "80"),
    ("containerport-string", ("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"), "http"),
    ("containerport-float", ("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"), 80.5),
    ("env-map", ("spec", "template", "spec", "containers", 0, "env"), {"A": "b"}),
    ("env-value-int", ("spec", "template", "spec", "containers", 0, "env", 0, "value"), 5),
    ("resources-list", ("spec", "template", "spec", "containers", 0, "resources"), []),
    ("requests-string", ("spec", "template", "spec", "containers", 0, "resources", "requests"), "1"),
    ("request-cpu-map", ("spec", "template", "spec", "containers", 0, "resources", "requests", "cpu"), {"a": 1}),
    ("volumemounts-string", ("spec", "template", "spec", "containers", 0, "volumeMounts"), "/data"),
]

NUMBERS: list[tuple[str, tuple, object]] = [
    ("replicas-negative", ("spec", "replicas"), -1),
    ("replicas-2-to-the-31", ("spec", "replicas"), 2**31),
    ("replicas-2-to-the-63", ("spec", "replicas"), 2**63),
    ("replicas-2-to-the-64", ("spec", "replicas"), 2**64),
    ("replicas-10-to-the-30", ("spec", "replicas"), 10**30),
    ("replicas-huge-negative", ("spec", "replicas"), -(10**30)),
    ("containerport-0", ("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"), 0),
    ("containerport-65536", ("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"), 65536),
    ("revisionhistorylimit-negative", ("spec", "revisionHistoryLimit"), -5),
    ("grace-period-negative", ("spec", "template", "spec", "terminationGracePeriodSeconds"), -30),
    ("progress-deadline-2-to-the-63", ("spec", "progressDeadlineSeconds"), 2**63),
]


def _set(doc: dict, path: tuple, value) -> dict:
    out = copy.deepcopy(doc)
    d = out
    for p in path[:-1]:
        d = d[p]
    d[path[-1]] = value
    return out


def _yaml(obj) -> str:
    return json.dumps(obj, indent=1) + "\n"  # JSON is YAML, and keeps huge numbers exact


def static_entries() -> dict[str, bytes]:
    """file name -> bytes of every committed corpus entry."""
    e: dict[str, bytes] = {}

    def put(name: str, text: str | bytes) -> None:
        e[name] = text.encode("utf-8") if isinstance(text, str) else text

    def cm_named(name: str, namespace: str | None = None) -> str:
        meta = {"name": name} | ({"namespace": namespace} if namespace is not None else {})
        return _yaml({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"a": "b"}})

    def role_named(name: str) -> str:
        return _yaml(_set(ROLE, ("metadata", "name"), name))

    # names and namespaces
    put("name-dotdot.yaml", cm_named("../../../../etc/passwd"))
    put("name-dotdot-secret.yaml", cm_named("../../secrets/default/topsecret"))
    put("name-dotdot-role.yaml", role_named("../../secrets/default/topsecret"))
    put("name-dot-role.yaml", role_named("."))
    put("name-dotdot-only-role.yaml", role_named(".."))
    put("name-leading-dot-role.yaml", role_named(".hidden"))
    put("name-slash.yaml", cm_named("a/b"))
    put("name-slash-role.yaml", role_named("team/reader"))
    put("name-nul-escape.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "web\\0x"\ndata: {a: b}\n')
    put("name-nul-role.yaml", 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: "a\\0b"\nrules: []\n')
    put("name-nul-raw.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\x00x\n")
    put("name-upper.yaml", _yaml(_set(DEPLOYMENT, ("metadata", "name"), "Web")))
    put("name-too-long.yaml", cm_named("a" * 254))
    put("name-too-long-for-a-file.yaml", cm_named("b" * 240))
    put("name-too-long-role.yaml", role_named("r" * 300))
    put("name-empty.yaml", cm_named(""))
    put("name-newline.yaml", cm_named("a\nb"))
    put("name-newline-role.yaml", role_named("a\nb"))
    put("name-terminal-escape-role.yaml", role_named("\x1b[31mred\x1b[0m"))
    put("name-unicode.yaml", cm_named("wéb-☃"))
    put("name-surrogate.yaml", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a\\ud800b"}}\n')
    put("namespace-dotdot.yaml", cm_named("ok", "../.."))
    put("namespace-slash.yaml", cm_named("ok", "kube-system/../default"))
    put("namespace-upper.yaml", cm_named("ok", "Default"))
    put("namespace-nul.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: "de\\0fault"\n')
    put("namespace-missing.yaml", cm_named("ok", "no-such-namespace"))
    # YAML attacks
    lol = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: bomb}', 'data:',
           '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lol += [f"  l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    put("alias-bomb-lists.yaml", "\n".join(lol) + "\n")
    maps = ["a0: &a0 {k0: v, k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v, k8: v}"]
    maps += [f"a{i}: &a{i} {{" + ", ".join(f"x{j}: *a{i - 1}" for j in range(9)) + "}" for i in range(1, 10)]
    put("alias-bomb-maps.yaml", "\n".join(maps) + "\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n")
    merge = ["base: &b {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}"]
    merge += [f"m{i}: &m{i}\n  <<: [*b]\n  " + "\n  ".join(f"n{j}: *{'b' if i == 0 else f'm{i - 1}'}" for j in range(9))
              for i in range(9)]
    put("alias-bomb-merge-keys.yaml", "\n".join(merge) + "\n")
    put("alias-recursive.yaml", "a: &a [*a]\n")
    put("deep-flow-1000.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + "[" * 1000 + "]" * 1000 + "\n")
    put("yaml-python-tag.yaml", 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: !!python/object/apply:os.system ["echo pwned"]\n')
    put("yaml-unknown-tag.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: !secret {a: b}\n")
    put("yaml-does-not-parse.yaml", "apiVersion: v1\nkind: [ConfigMap\nmetadata: {name: x\n")
    put("yaml-tab-indent.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n")
    put("json-truncated.json", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": ')
    # bytes and encodings
    put("binary-garbage.bin", random.Random(9).randbytes(4096))
    put("binary-elf-header.bin", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    put("non-utf8-latin1.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: café}\n".encode("latin-1"))
    put("non-utf8-utf16.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\n".encode("utf-16"))
    put("non-utf8-lone-continuation.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: \x80\x80}\n")
    put("duplicate-keys-top.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: '1'}\ndata: {b: '2'}\n")
    put("duplicate-keys-name.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  name: other\n")
    put("duplicate-keys-deep.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
        "    spec:\n      containers:\n      - name: web\n        image: a\n        image: b\n")
    put("empty.yaml", b"")
    put("only-comments.yaml", "# nothing here\n---\n# nor here\n")
    put("a-list-document.yaml", "- apiVersion: v1\n- kind: ConfigMap\n")
    put("a-scalar-document.yaml", "just a string\n")
    put("list-kind-with-bad-item.yaml", _yaml({"apiVersion": "v1", "kind": "List", "items": [CONFIGMAP, "not an object"]}))
    put("valid-then-invalid.yaml", _yaml(CONFIGMAP | {"data": {"a": "changed"}}) + "---\n" + _yaml(_set(DEPLOYMENT, ("spec", "replicas"), -1)))
    put("valid-then-garbage.yaml", _yaml(CONFIGMAP | {"data": {"a": "changed"}}) + "---\n" + "kind: [\n")
    # wrong types at every level of a Deployment, and bad numbers
    for slug, path, value in WRONG_TYPES:
        put(f"deployment-wrong-type-{slug}.yaml", _yaml(_set(DEPLOYMENT, path, value)))
    put("deployment-top-level-list.yaml", _yaml([DEPLOYMENT]))
    put("deployment-top-level-int.yaml", "42\n")
    put("deployment-top-level-null.yaml", "null\n---\n~\n")
    for slug, path, value in NUMBERS:
        put(f"deployment-{slug}.yaml", _yaml(_set(DEPLOYMENT, path, value)))
    put("deployment-replicas-inf.yaml", _yaml(DEPLOYMENT).replace('"replicas": 2', '"replicas": 1e400'))
    put("deployment-replicas-nan.yaml", _yaml(DEPLOYMENT).replace('"replicas": 2', '"replicas": .nan'))
    put("deployment-replicas-hex-overflow.yaml", _yaml(DEPLOYMENT).replace('"replicas": 2', '"replicas": 0x80000000'))
    put("deployment-replicas-octal-overflow.yaml", _yaml(DEPLOYMENT).replace('"replicas": 2', '"replicas": 040000000000'))
    # unknown apiVersion and kind
    put("unknown-api-version.yaml", _yaml(_set(DEPLOYMENT, ("apiVersion",), "apps/v9")))
    put("unknown-kind.yaml", _yaml({"apiVersion": "v1", "kind": "Widget", "metadata": {"name": "w"}}))
    put("unknown-group.yaml", _yaml({"apiVersion": "evil.example.com/v1", "kind": "Deployment", "metadata": {"name": "w"}}))
    put("kind-lowercase.yaml", _yaml(_set(DEPLOYMENT, ("kind",), "deployment")))
    put("kind-wrong-group.yaml", _yaml(_set(DEPLOYMENT, ("apiVersion",), "v1")))
    put("kind-missing.yaml", _yaml({k: v for k, v in DEPLOYMENT.items() if k != "kind"}))
    put("api-version-missing.yaml", _yaml({k: v for k, v in DEPLOYMENT.items() if k != "apiVersion"}))
    put("kind-empty.yaml", _yaml(_set(DEPLOYMENT, ("kind",), "")))
    return e


def huge_document(path: Path, megabytes: int = 50) -> Path:
    """A single ConfigMap document of `megabytes` MB."""
    chunk = "x" * 1024
    with open(path, "w") as f:
        f.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: huge}\ndata:\n")
        for i in range(megabytes * 1024):
            f.write(f"  k{i}: {chunk}\n")
    return path


def huge_documents_stream(path: Path, megabytes: int = 50) -> Path:
    """Many documents, each under the 3 MiB limit, `megabytes` MB in all."""
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: part-%d}\ndata: {a: '" + "y" * (2 * 1024 * 1024) + "'}\n"
    with open(path, "w") as f:
        for i in range(megabytes // 2):
            f.write("---\n" + doc % i)
    return path


def deep_flow(path: Path, depth: int = 10_000) -> Path:
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  a: " + "[" * depth + "]" * depth + "\n")
    return path


def deep_block(path: Path, depth: int = 10_000) -> Path:
    """Block sequences nested `depth` deep on one line: `- - - - x`."""
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n  a:\n  " + "- " * depth + "x\n")
    return path


def deep_json(path: Path, depth: int = 10_000) -> Path:
    path.write_text('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "deep"}, "data": '
                    + '{"a": ' * depth + "1" + "}" * depth + "}\n")
    return path


GENERATED = {
    "huge-document-50mb.yaml": huge_document,
    "huge-stream-50mb.yaml": huge_documents_stream,
    "deep-flow-10000.yaml": deep_flow,
    "deep-block-10000.yaml": deep_block,
    "deep-json-10000.json": deep_json,
}


def write_corpus() -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, data in static_entries().items():
        (CORPUS / name).write_bytes(data)


if __name__ == "__main__":
    write_corpus()
