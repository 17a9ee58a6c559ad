"""A Swagger 2.0 document in gnostic's protobuf form (message `openapi.v2.Document`).

kubectl asks for `/openapi/v2` as `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`
and has no JSON fallback there: it reads it to validate a `kind: List` on the client. The
messages are google/gnostic-models' openapiv2/OpenAPIv2.proto, the form kube-apiserver
serves (gnostic's compiler over its JSON document, then proto.Marshal). Only the parts of
that proto a kubelite document uses are in the table below; anything else raises
ValueError, so a document must first be shaped to them (openapi.py's `_swagger2`).

Pure: a JSON-shaped dict in, bytes out. The wire writer is the protobuf encoding spec's
varint, 64-bit and length-delimited types, no library. Every field present in the
document is written, zero values too, so decoding gives back exactly the JSON document.
"""
from __future__ import annotations

import json
import struct
from typing import Any

from kubelite.server.protobuf import BYTES, FIXED64, VARINT

MEDIA_TYPES = ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
               "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
CONTENT_TYPE = MEDIA_TYPES[1]  # what kube-apiserver answers with, whichever of the two was asked for

# Field types: string, bool, int64, double; Any (a JSON value, carried as YAML text); a message
# of this table; a trailing * repeats. TypeItem, ItemsItem and AdditionalPropertiesItem wrap
# the JSON forms that Swagger allows there (a type or a list of types; a schema or a list of
# schemas; a schema or a boolean).
SCHEMA: dict[str, tuple[int, str]] = {
    "$ref": (1, "string"), "format": (2, "string"), "title": (3, "string"), "description": (4, "string"),
    "default": (5, "Any"), "multipleOf": (6, "double"), "maximum": (7, "double"), "exclusiveMaximum": (8, "bool"),
    "minimum": (9, "double"), "exclusiveMinimum": (10, "bool"), "maxLength": (11, "int64"), "minLength": (12, "int64"),
    "pattern": (13, "string"), "maxItems": (14, "int64"), "minItems": (15, "int64"), "uniqueItems": (16, "bool"),
    "maxProperties": (17, "int64"), "minProperties": (18, "int64"), "required": (19, "string*"), "enum": (20, "Any*"),
    "additionalProperties": (21, "AdditionalPropertiesItem"), "type": (22, "TypeItem"), "items": (23, "ItemsItem"),
    "allOf": (24, "Schema*"), "properties": (25, "Properties"), "discriminator": (26, "string"),
    "readOnly": (27, "bool"), "example": (30, "Any"),
}

# message: ({JSON key: (number, type)}, field of `x-` vendor extensions or 0,
#           (number, value type) of the entries of a map-shaped message, whose keys are names, or None)
MESSAGES: dict[str, tuple[dict[str, tuple[int, str]], int, tuple[int, str] | None]] = {
    "Document": ({"swagger": (1, "string"), "info": (2, "Info"), "host": (3, "string"), "basePath": (4, "string"),
                  "schemes": (5, "string*"), "consumes": (6, "string*"), "produces": (7, "string*"),
                  "paths": (8, "Paths"), "definitions": (9, "Definitions")}, 16, None),
    "Info": ({"title": (1, "string"), "version": (2, "string"), "description": (3, "string"),
              "termsOfService": (4, "string")}, 7, None),
    "Paths": ({}, 1, None),  # kubelite's v2 document declares no paths; kubectl reads them from v3
    "Definitions": ({}, 0, (1, "Schema")),
    "Properties": ({}, 0, (1, "Schema")),
    "Schema": (SCHEMA, 31, None),
}
NAMED_ANY = 2  # NamedAny {name = 1; Any value = 2}, Any {google.protobuf.Any value = 1; string yaml = 2}

_KEYS: dict[tuple[int, int], bytes] = {}


def encode(document: dict) -> bytes:
    """The `openapi.v2.Document` message of a Swagger 2.0 document."""
    return bytes(_message("Document", document, "document"))


