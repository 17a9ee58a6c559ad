#!/usr/bin/env python3
"""Generate kubelite's JSON Schemas (Draft 2020-12), one file per kind, from the official definitions.

Where the definitions come from: Kubernetes publishes its API's OpenAPI definitions
(descriptions, group-version-kinds, patch strategies, list types) with every release.
The PyPI package ``kubernetes-validate`` (Apache-2.0; a test dependency of kubelite,
never a runtime one) ships them, converted to JSON Schema, for each release as
``kubernetes_validate/kubernetes-json-schema/v<release>-local-strict/_definitions.json``.
This script reads the v1.32.0 file (``--definitions FILE`` reads another) and writes
``schemas/<kind>.json`` next to itself for every GA kind of Kubernetes 1.32 that an API
server stores, plus KubeFed's kinds (schemas/kubefed.py), which no release defines.

    python schemas/generate.py            # rewrite the files
    python schemas/generate.py --check    # exit 1 when the files differ from what it would write

What it changes in the definitions, and why (the kubelite validator, ``explain`` and the
object-file checks rely on these conventions; the tests hold them):

* Every file is self-contained: the definitions a kind reaches are copied under
  ``$defs`` by their upstream names (``io.k8s.api.core.v1.PodSpec``), each with a
  ``title`` (its Go type name). Objects are strict (``additionalProperties: false``).
* Optional fields accept null, as the API server does. A required field, an array item
  and a map value reject it: a ``$ref`` to an object gets ``"type": "object"`` beside it.
* Scalar definitions are inlined, so errors name the field: Quantity becomes
  ``{"type": ["string", "number"], "format": "quantity"}``, IntOrString
  ``{"type": ["integer", "string"], "format": "int-or-string", "x-kubernetes-int-or-string": true}``,
  Time and MicroTime a ``date-time`` string.
* int32 fields get their bounds (``minimum``/``maximum``), as the decoder enforces them.
* The patch merge keys, patch strategies and list types that strategic merge needs are
  kept as upstream spells them (``x-kubernetes-patch-merge-key`` ...).
* The root is typed ``object``, requires apiVersion, kind and metadata, pins apiVersion
  and kind with ``const``, and carries ``title`` (the kind) and one
  ``x-kubernetes-group-version-kind``.
* REQUIRED (below) adds the fields upstream's validation code (pkg/apis/*/validation)
  requires although the OpenAPI does not mark them, so that a manifest missing them is
  refused with the field's path before anything else looks at it; OPTIONAL_ON_INPUT
  drops the few the OpenAPI marks only because Go always writes them (kubelite's
  defaults write them, so stored objects still carry them).

A kind served in several GA versions (HorizontalPodAutoscaler autoscaling/v1 and v2;
Event in the core group and events.k8s.io) has its preferred version in
``<kind>.json`` and the others in ``<kind>.<group>.<version>.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kubefed  # noqa: E402  (beside this script)

RELEASE = "v1.32.0"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

# Kinds an API server serves but never stores: requests answered at once (reviews,
# Eviction, Binding, Scale, TokenRequest), computed views (ComponentStatus) and the
# API machinery's own envelopes.
NOT_STORED = {
    "TokenReview", "TokenRequest", "SelfSubjectReview",
    "SubjectAccessReview", "SelfSubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectRulesReview",
    "Eviction", "Binding", "Scale", "ComponentStatus",
    "DeleteOptions", "Status", "WatchEvent", "APIGroup", "APIGroupList", "APIResourceList", "APIVersions",
}

# The version `kubectl get` uses where a kind has several; the others get their own files.
PREFERRED = {"HorizontalPodAutoscaler": ("autoscaling", "v2"), "Event": ("", "v1")}

# Fields upstream's validation code requires though the OpenAPI definitions leave them
# optional (pkg/apis/core/validation: a pod's containers, hence its spec and a template's
# spec, and every container's image; pkg/apis/apps and batch validation: a workload's
# spec and template). kubelite refuses a manifest without them in the schema, by path.
REQUIRED = {
    "io.k8s.api.core.v1.Pod": ["spec"],
    "io.k8s.api.core.v1.PodTemplateSpec": ["spec"],
    "io.k8s.api.core.v1.Container": ["image"],
    "io.k8s.api.core.v1.EphemeralContainer": ["image"],
    "io.k8s.api.core.v1.ReplicationController": ["spec"],
    "io.k8s.api.core.v1.ReplicationControllerSpec": ["template"],
    "io.k8s.api.apps.v1.Deployment": ["spec"],
    "io.k8s.api.apps.v1.ReplicaSet": ["spec"],
    "io.k8s.api.apps.v1.ReplicaSetSpec": ["template"],
    "io.k8s.api.apps.v1.StatefulSet": ["spec"],
    "io.k8s.api.apps.v1.DaemonSet": ["spec"],
    "io.k8s.api.batch.v1.Job": ["spec"],
    "io.k8s.api.batch.v1.JobTemplateSpec": ["spec"],
    "io.k8s.api.batch.v1.CronJob": ["spec"],
}

# Fields the definitions list as required only because Go writes them even when empty (no
# omitempty): the API server accepts a manifest without them and stores the zero value.
# kubelite accepts them absent too, and its defaults write that zero value.
OPTIONAL_ON_INPUT = {
    "io.k8s.api.apps.v1.StatefulSetSpec": ["serviceName"],
    "io.k8s.api.networking.v1.NetworkPolicySpec": ["podSelector"],
}

_SCALARS = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": ["string", "number"], "format": "quantity"},
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {
        "type": ["integer", "string"], "format": "int-or-string", "x-kubernetes-int-or-string": True},
}


def default_definitions() -> Path:
    """The v1.32 definitions inside the installed kubernetes-validate package."""
    try:
        from importlib.resources import files

        root = files("kubernetes_validate")
    except ModuleNotFoundError:
        sys.exit("schemas/generate.py needs the kubernetes-validate package: pip install -e '.[test]'")
    return Path(str(root / "kubernetes-json-schema" / f"{RELEASE}-local-strict" / "_definitions.json"))


def load_definitions(path: Path) -> dict[str, dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["$defs"]


def stored_kinds(defs: dict[str, dict]) -> list[tuple[str, str, str, str]]:
    """(group, version, kind, definition) of every GA kind a 1.32 API server stores."""
    out = []
    for name, d in defs.items():
        for gvk in d.get("x-kubernetes-group-version-kind") or []:
            kind = gvk["kind"]
            if (re.fullmatch(r"v\d+", gvk["version"]) and kind not in NOT_STORED and not kind.endswith("List")
                    and name.rsplit(".", 1)[1] == kind):
                out.append((gvk["group"], gvk["version"], kind, name))
    return sorted(out, key=lambda t: (t[2], t[0], t[1]))


def file_key(group: str, version: str, kind: str) -> str:
    """The schema file's name without .json: the kind, then group and version when not preferred."""
    preferred = PREFERRED.get(kind)
    if preferred is None or preferred == (group, version):
        return kind.lower()
    return f"{kind.lower()}.{group or 'core'}.{version}"


