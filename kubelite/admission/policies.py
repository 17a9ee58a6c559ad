"""ValidatingAdmissionPolicy: CEL validations enforced on writes, as upstream's plugin.

A policy (admissionregistration.k8s.io/v1) is compiled when it is written: an
expression that does not compile refuses it. Every create and update is then checked
against each binding whose policy exists and matches the request (resource rules,
namespace and object selectors, matchConditions); a validation that is not true denies
the write (validationActions Deny) or warns (Warn), with upstream's messages:

    deployments.apps "web" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b'
    denied request: failed expression: object.spec.replicas <= 5

CEL sees object, oldObject, request, params, namespaceObject and variables (no
authorizer). Webhook configurations are stored and validated but never called: kubelite
has no network endpoint to reach a webhook (see `describe` and README).
"""
from __future__ import annotations

from kubelite import apiserver, lazy
from kubelite.api import kinds
from kubelite.api.crd.paths import child, index
from kubelite.api.fielderrors import FieldError, invalid
from kubelite.errors import Forbidden, Invalid

cel = lazy.module("kubelite.api.crd.cel")  # loaded when a policy is written or a binding exists

POLICY = "ValidatingAdmissionPolicy"
BINDING = "ValidatingAdmissionPolicyBinding"
GROUP = "admissionregistration.k8s.io"
VARIABLES = ("object", "oldObject", "request", "params", "namespaceObject", "variables", "authorizer")


def _d(v) -> dict:
    return v if isinstance(v, dict) else {}


def _l(v) -> list:
    return v if isinstance(v, list) else []


# -- policies and bindings, when written -------------------------------------------------------

def policy_errors(policy: dict) -> list[FieldError]:
    spec = _d(policy.get("spec"))
    errs: list[FieldError] = []
    if not _l(spec.get("validations")) and not _l(spec.get("auditAnnotations")):
        errs.append(FieldError("spec.validations", "Required value", None, "validations or auditAnnotations must contain at least one item"))
    for field, key in (("validations", "expression"), ("matchConditions", "expression"), ("variables", "expression")):
        for i, item in enumerate(_l(spec.get(field))):
            expr = _d(item).get(key)
            path = child(index(child("spec", field), i), key)
            if not expr:
                errs.append(FieldError(path, "Required value", None, ""))
                continue
            try:
                cel.compile_expression(expr, VARIABLES)
            except cel.CompileError as e:
                errs.append(FieldError(path, "Invalid value", expr, f"compilation failed: {e}"))
    for i, item in enumerate(_l(spec.get("validations"))):
        me = _d(item).get("messageExpression")
        if me:
            try:
                cel.compile_expression(me, VARIABLES)
            except cel.CompileError as e:
                errs.append(FieldError(child(index("spec.validations", i), "messageExpression"), "Invalid value", me,
                                       f"compilation failed: {e}"))
    fp = spec.get("failurePolicy")
    if fp is not None and fp not in ("Fail", "Ignore"):
        errs.append(FieldError("spec.failurePolicy", "Unsupported value", fp, 'supported values: "Fail", "Ignore"'))
    return errs


def binding_errors(binding: dict) -> list[FieldError]:
    spec = _d(binding.get("spec"))
    errs: list[FieldError] = []
    if not spec.get("policyName"):
        errs.append(FieldError("spec.policyName", "Required value", None, ""))
    actions = _l(spec.get("validationActions"))
    if not actions:
        errs.append(FieldError("spec.validationActions", "Required value", None, "at least one validation action is required"))
    for i, a in enumerate(actions):
        if a not in ("Deny", "Warn", "Audit"):
            errs.append(FieldError(index("spec.validationActions", i), "Unsupported value", a, 'supported values: "Audit", "Deny", "Warn"'))
    if "Deny" in actions and "Warn" in actions:
        errs.append(FieldError("spec.validationActions", "Invalid value", actions, "must not contain both Deny and Warn"))
    return errs