def fits(typ: str, value: Any) -> bool:
    """Whether a JSON value has the shape a field of type typ encodes (for the document's shaping)."""
    if typ.endswith("*"):
        return isinstance(value, list) and all(fits(typ[:-1], v) for v in value)
    if typ == "string":
        return isinstance(value, str)
    if typ == "bool":
        return isinstance(value, bool)
    if typ == "int64":
        return isinstance(value, int) and not isinstance(value, bool) and -(1 << 63) <= value < (1 << 63)
    if typ == "double":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ == "Any":
        return True
    if typ == "TypeItem":
        return fits("string", value) or fits("string*", value)
    if typ == "ItemsItem":
        return isinstance(value, dict) or fits("Schema*", value)
    if typ == "AdditionalPropertiesItem":
        return isinstance(value, (dict, bool))
    return isinstance(value, dict)


def _key(number: int, wire: int) -> bytes:
    k = _KEYS.get((number, wire))
    if k is None:
        k = _KEYS[(number, wire)] = _varint(number << 3 | wire)
    return k


def _varint(n: int) -> bytes:
    n &= 0xFFFFFFFFFFFFFFFF  # a negative int64 is its two's complement, ten bytes
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _put(out: bytearray, number: int, data: bytes | bytearray) -> None:
    out += _key(number, BYTES)
    out += _varint(len(data))
    out += data


def _message(name: str, obj: Any, where: str) -> bytearray:
    if not isinstance(obj, dict):
        raise ValueError(f"{where}: openapi.v2.{name} must be an object, not {type(obj).__name__}")
    fields, extensions, entries = MESSAGES[name]
    out = bytearray()
    for key, value in obj.items():
        field = fields.get(key)
        if field is not None:
            _field(out, field[0], field[1], value, f"{where}.{key}")
        elif extensions and key.startswith("x-"):
            named = bytearray()
            _put(named, 1, key.encode())
            _put(named, NAMED_ANY, _any(value))
            _put(out, extensions, named)
        elif entries is not None:
            named = bytearray()
            _put(named, 1, key.encode())
            _put(named, 2, _message(entries[1], value, f"{where}.{key}"))
            _put(out, entries[0], named)
        else:
            raise ValueError(f"{where}: openapi.v2.{name} has no field {key!r}")
    return out


def _field(out: bytearray, number: int, typ: str, value: Any, where: str) -> None:
    if not fits(typ, value):
        raise ValueError(f"{where}: {json.dumps(value)[:60]} is not a {typ}")
    if typ.endswith("*"):
        for v in value:
            _field(out, number, typ[:-1], v, where)
    elif typ == "string":
        _put(out, number, value.encode())
    elif typ in ("bool", "int64"):
        out += _key(number, VARINT)
        out += _varint(int(value))
    elif typ == "double":
        out += _key(number, FIXED64)
        out += struct.pack("<d", float(value))
    elif typ == "Any":
        _put(out, number, _any(value))
    elif typ == "TypeItem":
        item = bytearray()
        _field(item, 1, "string*", [value] if isinstance(value, str) else value, where)
        _put(out, number, item)
    elif typ == "ItemsItem":
        item = bytearray()
        _field(item, 1, "Schema*", [value] if isinstance(value, dict) else value, where)
        _put(out, number, item)
    elif typ == "AdditionalPropertiesItem":
        item = bytearray()
        _field(item, *((2, "bool") if isinstance(value, bool) else (1, "Schema")), value, where)
        _put(out, number, item)
    else:
        _put(out, number, _message(typ, value, where))


def _any(value: Any) -> bytearray:
    """An `Any` holding value as YAML text; JSON is YAML, and the text ends in a newline as gnostic's does."""
    out = bytearray()
    _put(out, 2, (json.dumps(value, ensure_ascii=False) + "\n").encode())
    return out
