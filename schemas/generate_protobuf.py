#!/usr/bin/env python3
"""Generate kubelite/server/pbtables.py: the protobuf field tables `kubelite serve` decodes with.

Input (documented, not vendored): checkouts of kubernetes/api and kubernetes/apimachinery
at the tag matching kubectl 1.32 (v0.32.13), for example

    git -C api-mirror archive v0.32.13 | tar -x -C /tmp/k8s/api
    git -C apimachinery-mirror archive v0.32.13 pkg | tar -x -C /tmp/k8s/apimachinery
    python schemas/generate_protobuf.py --api /tmp/k8s/api --apimachinery /tmp/k8s/apimachinery

Two sources are joined, because neither alone says how a protobuf field becomes JSON:
- each package's generated.proto gives the field numbers and protobuf types;
- the Go structs beside it (types.go and friends) give, through their `json:` and
  `protobuf:"...,name=X"` tags, the JSON name, `omitempty`, whether the field is a pointer
  (so its zero value is meaningful), and `json:",inline"` embeddings, which protobuf
  keeps as a nested message but JSON flattens (Volume.volumeSource, Probe.handler...).
Any proto field the Go tags do not explain stops the generator: nothing is guessed.

Output: a Python module of plain literals (no JSON file to package, nothing loaded until
the first protobuf body arrives). Each message maps to a tuple of fields
(number, json name, type, mode): type is a proto scalar, a message's full name, or
"map:K:V"; mode is "o" (value, omitted when zero: omitempty), "v" (value, kept when zero),
"p" (pointer: present means set, even when zero), "r" (repeated), "m" (map), "i" (inline:
the message's fields merge into the parent). "P", "R", "M" are "p", "r", "m" without
omitempty: absent from the wire (nil in Go), Go's JSON writes them as null. UNWRAP lists messages JSON writes as their
one `items` list (+protobuf.nullable=true, e.g. ExtraValue).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TAG = "v0.32.13"
API_PACKAGES = [
    "core/v1", "apps/v1", "batch/v1", "rbac/v1", "authentication/v1", "authorization/v1", "policy/v1",
    "scheduling/v1", "networking/v1", "storage/v1", "coordination/v1", "discovery/v1", "autoscaling/v1",
    "autoscaling/v2", "events/v1", "certificates/v1", "node/v1",
]
MACHINERY_PACKAGES = ["pkg/apis/meta/v1", "pkg/runtime", "pkg/api/resource", "pkg/util/intstr"]
# Messages whose JSON form is not their fields: the decoder handles these by name.
SPECIAL = {
    "k8s.io.apimachinery.pkg.apis.meta.v1.Time": "time",
    "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": "microtime",
    "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1": "rawjson",
    "k8s.io.apimachinery.pkg.runtime.RawExtension": "rawjson",
    "k8s.io.apimachinery.pkg.api.resource.Quantity": "quantity",
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "intorstring",
}
SKIP = {  # runtime's own envelope types, read by the decoder itself; never an object's field
    "k8s.io.apimachinery.pkg.runtime.Unknown", "k8s.io.apimachinery.pkg.runtime.TypeMeta",
    "k8s.io.apimachinery.pkg.api.resource.QuantityValue",
}
META = "k8s.io.apimachinery.pkg.apis.meta.v1"
# Bodies a client sends that are not an API group's own messages.
ROOTS = [f"{META}.{kind}" for kind in ("DeleteOptions", "CreateOptions", "UpdateOptions", "PatchOptions", "Status")]
SCALARS = {"string", "bytes", "int32", "int64", "bool", "double", "float", "uint32", "uint64"}

_MESSAGE = re.compile(r"^message (\w+) \{$")
_FIELD = re.compile(r"^\s+(optional|repeated) ([\w.]+) (\w+) = (\d+);")
_MAP = re.compile(r"^\s+map<(\w+), ([\w.]+)> (\w+) = (\d+);")
_PACKAGE = re.compile(r"^package ([\w.]+);")


def parse_proto(text: str) -> tuple[str, dict]:
    """{message: {"fields": [(label, type, name, number)], "nullable": bool}} of one generated.proto."""
    package, messages, current, comments = "", {}, None, []
    for line in text.splitlines():
        if line.startswith("//"):  # a top-level comment: the doc (and +markers) of what follows
            comments.append(line)
            continue
        if m := _PACKAGE.match(line):
            package = m.group(1)
        elif m := _MESSAGE.match(line):
            current = messages[m.group(1)] = {"fields": [], "nullable": any("+protobuf.nullable=true" in c for c in comments)}
        elif line.startswith("}"):
            current = None
        elif current is not None and (m := _FIELD.match(line)):
            current["fields"].append((m.group(1), m.group(2), m.group(3), int(m.group(4))))
        elif current is not None and (m := _MAP.match(line)):
            current["fields"].append(("map", f"{m.group(1)}:{m.group(2)}", m.group(3), int(m.group(4))))
        comments = []
    return package, messages


_STRUCT = re.compile(r"^type (\w+) struct \{$")


def parse_go(dirpath: Path) -> dict:
    """{(struct, field number): (json name, omitempty, pointer, inline)} from a package's Go files."""
    out = {}
    for path in sorted(dirpath.glob("*.go")):
        if path.name.endswith("_test.go") or path.name.startswith(("generated.", "zz_generated")):
            continue
        struct = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if m := _STRUCT.match(line):
                struct = m.group(1)
            elif line.startswith("}"):
                struct = None
            elif struct and "`" in line and 'protobuf:"' in line:
                head, tags = line.split("`", 1)
                words = head.split()
                gotype = words[-1]
                pb = re.search(r'protobuf:"([^"]*)"', tags).group(1)
                if pb == "-":
                    continue
                number = int(pb.split(",")[1])  # joined by number: an inline field may have no name=
                js = re.search(r'json:"([^"]*)"', tags)
                jparts = (js.group(1) if js else "").split(",")
                inline = "inline" in jparts[1:]
                out[(struct, number)] = (jparts[0], "omitempty" in jparts[1:], gotype.startswith("*"), inline)
    return out


