"""/openapi/v2 and /openapi/v3, built from the shipped per-kind schemas.

kubectl reads them for `explain`, for client-side apply's patch merge keys, and to learn
that the server validates fields itself (a PATCH operation taking `fieldValidation`). It
reads /openapi/v2 only as gnostic protobuf, to validate the items of a `kind: List` on the
client, with kube-openapi's strict model parser: so v2 holds Swagger 2.0 schemas that
parser accepts (`_swagger2`), served as JSON or protobuf from the same document.

Each document is built once per set of served kinds (a CRD changes the set), and so is
each encoded body with its ETag; a request costs a cache look-up.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from typing import Any

from kubelite.api import schema
from kubelite.api.kinds import Kind
from kubelite.server import gnostic
from kubelite.server.discovery import KUBE_VERSION, all_kinds
from kubelite.server.handlers import subresources
from kubelite.server.status import HTTPError

_REF = re.compile(r'"#/\$defs/([^"]+)"')

QUERY = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"]


def _gv_path(k: Kind) -> str:
    return f"apis/{k.group}/{k.version}" if k.group else f"api/{k.version}"


def _gvk(k: Kind) -> dict:
    return {"group": k.group, "version": k.version, "kind": k.kind}


# Built-in groups whose Go package is not k8s.io/api/<the group's first label>
_PACKAGES = {"": "io.k8s.api.core", "apiextensions.k8s.io": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions",
             "apiregistration.k8s.io": "io.k8s.kube-aggregator.pkg.apis.apiregistration"}


def _name(k: Kind) -> str:
    """A kind's definition name as upstream spells it (kubectl's validation errors show it): the
    Go package for a built-in group, the reversed group for a custom one (kubefed's are CRDs)."""
    g = k.group
    if g in _PACKAGES:
        package = _PACKAGES[g]
    elif not getattr(k, "custom", False) and ("." not in g or g.endswith(".k8s.io")):
        package = "io.k8s.api." + g.split(".")[0]
    else:
        package = ".".join(reversed(g.split(".")))
    return f"{package}.{k.version}.{k.kind}"


def _definitions(ks: list[Kind], target: str) -> dict[str, dict]:
    """The kinds' schemas and their $defs (upstream's names already, one schema each whatever
    file holds it), refs rewritten to `target`. A kind's own schema wins over a $def of its name."""
    defs: dict[str, dict] = {}
    roots: dict[str, dict] = {}
    for k in ks:
        s = _custom_schema(k) if getattr(k, "custom", False) else schema.load_schema(k.kind)
        if s is None:
            continue
        s = json.loads(_REF.sub(lambda m: f'"{target}{m.group(1)}"', json.dumps(s)))
        for name, d in (s.pop("$defs", None) or {}).items():
            defs[name] = _clean(d)
        s.pop("$schema", None)
        s.pop("title", None)
        s["x-kubernetes-group-version-kind"] = [_gvk(k)]
        roots[_name(k)] = _clean(s)
    defs.update(roots)
    return defs


def _custom_schema(k: Kind) -> dict | None:
    """A custom kind's openAPIV3Schema from its CRD, for `kubectl explain` and field validation."""
    from kubelite.api import kinds

    crd = kinds.definition(k) or {}
    for v in (crd.get("spec") or {}).get("versions") or []:
        if v.get("name") == k.version:
            s = ((v.get("schema") or {}).get("openAPIV3Schema"))
            return _with_type_meta(json.loads(json.dumps(s))) if isinstance(s, dict) else None
    return None


def _with_type_meta(s: dict) -> dict:
    """A custom kind's root schema with apiVersion, kind and metadata, which upstream's CRD OpenAPI
    builder adds too: a CRD need not declare them, and kubectl's client-side validation of a List
    would otherwise call `metadata` an unknown field."""
    props = s.get("properties")
    if not isinstance(props, dict):
        return s
    meta = (schema.load_schema("Namespace") or {}).get("properties") or {}
    added = {}
    for name, typ in (("apiVersion", "string"), ("kind", "string"), ("metadata", "object")):
        if name not in props:
            added[name] = {"description": meta.get(name, {}).get("description", ""), "type": typ}
    s["properties"] = {**added, **props}
    return s


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
    patches = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
               "application/apply-patch+yaml"]
    if getattr(k, "custom", False):  # as upstream: so kubectl apply sends a custom resource a merge patch
        patches.remove("application/strategic-merge-patch+json")
    ok = {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": ref}}}}}
    item = {
        "get": {"operationId": f"read{k.kind}", **ext, "responses": ok},
        "put": {"operationId": f"replace{k.kind}", **ext, "parameters": params, "requestBody": body, "responses": ok},
        "patch": {"operationId": f"patch{k.kind}", **ext, "parameters": params, "responses": ok,
                  "requestBody": {"content": {t: {"schema": {"type": "object"}} for t in patches}}},
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
    schemas = _definitions(ks, "#/components/schemas/")
    paths: dict[str, Any] = {}
    for k in ks:
        paths.update(_paths(k, f"#/components/schemas/{_name(k)}"))
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": f"v{KUBE_VERSION[0]}.{KUBE_VERSION[1]}.0"},
            "paths": paths, "components": {"schemas": schemas}}


@functools.lru_cache(maxsize=2)
def _v2(_key: str) -> dict:
    defs = _definitions(all_kinds(), "#/definitions/")
    defs = {name: _swagger2(d, defs) for name, d in defs.items()}
    return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": f"v{KUBE_VERSION[0]}.{KUBE_VERSION[1]}.0"},
            "paths": {}, "definitions": defs}


