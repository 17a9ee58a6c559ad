"""A CustomResourceDefinition itself: its rules, as upstream's `pkg/apis/apiextensions/validation`,
and read-only views of its versions, schemas, subresources and columns.

kubelite cannot call webhooks (it has no network face yet), so a CRD asking for
webhook conversion is refused with a message that says so rather than stored and
silently never converted.
"""
from __future__ import annotations

from typing import Any

from kubelite.api import meta as apimeta
from kubelite.api.crd import structural
from kubelite.api.crd.paths import child, index
from kubelite.api.fielderrors import FieldError

PRINTER_TYPES = ("boolean", "date", "integer", "number", "string")
PRINTER_FORMATS = ("byte", "date", "date-time", "double", "float", "int32", "int64", "password")
WEBHOOK_CONVERSION_REFUSED = (
    "webhook conversion is not supported by kubelite: it has no network endpoint to call a "
    'conversion webhook; use strategy "None" (all versions must then share one schema shape)'
)


def _d(v: Any) -> dict:
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list:
    return v if isinstance(v, list) else []


# -- views ------------------------------------------------------------------------------

def versions(crd: dict) -> list[dict]:
    return [v for v in _l(_d(crd.get("spec")).get("versions")) if isinstance(v, dict)]


def version(crd: dict, name: str) -> dict | None:
    return next((v for v in versions(crd) if v.get("name") == name), None)


def storage_version(crd: dict) -> str | None:
    return next((v.get("name") for v in versions(crd) if v.get("storage") is True), None)


def served_versions(crd: dict) -> list[str]:
    return [v.get("name") for v in versions(crd) if v.get("served") is True]


def schema_of(crd: dict, name: str) -> dict:
    """The openAPIV3Schema of a version ({} when it has none)."""
    return _d(_d(_d(version(crd, name)).get("schema")).get("openAPIV3Schema"))


def subresources(crd: dict, name: str) -> dict:
    return _d(_d(version(crd, name)).get("subresources"))


def printer_columns(crd: dict, name: str) -> list[dict]:
    return [c for c in _l(_d(version(crd, name)).get("additionalPrinterColumns")) if isinstance(c, dict)]


def names(crd: dict) -> dict:
    return _d(_d(crd.get("spec")).get("names"))


def is_condition_true(crd: dict, ctype: str) -> bool:
    return any(c.get("type") == ctype and c.get("status") == "True"
               for c in _l(_d(crd.get("status")).get("conditions")) if isinstance(c, dict))


# -- defaults (upstream's SetDefaults_CustomResourceDefinition) ---------------------------

def apply_defaults(crd: dict) -> None:
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        return
    n = spec.get("names")
    if isinstance(n, dict):
        if not n.get("singular") and isinstance(n.get("kind"), str):
            n["singular"] = n["kind"].lower()
        if not n.get("listKind") and isinstance(n.get("kind"), str) and n["kind"]:
            n["listKind"] = n["kind"] + "List"
    spec.setdefault("conversion", {"strategy": "None"})
    for v in versions(crd):
        scale = _d(_d(v.get("subresources")).get("scale"))
        if scale and "labelSelectorPath" in scale and scale["labelSelectorPath"] is None:
            del scale["labelSelectorPath"]


# -- validation ------------------------------------------------------------------------

