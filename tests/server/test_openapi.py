"""The OpenAPI documents: v2's Swagger 2.0 shape (what kube-openapi's strict model parser takes),
the encoding chosen by Accept, and the same over HTTPS with ETags."""
from __future__ import annotations

import pytest

from tests.server.test_gnostic import read

from kubelite.server import gnostic, openapi
from kubelite.server.status import HTTPError

CONFIGMAP = "io.k8s.api.core.v1.ConfigMap"

DEFS = {"io.k8s.T": {}}


def test_definitions_have_upstreams_names_and_a_shared_name_means_one_schema():
    from kubelite.api import kinds, schema

    names = set(openapi.document("/openapi/v2")["definitions"])
    assert {"io.k8s.api.core.v1.ConfigMap", "io.k8s.api.apps.v1.Deployment", "io.k8s.api.rbac.v1.Role",
            "io.k8s.api.networking.v1.Ingress", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
            "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService",
            "io.kubefed.core.v1beta1.KubeFedCluster"} <= names
    seen: dict[str, dict] = {}
    for k in kinds.all_kinds():  # the documents keep one copy of each $def, so the copies must agree
        for name, d in ((schema.load_schema(k.kind) or {}).get("$defs") or {}).items():
            assert seen.setdefault(name, d) == d, f"{name} differs in {k.kind}'s schema"


@pytest.mark.parametrize("given, served", [
    ({"allOf": [{"$ref": "#/definitions/io.k8s.T"}], "description": "d", "x-kubernetes-patch-strategy": "merge"},
     {"$ref": "#/definitions/io.k8s.T", "description": "d", "x-kubernetes-patch-strategy": "merge"}),
    ({"$ref": "#/definitions/io.k8s.T", "type": "object", "properties": {"a": {}}}, {"$ref": "#/definitions/io.k8s.T"}),
    ({"$ref": "#/definitions/missing", "description": "d"}, {"description": "d"}),
    ({"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True},
     {"x-kubernetes-int-or-string": True}),
    ({"type": ["string", "null"], "not": {}, "oneOf": [], "const": 1}, {"type": "string"}),
    ({"type": ["string", "integer"]}, {}),
    ({"type": "null"}, {}),
    ({"type": "array"}, {}),
    ({"type": "array", "items": [{"type": "string"}]}, {}),
    ({"type": "object", "nullable": True, "properties": {"a": {}}, "description": "d"}, {"description": "d"}),
    ({"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"a": {}}},
     {"type": "object", "x-kubernetes-preserve-unknown-fields": True}),
    ({"type": "object", "required": ["a", "b"], "properties": {"a": {"type": "string", "nullable": True}, "b": {}}},
     {"type": "object", "required": ["b"], "properties": {"a": {}, "b": {}}}),
    ({"type": "object", "required": ["a"], "properties": {"a": True}},
     {"type": "object", "required": ["a"], "properties": {"a": {}}}),
    ({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
     {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "maximum": 10, "exclusiveMaximum": True}),
    ({"maxLength": "3", "required": "a", "description": 7, "enum": ["a"]}, {"enum": ["a"]}),
    ({"type": "object", "additionalProperties": {"type": ["integer", "null"]}},
     {"type": "object", "additionalProperties": {"type": "integer"}}),
])
def test_a_schema_is_shaped_as_swagger_2_as_kube_openapi_parses_it(given, served):
    assert openapi._swagger2(given, DEFS) == served
    gnostic.encode({"definitions": {"T": openapi._swagger2(given, DEFS)}})  # and it encodes


@pytest.mark.parametrize("accept, served", [
    ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf", gnostic.CONTENT_TYPE),
    ("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", gnostic.CONTENT_TYPE),
    ("application/json, */*", "application/json"),
    ("", "application/json"),
    ("application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf", gnostic.CONTENT_TYPE),
    ("application/yaml, */*;q=0.1", "application/json"),
])
def test_the_v2_encoding_is_the_first_acceptable_one(accept, served):
    assert openapi.response("/openapi/v2", accept)[1] == served


def test_a_v2_document_in_no_acceptable_encoding_is_406():
    with pytest.raises(HTTPError) as e:
        openapi.response("/openapi/v2", "application/yaml")
    assert e.value.reason == "NotAcceptable"


def _get(s, path: str, **headers: str) -> tuple[int, dict, bytes]:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(s.url + path, headers={"Authorization": f"Bearer {s.token}", **headers})
    try:
        with urllib.request.urlopen(req, context=s.ssl_context(), timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_the_server_sends_v2_as_protobuf_with_an_etag_and_revalidates_it(served_shared):
    code, h, body = _get(served_shared, "/openapi/v2", Accept=gnostic.MEDIA_TYPES[0])
    assert code == 200 and h["Content-Type"] == gnostic.CONTENT_TYPE and h["Vary"] == "Accept"
    doc = read(body, "Document")
    assert doc["swagger"] == "2.0" and "x-kubernetes-group-version-kind" in doc["definitions"][CONFIGMAP]
    code, h2, again = _get(served_shared, "/openapi/v2", Accept=gnostic.MEDIA_TYPES[0], **{"If-None-Match": h["ETag"]})
    assert (code, again, h2["ETag"]) == (304, b"", h["ETag"])
    code, h3, text = _get(served_shared, "/openapi/v2", Accept="application/json")
    assert code == 200 and h3["Content-Type"] == "application/json" and h3["ETag"] != h["ETag"]
    assert text.startswith(b'{"swagger":"2.0"')


def test_a_v2_document_in_no_acceptable_encoding_is_a_406_status(served_shared):
    import json

    code, _, body = _get(served_shared, "/openapi/v2", Accept="application/yaml")
    assert code == 406 and json.loads(body)["reason"] == "NotAcceptable"
