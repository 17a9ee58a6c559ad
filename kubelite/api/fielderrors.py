"""Field errors worded as upstream's field.Error: `spec.replicas: Invalid value: -1: must be ...`."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kubelite.errors import Invalid


@dataclass
class FieldError:
    path: str
    type: str  # "Invalid value", "Required value", "Unsupported value", "Forbidden", "Duplicate value",
    # "Unknown field", "Too long", "Too many"
    value: Any
    detail: str

    def __str__(self) -> str:
        if self.type == "Unknown field":
            return self.detail
        if self.type == "Too long":  # upstream prints no value for these, as for Required
            return f"{self.path}: Too long: {self.detail}"
        if self.type == "Required value":
            return f"{self.path}: Required value" + (f": {self.detail}" if self.detail else "")
        if self.type == "Forbidden":
            return f"{self.path}: Forbidden: {self.detail}"
        value = _show(self.value)
        tail = f": {self.detail}" if self.detail else ""
        return f"{self.path}: {self.type}: {value}{tail}"


def _show(v: Any) -> str:
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return str(v)
    text = json.dumps(v, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def invalid(kind: str, name: str, errors: list[FieldError]) -> Invalid:
    """Upstream's message: `The Deployment "web" is invalid: a: ..., b: ...` (at most a few shown)."""
    shown = errors[:3]
    text = ", ".join(str(e) for e in shown)
    if len(errors) > 1:
        text = "[" + text + (f", and {len(errors) - 3} more" if len(errors) > 3 else "") + "]"
    e = Invalid(f'The {kind} "{name}" is invalid: {text}', [str(e) for e in errors])
    e.kind, e.name, e.field_errors = kind, name, list(errors)  # for the API's Status causes
    return e


class Errors(list):
    """A list of FieldError with helpers for the common shapes."""

    def required(self, path: str, detail: str = "") -> None:
        self.append(FieldError(path, "Required value", None, detail))

    def invalid(self, path: str, value: Any, detail: str) -> None:
        self.append(FieldError(path, "Invalid value", value, detail))

    def unsupported(self, path: str, value: Any, allowed: list[str]) -> None:
        self.append(FieldError(path, "Unsupported value", value, "supported values: " + ", ".join(f'"{a}"' for a in allowed)))

    def forbidden(self, path: str, detail: str) -> None:
        self.append(FieldError(path, "Forbidden", None, detail))

    def duplicate(self, path: str, value: Any) -> None:
        self.append(FieldError(path, "Duplicate value", value, ""))
