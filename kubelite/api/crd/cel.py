"""CEL validation rules (x-kubernetes-validations), as upstream's `schema/cel`.

The evaluator is cel-expr-python, the CEL team's Python binding of the C++ CEL
implementation (see README, "CEL"). It is imported only when a rule is compiled or
run, so commands that never meet a rule never load it.

A rule is compiled when its CRD is written: one that does not compile refuses the
CRD. Rules run after schema validation on every write of a custom object, with
`self` bound to the value at the rule's place in the schema; a rule that names
`oldSelf` is a transition rule and runs only on updates where the old value exists.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from kubelite.api.crd.paths import child, index, key
from kubelite.api.fielderrors import FieldError

RULE_VARIABLES = ("self", "oldSelf")
_REASONS = {
    "FieldValueInvalid": "Invalid value", "FieldValueForbidden": "Forbidden",
    "FieldValueRequired": "Required value", "FieldValueDuplicate": "Duplicate value",
}


class CompileError(Exception):
    """A CEL expression that does not compile; the message is the compiler's."""


@lru_cache(maxsize=16)
def _env(variables: tuple[str, ...]):
    try:
        from cel_expr_python import cel
        from cel_expr_python.ext import ext_optional, ext_strings
    except ImportError as e:  # pragma: no cover - a broken install
        raise CompileError(f"the CEL evaluator (cel-expr-python) is not installed: {e}") from None
    from kubelite.api.crd import k8slib

    return cel.NewEnv(variables={v: cel.Type.DYN for v in variables},
                      extensions=[ext_strings.ExtStrings(), ext_optional.ExtOptional(), k8slib.extension()])


@lru_cache(maxsize=1024)
def compile_expression(expression: str, variables: tuple[str, ...] = RULE_VARIABLES):
    """A compiled program; raises CompileError with the compiler's message."""
    if not isinstance(expression, str) or not expression.strip():
        raise CompileError("expression must not be empty")
    try:
        return _env(variables).compile(expression)
    except RuntimeError as e:
        text = str(e)
        if text.startswith("INVALID_ARGUMENT: "):
            text = text[len("INVALID_ARGUMENT: "):]
        if text.endswith(" [INVALID_ARGUMENT]"):
            text = text[: -len(" [INVALID_ARGUMENT]")]
        # The compiler's first line says it all; the rest draws a caret under the source.
        raise CompileError(text.splitlines()[0] if text else "invalid expression") from None


class EvalError(Exception):
    """A CEL expression that failed at run time (no such key, no matching overload, ...)."""


def evaluate(program, data: dict) -> Any:
    """Run a compiled program; the plain Python value, or EvalError."""
    result = program.eval(data=data)
    if result.type().name().lower() == "error":
        raise EvalError(_eval_message(str(result.value())))
    return result.plain_value()


def _eval_message(text: str) -> str:
    """cel-go's wording for the run-time errors rules meet most."""
    import re

    m = re.match(r'^NOT_FOUND: Key not found in map : "?(.*?)"?$', text)
    if m:
        return f"no such key: {m.group(1)}"
    if text.startswith("UNKNOWN: No matching overloads found"):
        return "no such overload"
    return text


def uses_old_self(rule: str) -> bool:
    import re

    return re.search(r"\boldSelf\b", rule) is not None


# Property names as CEL sees them (upstream's model/escaping.go).
_RESERVED = {"true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
             "import", "let", "loop", "package", "namespace", "return", "var", "void", "while"}
_IDENT = __import__("re").compile(r"^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$")


def escape(name: str) -> str | None:
    """The CEL name of a property, or None when CEL cannot name it."""
    if name in _RESERVED:
        return f"__{name}__"
    if not _IDENT.match(name):
        return None
    return (name.replace("__", "__underscores__").replace(".", "__dot__")
            .replace("-", "__dash__").replace("/", "__slash__"))


