"""Request bodies in the Kubernetes protobuf wire format, decoded to the dict a JSON body gives.

client-go's typed clientset (kubectl create serviceaccount/token/configmap..., auth can-i,
auth whoami) sends `application/vnd.kubernetes.protobuf` and has no JSON fallback. A body is
the 4-byte magic `k8s\\x00` and a runtime.Unknown message (typeMeta, raw, contentEncoding,
contentType); `raw` is the object's message without its TypeMeta.

The wire reader is the protobuf encoding spec's four wire types, no library. The field
tables (pbtables.py) are generated from upstream's generated.proto and Go struct tags by
schemas/generate_protobuf.py. Pure: bytes in, dict out; any malformed input raises
BadRequest, a kind without a table raises UnsupportedMediaType. Every length is checked
against what remains, so no input makes it read past the end, loop or recurse unbounded.
"""
from __future__ import annotations

import base64
import datetime
import json
import struct
from typing import Any

from kubelite.errors import BadRequest
from kubelite.server.pbtables import MESSAGES, SPECIAL, UNWRAP
from kubelite.server.status import HTTPError

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
META = "k8s.io.apimachinery.pkg.apis.meta.v1"
MAX_VARINT = 10  # bytes in the longest 64-bit varint

VARINT, FIXED64, BYTES, FIXED32 = 0, 1, 2, 5
_WIRE = {"string": BYTES, "bytes": BYTES, "int32": VARINT, "int64": VARINT, "uint32": VARINT, "uint64": VARINT,
         "bool": VARINT, "double": FIXED64, "float": FIXED32}
_WIRE_NAMES = {0: "varint", 1: "64-bit", 2: "length-delimited", 3: "start-group", 4: "end-group", 5: "32-bit"}
_UNIX = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

_tables: dict[str, tuple[dict[int, tuple[str, str, str]], tuple[str, ...]]] = {}


def decode(body: bytes, max_depth: int = 100) -> dict:
    """The JSON-shaped object in a protobuf request body."""
    if not body.startswith(MAGIC):
        raise BadRequest("the protobuf body does not start with the Kubernetes prefix 'k8s\\x00'")
    api_version = kind = encoding = ""
    raw = (len(body), len(body))
    for number, wire, value in _fields(body, len(MAGIC), len(body), "runtime.Unknown"):
        if number == 1:  # typeMeta
            _expect(wire, BYTES, "runtime.Unknown", number)
            for n, w, v in _fields(body, value[0], value[1], "runtime.TypeMeta"):
                if n in (1, 2):
                    _expect(w, BYTES, "runtime.TypeMeta", n)
                    if n == 1:
                        api_version = _text(body, v, "typeMeta.apiVersion")
                    else:
                        kind = _text(body, v, "typeMeta.kind")
        elif number == 2:
            _expect(wire, BYTES, "runtime.Unknown", number)
            raw = value
        elif number == 3:
            _expect(wire, BYTES, "runtime.Unknown", number)
            encoding = _text(body, value, "contentEncoding")
    if encoding:
        raise BadRequest(f"the protobuf body has content encoding {encoding!r}; only unencoded bodies are accepted")
    if not api_version or not kind:
        raise BadRequest("the protobuf body does not name its apiVersion and kind")
    message = message_for(api_version, kind)
    obj: dict[str, Any] = {"kind": kind, "apiVersion": api_version}
    obj.update(_message(body, raw[0], raw[1], message, 1, max_depth))
    return obj


def message_for(api_version: str, kind: str) -> str:
    """The protobuf message of apiVersion/kind; UnsupportedMediaType when kubelite has no table for it."""
    group, _, version = api_version.rpartition("/")
    package = META if group == "meta.k8s.io" else f"k8s.io.api.{group.split('.')[0] or 'core'}.{version}"
    for name in (f"{package}.{kind}", f"{META}.{kind}"):  # DeleteOptions may come as any group's version
        if name in MESSAGES:
            return name
    raise HTTPError("UnsupportedMediaType", f"kubelite cannot decode {kind} ({api_version}) from protobuf; "
                    f"send it as JSON or YAML instead, e.g. `kubectl create ... --dry-run=client -o yaml | kubectl apply -f -`")


def _table(name: str) -> tuple[dict[int, tuple[str, str, str]], tuple[str, ...]]:
    """{number: (json name, type, mode)} of a message, and the fields that are null when absent."""
    t = _tables.get(name)
    if t is None:
        fields = MESSAGES[name]
        t = _tables[name] = ({number: (jname, typ, mode.lower()) for number, jname, typ, mode in fields},
                             tuple(jname for _, jname, _, mode in fields if mode in "PRM"))
    return t


