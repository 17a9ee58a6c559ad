"""Go (RE2) regular expressions, as CRD `pattern`s are written, in Python's `re` dialect. Pure.

Upstream compiles a schema's patterns with Go's regexp package. Python's `re` reads most
of them the same way; the differences that real CRDs use are translated here:
- inline flags in the middle of an expression, `((?i)mon|tues)day`: RE2 applies them to the
  rest of the enclosing group, Python only allows them at the start of the whole
  expression. They become a scoped group, `((?i:mon|tues))day`;
- `\\z` (end of text) is Python's `\\Z`.
Anything else Python cannot compile is left as it is, so it is still refused.
"""
from __future__ import annotations

import re
from functools import lru_cache

_FLAGS = re.compile(r"\(\?([imsU-]+)\)")


@lru_cache(maxsize=1024)
def to_python(pattern: str) -> str:
    """The Python pattern matching what Go's regexp matches for `pattern`."""
    if "(?" not in pattern and "\\z" not in pattern:
        return pattern
    out: list[str] = []
    pending = [0]  # per open group: scoped flag groups to close with it
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            out.append("\\Z" if pattern[i + 1] == "z" else pattern[i:i + 2])
            i += 2
        elif ch == "[":
            j = _class_end(pattern, i)
            out.append(pattern[i:j])
            i = j
        elif ch == "(":
            m = _FLAGS.match(pattern, i)
            if m and i > 0:
                out.append(f"(?{m.group(1)}:")
                pending[-1] += 1
                i = m.end()
            else:
                out.append(ch)
                pending.append(0)
                i += 1
        elif ch == ")":
            out.append(")" * pending.pop() + ")" if len(pending) > 1 else ")")
            i += 1
        else:
            out.append(ch)
            i += 1
    out.append(")" * pending[0])
    return "".join(out)


def _class_end(p: str, i: int) -> int:
    """The index just past the character class opening at p[i] ('[')."""
    j = i + 1
    if j < len(p) and p[j] == "^":
        j += 1
    if j < len(p) and p[j] == "]":
        j += 1  # a leading ] is a literal
    while j < len(p):
        if p[j] == "\\":
            j += 2
            continue
        if p.startswith("[:", j):
            k = p.find(":]", j + 2)
            if k != -1:
                j = k + 2
                continue
        if p[j] == "]":
            return j + 1
        j += 1
    return len(p)