# -- matching ---------------------------------------------------------------------------------

def _rule_matches(rule: dict, kind, operation: str, subresource: str) -> bool:
    def has(values, v) -> bool:
        values = _l(values)
        return "*" in values or v in values

    resources = _l(rule.get("resources"))
    resource = kind.plural + (f"/{subresource}" if subresource else "")
    res_ok = "*" in resources or resource in resources or (subresource and f"{kind.plural}/*" in resources) \
        or (subresource and f"*/{subresource}" in resources) or (not subresource and "*/*" in resources)
    scope = rule.get("scope") or "*"
    scope_ok = scope == "*" or (scope == "Namespaced") == kind.namespaced
    return (has(rule.get("apiGroups"), kind.group) and has(rule.get("apiVersions"), kind.version)
            and has(rule.get("operations"), operation) and res_ok and scope_ok)


def _matches(resources: dict, kind, obj: dict, operation: str, subresource: str, ns_obj: dict | None) -> bool:
    from kubelite.api.selectors import from_label_selector

    rules = _l(resources.get("resourceRules"))
    if rules and not any(_rule_matches(_d(r), kind, operation, subresource) for r in rules):
        return False  # a binding's matchResources without rules narrows by selectors only
    if any(_rule_matches(_d(r), kind, operation, subresource) for r in _l(resources.get("excludeResourceRules"))):
        return False
    labels = _d(_d(obj.get("metadata")).get("labels"))
    if "objectSelector" in resources and not from_label_selector(resources.get("objectSelector")).matches(labels):
        return False
    if kind.namespaced and "namespaceSelector" in resources:
        ns_labels = _d(_d(_d(ns_obj).get("metadata")).get("labels"))
        if not from_label_selector(resources.get("namespaceSelector")).matches(ns_labels):
            return False
    return True


# -- enforcement ------------------------------------------------------------------------------

def _bindings(api) -> list[dict]:
    try:
        bk = kinds.by_kind(BINDING)
    except Exception:
        return []
    return api.store.list(bk)


def admit(api, kind, obj: dict, old: dict | None, dry_run: bool):
    if kind.group == GROUP and kind.kind in (POLICY, BINDING) and not kind.custom:
        errs = policy_errors(obj) if kind.kind == POLICY else binding_errors(obj)
        if errs:
            raise invalid(kind.kind, _d(obj.get("metadata")).get("name", ""), errs)
        return None
    if kind.kind == "Event" and not kind.custom:
        return None  # the control plane's own record keeping
    bindings = _bindings(api)
    if bindings:
        _enforce(api, kind, obj, old, bindings)
    return None


def _enforce(api, kind, obj: dict, old: dict | None, bindings: list[dict]) -> None:
    operation = "UPDATE" if old is not None else "CREATE"
    subresource = api.subresource
    meta = _d(obj.get("metadata"))
    ns_obj = None
    if kind.namespaced and meta.get("namespace"):
        ns_obj = api.store.try_get(kinds.by_kind("Namespace"), None, meta["namespace"])
    pk = kinds.by_kind(POLICY)
    for b in sorted(bindings, key=lambda o: o["metadata"].get("name", "")):
        spec = _d(b.get("spec"))
        policy = api.store.try_get(pk, None, spec.get("policyName") or "") if spec.get("policyName") else None
        if policy is None:
            continue
        pspec = _d(policy.get("spec"))
        if not _matches(_d(pspec.get("matchConstraints")), kind, obj, operation, subresource, ns_obj):
            continue
        if spec.get("matchResources") and not _matches(_d(spec["matchResources"]), kind, obj, operation, subresource, ns_obj):
            continue
        _evaluate(api, kind, obj, old, operation, policy, b, ns_obj)


