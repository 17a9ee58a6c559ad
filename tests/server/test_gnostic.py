"""/openapi/v2 as gnostic protobuf: the encoder, read back with the field numbers of
google/gnostic-models openapiv2/OpenAPIv2.proto, written out here apart from the encoder's
table so that a wrong number in either shows."""
from __future__ import annotations

import json
import struct

import pytest

from kubelite.server import gnostic, openapi
from kubelite.server.protobuf import BYTES, FIXED64, VARINT, _fields

# openapi.v2 messages, as OpenAPIv2.proto numbers them: {number: (JSON key, type)}. A key of
# "x-" is `repeated NamedAny vendor_extension`, "" the named entries of a map-shaped message.
PROTO = {
    "Document": {1: ("swagger", "string"), 2: ("info", "Info"), 3: ("host", "string"), 4: ("basePath", "string"),
                 8: ("paths", "Paths"), 9: ("definitions", "Definitions"), 16: ("x-", "Any")},
    "Info": {1: ("title", "string"), 2: ("version", "string"), 3: ("description", "string"), 7: ("x-", "Any")},
    "Paths": {1: ("x-", "Any"), 2: ("", "PathItem")},
    "Definitions": {1: ("", "Schema")},
    "Properties": {1: ("", "Schema")},
    "Schema": {1: ("$ref", "string"), 2: ("format", "string"), 3: ("title", "string"), 4: ("description", "string"),
               5: ("default", "Any"), 6: ("multipleOf", "double"), 7: ("maximum", "double"),
               8: ("exclusiveMaximum", "bool"), 9: ("minimum", "double"), 10: ("exclusiveMinimum", "bool"),
               11: ("maxLength", "int64"), 12: ("minLength", "int64"), 13: ("pattern", "string"),
               14: ("maxItems", "int64"), 15: ("minItems", "int64"), 16: ("uniqueItems", "bool"),
               17: ("maxProperties", "int64"), 18: ("minProperties", "int64"), 19: ("required", "string*"),
               20: ("enum", "Any*"), 21: ("additionalProperties", "AdditionalPropertiesItem"),
               22: ("type", "TypeItem"), 23: ("items", "ItemsItem"), 24: ("allOf", "Schema*"),
               25: ("properties", "Properties"), 26: ("discriminator", "string"), 27: ("readOnly", "bool"),
               30: ("example", "Any"), 31: ("x-", "Any")},
    "TypeItem": {1: ("value", "string*")},
    "ItemsItem": {1: ("schema", "Schema*")},
    "AdditionalPropertiesItem": {1: ("schema", "Schema"), 2: ("boolean", "bool")},
    "Any": {2: ("yaml", "string")},  # 1 is a google.protobuf.Any, which gnostic leaves empty
}
WIRE = {"string": BYTES, "bool": VARINT, "int64": VARINT, "double": FIXED64}


def read(buf: bytes, name: str, pos: int = 0, end: int | None = None) -> dict:
    """The JSON form of an openapi.v2 message in buf[pos:end]."""
    out: dict = {}
    for number, wire, value in _fields(buf, pos, len(buf) if end is None else end, name):
        key, typ = PROTO[name][number]
        repeated = typ.endswith("*")
        typ = typ.rstrip("*")
        assert wire == WIRE.get(typ, BYTES), f"{name}.{key}: wire type {wire}"
        if key in ("x-", ""):  # NamedAny / NamedSchema: {name = 1; value = 2}
            entry = dict((n, v) for n, _, v in _fields(buf, value[0], value[1], "Named"))
            entry_name = buf[entry[1][0]:entry[1][1]].decode()
            out[entry_name] = read(buf, typ, *entry[2])
            continue
        if typ == "string":
            v = buf[value[0]:value[1]].decode()
        elif typ == "double":
            v = struct.unpack("<d", buf[value[0]:value[1]])[0]
        elif typ == "bool":
            v = bool(value)
        elif typ == "int64":
            v = value - (1 << 64) if value >= 1 << 63 else value
        else:
            v = read(buf, typ, *value)
        if repeated:
            out.setdefault(key, []).append(v)
        else:
            out[key] = v
    if name == "Any":
        return json.loads(out["yaml"])  # gnostic's YAML text; kubelite writes JSON, which is YAML
    if name == "TypeItem":
        return out["value"][0] if len(out["value"]) == 1 else out["value"]
    if name == "ItemsItem":
        return out["schema"][0] if len(out["schema"]) == 1 else out["schema"]
    if name == "AdditionalPropertiesItem":
        return out.get("schema", out.get("boolean"))
    return out


def _norm(node):
    if isinstance(node, dict):
        return {k: _norm(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_norm(v) for v in node]
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        return node
    return float(node)


def test_the_served_v2_document_decodes_back_to_the_json_document():
    doc = openapi.document("/openapi/v2")
    body, ctype, _ = openapi.response("/openapi/v2", gnostic.MEDIA_TYPES[0])
    assert ctype == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
    decoded = read(body, "Document")
    assert _norm(decoded) == _norm(doc)
    assert list(decoded["definitions"]) == list(doc["definitions"])  # order kept, as gnostic keeps it
    json_body, json_type, _ = openapi.response("/openapi/v2", "application/json")
    assert json_type == "application/json" and json.loads(json_body) == doc


def test_every_kind_is_found_by_its_group_version_kind_extension():
    decoded = read(openapi.response("/openapi/v2", gnostic.MEDIA_TYPES[1])[0], "Document")
    found = {(g["group"], g["version"], g["kind"]) for d in decoded["definitions"].values()
             for g in d.get("x-kubernetes-group-version-kind", [])}
    assert ("", "v1", "ConfigMap") in found and ("apps", "v1", "Deployment") in found


def test_the_body_is_built_once_per_set_of_kinds():
    first = openapi.response("/openapi/v2", gnostic.MEDIA_TYPES[0])
    assert openapi.response("/openapi/v2", gnostic.MEDIA_TYPES[1])[0] is first[0]


def test_scalars_of_every_type_and_zero_values_are_written():
    schema = {"type": "integer", "minimum": 0, "maximum": -1.5, "exclusiveMinimum": False, "maxLength": -2,
              "required": ["a", "b"], "enum": [0, "x", None, {"k": [1]}], "default": "é",
              "additionalProperties": False, "x-kubernetes-list-type": "set"}
    doc = {"swagger": "2.0", "definitions": {"T": schema, "U": {"items": {"$ref": "#/definitions/T"}}}}
    assert _norm(read(gnostic.encode(doc), "Document")) == _norm(doc)


def test_a_document_outside_the_table_is_refused_with_its_path():
    with pytest.raises(ValueError, match=r"document.definitions.T: openapi.v2.Schema has no field 'anyOf'"):
        gnostic.encode({"definitions": {"T": {"anyOf": []}}})
    with pytest.raises(ValueError, match=r"document.definitions.T.maxLength: \"3\" is not a int64"):
        gnostic.encode({"definitions": {"T": {"maxLength": "3"}}})
