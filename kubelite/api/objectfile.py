"""Whether a name can address an object file, and whether a parsed file is the object its path names.

Pure checks (reading only the shipped schemas) that cost no more than their imports: the
CLI's fast path (kubelite.cli.fast) must refuse exactly the files the API server refuses,
without loading the API server. kubelite.apiserver uses these same functions.
"""
from __future__ import annotations

from typing import Any

from kubelite.api import kinds
from kubelite.api.kinds import Kind

# Names and namespaces become file and folder names under STATE/registry. The longest one an
# object file can have: `<name>.yaml` and its temporary twin `.<name>.yaml.tmp-<pid>-<hex6>`
# must both fit a file name (NAME_MAX, 255 bytes).
MAX_KEY_BYTES = 230


def key_error(value: Any) -> str | None:
    """Why a name or namespace cannot address an object file, or None when it can.

    Refused: path separators and '.'/'..' (they would reach other files), NUL and text
    that is not UTF-8 (no file can be named so), other control characters (newlines and
    terminal escapes in file names and messages), a leading '.' (the store's temporary
    files), and names too long for a file name.
    """
    if not isinstance(value, str) or not value:
        return "must be a non-empty string"
    if value in (".", ".."):
        return f"may not be '{value}'"
    if "/" in value:
        return "may not contain '/'"
    if "\x00" in value:
        return "may not contain a NUL character"
    if not value.isprintable():
        return "may not contain control characters"
    if value.startswith("."):
        return "may not start with '.'"
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        return "must be valid UTF-8"
    if size > MAX_KEY_BYTES:
        return f"must be no more than {MAX_KEY_BYTES} bytes"
    return None


_JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}
_TOP_LEVEL: dict[str, tuple[dict[str, type], tuple[str, ...]]] = {}


def top_level(kind: Kind) -> tuple[dict[str, type], tuple[str, ...]]:
    """A kind's top-level fields with the Python type each must have, and the required ones."""
    got = _TOP_LEVEL.get(kind.kind)
    if got is None:
        from kubelite.api import schema  # not for key_error: the fast path checks keys before any file

        types: dict[str, type] = {}
        sch = schema.load_schema(kind.kind) or {}
        for field, prop in (sch.get("properties") or {}).items():
            t = prop.get("type")
            ref = prop.get("$ref", "")
            if t is None and ref.startswith("#/$defs/"):
                t = ((sch.get("$defs") or {}).get(ref.rsplit("/", 1)[1]) or {}).get("type")
            if isinstance(t, list):
                t = next((x for x in t if x != "null"), None) if len(t) <= 2 else None
            if isinstance(t, str) and t in _JSON_TYPES:
                types[field] = _JSON_TYPES[t]
        got = _TOP_LEVEL[kind.kind] = (types, tuple(sch.get("required") or ()))
    return got


def file_problem(kind: Kind, obj: dict, namespace: str | None, name: str) -> str | None:
    """Why an object read from kind's file for (namespace, name) cannot be that object, or None.

    Catches what a hand edit, a copied file or a truncation that still parses leaves: the
    wrong kind for its folder, a name or namespace that is not its path, and top-level
    fields (metadata, spec, status, ...) of the wrong type.
    """
    if obj.get("kind") != kind.kind or kinds.for_object(obj.get("apiVersion"), obj.get("kind")) != kind:
        return f"holds kind {obj.get('kind')!r} of apiVersion {obj.get('apiVersion')!r}, not {kind.api_version} {kind.kind}"
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return "metadata is not a mapping"
    if meta.get("name") != name:
        return f"metadata.name {meta.get('name')!r} does not match its file name {name!r}"
    if kind.namespaced and meta.get("namespace") != namespace:
        return f"metadata.namespace {meta.get('namespace')!r} does not match its folder {namespace!r}"
    types, required = top_level(kind)
    for field in required:
        if field not in obj:
            return f"{field} is missing (a truncated file?)"
    for field, want in types.items():
        v = obj.get(field)
        if v is not None and not isinstance(v, want):
            return f"{field} is not {'a mapping' if want is dict else 'a list' if want is list else 'a ' + want.__name__}"
    for field in ("labels", "annotations"):
        v = meta.get(field)
        if v is not None and not isinstance(v, dict):
            return f"metadata.{field} is not a mapping"
    for field in ("ownerReferences", "finalizers"):
        v = meta.get(field)
        if v is not None and not isinstance(v, list):
            return f"metadata.{field} is not a list"
    return None