def qualify(t: str, package: str, known: set) -> str:
    t = t.lstrip(".")  # a fully qualified name may be written .k8s.io...
    if t in SCALARS or "." in t and t in known:
        return t
    if f"{package}.{t}" in known:
        return f"{package}.{t}"
    if t in known:
        return t
    raise SystemExit(f"unknown type {t} in {package}")


def mode_of(label: str, omitempty: bool, pointer: bool, inline: bool) -> str:
    """How a field's value becomes JSON (see the module docstring)."""
    if label == "map":
        mode = "m"
    elif label == "repeated":
        mode = "r"
    elif inline:
        return "i"
    elif pointer:
        mode = "p"
    else:
        return "o" if omitempty else "v"
    return mode if omitempty else mode.upper()  # nil without omitempty: Go's JSON writes null


def build(api: Path, machinery: Path) -> tuple[dict, set]:
    """The tables of every message reachable from the API groups' messages and ROOTS."""
    raw = {}
    for root, pkgs in ((api, API_PACKAGES), (machinery, MACHINERY_PACKAGES)):
        for pkg in pkgs:
            package, messages = parse_proto((root / pkg / "generated.proto").read_text(encoding="utf-8"))
            go = parse_go(root / pkg)
            for name, msg in messages.items():
                raw[f"{package}.{name}"] = (package, name, msg, go)
    known = set(raw)
    todo = [full for full, (package, *_) in raw.items() if package.startswith("k8s.io.api.")] + ROOTS
    tables, unwrap = {}, set()
    while todo:
        full = todo.pop()
        if full in tables or full in SPECIAL or full in SKIP or full in SCALARS:
            continue
        package, name, msg, go = raw[full]
        if msg["nullable"]:
            unwrap.add(full)
        elif not any(s == name for s, _ in go):
            # a Go named type over another package's struct (core/v1 List = metav1.List):
            # nothing says how its fields map to JSON, so it gets no table
            print(f"skipped {full}: no Go struct with protobuf tags", file=sys.stderr)
            continue
        fields = []
        for label, ptype, pname, number in msg["fields"]:
            if label == "map":
                k, v = ptype.split(":")
                ptype = f"map:{k}:{qualify(v, package, known)}"
                todo.append(ptype.split(":", 2)[2])
            else:
                ptype = qualify(ptype, package, known)
                todo.append(ptype)
            if msg["nullable"]:
                fields.append((number, pname, ptype, "r"))
                continue
            if (name, number) not in go:
                raise SystemExit(f"{full}.{pname} = {number}: no Go field of {name} carries that protobuf number")
            jname, omitempty, pointer, inline = go[(name, number)]
            mode = mode_of(label, omitempty, pointer, inline)
            if not jname and mode != "i":
                raise SystemExit(f"{full}.{pname}: no JSON name")
            fields.append((number, jname, ptype, mode))
        tables[full] = tuple(sorted(fields))
    return tables, unwrap


def render(tables: dict, unwrap: set) -> str:
    lines = [
        f'"""Generated by schemas/generate_protobuf.py from kubernetes/api and kubernetes/apimachinery {TAG}; do not edit.',
        "",
        "Per message: (field number, JSON name, type, mode); see the generator's docstring.",
        '"""',
        "# fmt: off",
        "MESSAGES = {",
    ]
    for name in sorted(tables):
        lines.append(f"    {name!r}: {tables[name]!r},")
    lines.append("}")
    lines.append(f"UNWRAP = {sorted(unwrap)!r}")
    lines.append(f"SPECIAL = {dict(sorted(SPECIAL.items()))!r}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--api", type=Path, required=True, help=f"a checkout of kubernetes/api at {TAG}")
    p.add_argument("--apimachinery", type=Path, required=True, help=f"a checkout of kubernetes/apimachinery at {TAG}")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "kubelite" / "server" / "pbtables.py")
    a = p.parse_args(argv)
    tables, unwrap = build(a.api, a.apimachinery)
    a.out.write_text(render(tables, unwrap), encoding="utf-8")
    print(f"{a.out}: {len(tables)} messages, {sum(map(len, tables.values()))} fields", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