_TYPES = ("object", "array", "string", "integer", "number", "boolean")


def _swagger2(node: Any, defs: dict) -> dict:
    """A schema as Swagger 2.0 and kube-openapi's model parser take it, in upstream's ways.

    Only Swagger 2.0 keywords of the right JSON type stay (anyOf, oneOf, not and nullable have
    none); a single-$ref allOf is that $ref, whose siblings are then description and
    extensions only; a $ref to no definition goes. As apiextensions' ToStructuralOpenAPIV2
    does for CRDs: a nullable schema loses its type, properties and items (and is no longer
    required), one that preserves unknown fields its properties and items, and an array
    without one item schema its type. A numeric exclusiveMinimum/Maximum (JSON Schema) is
    Swagger's minimum/maximum with the flag. The parser refuses a document with any of these
    (the whole document, so every List), where kubectl would then see an untyped value."""
    if not isinstance(node, dict):
        return {}
    out: dict[str, Any] = {}
    for key, v in node.items():
        if key.startswith("x-"):
            out[key] = v
        elif key == "allOf":
            if isinstance(v, list) and len(v) == 1 and isinstance(v[0], dict) and set(v[0]) == {"$ref"}:
                out.setdefault("$ref", v[0]["$ref"])
        elif key == "type":
            types = [v] if isinstance(v, str) else [t for t in v if t != "null"] if isinstance(v, list) else []
            if len(types) == 1 and types[0] in _TYPES:
                out["type"] = types[0]
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and gnostic.fits("double", v):
            out[key.replace("exclusiveM", "m")] = v
            out[key] = True
        elif key in gnostic.SCHEMA and gnostic.fits(gnostic.SCHEMA[key][1], v):
            if key in ("properties", "items", "additionalProperties"):
                v = _swagger2_children(key, v, defs)
            if key not in out:
                out[key] = v
    if node.get("nullable") is True:
        for key in ("type", "properties", "items"):
            out.pop(key, None)
    if node.get("x-kubernetes-preserve-unknown-fields") is True:
        out.pop("properties", None)
        out.pop("items", None)
    if "required" in out and "properties" in out:
        given = node["properties"]
        out["required"] = [r for r in out["required"] if not (isinstance(given.get(r), dict) and given[r].get("nullable") is True)]
    ref = out.get("$ref")
    if ref is not None:
        if ref.startswith("#/definitions/") and ref[len("#/definitions/"):] in defs:
            for key in ("type", "properties", "items", "additionalProperties"):
                out.pop(key, None)
        else:
            del out["$ref"]
    if out.get("type") == "array" and not isinstance(out.get("items"), dict):
        del out["type"]
        out.pop("items", None)
    return out


def _swagger2_children(key: str, v: Any, defs: dict) -> Any:
    if key == "properties":
        return {name: _swagger2(sub, defs) for name, sub in v.items()}
    if isinstance(v, dict):  # items, additionalProperties
        return _swagger2(v, defs)
    return v  # additionalProperties: a boolean; items: a list, dropped above


def document(path: str, _hash: str | None = None) -> dict | None:
    return _document(path.rstrip("/"), _kinds_key())  # a CRD created or deleted changes the documents


def _document(path: str, key: str) -> dict | None:
    if path == "/openapi/v2":
        return _v2(key)
    if path == "/openapi/v3":
        return _v3_root(key)[0]
    if path.startswith("/openapi/v3/"):
        return _v3_gv(path[len("/openapi/v3/"):], key)
    return None


def response(path: str, accept: str) -> tuple[bytes, str, str] | None:
    """(body, content type, ETag) of an OpenAPI document, encoded as the Accept header asks;
    None when there is no such document. /openapi/v2 is JSON or gnostic protobuf, chosen as
    kube-openapi's handler does (the first acceptable clause); the v3 documents are JSON."""
    path = path.rstrip("/")
    ctype = _negotiate(accept) if path == "/openapi/v2" else "application/json"
    key = _kinds_key()
    if _document(path, key) is None:
        return None
    return _encoded(path, ctype, key)


def _negotiate(accept: str) -> str:
    clauses = []
    for i, clause in enumerate((accept or "*/*").split(",")):
        media, *params = [p.strip() for p in clause.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            clauses.append((-q, i, media.lower()))
    for _, _, media in sorted(clauses):
        if media in ("application/json", "application/*", "*/*"):
            return "application/json"
        if media in gnostic.MEDIA_TYPES:
            return gnostic.CONTENT_TYPE
    raise HTTPError("NotAcceptable", "only the following media types are accepted: application/json, "
                    + ", ".join(gnostic.MEDIA_TYPES))


@functools.lru_cache(maxsize=64)
def _encoded(path: str, ctype: str, key: str) -> tuple[bytes, str, str]:
    doc = _document(path, key)
    if ctype == "application/json":
        body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    else:
        body = gnostic.encode(doc)
    return body, ctype, '"' + hashlib.sha256(body).hexdigest()[:32].upper() + '"'
