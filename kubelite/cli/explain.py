"""`kubelite explain TYPE[.field.path]`: field documentation from schemas/."""
from __future__ import annotations

import click

from kubelite.api import kinds, schema
from kubelite.cli.context import global_options
from kubelite.errors import UsageError


def _resolve(node: dict, root: dict) -> dict:
    seen = 0
    while isinstance(node, dict) and "$ref" in node and seen < 20:
        ref = node["$ref"]
        target: dict = root
        for part in ref.lstrip("#/").split("/"):
            target = target.get(part, {})
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        seen += 1
    for key in ("anyOf", "oneOf"):
        if isinstance(node, dict) and key in node:
            for alt in node[key]:
                alt = _resolve(alt, root)
                if alt.get("type") not in ("null", ["null"]):
                    merged = {**alt, **{k: v for k, v in node.items() if k != key}}
                    return merged
    return node


def _type_name(node: dict, root: dict | None = None) -> str:
    """kubectl explain's type: a definition's Go name (`<DeploymentSpec>`), `[]Container`,
    `map[string]string`, `IntOrString`, `Quantity`, or a JSON type."""
    if root is not None:
        node = _resolve(node, root)
    fmt = node.get("format")
    if fmt == "int-or-string":
        return "IntOrString"
    if fmt == "quantity":
        return "Quantity"
    t = node.get("type")
    if isinstance(t, list):
        t = [x for x in t if x != "null"]
        t = t[0] if len(t) == 1 else "|".join(t)
    if t == "array":
        return f"[]{_type_name(node.get('items') or {}, root)}"
    if t == "object":
        if node.get("properties"):
            return node.get("title") or "Object"
        if isinstance(node.get("additionalProperties"), dict):
            return "map[string]" + _type_name(node["additionalProperties"], root)
        return node.get("title") or "Object"
    if t is None:
        return node.get("title") or "Object"
    return {"integer": "integer", "string": "string", "boolean": "boolean", "number": "number"}.get(t, t)


_META_FIELDS = {
    "apiVersion": {"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object. "
                   "Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values."},
    "kind": {"type": "string", "description": "Kind is a string value representing the REST resource this object represents. "
             "Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase."},
    "metadata": {"type": "object", "description": "Standard object's metadata."},
}


def _custom_schema(kind) -> dict:
    """A custom kind's schema from its CRD, with the fields every object has (as upstream publishes it)."""
    import copy

    from kubelite.api.crd import definition

    root = copy.deepcopy(definition.schema_of(kinds.definition(kind) or {}, kind.version)) or {"type": "object"}
    props = root.setdefault("properties", {})
    for name, node in _META_FIELDS.items():
        props[name] = {**node, **{k: v for k, v in (props.get(name) or {}).items() if k == "description"}}
    return root


@click.command()
@click.argument("path")
@click.option("--recursive", is_flag=True, help="Print the fields of fields.")
@global_options
def explain(path, recursive):
    """Describe the fields of a resource, from kubelite's JSON Schemas.

    \b
    Examples:
      kubelite explain deployment
      kubelite explain deploy.spec.strategy.rollingUpdate
    """
    type_word, *fields = path.split(".")
    from kubelite.cli.inputs import resolve

    kind = resolve(type_word)
    root = _custom_schema(kind) if kind.custom else schema.load_schema(kind.kind)
    if root is None:
        raise UsageError(f"no schema for {kind.kind}")
    node = _resolve(root, root)
    walked = []
    for f in fields:
        if _type_name(node, root).startswith("[]"):
            node = _resolve(node.get("items") or {}, root)
        props = node.get("properties") or {}
        if f not in props:
            raise UsageError(f'field "{f}" does not exist')
        walked.append(f)
        node = _resolve(props[f], root)
    if _type_name(node, root).startswith("[]"):
        inner = _resolve(node.get("items") or {}, root)
        fields_node = inner
    else:
        fields_node = node
    click.echo(f"GROUP:      {kind.group}" if kind.group else "", nl=bool(kind.group))
    click.echo(f"KIND:       {kind.kind}")
    click.echo(f"VERSION:    {kind.version}\n")
    if walked:
        click.echo(f"FIELD: {walked[-1]} <{_type_name(node, root)}>\n")
    click.echo("DESCRIPTION:")
    click.echo("    " + (node.get("description") or root.get("description") or "<empty>") + "\n")
    props = fields_node.get("properties") or {}
    if props:
        click.echo("FIELDS:")
        required = set(fields_node.get("required") or [])
        if fields_node is root:  # kubelite's schemas require these of every object; upstream's do not
            required -= {"apiVersion", "kind", "metadata"}
        _print_fields(props, required, root, 1, recursive)


def _print_fields(props: dict, required: set, root: dict, level: int, recursive: bool) -> None:
    for name in sorted(props):
        node = _resolve(props[name], root)
        req = " -required-" if name in required else ""
        click.echo("  " * level + f"{name}\t<{_type_name(node, root)}>{req}")
        if recursive:
            inner = _resolve(node.get("items") or {}, root) if _type_name(node, root).startswith("[]") else node
            if inner.get("properties") and level < 12:
                _print_fields(inner["properties"], set(inner.get("required") or []), root, level + 1, True)
        elif node.get("description"):
            click.echo("  " * (level + 1) + node["description"] + "\n")
