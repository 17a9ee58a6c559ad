"""KubeFed overrides: `[{clusterName, clusterOverrides: [{path, op, value}]}]`, applied per cluster.

Each override is a JSON-pointer (RFC 6901) operation, a subset of JSON Patch (RFC 6902):

- `replace` (the default when `op` is absent) sets the value at `path`. The parent must
  exist; a missing key of an object is set (RFC 6902 would refuse it; KubeFed's users
  routinely override `/spec/replicas` on templates that omit it).
- `add` sets an object key, or inserts into an array at an index or at the end (`-`).
- `remove` deletes the value at `path`; removing a key that is absent does nothing
  ("ensure it is not there", as KubeFed's documentation uses it). A missing array index
  is an error.

Pure: the object given is never modified; errors are OverrideError naming the path.
"""
from __future__ import annotations

import copy
from typing import Any

OPS = ("add", "remove", "replace")
# Identity fields federation sets itself; overriding them would break the link to the
# federated object.
FORBIDDEN = ("/apiVersion", "/kind", "/metadata/name", "/metadata/namespace", "/metadata/generateName")


class OverrideError(ValueError):
    pass


def parse_pointer(path: Any) -> list[str]:
    """RFC 6901: `/a/b~1c/0` -> ["a", "b/c", "0"]."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise OverrideError(f"path {path!r} must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _index(token: str, size: int, path: str, allow_end: bool) -> int:
    if allow_end and token == "-":
        return size
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise OverrideError(f"path {path}: {token!r} is not an array index")
    i = int(token)
    limit = size if allow_end else size - 1
    if i > limit:
        raise OverrideError(f"path {path}: index {i} is out of range (the array has {size} items)")
    return i


def _parent(doc: Any, tokens: list[str], path: str) -> Any:
    node = doc
    for depth, tok in enumerate(tokens[:-1]):
        where = "/" + "/".join(tokens[:depth + 1])
        if isinstance(node, dict):
            if tok not in node:
                raise OverrideError(f"path {path}: {where} does not exist")
            node = node[tok]
        elif isinstance(node, list):
            node = node[_index(tok, len(node), path, allow_end=False)]
        else:
            raise OverrideError(f"path {path}: {where} is not an object or array")
    if not isinstance(node, (dict, list)):
        raise OverrideError(f"path {path}: the parent is not an object or array")
    return node


def apply_one(doc: Any, op: Any, path: Any, value: Any = None) -> Any:
    """Apply one operation to `doc` in place and return it."""
    op = op or "replace"
    if op not in OPS:
        raise OverrideError(f"op {op!r} is not supported (use add, remove or replace)")
    tokens = parse_pointer(path)
    if path in FORBIDDEN or path == "/metadata":
        raise OverrideError(f"path {path} cannot be overridden")
    parent = _parent(doc, tokens, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if op == "remove":
            parent.pop(last, None)
        else:
            parent[last] = copy.deepcopy(value)
        return doc
    # an array
    if op == "add":
        parent.insert(_index(last, len(parent), path, allow_end=True), copy.deepcopy(value))
    elif op == "replace":
        parent[_index(last, len(parent), path, allow_end=False)] = copy.deepcopy(value)
    else:
        del parent[_index(last, len(parent), path, allow_end=False)]
    return doc


def for_cluster(overrides: Any, cluster: str) -> list[dict]:
    """The clusterOverrides of one cluster, in order (several entries for a cluster concatenate)."""
    out: list[dict] = []
    for item in overrides or []:
        if isinstance(item, dict) and item.get("clusterName") == cluster:
            out += [o for o in item.get("clusterOverrides") or [] if isinstance(o, dict)]
    return out


def apply(obj: dict, ops: list[dict]) -> dict:
    """A copy of `obj` with the operations applied in order. Raises OverrideError."""
    doc = copy.deepcopy(obj)
    for o in ops:
        apply_one(doc, o.get("op"), o.get("path"), o.get("value"))
    return doc