def _varint(buf: bytes, pos: int, end: int, where: str) -> tuple[int, int]:
    result = shift = 0
    for i in range(pos, min(end, pos + MAX_VARINT)):
        b = buf[i]
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, i + 1
        shift += 7
    if end - pos < MAX_VARINT:
        raise BadRequest(f"the protobuf body is truncated in a varint of {where}")
    raise BadRequest(f"the protobuf body has a varint longer than {MAX_VARINT} bytes in {where}")


def _fields(buf: bytes, pos: int, end: int, where: str):
    """(number, wire type, value) of each field in buf[pos:end]: an int, or (start, end) of the bytes."""
    while pos < end:
        key = buf[pos]
        if key < 0x80:  # field numbers below 16: one byte, the usual case
            pos += 1
        else:
            key, pos = _varint(buf, pos, end, where)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise BadRequest(f"the protobuf body has field number 0 in {where}")
        if wire == VARINT:
            value, pos = _varint(buf, pos, end, where)
        elif wire == BYTES:
            if pos < end and buf[pos] < 0x80:
                length, pos = buf[pos], pos + 1
            else:
                length, pos = _varint(buf, pos, end, where)
            if length > end - pos:
                raise BadRequest(f"the protobuf body is truncated: field {number} of {where} claims {length} bytes, "
                                 f"{end - pos} remain")
            value, pos = (pos, pos + length), pos + length
        elif wire in (FIXED64, FIXED32):
            size = 8 if wire == FIXED64 else 4
            if size > end - pos:
                raise BadRequest(f"the protobuf body is truncated in field {number} of {where}")
            value, pos = (pos, pos + size), pos + size
        else:
            raise BadRequest(f"the protobuf body has unsupported wire type {wire} ({_WIRE_NAMES.get(wire, 'invalid')}) "
                             f"in field {number} of {where}")
        yield number, wire, value


def _expect(wire: int, expected: int, where: str, number: int) -> None:
    if wire != expected:
        raise BadRequest(f"the protobuf body has wire type {_WIRE_NAMES.get(wire, wire)} for field {number} of {where}, "
                         f"expected {_WIRE_NAMES[expected]}")


def _text(buf: bytes, value: tuple[int, int], where: str) -> str:
    try:
        return buf[value[0]:value[1]].decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(f"the protobuf body has a string that is not valid UTF-8 in {where}") from None


def _message(buf: bytes, pos: int, end: int, name: str, depth: int, max_depth: int) -> dict:
    if depth > max_depth:
        raise BadRequest(f"the object is nested too deeply (more than {max_depth} levels)")
    table, nulls = _table(name)
    short = name.rsplit(".", 1)[-1]
    out: dict[str, Any] = {}
    modes: dict[str, str] = {}
    for number, wire, value in _fields(buf, pos, end, short):
        field = table.get(number)
        if field is None:
            continue  # a field this version does not know, as upstream's decoder skips it
        jname, typ, mode = field
        where = f"{short}.{jname or typ}"
        if mode == "m":
            _expect(wire, BYTES, short, number)
            k, v = _map_entry(buf, value, typ, where, depth, max_depth)
            out.setdefault(jname, {})[k] = v
        elif mode == "r":
            items = out.setdefault(jname, [])
            if wire == BYTES and _WIRE.get(typ, BYTES) != BYTES:  # packed scalars
                items.extend(_packed(buf, value, typ, where))
            else:
                items.append(_value(buf, wire, value, typ, where, depth, max_depth))
        elif mode == "i":
            _expect(wire, BYTES, short, number)
            for k, v in _message(buf, value[0], value[1], typ, depth + 1, max_depth).items():
                if v is not None or k not in out:  # a second chunk of it adds, never blanks
                    out[k] = v
        else:
            out[jname] = _value(buf, wire, value, typ, where, depth, max_depth)
            modes[jname] = mode
    for jname, mode in modes.items():
        v = out[jname]
        # Go writes every non-pointer field; JSON's omitempty leaves out its zero value (a zero
        # Time or an empty RawExtension stays: Go's JSON writes them as null, as kubectl sends them).
        if mode == "o" and v in ("", 0):  # "", 0, 0.0 and False; never a dict, list or None
            del out[jname]
    for jname in nulls:  # nil in Go, and no omitempty: Go's JSON (and so kubectl's) writes null
        out.setdefault(jname, None)
    return out


def _map_entry(buf: bytes, value: tuple[int, int], typ: str, where: str, depth: int, max_depth: int):
    _, ktype, vtype = typ.split(":", 2)
    k: Any = _zero(ktype)
    v: Any = None
    for number, wire, val in _fields(buf, value[0], value[1], where):
        if number == 1:
            k = _value(buf, wire, val, ktype, where, depth, max_depth)
        elif number == 2:
            v = _value(buf, wire, val, vtype, where, depth, max_depth)
    if v is None:
        v = _zero(vtype)
    if not isinstance(k, str):
        k = str(k).lower() if isinstance(k, bool) else str(k)
    return k, v


