"""Validation of a custom object by its CRD's openAPIV3Schema, with upstream's messages.

The schema is translated once into a JSON Schema (draft 4: OpenAPI v3's exclusiveMinimum
and exclusiveMaximum are booleans there too) and checked with jsonschema; the Kubernetes
extensions jsonschema does not know are checked here: nullable, x-kubernetes-int-or-string,
x-kubernetes-embedded-resource, and x-kubernetes-list-type set/map uniqueness
(upstream: `pkg/apiserver/schema/listtype`). Messages are kube-openapi's, as
apiextensions-apiserver turns them into field errors:
`spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10`.
"""
from __future__ import annotations

import base64
import ipaddress
import json
import re
import uuid
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from kubelite.api.crd import goregex
from kubelite.api.crd.paths import child, index, of
from kubelite.api.fielderrors import FieldError

_COPIED = ("enum", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
           "maxLength", "minItems", "maxItems", "multipleOf", "required", "minProperties", "maxProperties",
           "uniqueItems", "format")


def to_jsonschema(s: Any) -> dict:
    """The JSON Schema that checks what upstream's OpenAPI validator checks of `s`."""
    if not isinstance(s, dict):
        return {}
    out: dict = {k: s[k] for k in _COPIED if k in s}
    if isinstance(out.get("pattern"), str) and goregex.to_python(out["pattern"]) != out["pattern"]:
        out["x-go-pattern"] = out["pattern"]  # what messages quote
        out["pattern"] = goregex.to_python(out["pattern"])
    typ = s.get("type")
    if s.get("x-kubernetes-int-or-string") is True and not typ:
        typ = ["integer", "string"]
    if typ:
        if s.get("nullable") is True:
            typ = (typ if isinstance(typ, list) else [typ]) + ["null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = list(out["enum"]) + [None]
        out["type"] = typ
    elif s.get("nullable") is not True and not s.get("x-kubernetes-preserve-unknown-fields"):
        pass  # no type: anything goes (structural checks forbid this where it matters)
    if isinstance(s.get("properties"), dict):
        out["properties"] = {k: to_jsonschema(v) for k, v in s["properties"].items()}
    if isinstance(s.get("additionalProperties"), dict):
        out["additionalProperties"] = to_jsonschema(s["additionalProperties"])
    elif s.get("additionalProperties") is False:
        out["additionalProperties"] = False
    if isinstance(s.get("items"), dict):
        out["items"] = to_jsonschema(s["items"])
    for junctor in ("allOf", "anyOf", "oneOf"):
        if isinstance(s.get(junctor), list):
            out[junctor] = [to_jsonschema(x) for x in s[junctor]]
    if isinstance(s.get("not"), dict):
        out["not"] = to_jsonschema(s["not"])
    return out


# -- formats: upstream's (kube-openapi strfmt) for the ones CRDs use ------------------------

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$")
_DURATION = re.compile(r"^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$")
_HOSTNAME = re.compile(r"^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\.?$")
_MAC = re.compile(r"^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _parses(parse, also=None):
    """A format check: `parse` does not raise ValueError, and `also(value, parsed)` holds."""
    def check(v: str) -> bool:
        try:
            parsed = parse(v)
        except ValueError:
            return False
        return also(v, parsed) if also else True
    return check


def _iso(v: str):
    if not _DATE_TIME.match(v):
        raise ValueError(v)
    return datetime.fromisoformat(v.replace("z", "Z").replace("Z", "+00:00").replace("t", "T"))


_ok_date_time = _parses(_iso)
_ok_uuid = _parses(uuid.UUID, lambda v, _: len(v) == 36)


FORMATS = {
    "date-time": _ok_date_time, "datetime": _ok_date_time,
    "date": _parses(date.fromisoformat, lambda v, _: len(v) == 10),
    "byte": _parses(lambda v: base64.b64decode(v, validate=True)),
    "ipv4": _parses(ipaddress.ip_address, lambda v, a: a.version == 4),
    "ipv6": _parses(ipaddress.ip_address, lambda v, a: a.version == 6),
    "cidr": _parses(lambda v: ipaddress.ip_network(v, strict=False), lambda v, _: "/" in v),
    "mac": lambda v: bool(_MAC.match(v)),
    "uuid": _ok_uuid, "uuid3": _ok_uuid, "uuid4": _ok_uuid, "uuid5": _ok_uuid,
    "hostname": lambda v: bool(_HOSTNAME.match(v)) and len(v) <= 255,
    "email": lambda v: bool(_EMAIL.match(v)), "duration": lambda v: bool(_DURATION.match(v)),
}


@lru_cache(maxsize=256)
def _validator_for(text: str):
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    for name, fn in FORMATS.items():
        checker.checks(name)(lambda v, fn=fn: not isinstance(v, str) or fn(v))
    return jsonschema.Draft4Validator(json.loads(text), format_checker=checker)


def validator(schema: dict):
    """A compiled jsonschema validator for a CRD schema (cached by its content)."""
    return _validator_for(json.dumps(to_jsonschema(schema), sort_keys=True))


# -- errors -----------------------------------------------------------------------------

def _go_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def _num(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _to_field_error(e: Any, base: str) -> FieldError:
    path = of([*([base] if base else []), *e.absolute_path]) if base else of(e.absolute_path)
    name = path or "."
    v, val = e.validator, e.validator_value
    if v == "required":
        missing = e.message.split("'")[1] if "'" in e.message else "?"
        return FieldError(child(path, missing), "Required value", None, "")
    if v == "type":
        want = [t for t in (val if isinstance(val, list) else [val]) if t != "null"]
        return FieldError(path, "Invalid value", _go_type(e.instance),
                          f'{name} in body must be of type {",".join(want)}: "{_go_type(e.instance)}"')
    if v == "enum":
        values = ", ".join(f'"{x}"' if isinstance(x, str) else f'"{json.dumps(x)}"' for x in val if x is not None)
        return FieldError(path, "Unsupported value", e.instance, f"supported values: {values}")
    if v in ("maximum", "minimum"):
        exclusive = e.schema.get("exclusiveMaximum" if v == "maximum" else "exclusiveMinimum") is True
        word = "less" if v == "maximum" else "greater"
        cmp = f"{word} than" if exclusive else f"{word} than or equal to"
        return FieldError(path, "Invalid value", e.instance, f"{name} in body should be {cmp} {_num(val)}")
    if v == "pattern":
        return FieldError(path, "Invalid value", e.instance, f"{name} in body should match '{e.schema.get('x-go-pattern', val)}'")
    if v == "maxLength":
        return FieldError(path, "Too long", e.instance, f"may not be more than {val} bytes")
    if v == "minLength":
        return FieldError(path, "Invalid value", e.instance, f"{name} in body should be at least {val} chars long")
    if v in ("maxItems", "maxProperties"):
        return FieldError(path, "Too many", len(e.instance), f"must have at most {val} items")
    if v == "minItems":
        return FieldError(path, "Invalid value", e.instance, f"{name} in body should have at least {val} items")
    if v == "minProperties":
        return FieldError(path, "Invalid value", e.instance, f"{name} in body should have at least {val} properties")
    if v == "multipleOf":
        return FieldError(path, "Invalid value", e.instance, f"{name} in body should be a multiple of {_num(val)}")
    if v == "format":
        return FieldError(path, "Invalid value", e.instance, f"{name} in body must be of type {val}: {json.dumps(e.instance)}")
    if v == "anyOf":
        return FieldError(path, "Invalid value", e.instance, f"{name} in body must validate at least one schema (anyOf)")
    if v == "oneOf":
        return FieldError(path, "Invalid value", e.instance, f"{name} in body must validate one and only one schema (oneOf)")
    if v == "not":
        return FieldError(path, "Invalid value", e.instance, f"{name} in body must not validate the schema (not)")
    if v == "additionalProperties":
        return FieldError(path, "Forbidden", None, "additional properties are not allowed")
    return FieldError(path, "Invalid value", e.instance, e.message)


def validate(schema: dict, obj: Any, path: str = "") -> list[FieldError]:
    """Every way obj breaks the schema (empty when it conforms), in upstream's wording."""
    v = validator(schema)
    errs = sorted(v.iter_errors(obj), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    out = [_to_field_error(e, path) for e in errs]
    out += extension_errors(schema, obj, path)
    return out


# -- the Kubernetes extensions ----------------------------------------------------------

def extension_errors(s: Any, x: Any, path: str) -> list[FieldError]:
    """List-type set/map uniqueness and embedded resources' apiVersion and kind, at any depth."""
    if not isinstance(s, dict):
        return []
    errs: list[FieldError] = []
    if isinstance(x, dict):
        if s.get("x-kubernetes-embedded-resource") is True:
            errs += _embedded_errors(x, path)
        props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
        ap = s.get("additionalProperties") if isinstance(s.get("additionalProperties"), dict) else None
        for k, v in x.items():
            sub = props.get(k, ap)
            if sub is not None:
                errs += extension_errors(sub, v, child(path, k) if k in props else f"{path}[{k}]")
    elif isinstance(x, list):
        list_type = s.get("x-kubernetes-list-type")
        if list_type == "set":
            errs += [FieldError(index(path, i), "Duplicate value", x[i], "") for i in _non_unique(x)]
        elif list_type == "map":
            errs += _list_map_errors(s.get("x-kubernetes-list-map-keys") or [], x, path)
        for i, item in enumerate(x):
            errs += extension_errors(s.get("items"), item, index(path, i))
    return errs


def _non_unique(items: list) -> list[int]:
    """Indexes of the second appearance of each repeated element (upstream's validateListSet)."""
    seen: dict[str, int] = {}
    out = []
    for i, x in enumerate(items):
        k = json.dumps(x, sort_keys=True)
        seen[k] = seen.get(k, 0) + 1
        if seen[k] == 2:
            out.append(i)
    return out


def _list_map_errors(keys: list, items: list, path: str) -> list[FieldError]:
    for i, x in enumerate(items):
        if x is not None and not isinstance(x, dict):
            return [FieldError(index(path, i), "Invalid value", x, "must be an object for an array of list-type map")]
    key_of = [{k: x[k] for k in keys if k in x} if isinstance(x, dict) else {} for x in items]
    return [FieldError(index(path, i), "Duplicate value", key_of[i], "") for i in _non_unique(key_of)]


def _embedded_errors(x: dict, path: str) -> list[FieldError]:
    errs = []
    for name in ("apiVersion", "kind"):
        if not x.get(name):
            errs.append(FieldError(child(path, name), "Required value", None, "must not be empty"))
    meta = x.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        errs.append(FieldError(child(path, "metadata"), "Invalid value", _go_type(meta), "must be an object"))
    return errs