def _unknown_fields(rule: str, s: dict) -> str | None:
    """The compiler's error for `self.a.b` naming a field the schema does not have.

    Upstream type-checks rules against the schema; with dynamic types the CEL compiler
    cannot, so plain field selections from self are checked here.
    """
    import re

    for m in re.finditer(r"\bself((?:\.[A-Za-z_][A-Za-z0-9_]*)+)", rule):
        node = s
        pos = m.start(1)
        for part in m.group(1)[1:].split("."):
            end = pos + 1 + len(part)
            if end < len(rule) and rule[end] == "(":
                break  # a method call: size(), startsWith(), ...
            if not isinstance(node, dict) or node.get("x-kubernetes-preserve-unknown-fields") or node.get("type") != "object":
                break
            props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
            names = {escape(k): v for k, v in props.items()}
            if part not in names:
                if isinstance(node.get("additionalProperties"), dict) or node.get("additionalProperties") is True:
                    break
                if node.get("x-kubernetes-embedded-resource") or node is s and part in ("apiVersion", "kind", "metadata"):
                    break
                return f"ERROR: <input>:1:{pos + 1}: undefined field '{part}'"
            node = names[part]
            pos = end
    return None


# -- CRD time: compile every rule ------------------------------------------------------------

def rule_errors(s: Any, path: str) -> list[FieldError]:
    """Rules and messageExpressions of a schema that do not compile, at any depth."""
    if not isinstance(s, dict):
        return []
    errs: list[FieldError] = []
    rules = s.get("x-kubernetes-validations")
    for i, r in enumerate(rules if isinstance(rules, list) else []):
        rpath = index(child(path, "x-kubernetes-validations"), i)
        if not isinstance(r, dict):
            continue
        try:
            compile_expression(r.get("rule", ""))
            problem = _unknown_fields(r.get("rule", ""), s)
            if problem:
                raise CompileError(problem)
        except CompileError as e:
            errs.append(FieldError(child(rpath, "rule"), "Invalid value", r.get("rule", ""), f"compilation failed: {e}"))
        if r.get("messageExpression"):
            try:
                compile_expression(r["messageExpression"])
            except CompileError as e:
                errs.append(FieldError(child(rpath, "messageExpression"), "Invalid value", r["messageExpression"],
                                       f"messageExpression compilation failed: {e}"))
        if r.get("reason") is not None and r.get("reason") not in _REASONS:
            errs.append(FieldError(child(rpath, "reason"), "Unsupported value", r.get("reason"),
                                   "supported values: " + ", ".join(f'"{x}"' for x in _REASONS)))
        if r.get("optionalOldSelf") is True and not uses_old_self(r.get("rule", "")):
            errs.append(FieldError(child(rpath, "optionalOldSelf"), "Forbidden", None,
                                   "may only be set when rule uses oldSelf"))
    props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
    for k, p in props.items():
        errs += rule_errors(p, key(child(path, "properties"), k))
    for name in ("items", "additionalProperties"):
        errs += rule_errors(s.get(name), child(path, name))
    for junctor in ("allOf",):
        for i, n in enumerate(s.get(junctor) or []):
            errs += rule_errors(n, index(child(path, junctor), i))
    return errs


def has_rules(s: Any) -> bool:
    """Whether a schema holds any x-kubernetes-validations (cheap: no CEL loaded)."""
    if not isinstance(s, dict):
        return False
    if s.get("x-kubernetes-validations"):
        return True
    props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
    return any(has_rules(p) for p in props.values()) or has_rules(s.get("items")) or has_rules(s.get("additionalProperties"))


# -- write time: run the rules ---------------------------------------------------------------

def _type_name(s: dict, x: Any) -> str:
    t = s.get("type")
    if t:
        return t
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(type(x), "object")


def _cel_value(x: Any, s: dict | None, root: bool = False) -> Any:
    """The value CEL sees: nulls are absent fields, unknown preserved fields are invisible."""
    if isinstance(x, dict):
        s = s if isinstance(s, dict) else {}
        props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
        ap = s.get("additionalProperties") if isinstance(s.get("additionalProperties"), dict) else None
        out = {}
        embedded = root or s.get("x-kubernetes-embedded-resource") is True
        for k, v in x.items():
            if v is None:
                continue
            if embedded and k in ("apiVersion", "kind"):
                out[k] = v
            elif embedded and k == "metadata" and isinstance(v, dict):
                out[k] = {m: v[m] for m in ("name", "generateName") if m in v}
            elif k in props:
                name = escape(k)
                if name is not None:
                    out[name] = _cel_value(v, props[k])
            elif ap is not None:
                out[k] = _cel_value(v, ap)
        return out
    if isinstance(x, list):
        items = s.get("items") if isinstance(s, dict) else None
        return [_cel_value(v, items) for v in x]
    return x


