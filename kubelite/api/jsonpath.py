"""kubectl's JSONPath templates: `{.metadata.name}`, `{.items[*].spec.nodeName}`,
`{range .items[*]}{.metadata.name}{"\\n"}{end}`, filters `[?(@.type=="Ready")]`, slices and `..`."""
from __future__ import annotations

import json
import re
from typing import Any


class JSONPathError(ValueError):
    pass


_MISSING = object()


def _split_template(text: str) -> list[tuple[str, str]]:
    """[(kind, body)]: kind is 'text' or 'expr'."""
    out: list[tuple[str, str]] = []
    i = 0
    buf = ""
    while i < len(text):
        c = text[i]
        if c == "{":
            if buf:
                out.append(("text", buf))
                buf = ""
            depth, j = 1, i + 1
            in_str = None
            while j < len(text) and depth:
                ch = text[j]
                if in_str:
                    if ch == "\\":
                        j += 1
                    elif ch == in_str:
                        in_str = None
                elif ch in "\"'":
                    in_str = ch
                elif ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                j += 1
            if depth:
                raise JSONPathError(f"unclosed action in {text!r}")
            out.append(("expr", text[i + 1:j - 1].strip()))
            i = j
        else:
            buf += c
            i += 1
    if buf:
        out.append(("text", buf))
    return out


_TOKEN = re.compile(r"""\.\.|\.[A-Za-z0-9_\-/\\.]*?(?=\.|\[|$)|\[[^\]]*\]|\.\*""")