def validate(crd: dict) -> list[FieldError]:
    """Every rule the CRD breaks (empty when upstream would accept it)."""
    errs: list[FieldError] = []
    meta = _d(crd.get("metadata"))
    spec = _d(crd.get("spec"))
    n = _d(spec.get("names"))
    group = spec.get("group") or ""
    name = meta.get("name") or ""
    if name and name != f"{n.get('plural', '')}.{group}":
        errs.append(FieldError("metadata.name", "Invalid value", name, 'must be spec.names.plural+"."+spec.group'))

    if not group:
        errs.append(FieldError("spec.group", "Required value", None, ""))
    elif apimeta.dns1123_subdomain_errors(group):
        errs.append(FieldError("spec.group", "Invalid value", group, ",".join(apimeta.dns1123_subdomain_errors(group))))
    elif len(group.split(".")) < 2:
        errs.append(FieldError("spec.group", "Invalid value", group, "should be a domain with at least one dot"))

    scope = spec.get("scope") or ""
    if not scope:
        errs.append(FieldError("spec.scope", "Required value", None, ""))
    elif scope not in ("Cluster", "Namespaced"):
        errs.append(FieldError("spec.scope", "Unsupported value", scope, 'supported values: "Cluster", "Namespaced"'))

    vs = versions(crd)
    if not vs:
        errs.append(FieldError("spec.versions", "Invalid value", [], "must have exactly one version marked as storage version"))
    seen: set[str] = set()
    unique = True
    for i, v in enumerate(vs):
        vpath = index("spec.versions", i)
        vname = v.get("name") or ""
        if vname in seen:
            unique = False
        seen.add(vname)
        if apimeta.dns1035_label_errors(vname):
            errs.append(FieldError(child(vpath, "name"), "Invalid value", vname, ",".join(apimeta.dns1035_label_errors(vname))))
        errs += _version_errors(v, vpath)
    if not unique:
        errs.append(FieldError("spec.versions", "Invalid value", [v.get("name") for v in vs], "must contain unique version names"))
    if vs and sum(1 for v in vs if v.get("storage") is True) != 1:
        errs.append(FieldError("spec.versions", "Invalid value", [v.get("name") for v in vs],
                               "must have exactly one version marked as storage version"))

    for field in ("plural", "singular", "kind", "listKind"):
        if not n.get(field):
            errs.append(FieldError(child("spec.names", field), "Required value", None, ""))
    errs += names_errors(n, "spec.names")

    conv = _d(spec.get("conversion"))
    strategy = conv.get("strategy") or "None"
    if strategy == "Webhook":
        errs.append(FieldError("spec.conversion.strategy", "Unsupported value", strategy, WEBHOOK_CONVERSION_REFUSED))
    elif strategy != "None":
        errs.append(FieldError("spec.conversion.strategy", "Unsupported value", strategy, 'supported values: "None", "Webhook"'))
    elif conv.get("webhook") or conv.get("webhookClientConfig"):
        errs.append(FieldError("spec.conversion.webhook", "Forbidden", None, "should not be set when strategy is not set to Webhook"))

    stored = _l(_d(crd.get("status")).get("storedVersions"))
    for i, sv in enumerate(stored):
        if sv not in seen:
            errs.append(FieldError(index("status.storedVersions", i), "Invalid value", sv, "must appear in spec.versions"))
    return errs


def update_errors(new: dict, old: dict) -> list[FieldError]:
    """Fields a CRD may not change once written (scope and kind only until Established)."""
    errs = []
    ns, os_ = _d(new.get("spec")), _d(old.get("spec"))
    if is_condition_true(old, "Established"):
        if ns.get("scope") != os_.get("scope"):
            errs.append(FieldError("spec.scope", "Invalid value", ns.get("scope"), "field is immutable"))
        if _d(ns.get("names")).get("kind") != _d(os_.get("names")).get("kind"):
            errs.append(FieldError("spec.names.kind", "Invalid value", _d(ns.get("names")).get("kind"), "field is immutable"))
    if ns.get("group") != os_.get("group"):
        errs.append(FieldError("spec.group", "Invalid value", ns.get("group"), "field is immutable"))
    if _d(ns.get("names")).get("plural") != _d(os_.get("names")).get("plural"):
        errs.append(FieldError("spec.names.plural", "Invalid value", _d(ns.get("names")).get("plural"), "field is immutable"))
    return errs


def names_errors(n: dict, path: str) -> list[FieldError]:
    errs = []
    for field in ("plural", "singular"):
        v = n.get(field)
        if isinstance(v, str) and v and apimeta.dns1035_label_errors(v):
            errs.append(FieldError(child(path, field), "Invalid value", v, ",".join(apimeta.dns1035_label_errors(v))))
    for field in ("kind", "listKind"):
        v = n.get(field)
        if isinstance(v, str) and v and apimeta.dns1035_label_errors(v.lower()):
            errs.append(FieldError(child(path, field), "Invalid value", v,
                                   "may have mixed case, but should otherwise match: " + ",".join(apimeta.dns1035_label_errors(v.lower()))))
    for field in ("shortNames", "categories"):
        for i, v in enumerate(_l(n.get(field))):
            if not isinstance(v, str) or apimeta.dns1035_label_errors(v):
                errs.append(FieldError(index(child(path, field), i), "Invalid value", v,
                                       ",".join(apimeta.dns1035_label_errors(str(v)))))
    if n.get("kind") and n.get("kind") == n.get("listKind"):
        errs.append(FieldError(child(path, "listKind"), "Invalid value", n.get("listKind"), "kind and listKind may not be the same"))
    return errs