def _zero(typ: str) -> Any:
    if typ in ("string", "bytes"):
        return ""
    if typ == "bool":
        return False
    if typ in _WIRE:
        return 0
    if typ in UNWRAP:
        return []
    return {"quantity": "0", "intorstring": 0}.get(SPECIAL.get(typ, ""), {})


def _packed(buf: bytes, value: tuple[int, int], typ: str, where: str) -> list:
    wire = _WIRE[typ]
    out, pos, end = [], value[0], value[1]
    while pos < end:
        if wire == VARINT:
            v, pos = _varint(buf, pos, end, where)
            out.append(_scalar_int(v, typ))
        else:
            size = 8 if wire == FIXED64 else 4
            if size > end - pos:
                raise BadRequest(f"the protobuf body is truncated in packed {where}")
            out.append(struct.unpack("<d" if size == 8 else "<f", buf[pos:pos + size])[0])
            pos += size
    return out


def _scalar_int(v: int, typ: str) -> Any:
    if typ == "bool":
        return v != 0
    if typ in ("int32", "int64") and v >= 1 << 63:
        v -= 1 << 64
    if typ == "int32":
        if not -(1 << 31) <= v < 1 << 31:
            raise BadRequest(f"the protobuf body has an int32 out of range: {v}")
    elif typ == "uint32":
        v &= 0xFFFFFFFF
    return v


def _value(buf: bytes, wire: int, value, typ: str, where: str, depth: int, max_depth: int) -> Any:
    expected = _WIRE.get(typ, BYTES)
    if wire != expected:
        raise BadRequest(f"the protobuf body has wire type {_WIRE_NAMES.get(wire, wire)} for {where}, "
                         f"expected {_WIRE_NAMES[expected]}")
    if typ == "string":
        return _text(buf, value, where)
    if typ == "bytes":
        return base64.b64encode(buf[value[0]:value[1]]).decode("ascii")
    if expected == VARINT:
        return _scalar_int(value, typ)
    if expected != BYTES:
        return struct.unpack("<d" if typ == "double" else "<f", buf[value[0]:value[1]])[0]
    special = SPECIAL.get(typ)
    if special is not None:
        return _special(buf, value, special, where, depth, max_depth)
    if typ in UNWRAP:
        return _message(buf, value[0], value[1], typ, depth + 1, max_depth).get("items", [])
    return _message(buf, value[0], value[1], typ, depth + 1, max_depth)


def _ints(buf: bytes, value, where: str) -> dict[int, Any]:
    """The fields of a small message of varints and strings (Time, IntOrString, Quantity)."""
    out: dict[int, Any] = {}
    for number, wire, v in _fields(buf, value[0], value[1], where):
        out[number] = v if wire == VARINT else _text(buf, v, where) if wire == BYTES else None
    return out


def _special(buf: bytes, value, special: str, where: str, depth: int, max_depth: int) -> Any:
    if special == "rawjson":  # RawExtension, FieldsV1: the embedded object's own bytes
        raw = None
        for number, wire, v in _fields(buf, value[0], value[1], where):
            if number == 1:
                _expect(wire, BYTES, where, number)
                raw = buf[v[0]:v[1]]
        if not raw:
            return None
        if depth + 1 > max_depth:
            raise BadRequest(f"the object is nested too deeply (more than {max_depth} levels)")
        if raw.startswith(MAGIC):
            return decode(raw, max_depth - depth - 1)
        try:
            return json.loads(raw)
        except RecursionError:
            raise BadRequest("the object is nested too deeply") from None
        except ValueError as e:
            raise BadRequest(f"the protobuf body has an embedded object in {where} that is not JSON: {e}") from None
    f = _ints(buf, value, where)
    if special == "quantity":
        q = f.get(1)
        return q if isinstance(q, str) else "0"
    if special == "intorstring":
        if f.get(1) == 1:
            s = f.get(3, "")
            return s if isinstance(s, str) else ""
        return _scalar_int(f.get(2, 0) if isinstance(f.get(2, 0), int) else 0, "int32")
    # time, microtime: seconds and nanos since the epoch; the zero time is JSON null, as Go writes it
    seconds, nanos = f.get(1, 0), f.get(2, 0)
    if not isinstance(seconds, int) or not isinstance(nanos, int):
        raise BadRequest(f"the protobuf body has a malformed timestamp in {where}")
    seconds, nanos = _scalar_int(seconds, "int64"), _scalar_int(nanos, "int32")
    if seconds == 0 and nanos == 0:
        return None
    try:
        t = _UNIX + datetime.timedelta(seconds=seconds, microseconds=nanos // 1000)
    except OverflowError:
        raise BadRequest(f"the protobuf body has a timestamp out of range in {where}") from None
    if special == "microtime":
        return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")