def _tokens(path: str) -> list[str]:
    path = path.strip()
    if path.startswith(("$", "@")):  # the root, or the current object (`{@}`, `{@.name}` in a range)
        path = path[1:]
    if path and not path.startswith((".", "[")):
        path = "." + path
    toks: list[str] = []
    i = 0
    while i < len(path):
        if path.startswith("..", i):
            toks.append("..")
            i += 2
            # `..name` descends then selects name
            m = re.match(r"[A-Za-z0-9_\-]+|\*", path[i:])
            if m:
                toks.append(m.group(0))
                i += len(m.group(0))
            continue
        if path[i] == ".":
            m = re.match(r"\.((?:\\\.|[^.\[])*)", path[i:])
            name = m.group(1).replace("\\.", ".")
            toks.append(name)
            i += len(m.group(0))
            continue
        if path[i] == "[":
            depth, j = 0, i
            while j < len(path):
                if path[j] == "[":
                    depth += 1
                elif path[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            toks.append(path[i:j + 1])
            i = j + 1
            continue
        raise JSONPathError(f"unrecognized character in path {path!r} at {i}")
    return toks


def _descend(values: list[Any], tok: str) -> list[Any]:
    out: list[Any] = []
    if tok == "..":
        for v in values:
            out.extend(_all_nodes(v))
        return out
    if tok.startswith("["):
        inner = tok[1:-1].strip()
        for v in values:
            out.extend(_index(v, inner))
        return out
    for v in values:
        if tok in ("*", ""):
            if isinstance(v, dict):
                out.extend(v.values())
            elif isinstance(v, list):
                out.extend(v)
            elif tok == "":
                out.append(v)
        elif isinstance(v, dict) and tok in v:
            out.append(v[tok])
    return out


def _all_nodes(v: Any) -> list[Any]:
    out = [v]
    if isinstance(v, dict):
        for x in v.values():
            out.extend(_all_nodes(x))
    elif isinstance(v, list):
        for x in v:
            out.extend(_all_nodes(x))
    return out


def _index(v: Any, inner: str) -> list[Any]:
    if inner.startswith("?"):
        m = re.match(r"\?\(\s*@((?:\.[A-Za-z0-9_\-]+|\[[^\]]+\])*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*\)$", inner)
        if not m:
            raise JSONPathError(f"unsupported filter {inner!r}")
        sub, op, lit = m.groups()
        items = v if isinstance(v, list) else (list(v.values()) if isinstance(v, dict) else [])
        res = []
        for item in items:
            got = _eval(item, sub) if sub else [item]
            if op is None:
                if got:
                    res.append(item)
                continue
            want = _literal(lit)
            for g in got:
                if _compare(g, op, want):
                    res.append(item)
                    break
        return res
    if inner in ("*", ""):
        if isinstance(v, list):
            return list(v)
        if isinstance(v, dict):
            return list(v.values())
        return []
    if isinstance(v, dict):
        key = inner.strip("'\"")
        return [v[key]] if key in v else []
    if not isinstance(v, list):
        return []
    if ":" in inner:
        parts = [p.strip() for p in inner.split(":")]
        start = int(parts[0]) if parts[0] else None
        end = int(parts[1]) if len(parts) > 1 and parts[1] else None
        step = int(parts[2]) if len(parts) > 2 and parts[2] else None
        return v[start:end:step]
    if "," in inner:
        out = []
        for p in inner.split(","):
            try:
                out.append(v[int(p)])
            except (ValueError, IndexError):
                pass
        return out
    try:
        i = int(inner)
    except ValueError:
        raise JSONPathError(f"bad index [{inner}]") from None
    try:
        return [v[i]]
    except IndexError:
        raise JSONPathError(f"array index out of bounds: index {i}, length {len(v)}") from None


def _literal(text: str) -> Any:
    text = text.strip()
    if text[:1] in "\"'" and text[-1:] == text[:1]:
        return text[1:-1]
    try:
        return json.loads(text)
    except ValueError:
        return text


def _compare(a: Any, op: str, b: Any) -> bool:
    try:
        if op == "==":
            return a == b or str(a) == str(b)
        if op == "!=":
            return not (a == b or str(a) == str(b))
        if isinstance(a, str) or isinstance(b, str):
            a, b = str(a), str(b)
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    except TypeError:
        return False


def _eval(data: Any, path: str) -> list[Any]:
    values = [data]
    for tok in _tokens(path):
        values = _descend(values, tok)
    return values


def values(data: Any, path: str) -> list[Any]:
    """The values a plain path (`.spec.replicas`, `.status.conditions[0].type`) selects."""
    return [v for v in _eval(data, path) if v is not _MISSING]


def _fmt(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, separators=(",", ":"), sort_keys=True)
    return str(v)


def evaluate(template: str, data: Any, allow_missing: bool = True) -> str:
    """Render a kubectl JSONPath template against data."""
    parts = _split_template(template)
    if not any(k == "expr" for k, _ in parts):
        parts = [("expr", template)]
    out, _ = _render(parts, 0, data, allow_missing)
    return out


def _render(parts: list[tuple[str, str]], i: int, data: Any, allow_missing: bool, stop_at_end: bool = False) -> tuple[str, int]:
    out = ""
    while i < len(parts):
        kind, body = parts[i]
        if kind == "text":
            out += body
            i += 1
            continue
        if body == "end":
            if stop_at_end:
                return out, i + 1
            raise JSONPathError("not in range, nothing to end")
        if body.startswith("range "):
            items = _eval(data, body[6:].strip())
            # find the matching end
            body_start = i + 1
            end_index = None
            for item in items:
                text, end_index = _render(parts, body_start, item, allow_missing, True)
                out += text
            if end_index is None:
                depth, j = 1, body_start
                while j < len(parts):
                    if parts[j][0] == "expr" and parts[j][1].startswith("range "):
                        depth += 1
                    elif parts[j] == ("expr", "end"):
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                end_index = j + 1
            i = end_index
            continue
        if body.startswith('"') or body.startswith("'"):
            out += _literal(body).encode().decode("unicode_escape") if "\\" in body else _literal(body)
            i += 1
            continue
        values = _eval(data, body)
        if not values and not allow_missing:
            raise JSONPathError(f"{body} is not found")
        out += " ".join(_fmt(v) for v in values)
        i += 1
    return out, i
