"""Structural validation against the JSON Schemas in schemas/, compiled once per kind."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where errors are made: loading a schema must stay cheap
    from kubelite.api.fielderrors import FieldError


def schema_dir() -> Path:
    """schemas/ at the repository top in a checkout, kubelite/schemas when installed."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "schemas", here / "schemas"):
        if (candidate / "pod.json").exists():
            return candidate
    return here.parent / "schemas"


@lru_cache(maxsize=None)
def load_schema(kind: str) -> dict | None:
    path = schema_dir() / f"{kind.lower()}.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


@lru_cache(maxsize=None)
def _validator(kind: str):
    schema = load_schema(kind)
    if schema is None:
        return None
    import jsonschema

    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


def _type_words(t: Any) -> str:
    if isinstance(t, list):
        t = [x for x in t if x != "null"]
        return " or ".join(t)
    return str(t)


def _to_field_error(e: Any) -> FieldError:
    from kubelite.api.fielderrors import FieldError

    path = _path(e.absolute_path)
    v = e.validator
    if v == "additionalProperties":
        extra = [k for k in e.instance if k not in (e.schema.get("properties") or {})] if isinstance(e.instance, dict) else []
        name = extra[0] if extra else "?"
        full = f"{path}.{name}" if path else name
        return FieldError(full, "Unknown field", None, f'unknown field "{full}"')
    if v == "required":
        missing = e.message.split("'")[1] if "'" in e.message else "?"
        full = f"{path}.{missing}" if path else missing
        return FieldError(full, "Required value", None, "")
    if v == "type":
        return FieldError(path, "Invalid value", e.instance, f"must be of type {_type_words(e.validator_value)}")
    if v == "const":
        return FieldError(path, "Unsupported value", e.instance, f'supported values: "{e.validator_value}"')
    if v == "enum":
        vals = ", ".join(f'"{x}"' for x in e.validator_value if x is not None)
        return FieldError(path, "Unsupported value", e.instance, f"supported values: {vals}")
    if v in ("maximum", "minimum"):
        word = "less" if v == "maximum" else "greater"
        return FieldError(path, "Invalid value", e.instance, f"must be {word} than or equal to {e.validator_value}")
    if v in ("anyOf", "oneOf") and e.context:
        # Prefer the most specific explanation among the alternatives.
        best = max(e.context, key=lambda c: len(list(c.absolute_path)))
        if list(best.absolute_path) != list(e.absolute_path) or best.validator != "type":
            return _to_field_error(best)
        types = [c.validator_value for c in e.context if c.validator == "type"]
        flat = []
        for t in types:
            flat += t if isinstance(t, list) else [t]
        return FieldError(path, "Invalid value", e.instance, f"must be of type {_type_words(sorted(set(flat)))}")
    return FieldError(path, "Invalid value", e.instance, e.message)


def validate(kind: str, obj: dict) -> list[FieldError]:
    """Structural errors of an object, most relevant first (empty when it conforms)."""
    validator = _validator(kind)
    if validator is None:
        return []
    errors = sorted(validator.iter_errors(obj), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    return [_to_field_error(e) for e in errors]
