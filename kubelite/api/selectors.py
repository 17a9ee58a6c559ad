"""Label and field selectors with upstream's semantics.

- `!=` and `notin` match when the key is absent.
- A nil selector matches nothing; an empty one matches everything.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from kubelite.errors import BadRequest, UsageError


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # in, notin, exists, !exists, =, !=, gt, lt
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        has = self.key in labels
        if self.op in ("=", "==", "in"):
            return has and labels[self.key] in self.values
        if self.op in ("!=", "notin"):
            return not has or labels[self.key] not in self.values
        if self.op == "exists":
            return has
        if self.op == "!exists":
            return not has
        if self.op in ("gt", "lt"):
            if not has:
                return False
            try:
                v, bound = int(labels[self.key]), int(self.values[0])
            except ValueError:
                return False
            return v > bound if self.op == "gt" else v < bound
        return False


class Selector:
    """A conjunction of requirements. `Selector.nothing()` is the nil selector."""

    def __init__(self, reqs: tuple[Requirement, ...] = (), nothing: bool = False):
        self.reqs = reqs
        self._nothing = nothing

    @classmethod
    def nothing(cls) -> "Selector":
        return cls((), True)

    @property
    def empty(self) -> bool:
        return not self._nothing and not self.reqs

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self._nothing:
            return False
        labels = labels or {}
        return all(r.matches(labels) for r in self.reqs)

    def equality_pairs(self) -> dict[str, str]:
        """key=value requirements, usable for an index lookup before matching."""
        return {r.key: r.values[0] for r in self.reqs if r.op in ("=", "==", "in") and len(r.values) == 1}

    def __str__(self) -> str:
        parts = []
        for r in self.reqs:
            if r.op in ("=", "=="):
                parts.append(f"{r.key}={r.values[0]}")
            elif r.op == "!=":
                parts.append(f"{r.key}!={r.values[0]}")
            elif r.op in ("in", "notin"):
                parts.append(f"{r.key} {r.op} ({','.join(r.values)})")
            elif r.op == "exists":
                parts.append(r.key)
            elif r.op == "!exists":
                parts.append(f"!{r.key}")
        return ",".join(parts)


_TOKEN = re.compile(r"\s*(!=|==|=|\(|\)|,|!|[^\s!=(),]+)")


def parse(text: str | None) -> Selector:
    """Parse kubectl's `-l` syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h`."""
    if text is None or not text.strip():
        return Selector()
    tokens = _TOKEN.findall(text)
    reqs: list[Requirement] = []
    i = 0

    def err(msg: str) -> UsageError:
        return UsageError(f"unable to parse requirement: {msg}: {text!r}")

    while i < len(tokens):
        tok = tokens[i]
        if tok == "!":
            if i + 1 >= len(tokens):
                raise err("missing key after '!'")
            reqs.append(Requirement(_check_key(tokens[i + 1], err), "!exists"))
            i += 2
        else:
            key = _check_key(tok, err)
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ","
            if nxt == ",":
                reqs.append(Requirement(key, "exists"))
                i += 1
            elif nxt in ("=", "==", "!="):
                if i + 2 >= len(tokens) or tokens[i + 2] == ",":
                    value = ""
                    i += 2
                else:
                    value = tokens[i + 2]
                    i += 3
                _check_value(value, err)
                reqs.append(Requirement(key, "!=" if nxt == "!=" else "=", (value,)))
            elif nxt in ("in", "notin"):
                if i + 2 >= len(tokens) or tokens[i + 2] != "(":
                    raise err(f"expected '(' after {nxt}")
                j = i + 3
                values: list[str] = []
                while j < len(tokens) and tokens[j] != ")":
                    if tokens[j] != ",":
                        values.append(_check_value(tokens[j], err))
                    j += 1
                if j >= len(tokens):
                    raise err("missing ')'")
                reqs.append(Requirement(key, nxt, tuple(values)))
                i = j + 1
            elif nxt in ("gt", "lt"):
                reqs.append(Requirement(key, nxt, (tokens[i + 2],)))
                i += 3
            else:
                raise err(f"found '{nxt}', expected: '=', '!=', '==', 'in', notin'")
        if i < len(tokens):
            if tokens[i] != ",":
                raise err(f"found '{tokens[i]}', expected: ','")
            i += 1
            if i >= len(tokens):
                raise err("trailing ','")
    return Selector(tuple(reqs))


def _check_key(key: str, err: Callable[[str], UsageError]) -> str:
    from kubelite.api.meta import label_key_errors

    if key in ("(", ")", ",", "=", "!=", "=="):
        raise err(f"found '{key}', expected: identifier")
    problems = label_key_errors(key)
    if problems:
        raise err(f"invalid label key {key!r}: {problems[0]}")
    return key


