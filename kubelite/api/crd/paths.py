"""Field paths worded as upstream's field.Path: `spec.versions[0].schema.properties[spec]`."""
from __future__ import annotations


def child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def key(path: str, k: str) -> str:
    return f"{path}[{k}]"


def index(path: str, i: int) -> str:
    return f"{path}[{i}]"


def of(parts) -> str:
    """A path from a sequence of keys and indexes (jsonschema's absolute_path)."""
    out = ""
    for p in parts:
        out = index(out, p) if isinstance(p, int) else child(out, str(p))
    return out
