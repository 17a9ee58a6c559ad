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
from json.encoder import encode_basestring  # what json.dumps(s, ensure_ascii=False) returns for a str
from typing import Any

_KEYWORDS = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"}
_FIRST = re.compile(r"^(?:[A-Za-z_/]|-[A-Za-z])")
_UNSAFE = re.compile(r"[^\x20-\x7e]|: |:$| #|[{}\[\],'\"`]")
# Characters JSON leaves raw that YAML may not hold raw: DEL and C1 controls (a reader refuses
# them), NEL/LS/PS (read back as line breaks) and the non-characters U+FFFE and U+FFFF.
_NOT_YAML_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")
# What a literal block may not hold: the above and every C0 control but the line break (a tab
# or CR would not read back as written).
_NOT_IN_BLOCK = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")

# Keys and short values repeat across objects, so how each is written is decided once.
# _MEMO maps a short string to " " + its scalar text (the space that follows `key:` or `-`
# included, which saves a concatenation per line). It never holds a string that is written
# as a literal block, so a hit is always the whole answer.
_MEMO: dict[str, str] = {}
_MEMO_MAX_LEN = 64
_CACHE_MAX = 50_000
# Per nesting depth, a str key -> its line head: "<indent>key:" (_KEY_LINES) or, for the first
# key of a mapping that is a sequence item, "<indent less two>- key:" (_ITEM_LINES).
_KEY_LINES: list[dict[str, str]] = []
_ITEM_LINES: list[dict[str, str]] = []


def _grow(depth: int) -> None:
    for caches in (_KEY_LINES, _ITEM_LINES):
        while len(caches) <= depth:
            caches.append({})


_grow(32)


def plain_ok(s: str) -> bool:
    """Whether a string can be written unquoted and read back as the same string by YAML
    1.1 and 1.2 readers alike: it starts with a letter (so it is no number or timestamp),
    is no boolean or null keyword, and holds no indicator that would end or change it."""
    return (bool(s) and s == s.strip() and _FIRST.match(s) is not None
            and _UNSAFE.search(s) is None and s.lower() not in _KEYWORDS)


def _escape(m: re.Match) -> str:
    return f"\\u{ord(m.group()):04x}"


def _text(s: str) -> str:
    """The scalar text of string s: plain if that is safe, else JSON-quoted."""
    if plain_ok(s):
        return s
    return _NOT_YAML_PRINTABLE.sub(_escape, encode_basestring(s))


def scalar(v: Any) -> str:
    if type(v) is str:
        hit = _MEMO.get(v)
        if hit is not None:
            return hit[1:]
        out = _text(v)
        if len(v) < _MEMO_MAX_LEN and "\n" not in v:
            _remember(v, " " + out)
        return out
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
    if isinstance(v, str):  # a str subclass: as the equal str, if known, else as its str()
        hit = _MEMO.get(v)  # (never remembered: its str() may differ from the equal str's)
        if hit is not None:
            return hit[1:]
    # Anything else (data that is not JSON) is written as its str().
    return _text(str(v))


def _remember(v: str, text: str) -> None:
    if len(_MEMO) > _CACHE_MAX:
        _MEMO.clear()
    _MEMO[v] = text


def _block(s: str) -> bool:
    """Whether a multi-line string can be written as a literal block (|): no leading space or
    line break, no control characters but line breaks, and no line ending in a space (a tab
    anywhere is already ruled out), as each would not read back as written."""
    return ("\n" in s and not s.startswith((" ", "\n", "\t")) and _NOT_IN_BLOCK.search(s) is None
            and " \n" not in s and not s.endswith(" "))


def _string_block(s: str, indent: str) -> str:
    body = s[:-1] if s.endswith("\n") else s
    chomp = "" if s.endswith("\n") and not s.endswith("\n\n") else ("+" if s.endswith("\n") else "-")
    return "|" + chomp + "\n" + "\n".join([(indent + ln) if ln else "" for ln in body.split("\n")])


def _string(v: str, depth: int) -> str:
    """How str v is written after `key:` or `-`, with the space between, on a memo miss
    (see _MEMO); a literal block's lines are indented to depth."""
    if "\n" in v and _block(v):
        return " " + _string_block(v, "  " * depth)
    out = " " + _text(v)
    if len(v) < _MEMO_MAX_LEN:
        _remember(v, out)
    return out


def _key_line(k: str, depth: int, item: bool) -> str:
    """The head of the line for str key k at depth, on a cache miss (see _KEY_LINES)."""
    cache = _ITEM_LINES[depth] if item else _KEY_LINES[depth]
    if len(cache) > _CACHE_MAX:
        cache.clear()
    line = cache[k] = ("  " * (depth - 1) + "- " if item else "  " * depth) + scalar(k) + ":"
    return line


