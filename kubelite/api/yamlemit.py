"""A fast block-style YAML emitter for plain data (what the store and `-o yaml` write).

ruamel.yaml's emitter costs about 1.5 ms for a pod; this one writes the same shape
(sorted keys, block style, lists at their key's indent, as kubectl prints) in a fraction
of that. Strings are written plain only when no YAML 1.1 or 1.2 reader could take them
for anything else; otherwise they are JSON-quoted, which is valid YAML double quoting.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

_MEMO: dict[str, str] = {}  # keys and short values repeat across objects: decide once
_KEYWORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}
_FIRST = re.compile(r"^(?:[A-Za-z_/]|-[A-Za-z])")
_UNSAFE = re.compile(r"[^\x20-\x7e]|: |:$| #|[{}\[\],'\"`]")
# Characters JSON leaves raw that YAML may not hold raw: DEL and C1 controls (a reader refuses
# them), NEL/LS/PS (read back as line breaks) and the non-characters U+FFFE and U+FFFF.
_NOT_YAML_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def plain_ok(s: str) -> bool:
    """Whether a string can be written unquoted and read back as the same string by YAML
    1.1 and 1.2 readers alike: it starts with a letter (so it is no number or timestamp),
    is no boolean or null keyword, and holds no indicator that would end or change it."""
    return (bool(s) and s == s.strip() and _FIRST.match(s) is not None
            and _UNSAFE.search(s) is None and s.lower() not in _KEYWORDS)


def scalar(v: Any) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return ".nan"
        if math.isinf(v):
            return ".inf" if v > 0 else "-.inf"
        return repr(v)
    hit = _MEMO.get(v) if isinstance(v, str) else None
    if hit is not None:
        return hit
    s = str(v)
    if plain_ok(s):
        out = s
    else:
        out = _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(s, ensure_ascii=False))
    if isinstance(v, str) and len(s) < 64:
        if len(_MEMO) > 50_000:
            _MEMO.clear()
        _MEMO[v] = out
    return out


def _block(s: str) -> bool:
    """Whether a multi-line string can be written as a literal block (|)."""
    if "\n" not in s or s.startswith((" ", "\n", "\t")) or "\r" in s:
        return False
    return all(ch == "\n" or ch >= " " for ch in s) and not _NOT_YAML_PRINTABLE.search(s) and not any(
        line.endswith((" ", "\t")) for line in s.split("\n"))


def _string_block(s: str, indent: str) -> str:
    body = s[:-1] if s.endswith("\n") else s
    chomp = "" if s.endswith("\n") and not s.endswith("\n\n") else ("+" if s.endswith("\n") else "-")
    lines = body.split("\n")
    return "|" + chomp + "\n" + "\n".join((indent + ln) if ln else "" for ln in lines)


def _value(v: Any, indent: str, out: list[str], prefix: str) -> None:
    """Write `prefix` (e.g. 'key:' or '-') followed by v."""
    if isinstance(v, dict):
        if not v:
            out.append(f"{prefix} {{}}")
            return
        out.append(prefix)
        _mapping(v, indent + "  ", out)
    elif isinstance(v, list):
        if not v:
            out.append(f"{prefix} []")
            return
        out.append(prefix)
        # kubectl style: a list under a key sits at the key's indent.
        _sequence(v, indent if prefix.endswith(":") else indent + "  ", out)
    elif isinstance(v, str) and _block(v):
        out.append(f"{prefix} {_string_block(v, indent + '  ')}")
    else:
        out.append(f"{prefix} {scalar(v)}")


def _mapping(d: dict, indent: str, out: list[str]) -> None:
    for k in sorted(d, key=str):
        _value(d[k], indent, out, f"{indent}{scalar(k)}:")


def _sequence(items: list, indent: str, out: list[str]) -> None:
    for item in items:
        if isinstance(item, dict) and item:
            keys = sorted(item, key=str)
            first, rest = keys[0], keys[1:]
            start = len(out)
            _value(item[first], indent + "  ", out, f"{indent}  {scalar(first)}:")
            out[start] = f"{indent}- " + out[start][len(indent) + 2:]
            for k in rest:
                _value(item[k], indent + "  ", out, f"{indent}  {scalar(k)}:")
        else:
            _value(item, indent, out, f"{indent}-")


def dump(obj: Any) -> str:
    """YAML for JSON-shaped data: dicts, lists, strings, numbers, booleans and None."""
    out: list[str] = []
    if isinstance(obj, dict) and obj:
        _mapping(obj, "", out)
    elif isinstance(obj, list) and obj:
        _sequence(obj, "", out)
    else:
        out.append(scalar(obj) if not isinstance(obj, (dict, list)) else ("{}" if isinstance(obj, dict) else "[]"))
    return "\n".join(out) + "\n"


# -- reading back --------------------------------------------------------------
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_MAX_NESTING = 64  # far below yamlio.MAX_DEPTH, so nothing read here is one that yamlio refuses
_MAX_TEXT = 1 << 20  # far below yamlio.MAX_DOCUMENT_BYTES, for the same reason


def load_dumped(text: str) -> dict | None:
    """The mapping that dump() turned into exactly this text, read without a YAML parser;
    None for any other text (a hand edit, another writer's style, anything unusual).

    For the CLI's fast path (kubelite.cli.fast), which cannot spare the ~9 ms that importing
    ruamel.yaml costs. It is as exact as yamlio.load_one because the result is checked:
    only when dumping it gives back `text` to the character is it returned, and what dump()
    writes reads back through yamlio as the data it was given (tests/api/test_yamlemit.py
    holds both to that for all JSON-shaped data). The reader itself only has to be right
    for dump's own output; on anything else its mistakes fail that check.
    """
    if len(text) > _MAX_TEXT or not text.endswith("\n"):
        return None
    reader = _Reader(text[:-1].split("\n"))
    try:
        obj = reader.mapping(0, 0)
    except (ValueError, IndexError):
        return None
    if not obj or reader.pos != len(reader.lines):
        return None
    try:
        if dump(obj) != text:
            return None
    except (TypeError, ValueError):
        return None
    return obj


def _is_item(line: str, indent: int) -> bool:
    """Whether line is a sequence entry (`- ...` or a lone `-`) at this indent."""
    return (line.startswith("-", indent) and len(line) - len(line.lstrip(" ")) == indent
            and (len(line) == indent + 1 or line[indent + 1] == " "))


class _Reader:
    """Reads the block YAML dump() writes: mappings at two spaces a level, sequences at
    their key's indent, plain and JSON-quoted scalars, {} and [], and literal blocks."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.pos = 0

    def mapping(self, indent: int, depth: int) -> dict:
        if depth > _MAX_NESTING:
            raise ValueError("too deep")
        out: dict = {}
        lines = self.lines
        while self.pos < len(lines):
            line = lines[self.pos]
            at = len(line) - len(line.lstrip(" "))
            if at < indent:
                break
            if at > indent or _is_item(line, indent):
                raise ValueError(f"line {self.pos + 1}: unexpected indent")
            key, rest = self._key(line[indent:])
            if key in out:
                raise ValueError(f"line {self.pos + 1}: duplicate key")
            self.pos += 1
            out[key] = self._value(rest, indent, depth)
        return out

    def sequence(self, indent: int, depth: int) -> list:
        if depth > _MAX_NESTING:
            raise ValueError("too deep")
        out: list = []
        lines = self.lines
        while self.pos < len(lines):
            line = lines[self.pos]
            if not _is_item(line, indent):
                if len(line) - len(line.lstrip(" ")) > indent:
                    raise ValueError(f"line {self.pos + 1}: unexpected indent")
                break
            if len(line) == indent + 1:  # `-` alone: a sequence in a sequence
                self.pos += 1
                out.append(self.sequence(indent + 2, depth + 1))
                continue
            rest = line[indent + 2:]
            if self._starts_mapping(rest):  # `- key: ...`: a mapping whose first line this is
                lines[self.pos] = " " * (indent + 2) + rest
                out.append(self.mapping(indent + 2, depth + 1))
            else:
                self.pos += 1
                out.append(self._inline(rest, indent + 2))
        return out

    def _value(self, rest: str, indent: int, depth: int) -> Any:
        """The value after `key:` at indent: on the next lines, or the rest of this one."""
        if rest:
            return self._inline(rest, indent + 2)
        if self.pos < len(self.lines) and _is_item(self.lines[self.pos], indent):
            return self.sequence(indent, depth + 1)
        return self.mapping(indent + 2, depth + 1)

    def _inline(self, rest: str, block_indent: int) -> Any:
        if rest == "{}":
            return {}
        if rest == "[]":
            return []
        if rest[0] == '"':
            s, end = json.decoder.scanstring(rest, 1)
            if end != len(rest):
                raise ValueError("text after a quoted string")
            return s
        if rest[0] == "|":
            return self._block(rest[1:], block_indent)
        return _plain(rest)

    def _block(self, chomp: str, indent: int) -> str:
        if chomp not in ("", "-", "+"):
            raise ValueError("not a literal block")
        lines = self.lines
        prefix = " " * indent
        body = []
        while self.pos < len(lines) and (not lines[self.pos] or lines[self.pos].startswith(prefix)):
            body.append(lines[self.pos][indent:])
            self.pos += 1
        text = "\n".join(body)
        return text if chomp == "-" else text + "\n"

    @staticmethod
    def _key(body: str) -> tuple[str, str]:
        """(key, the rest of the line after `: `) of `key: rest` or `key:`."""
        if body[0] == '"':
            key, end = json.decoder.scanstring(body, 1)
            tail = body[end:]
        else:
            end = body.find(": ")
            if end < 0:
                end = len(body) - 1
            key, tail = body[:end], body[end:]
        if tail == ":":
            return key, ""
        if not tail.startswith(": ") or len(tail) == 2:
            raise ValueError("not a mapping entry")
        return key, tail[2:]

    @staticmethod
    def _starts_mapping(rest: str) -> bool:
        if rest[0] == '"':
            _, end = json.decoder.scanstring(rest, 1)
            return rest.startswith(":", end)
        return ": " in rest or rest.endswith(":")


def _plain(token: str) -> Any:
    if token == "null":
        return None
    if token == "true":
        return True
    if token == "false":
        return False
    c = token[0]
    if c.isdigit() or (c == "-" and token[1:2].isdigit()):
        if _INT.match(token):
            return int(token)
        v = float(token)
        if not math.isfinite(v):  # yamlio reads .inf and .nan as strings; never guess
            raise ValueError("not a finite number")
        return v
    return token
