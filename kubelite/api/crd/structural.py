"""Whether a CRD's openAPIV3Schema is structural, with upstream's messages.

Upstream: apiextensions-apiserver `pkg/apiserver/schema/validation.go` (ValidateStructural)
and `complete.go`, plus the OpenAPI restrictions of `pkg/apis/apiextensions/validation`.
A schema is a plain dict; errors are FieldErrors whose paths start at `path`.
"""
from __future__ import annotations

import re
from typing import Any

from kubelite.api.crd import goregex
from kubelite.api.crd.paths import child, index, key
from kubelite.api.fielderrors import FieldError

ROOT, ITEM, FIELD = "root", "item", "field"

_INT_OR_STRING = [{"type": "integer"}, {"type": "string"}]
_JUNCTORS = ("allOf", "anyOf", "oneOf")


def _required(path: str, detail: str) -> FieldError:
    return FieldError(path, "Required value", None, detail)


def _forbidden(path: str, detail: str) -> FieldError:
    return FieldError(path, "Forbidden", None, detail)


def _invalid(path: str, value: Any, detail: str) -> FieldError:
    return FieldError(path, "Invalid value", value, detail)


def _dict(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _props(s: dict) -> dict:
    return {k: v for k, v in _dict(s.get("properties")).items() if isinstance(v, dict)}


def _add_props(s: dict) -> dict | None:
    ap = s.get("additionalProperties")
    return ap if isinstance(ap, dict) else None


def structural_errors(schema: Any, path: str) -> list[FieldError]:
    """Every way `schema` fails to be structural (empty when it is), sorted as upstream sorts them."""
    if not isinstance(schema, dict):
        return [_invalid(path, schema, "must be an object")]
    errs = _invariants(schema, ROOT, path) + _completeness(schema, schema, path, path)
    return sorted(errs, key=str)


def _is_int_or_string_any_of(s: dict) -> bool:
    return s.get("anyOf") == _INT_OR_STRING


def _is_int_or_string_all_of(s: dict) -> bool:
    all_of = s.get("allOf")
    return isinstance(all_of, list) and bool(all_of) and isinstance(all_of[0], dict) and all_of[0].get("anyOf") == _INT_OR_STRING


def _invariants(s: dict, level: str, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    typ = s.get("type") or ""
    items = s.get("items")
    if typ == "array" and items is None:
        errs.append(_required(child(path, "items"), "must be specified"))
    if isinstance(items, dict):
        errs += _invariants(items, ITEM, child(path, "items"))
    for k, v in _props(s).items():
        errs += _invariants(v, FIELD, key(child(path, "properties"), k))
    if "additionalProperties" in s:
        if level == ROOT:
            errs.append(_forbidden(child(path, "additionalProperties"), "must not be used at the root"))
        ap = _add_props(s)
        if ap is not None:
            errs += _invariants(ap, FIELD, child(path, "additionalProperties"))

    int_or_string = s.get("x-kubernetes-int-or-string") is True
    preserve = s.get("x-kubernetes-preserve-unknown-fields") is True
    embedded = s.get("x-kubernetes-embedded-resource") is True
    if int_or_string and preserve:
        errs.append(_invalid(child(path, "x-kubernetes-preserve-unknown-fields"), True, "must be false if x-kubernetes-int-or-string is true"))
    if int_or_string and embedded:
        errs.append(_invalid(child(path, "x-kubernetes-embedded-resource"), True, "must be false if x-kubernetes-int-or-string is true"))

    errs += _value_validation(s, _is_int_or_string_any_of(s), _is_int_or_string_all_of(s), level, path)

    check_metadata = level == ROOT or embedded
    if embedded and typ != "object":
        if not typ:
            errs.append(_required(child(path, "type"), "must be object if x-kubernetes-embedded-resource is true"))
        else:
            errs.append(_invalid(child(path, "type"), typ, "must be object if x-kubernetes-embedded-resource is true"))
    elif not typ and not int_or_string and not preserve:
        where = {ROOT: "at the root", ITEM: "for specified array items", FIELD: "for specified object fields"}[level]
        errs.append(_required(child(path, "type"), f"must not be empty {where}"))
    if embedded and "additionalProperties" in s:
        errs.append(_forbidden(child(path, "additionalProperties"), "must not be used if x-kubernetes-embedded-resource is set"))
    if level == ROOT and typ and typ != "object":
        errs.append(_invalid(child(path, "type"), typ, "must be object at the root"))

    props = _props(s)
    for name in ("kind", "apiVersion"):
        if name in props and check_metadata and props[name].get("type") != "string":
            errs.append(_invalid(child(key(child(path, "properties"), name), "type"), props[name].get("type", ""), "must be string"))
    if "metadata" in props:
        errs += _metadata_invariants(props["metadata"], check_metadata, level, key(child(path, "properties"), "metadata"))
    if embedded and not preserve and not props:
        errs.append(_required(child(path, "properties"),
                              "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"))
    return errs


def _metadata_invariants(s: dict, check_metadata: bool, level: str, path: str) -> list[FieldError]:
    errs = []
    if check_metadata and s.get("type") != "object":
        errs.append(_invalid(child(path, "type"), s.get("type", ""), "must be object"))
    if level == ROOT:
        # Only restrictions on name and generateName may be given; type and (checked
        # elsewhere) default are not restrictions.
        rest = {k: v for k, v in s.items() if k not in ("type", "default")}
        props = _props(s)
        if set(props) <= {"name", "generateName"}:
            rest.pop("properties", None)
        if rest:
            errs.append(_forbidden(path, "must not specify anything other than name and generateName, but metadata is implicitly specified"))
    return errs


def _value_validation(v: dict, skip_any_of: bool, skip_first_all_of_any_of: bool, level: str, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    if not skip_any_of:
        for i, n in enumerate(_list(v.get("anyOf"))):
            errs += _nested(n, False, level, index(child(path, "anyOf"), i))
    for i, n in enumerate(_list(v.get("allOf"))):
        errs += _nested(n, skip_first_all_of_any_of and i == 0, level, index(child(path, "allOf"), i))
    for i, n in enumerate(_list(v.get("oneOf"))):
        errs += _nested(n, False, level, index(child(path, "oneOf"), i))
    if isinstance(v.get("not"), dict):
        errs += _nested(v["not"], False, level, child(path, "not"))
    pattern = v.get("pattern")
    if isinstance(pattern, str) and pattern:
        try:
            re.compile(goregex.to_python(pattern))
        except re.error as e:
            errs.append(_invalid(child(path, "pattern"), pattern, f"must be a valid regular expression, but isn't: {e}"))
    return errs


def _list(v: Any) -> list[dict]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


_NESTED_FORBIDDEN = (
    ("type", "must be empty to be structural"),
    ("additionalProperties", "must be undefined to be structural"),
    ("default", "must be undefined to be structural"),
    ("title", "must be empty to be structural"),
    ("description", "must be empty to be structural"),
    ("nullable", "must be false to be structural"),
    ("externalDocs", "must be undefined to be structural"),
    ("x-kubernetes-preserve-unknown-fields", "must be false to be structural"),
    ("x-kubernetes-embedded-resource", "must be false to be structural"),
    ("x-kubernetes-int-or-string", "must be false to be structural"),
    ("x-kubernetes-list-map-keys", "must be empty to be structural"),
    ("x-kubernetes-list-type", "must be undefined to be structural"),
    ("x-kubernetes-map-type", "must be undefined to be structural"),
    ("x-kubernetes-validations", "must be empty to be structural"),
)


def _nested(v: dict, skip_any_of: bool, level: str, path: str) -> list[FieldError]:
    """A schema under allOf/anyOf/oneOf/not: value validations only."""
    errs = _value_validation(v, skip_any_of, False, level, path)
    if isinstance(v.get("items"), dict):
        errs += _nested(v["items"], False, level, child(path, "items"))
    for k, p in _props(v).items():
        errs += _nested(p, False, FIELD, key(child(path, "properties"), k))
    for name, detail in _NESTED_FORBIDDEN:
        value = v.get(name)
        if value in (None, False, "", [], {}):
            continue
        errs.append(_forbidden(child(path, name), detail))
    if "metadata" in _props(v):
        errs.append(_forbidden(key(child(path, "properties"), "metadata"), "must not be specified in a nested context"))
    return errs


def _completeness(v: dict, s: dict | None, s_path: str, v_path: str) -> list[FieldError]:
    """Every field or item named in a value validation is also specified structurally."""
    errs: list[FieldError] = []
    for junctor in _JUNCTORS:
        for i, n in enumerate(_list(v.get(junctor))):
            errs += _nested_completeness(n, s, s_path, index(child(v_path, junctor), i))
    if isinstance(v.get("not"), dict):
        errs += _nested_completeness(v["not"], s, s_path, child(v_path, "not"))
    return errs


def _nested_completeness(v: dict, s: dict | None, s_path: str, v_path: str) -> list[FieldError]:
    if s is None:
        return [_required(s_path, f"because it is defined in {v_path}")]
    errs = _completeness(v, s, s_path, v_path)
    if isinstance(v.get("items"), dict):
        items = s.get("items") if isinstance(s.get("items"), dict) else None
        errs += _nested_completeness(v["items"], items, child(s_path, "items"), child(v_path, "items"))
    s_props = _props(s)
    for k, p in _props(v).items():
        if k not in s_props:
            errs.append(_required(key(child(s_path, "properties"), k), f"because it is defined in {key(child(v_path, 'properties'), k)}"))
        else:
            errs += _nested_completeness(p, s_props[k], key(child(s_path, "properties"), k), key(child(v_path, "properties"), k))
    return errs


# -- OpenAPI restrictions (pkg/apis/apiextensions/validation: specStandardValidatorV3) ---------

_UNSUPPORTED = (
    ("id", "id is not supported"),
    ("additionalItems", "additionalItems is not supported"),
    ("patternProperties", "patternProperties is not supported"),
    ("definitions", "definitions is not supported"),
    ("dependencies", "dependencies is not supported"),
    ("$ref", "$ref is not supported"),
)


def openapi_errors(s: Any, path: str) -> list[FieldError]:
    """The OpenAPI v3 features a CRD schema may not use, at any depth."""
    if not isinstance(s, dict):
        return []
    errs: list[FieldError] = []
    for name, detail in _UNSUPPORTED:
        if s.get(name) not in (None, "", {}, []):
            errs.append(_forbidden(child(path, name), detail))
    if s.get("type") == "null":
        errs.append(_forbidden(child(path, "type"), "type cannot be set to null"))
    if isinstance(s.get("items"), list):
        errs.append(_forbidden(child(path, "items"), "items must be a schema object and not an array"))
    if s.get("uniqueItems") is True:
        errs.append(_forbidden(child(path, "uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"))
    if "additionalProperties" in s and _props(s):
        ap = s["additionalProperties"]
        if ap is False or isinstance(ap, dict):
            errs.append(_forbidden(child(path, "additionalProperties"), "additionalProperties and properties are mutual exclusive"))
    errs += openapi_errors(_add_props(s), child(path, "additionalProperties"))
    for k, p in _props(s).items():
        errs += openapi_errors(p, key(child(path, "properties"), k))
    errs += openapi_errors(s.get("not"), child(path, "not"))
    for junctor in _JUNCTORS:
        for i, n in enumerate(_list(s.get(junctor))):
            errs += openapi_errors(n, index(child(path, junctor), i))
    if isinstance(s.get("items"), dict):
        errs += openapi_errors(s["items"], child(path, "items"))
    errs += _list_type_errors(s, path)
    return errs


def _list_type_errors(s: dict, path: str) -> list[FieldError]:
    """x-kubernetes-list-type and list-map-keys as upstream's validation requires them."""
    errs: list[FieldError] = []
    list_type = s.get("x-kubernetes-list-type")
    keys = s.get("x-kubernetes-list-map-keys")
    if list_type is not None:
        if s.get("type") != "array":
            errs.append(_invalid(child(path, "x-kubernetes-list-type"), list_type, "must only be used on type array"))
        if list_type not in ("atomic", "set", "map"):
            errs.append(FieldError(child(path, "x-kubernetes-list-type"), "Unsupported value", list_type,
                                   'supported values: "atomic", "map", "set"'))
    items = _dict(s.get("items"))
    if list_type == "map":
        if not keys:
            errs.append(_required(child(path, "x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map"))
        if items and items.get("type") != "object":
            errs.append(_invalid(child(child(path, "items"), "type"), items.get("type", ""), "must be object if parent array's x-kubernetes-list-type is map"))
        item_props = _props(items)
        for i, k in enumerate(keys or []):
            if k not in item_props:
                errs.append(_invalid(index(child(path, "x-kubernetes-list-map-keys"), i), k, "entries must all be names of item properties"))
    elif keys:
        errs.append(_forbidden(child(path, "x-kubernetes-list-map-keys"), "must not be set if x-kubernetes-list-type is not map"))
    if list_type == "set" and items and items.get("type") == "object" and items.get("x-kubernetes-map-type") != "atomic":
        errs.append(_invalid(child(child(path, "items"), "x-kubernetes-map-type"), items.get("x-kubernetes-map-type"),
                             "must be atomic as item of a list with x-kubernetes-list-type=set"))
    return errs