def _request(api, kind, obj: dict, operation: str) -> dict:
    meta = _d(obj.get("metadata"))
    who = api.identity
    user = {"username": who.user, "groups": list(who.groups)} if who is not None else {"username": "system:kube-controller-manager", "groups": ["system:authenticated"]}
    return {"operation": operation, "name": meta.get("name", ""), "namespace": meta.get("namespace", ""),
            "kind": {"group": kind.group, "version": kind.version, "kind": kind.kind},
            "resource": {"group": kind.group, "version": kind.version, "resource": kind.plural},
            "subResource": api.subresource, "userInfo": user, "dryRun": False}


def _params(api, policy: dict, binding: dict, namespace: str | None):
    """(params, problem): the binding's parameter object, or why there is none."""
    pkind = _d(_d(policy.get("spec")).get("paramKind"))
    ref = _d(_d(binding.get("spec")).get("paramRef"))
    if not pkind:
        return None, None
    k = kinds.for_object(pkind.get("apiVersion"), pkind.get("kind"))
    if k is None:
        return None, f"failed to configure policy: failed to find resource referenced by paramKind: '{pkind.get('apiVersion')}, Kind={pkind.get('kind')}'"
    if not ref:
        return None, "failed to configure binding: paramRef is required when paramKind is set"
    found = None
    if ref.get("name"):
        found = api.store.try_get(k, (ref.get("namespace") or namespace or "default") if k.namespaced else None, ref["name"])
    if found is None and ref.get("parameterNotFoundAction") != "Allow":
        return None, "failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction"
    return found, None


def _evaluate(api, kind, obj: dict, old: dict | None, operation: str, policy: dict, binding: dict, ns_obj) -> None:
    pname, bname = policy["metadata"]["name"], binding["metadata"]["name"]
    pspec, bspec = _d(policy.get("spec")), _d(binding.get("spec"))
    actions = _l(bspec.get("validationActions")) or ["Deny"]
    fail_open = pspec.get("failurePolicy") == "Ignore"
    meta = _d(obj.get("metadata"))
    params, problem = _params(api, policy, binding, meta.get("namespace"))
    data = {"object": obj, "oldObject": old, "request": _request(api, kind, obj, operation), "params": params,
            "namespaceObject": ns_obj, "variables": {}, "authorizer": None}
    failures: list[str] = []
    try:
        if problem:
            raise cel.EvalError(problem)
        for v in _l(pspec.get("variables")):
            data["variables"][v.get("name")] = cel.evaluate(cel.compile_expression(v.get("expression", ""), VARIABLES), data)
        for mc in _l(pspec.get("matchConditions")):
            if cel.evaluate(cel.compile_expression(mc.get("expression", ""), VARIABLES), data) is not True:
                return
        for v in _l(pspec.get("validations")):
            expr = v.get("expression", "")
            if cel.evaluate(cel.compile_expression(expr, VARIABLES), data) is True:
                continue
            message = v.get("message") or f"failed expression: {expr}"
            if v.get("messageExpression"):
                try:
                    m = cel.evaluate(cel.compile_expression(v["messageExpression"], VARIABLES), data)
                    if isinstance(m, str) and m.strip():
                        message = m
                except (cel.CompileError, cel.EvalError):
                    pass
            failures.append(message)
    except (cel.CompileError, cel.EvalError) as e:
        if fail_open:
            return
        failures.append(f"expression evaluation error: {e}" if not problem else problem)
    if not failures:
        return
    what = f"ValidatingAdmissionPolicy '{pname}' with binding '{bname}'"
    if "Warn" in actions:
        for m in failures:
            api.warnings.append(f"Validation failed for {what}: {m}")
    if "Deny" in actions:
        text = f'{kind.resource} "{meta.get("name", "")}" is forbidden: {what} denied request: {failures[0]}'
        reason = next((v.get("reason") for v in _l(pspec.get("validations")) if v.get("reason")), None)
        if reason == "Invalid":
            raise Invalid(text)
        raise Forbidden(text)


apiserver.ADMISSION.append(admit)