# The emitter. Mapping keys at depth n sit at 2n spaces; a sequence under a key sits at the
# key's indent (kubectl style) and a sequence in a sequence two spaces further in; a mapping
# that is a sequence item starts on the item's `- ` line. The common types (exact str, dict,
# list, int, bool, None) are handled inline by a `type(v) is` chain; everything else (floats,
# subclasses, non-JSON data) goes through _other, which is the general rule they all follow.

def _mapping(d: dict, depth: int, out: list[str], item: bool) -> None:
    """Lines for non-empty mapping d with its keys at depth; item: d is a sequence item."""
    try:
        keys = sorted(d)  # when every key is a str this is sorted(d, key=str), only faster
    except TypeError:  # keys of types that do not compare with each other
        _mapping_any_keys(d, depth, out, item)
        return
    try:
        lines = _KEY_LINES[depth]
        first = _ITEM_LINES[depth] if item else lines  # where the first key's line head is
    except IndexError:
        _grow(depth)
        lines = _KEY_LINES[depth]
        first = _ITEM_LINES[depth] if item else lines
    memo = _MEMO
    append = out.append
    start = len(out)
    for k in keys:
        if type(k) is not str:  # sorted(d) may not be the order sorted(d, key=str) gives
            del out[start:]
            _mapping_any_keys(d, depth, out, item)
            return
        try:  # (indexing in a try is cheaper than .get() when, as nearly always, it hits)
            p = first[k]
        except KeyError:
            p = _key_line(k, depth, first is not lines)
        first = lines
        v = d[k]
        t = type(v)
        if t is str:
            try:
                append(p + memo[v])
            except KeyError:
                append(p + _string(v, depth + 1))
        elif t is dict:
            if v:
                append(p)
                _mapping(v, depth + 1, out, False)
            else:
                append(p + " {}")
        elif t is list:
            if v:
                append(p)
                _sequence(v, depth, out)
            else:
                append(p + " []")
        elif t is int:
            append(f"{p} {v}")
        elif t is bool:
            append(p + " true" if v else p + " false")
        elif v is None:
            append(p + " null")
        else:
            _other(v, p, depth, out, False)


def _mapping_any_keys(d: dict, depth: int, out: list[str], item: bool) -> None:
    """_mapping for keys that are not all str: ordered by their text, written as scalars."""
    indent = "  " * depth
    for i, k in enumerate(sorted(d, key=str)):
        head = "  " * (depth - 1) + "- " if item and i == 0 else indent
        _other(d[k], f"{head}{scalar(k)}:", depth, out, False)


def _sequence(items: list, depth: int, out: list[str]) -> None:
    """Lines for the non-empty list items, with its `-` at depth."""
    dash = "  " * depth + "-"
    memo = _MEMO
    append = out.append
    for v in items:
        t = type(v)
        if t is dict:
            if v:
                _mapping(v, depth + 1, out, True)
            else:
                append(dash + " {}")
        elif t is str:
            try:
                append(dash + memo[v])
            except KeyError:
                append(dash + _string(v, depth + 1))
        elif t is list:
            if v:
                append(dash)
                _sequence(v, depth + 1, out)
            else:
                append(dash + " []")
        elif t is int:
            append(f"{dash} {v}")
        elif t is bool:
            append(dash + " true" if v else dash + " false")
        elif v is None:
            append(dash + " null")
        else:
            _other(v, dash, depth, out, True)


def _other(v: Any, head: str, depth: int, out: list[str], item: bool) -> None:
    """Write `head` (`<indent>key:` or `<indent>-` at depth; item: the latter) followed by v,
    for any v: the general form of what _mapping and _sequence do inline."""
    if isinstance(v, dict):
        if not v:
            out.append(head + " {}")
        elif item:
            _mapping(v, depth + 1, out, True)
        else:
            out.append(head)
            _mapping(v, depth + 1, out, False)
    elif isinstance(v, list):
        if not v:
            out.append(head + " []")
        else:
            out.append(head)
            _sequence(v, depth + 1 if item else depth, out)
    elif isinstance(v, str) and _block(v):
        out.append(f"{head} {_string_block(v, '  ' * (depth + 1))}")
    else:
        out.append(f"{head} {scalar(v)}")


def dump(obj: Any) -> str:
    """YAML for JSON-shaped data: dicts, lists, strings, numbers, booleans and None."""
    out: list[str] = []
    if isinstance(obj, dict) and obj:
        _mapping(obj, 0, out, False)
    elif isinstance(obj, list) and obj:
        _sequence(obj, 0, out)
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