class Converter:
    """Rewrites definitions into kubelite's conventions, collecting the ones it reaches."""

    def __init__(self, defs: dict[str, dict]):
        self.defs = defs
        self.reached: dict[str, dict] = {}

    def _inline(self, name: str) -> dict | None:
        if name in _SCALARS:
            return dict(_SCALARS[name])
        d = self.defs[name]
        t = d.get("type")
        types = t if isinstance(t, list) else [t]
        if "object" not in types and "properties" not in d and t is not None:
            out = {k: v for k, v in d.items() if k not in ("description", "type")}
            out["type"] = [x for x in types if x != "null"]
            if len(out["type"]) == 1:
                out["type"] = out["type"][0]
            return out
        return None

    def node(self, node: dict, required: bool) -> dict:
        """One property, item or map value; null is refused when required."""
        node = dict(node)
        ref = node.pop("$ref", None)
        if ref is not None:
            name = ref.rsplit("/", 1)[1]
            inline = self._inline(name)
            if inline is not None:
                node = {**inline, **node}
            else:
                self.reach(name)
                node["$ref"] = f"#/$defs/{name}"
                if required and "object" in _types(self.defs[name]):
                    node["type"] = "object"
                return node
        t = node.get("type")
        if isinstance(t, list):
            t = [x for x in t if x != "null"] if required else (t if "null" in t else t + ["null"])
            node["type"] = t[0] if len(t) == 1 else t
        elif isinstance(t, str) and not required and node.get("type") != "null":
            node["type"] = [t, "null"]
        if isinstance(node.get("enum"), list) and not required and None not in node["enum"]:
            node["enum"] = node["enum"] + [None]
        if node.get("format") == "int32" and "integer" in _types(node):
            node.setdefault("minimum", INT32_MIN)
            node.setdefault("maximum", INT32_MAX)
        if isinstance(node.get("items"), dict):
            node["items"] = self.node(node["items"], True)
        if isinstance(node.get("additionalProperties"), dict):
            node["additionalProperties"] = self.node(node["additionalProperties"], True)
        return node

    def obj(self, name: str, d: dict) -> dict:
        """A definition with properties: every property converted, required ones marked."""
        out = dict(d)
        required = sorted((set(d.get("required") or ()) | set(REQUIRED.get(name, ()))) - set(OPTIONAL_ON_INPUT.get(name, ())))
        out.pop("required", None)
        if required:
            out["required"] = required
        if "properties" in d:
            out["properties"] = {k: self.node(v, k in required) for k, v in d["properties"].items()}
        if isinstance(d.get("additionalProperties"), dict):
            out["additionalProperties"] = self.node(d["additionalProperties"], True)
        out.pop("x-kubernetes-group-version-kind", None)
        return out

    def reach(self, name: str) -> None:
        if name in self.reached:
            return
        self.reached[name] = {}  # placeholder: definitions may refer to themselves
        d = self.obj(name, self.defs[name])
        t = d.get("type")
        if isinstance(t, list) and "null" not in t:
            d["type"] = t + ["null"]
        d["title"] = name.rsplit(".", 1)[1]
        self.reached[name] = d