def validate(schema: dict, obj: Any, old: Any = None, path: str = "") -> list[FieldError]:
    """Errors of every rule obj breaks (old: the stored object, for transition rules)."""
    if not has_rules(schema):
        return []
    errs: list[FieldError] = []
    _walk(schema, obj, old, path, errs, root=True)
    return errs


def _walk(s: Any, x: Any, old: Any, path: str, errs: list[FieldError], root: bool = False) -> None:
    if not isinstance(s, dict) or x is None:
        return
    rules = s.get("x-kubernetes-validations")
    if isinstance(rules, list) and rules:
        value = _cel_value(x, s, root)
        old_value = _cel_value(old, s, root) if old is not None else None
        for r in rules:
            if isinstance(r, dict):
                _run_rule(r, s, x, value, old_value, path, errs)
    if isinstance(x, dict):
        props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
        ap = s.get("additionalProperties") if isinstance(s.get("additionalProperties"), dict) else None
        old_d = old if isinstance(old, dict) else {}
        for k, v in x.items():
            if k in props:
                _walk(props[k], v, old_d.get(k), child(path, k), errs)
            elif ap is not None:
                _walk(ap, v, old_d.get(k), key(path, k), errs)
    elif isinstance(x, list):
        items = s.get("items")
        olds = _correlate(s, x, old)
        for i, v in enumerate(x):
            _walk(items, v, olds[i], index(path, i), errs)


def _correlate(s: dict, items: list, old: Any) -> list:
    """Old items paired with new ones: by key for list-type map, none for atomic lists."""
    none = [None] * len(items)
    if not isinstance(old, list) or s.get("x-kubernetes-list-type") != "map":
        return none
    keys = s.get("x-kubernetes-list-map-keys") or []

    def key_of(item: Any) -> tuple:
        return tuple(repr(item.get(k)) for k in keys) if isinstance(item, dict) else ()

    by_key = {key_of(o): o for o in old}
    return [by_key.get(key_of(i)) for i in items]


def _run_rule(r: dict, s: dict, raw: Any, value: Any, old_value: Any, path: str, errs: list[FieldError]) -> None:
    rule = r.get("rule", "")
    transition = uses_old_self(rule)
    if transition and old_value is None and r.get("optionalOldSelf") is not True:
        return  # a transition rule runs only on updates of an existing value
    data = {"self": value, "oldSelf": old_value}
    where = path
    if r.get("fieldPath"):
        fp = r["fieldPath"]
        where = (path + fp if path else fp.lstrip(".")) if fp.startswith((".", "[")) else child(path, fp)
    kind = _REASONS.get(r.get("reason") or "FieldValueInvalid", "Invalid value")
    try:
        ok = evaluate(compile_expression(rule), data)
    except (CompileError, EvalError) as e:
        errs.append(FieldError(path, "Invalid value", _type_name(s, raw), f"{e} evaluating rule: {_rule_for_message(rule)}"))
        return
    if ok is True:
        return
    message = r.get("message") or f"failed rule: {_rule_for_message(rule)}"
    if r.get("messageExpression"):
        try:
            m = evaluate(compile_expression(r["messageExpression"]), data)
            if isinstance(m, str) and m.strip() and "\n" not in m:
                message = m
        except (CompileError, EvalError):
            pass  # upstream falls back to message (or the rule) when messageExpression fails
    if kind in ("Forbidden", "Required value"):
        errs.append(FieldError(where, kind, None, message))
    else:
        errs.append(FieldError(where, kind, _type_name(s, raw), message))


def _rule_for_message(rule: str) -> str:
    """Upstream prints the rule on one line, trimmed."""
    return " ".join(rule.split()) if "\n" in rule else rule.strip()