def _check_value(value: str, err: Callable[[str], UsageError]) -> str:
    from kubelite.api.meta import label_value_errors

    problems = label_value_errors(value)
    if problems:
        raise err(f"invalid label value {value!r}: {problems[0]}")
    return value


_OPS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists", "Gt": "gt", "Lt": "lt"}


def from_label_selector(sel: Mapping[str, Any] | None) -> Selector:
    """A metav1.LabelSelector (matchLabels + matchExpressions). None matches nothing."""
    if sel is None:
        return Selector.nothing()
    reqs: list[Requirement] = []
    for k, v in sorted((sel.get("matchLabels") or {}).items()):
        reqs.append(Requirement(k, "=", (str(v),)))
    for expr in sel.get("matchExpressions") or []:
        op = _OPS.get(expr.get("operator", ""))
        if op is None:
            raise UsageError(f"{expr.get('operator')!r} is not a valid label selector operator")
        reqs.append(Requirement(expr.get("key", ""), op, tuple(str(v) for v in expr.get("values") or ())))
    return Selector(tuple(reqs))


def from_map(m: Mapping[str, str] | None) -> Selector:
    """A map selector (Service, ReplicationController): empty or nil matches nothing here,
    as upstream's RC and Service controllers treat it."""
    if not m:
        return Selector.nothing()
    return Selector(tuple(Requirement(k, "=", (str(v),)) for k, v in sorted(m.items())))


# -- field selectors ---------------------------------------------------------

_FIELDS: dict[str, Callable[[dict], str]] = {
    "metadata.name": lambda o: o.get("metadata", {}).get("name", ""),
    "metadata.namespace": lambda o: o.get("metadata", {}).get("namespace", ""),
    "status.phase": lambda o: (o.get("status") or {}).get("phase", ""),
    "spec.nodeName": lambda o: (o.get("spec") or {}).get("nodeName", "") or "",
    "spec.schedulerName": lambda o: (o.get("spec") or {}).get("schedulerName", "") or "",
    "spec.serviceAccountName": lambda o: (o.get("spec") or {}).get("serviceAccountName", "") or "",
    "status.podIP": lambda o: (o.get("status") or {}).get("podIP", "") or "",
    "spec.unschedulable": lambda o: str(bool((o.get("spec") or {}).get("unschedulable"))).lower(),
    "type": lambda o: o.get("type", ""),
    "involvedObject.name": lambda o: (o.get("involvedObject") or {}).get("name", ""),
    "involvedObject.kind": lambda o: (o.get("involvedObject") or {}).get("kind", ""),
    "involvedObject.uid": lambda o: (o.get("involvedObject") or {}).get("uid", ""),
    "involvedObject.namespace": lambda o: (o.get("involvedObject") or {}).get("namespace", ""),
    "involvedObject.apiVersion": lambda o: (o.get("involvedObject") or {}).get("apiVersion", ""),
    "involvedObject.resourceVersion": lambda o: (o.get("involvedObject") or {}).get("resourceVersion", ""),
    "involvedObject.fieldPath": lambda o: (o.get("involvedObject") or {}).get("fieldPath", ""),
    "reportingComponent": lambda o: o.get("reportingComponent", ""),
    "source": lambda o: (o.get("source") or {}).get("component", ""),
    "reason": lambda o: o.get("reason", ""),
}


class FieldSelector:
    def __init__(self, reqs: list[tuple[str, str, str]]):
        self.reqs = reqs

    def matches(self, obj: dict) -> bool:
        for field, op, value in self.reqs:
            actual = _FIELDS[field](obj)
            if (actual == value) != (op == "="):
                return False
        return True

    def value_of(self, field: str) -> str | None:
        for f, op, v in self.reqs:
            if f == field and op == "=":
                return v
        return None


def parse_fields(text: str | None, kind: str = "") -> FieldSelector:
    """Parse `--field-selector status.phase=Running,spec.nodeName!=n1`."""
    if not text:
        return FieldSelector([])
    reqs = []
    for part in text.split(","):
        part = part.strip()
        m = re.match(r"^([A-Za-z0-9_.]+)\s*(!=|==|=)\s*(.*)$", part)
        if not m:
            raise UsageError(f"invalid selector: '{text}'; can't understand '{part}'")
        field, op, value = m.groups()
        if field not in _FIELDS:
            what = f' for "{kind}"' if kind else ""
            raise BadRequest(f'Unable to find "{field}" field label{what}: "{field}" is not a known field selector')
        reqs.append((field, "!=" if op == "!=" else "=", value))
    return FieldSelector(reqs)