def _types(node: dict) -> list:
    t = node.get("type")
    return t if isinstance(t, list) else [t]


def build_kind(defs: dict[str, dict], group: str, version: str, kind: str, name: str) -> dict:
    conv = Converter(defs)
    d = defs[name]
    schema = conv.obj(name, {**d, "required": sorted(set(d.get("required") or ()) | {"apiVersion", "kind", "metadata"})})
    api_version = f"{group}/{version}" if group else version
    schema["properties"]["apiVersion"] = {"const": api_version, "description": d["properties"]["apiVersion"]["description"],
                                          "type": "string"}
    schema["properties"]["kind"] = {"const": kind, "description": d["properties"]["kind"]["description"], "type": "string"}
    schema.update({"type": "object", "$schema": SCHEMA_DIALECT, "title": kind,
                   "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": kind}})
    schema["$defs"] = dict(sorted(conv.reached.items()))
    return schema


def build_kubefed_kind(defs: dict[str, dict], name: str, group: str, version: str, desc: str, fields: dict) -> dict:
    conv = Converter(defs)
    schema = kubefed.root(name, group, version, desc, fields)
    schema.update({"$schema": SCHEMA_DIALECT, "title": name, "description": desc,
                   "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": name}})
    own: dict[str, dict] = {}
    pending = _refs(schema)
    while pending:
        ref = pending.pop()
        if ref in own or ref in conv.reached:
            continue
        if ref in kubefed.DEFS:
            own[ref] = kubefed.render_def(ref)
            pending |= _refs(own[ref])
        else:
            conv.reach(ref)
    schema["$defs"] = dict(sorted({**conv.reached, **own}.items()))
    return schema


def _refs(node) -> set[str]:
    out: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            out.add(ref.rsplit("/", 1)[1])
        for v in node.values():
            out |= _refs(v)
    elif isinstance(node, list):
        for v in node:
            out |= _refs(v)
    return out


def build_all(definitions: Path) -> dict[str, dict]:
    """{file key: schema} for every stored GA kind of the release and every KubeFed kind."""
    defs = load_definitions(definitions)
    out: dict[str, dict] = {}
    for group, version, kind, name in stored_kinds(defs):
        out[file_key(group, version, kind)] = build_kind(defs, group, version, kind, name)
    for name, group, version, desc, fields in kubefed.KINDS:
        out[name.lower()] = build_kubefed_kind(defs, name, group, version, desc, fields)
    return out


def dumps(schema: dict) -> str:
    return json.dumps(schema, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def check(out_dir: Path, definitions: Path) -> list[str]:
    """Problems (stale, missing or extra files) in out_dir."""
    expected = {f"{k}.json": dumps(v) for k, v in build_all(definitions).items()}
    problems = []
    for fname, text in expected.items():
        path = out_dir / fname
        if not path.exists():
            problems.append(f"missing {fname}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"stale {fname}")
    problems += [f"unexpected {p.name}" for p in sorted(out_dir.glob("*.json")) if p.name not in expected]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="output directory")
    parser.add_argument("--definitions", type=Path, help=f"the {RELEASE} definitions (default: kubernetes-validate's)")
    parser.add_argument("--check", action="store_true", help="only verify that the files are up to date")
    args = parser.parse_args(argv)
    definitions = args.definitions or default_definitions()
    if args.check:
        problems = check(args.out, definitions)
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    args.out.mkdir(parents=True, exist_ok=True)
    schemas = build_all(definitions)
    for key, schema in schemas.items():
        (args.out / f"{key}.json").write_text(dumps(schema), encoding="utf-8")
    print(f"wrote {len(schemas)} schemas to {args.out} from {definitions}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
