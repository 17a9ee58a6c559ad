"""/openapi/v2 and /openapi/v3, built from the shipped per-kind schemas.

kubectl reads them for `explain`, for client-side apply's patch merge keys, and to learn
that the server validates fields itself (a PATCH operation taking `fieldValidation`).
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from typing import Any

from kubelite.api import schema
from kubelite.api.kinds import Kind
from kubelite.server.discovery import KUBE_VERSION, all_kinds
from kubelite.server.handlers import subresources

_REF = re.compile(r'"#/\$defs/([^"]+)"')

QUERY = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"]


def _gv_path(k: Kind) -> str:
    return f"apis/{k.group}/{k.version}" if k.group else f"api/{k.version}"


def _gvk(k: Kind) -> dict:
    return {"group": k.group, "version": k.version, "kind": k.kind}


def _prefix(k: Kind) -> str:
    g = k.group or "core"
    return f"io.k8s.kubelite.{g}.{k.version}."


def _definitions(k: Kind, target: str) -> dict[str, dict]:
    """The kind's schema and its $defs, named apart per group-version, refs rewritten to `target`."""
    s = _custom_schema(k) if getattr(k, "custom", False) else schema.load_schema(k.kind)
    if s is None:
        return {}
    pre = _prefix(k)
    text = _REF.sub(lambda m: f'"{target}{pre}{m.group(1)}"', json.dumps(s))
    s = json.loads(text)
    defs = s.pop("$defs", {}) or {}
    s.pop("$schema", None)
    s.pop("title", None)
    s["x-kubernetes-group-version-kind"] = [_gvk(k)]
    out = {pre + name: _clean(d) for name, d in defs.items()}
    out[pre + k.kind] = _clean(s)
    return out


def _custom_schema(k: Kind) -> dict | None:
    """A custom kind's openAPIV3Schema from its CRD, for `kubectl explain` and field validation."""
    from kubelite.api import kinds

    crd = kinds.definition(k) or {}
    for v in (crd.get("spec") or {}).get("versions") or []:
        if v.get("name") == k.version:
            s = ((v.get("schema") or {}).get("openAPIV3Schema"))
            return json.loads(json.dumps(s)) if isinstance(s, dict) else None
    return None


def _clean(node: Any) -> Any:
    """A JSON Schema node in OpenAPI's spelling: `type: [x, null]` is `type: x`, and a `$ref`
    with siblings goes into allOf. Only schema keywords are rewritten: a property may well
    be called `$ref`, `type` or `title` (JSONSchemaProps has all three)."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, v in node.items():
        if key == "type" and isinstance(v, list):
            types = [t for t in v if t != "null"]
            if len(types) == 1:
                out["type"] = types[0]
        elif key in ("$schema", "$id", "title", "const"):
            continue
        elif key in ("properties", "patternProperties", "definitions") and isinstance(v, dict):
            out[key] = {name: _clean(sub) for name, sub in v.items()}
        elif key in ("items", "additionalProperties", "additionalItems", "not") and isinstance(v, dict):
            out[key] = _clean(v)
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(v, list):
            out[key] = [_clean(sub) for sub in v]
        else:
            out[key] = v
    if "$ref" in out and len(out) > 1:  # OpenAPI ignores siblings of $ref; keep them readable
        ref = out.pop("$ref")
        out.pop("type", None)
        out["allOf"] = [{"$ref": ref}]
    return out


def _paths(k: Kind, ref: str) -> dict:
    base = "/" + _gv_path(k)
    coll = f"{base}/namespaces/{{namespace}}/{k.plural}" if k.namespaced else f"{base}/{k.plural}"
    params = [{"name": q, "in": "query", "schema": {"type": "string"}, "uniqueItems": True} for q in QUERY]
    ext = {"x-kubernetes-group-version-kind": _gvk(k)}
    body = {"content": {"application/json": {"schema": {"$ref": ref}}}}
    ok = {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": ref}}}}}
    item = {
        "get": {"operationId": f"read{k.kind}", **ext, "responses": ok},
        "put": {"operationId": f"replace{k.kind}", **ext, "parameters": params, "requestBody": body, "responses": ok},
        "patch": {"operationId": f"patch{k.kind}", **ext, "parameters": params, "responses": ok,
                  "requestBody": {"content": {t: {"schema": {"type": "object"}} for t in
                                              ("application/json-patch+json", "application/merge-patch+json",
                                               "application/strategic-merge-patch+json", "application/apply-patch+yaml")}}},
        "delete": {"operationId": f"delete{k.kind}", **ext, "responses": ok},
    }
    out = {coll: {"post": {"operationId": f"create{k.kind}", **ext, "parameters": params, "requestBody": body, "responses": ok}},
           f"{coll}/{{name}}": item}
    if "status" in subresources(k):
        out[f"{coll}/{{name}}/status"] = {m: dict(item[m], operationId=item[m]["operationId"] + "Status") for m in ("get", "put", "patch")}
    return out


def _kinds_key() -> str:
    return hashlib.sha256(json.dumps([_gvk(k) for k in all_kinds()]).encode()).hexdigest()[:32].upper()


@functools.lru_cache(maxsize=8)
def _v3_root(_key: str) -> tuple[dict, str]:
    gvs = sorted({_gv_path(k) for k in all_kinds()})
    h = _key
    return {"paths": {gv: {"serverRelativeURL": f"/openapi/v3/{gv}?hash={h}"} for gv in gvs}}, h


@functools.lru_cache(maxsize=64)
def _v3_gv(gv: str, _key: str) -> dict | None:
    ks = [k for k in all_kinds() if _gv_path(k) == gv]
    if not ks:
        return None
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for k in ks:
        schemas.update(_definitions(k, "#/components/schemas/"))
        paths.update(_paths(k, f"#/components/schemas/{_prefix(k)}{k.kind}"))
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": f"v{KUBE_VERSION[0]}.{KUBE_VERSION[1]}.0"},
            "paths": paths, "components": {"schemas": schemas}}


@functools.lru_cache(maxsize=2)
def _v2(_key: str) -> dict:
    defs: dict[str, Any] = {}
    for k in all_kinds():
        defs.update(_definitions(k, "#/definitions/"))
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": f"v{KUBE_VERSION[0]}.{KUBE_VERSION[1]}.0"},
            "paths": {}, "definitions": defs}


def document(path: str, _hash: str | None = None) -> dict | None:
    path = path.rstrip("/")
    key = _kinds_key()  # a CRD created or deleted changes the documents
    if path == "/openapi/v2":
        return _v2(key)
    if path == "/openapi/v3":
        return _v3_root(key)[0]
    if path.startswith("/openapi/v3/"):
        return _v3_gv(path[len("/openapi/v3/"):], key)
    return None