def _version_errors(v: dict, vpath: str) -> list[FieldError]:
    from kubelite.api.crd import cel

    errs: list[FieldError] = []
    spath = child(child(vpath, "schema"), "openAPIV3Schema")
    schema = _d(v.get("schema")).get("openAPIV3Schema")
    if schema is None:
        errs.append(FieldError(spath, "Required value", None, "schemas are required"))
    else:
        before = len(errs)
        errs += structural.openapi_errors(schema, spath)
        errs += structural.structural_errors(schema, spath)
        sub = _d(v.get("subresources"))
        if "status" in sub and isinstance(schema, dict):
            if schema.get("type") not in (None, "object"):
                errs.append(FieldError(child(spath, "type"), "Invalid value", schema.get("type"),
                                       'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'))
        if len(errs) == before:  # defaults and rules are checked on structural schemas only
            errs += default_errors(schema, spath)
            errs += cel.rule_errors(schema, spath)
    sub = _d(v.get("subresources"))
    scale = sub.get("scale")
    if isinstance(scale, dict):
        errs += _scale_errors(scale, child(child(vpath, "subresources"), "scale"))
    for i, col in enumerate(_l(v.get("additionalPrinterColumns"))):
        errs += _column_errors(_d(col), index(child(vpath, "additionalPrinterColumns"), i))
    if v.get("deprecationWarning") is not None and v.get("deprecated") is not True:
        errs.append(FieldError(child(vpath, "deprecationWarning"), "Forbidden", None, "can only be set for deprecated versions"))
    return errs


def _simple_json_path(p: Any, path: str) -> list[FieldError]:
    if not isinstance(p, str) or not p:
        return [FieldError(path, "Invalid value", p, "must not be empty")]
    if not p.startswith("."):
        return [FieldError(path, "Invalid value", p, "must be a simple json path starting with .")]
    return []


def _scale_errors(scale: dict, path: str) -> list[FieldError]:
    errs = []
    for field, prefix in (("specReplicasPath", ".spec."), ("statusReplicasPath", ".status.")):
        p = scale.get(field)
        fpath = child(path, field)
        if not p:
            errs.append(FieldError(fpath, "Required value", None, ""))
            continue
        e = _simple_json_path(p, fpath)
        if e:
            errs += e
        elif not p.startswith(prefix):
            errs.append(FieldError(fpath, "Invalid value", p, f"should be a json path under {prefix[:-1]}"))
    sel = scale.get("labelSelectorPath")
    if sel:
        e = _simple_json_path(sel, child(path, "labelSelectorPath"))
        if e:
            errs += e
        elif not sel.startswith(".status."):
            errs.append(FieldError(child(path, "labelSelectorPath"), "Invalid value", sel, "should be a json path under .status"))
    return errs


def _column_errors(col: dict, path: str) -> list[FieldError]:
    errs = []
    if not col.get("name"):
        errs.append(FieldError(child(path, "name"), "Required value", None, ""))
    t = col.get("type")
    if not t:
        errs.append(FieldError(child(path, "type"), "Required value", None, "must be one of " + ",".join(PRINTER_TYPES)))
    elif t not in PRINTER_TYPES:
        errs.append(FieldError(child(path, "type"), "Invalid value", t, "must be one of " + ",".join(PRINTER_TYPES)))
    f = col.get("format")
    if f and f not in PRINTER_FORMATS:
        errs.append(FieldError(child(path, "format"), "Invalid value", f, "must be one of " + ",".join(PRINTER_FORMATS)))
    jp = col.get("jsonPath")
    if not jp:
        errs.append(FieldError(child(path, "JSONPath"), "Required value", None, ""))
    else:
        errs += _simple_json_path(jp, child(path, "JSONPath"))
    return errs


def default_errors(schema: Any, path: str, in_metadata: bool = False) -> list[FieldError]:
    """Every `default:` must itself validate against its schema and be pruned already
    (upstream's defaulting/validation.go); defaults under metadata are forbidden."""
    from kubelite.api.crd import pruning, validation

    if not isinstance(schema, dict):
        return []
    errs: list[FieldError] = []
    if "default" in schema:
        dpath = child(path, "default")
        value = schema["default"]
        if in_metadata:
            errs.append(FieldError(dpath, "Forbidden", None, "must not be set inside metadata"))
        elif value is None and schema.get("nullable") is not True:
            errs.append(FieldError(dpath, "Invalid value", None, "must not be null for non-nullable schema"))
        else:
            import copy

            pruned = copy.deepcopy(value)
            removed = pruning.prune(pruned, schema, root=False)
            if removed:
                errs.append(FieldError(dpath, "Invalid value", value, "must not have unknown fields"))
            for e in validation.validate(schema, value, dpath):
                errs.append(e)
    props = _d(schema.get("properties"))
    for k, p in props.items():
        errs += default_errors(p, f"{child(path, 'properties')}[{k}]", in_metadata or (path.endswith("openAPIV3Schema") and k == "metadata"))
    errs += default_errors(schema.get("items"), child(path, "items"), in_metadata)
    if isinstance(schema.get("additionalProperties"), dict):
        errs += default_errors(schema["additionalProperties"], child(path, "additionalProperties"), in_metadata)
    return errs
