"""CustomResourceDefinitions and the custom objects they serve, on their way into the store.

For a CRD (as upstream's CRD strategy, naming and establishing controllers together):
defaults, validation (structural schema, defaults, CEL rules compiled), the cleanup
finalizer, status.storedVersions, and names accepted with NamesAccepted and Established
set at once, so the kind is servable as soon as the write returns.

For a custom object (as upstream's customresource strategy): the version must be
served; a deprecated version warns; with the status subresource, status is ignored on
the main resource and spec on status writes; unknown fields are pruned, defaults
applied, then the schema, metadata and CEL rules are checked; it is stored in the
storage version (conversion None: only apiVersion changes).
"""
from __future__ import annotations

import copy

from kubelite import apiserver, lazy
from kubelite.api import kinds
from kubelite.api.fielderrors import FieldError, invalid
from kubelite.errors import Forbidden

# Loaded by the first CRD or custom object: every other write passes by without them.
definition = lazy.module("kubelite.api.crd.definition")
naming = lazy.module("kubelite.api.crd.naming")

CRD = "CustomResourceDefinition"


# -- CRDs -----------------------------------------------------------------------------

def _admit_crd(api, obj: dict, old: dict | None) -> None:
    definition.apply_defaults(obj)
    errs = definition.validate(obj)
    if old is not None:
        errs += definition.update_errors(obj, old)
    if errs:
        raise invalid(CRD, (obj.get("metadata") or {}).get("name", ""), errs)
    meta = obj["metadata"]
    if api.identity is not None and api.subresource != "status":
        # Status is the control plane's: a user's write keeps what is stored (none at first),
        # as upstream's status subresource does; manifests often carry an empty status.
        obj["status"] = copy.deepcopy((old or {}).get("status") or {})
    if not meta.get("deletionTimestamp"):
        finalizers = list(meta.get("finalizers") or [])
        if naming.CLEANUP_FINALIZER not in finalizers:
            meta["finalizers"] = finalizers + [naming.CLEANUP_FINALIZER]
    status = obj.setdefault("status", {})
    storage = definition.storage_version(obj)
    stored = list(status.get("storedVersions") or [])
    if storage and storage not in stored:
        status["storedVersions"] = stored + [storage]
    refresh_names(api, obj)
    kinds.invalidate_custom()


def refresh_names(api, crd: dict) -> bool:
    """Accept the CRD's names against the other CRDs of its group; whether status changed."""
    group = (crd.get("spec") or {}).get("group")
    name = crd["metadata"].get("name")
    others = [o for o in api.store.list(kinds.by_kind(CRD))
              if (o.get("spec") or {}).get("group") == group and o["metadata"].get("name") != name]
    names, accepted, established = naming.calculate(crd, others)
    status = crd.setdefault("status", {})
    changed = status.get("acceptedNames") != names
    status["acceptedNames"] = names
    now = api.clock.stamp()
    changed |= naming.set_condition(status, accepted, now)
    changed |= naming.set_condition(status, established, now)
    return changed


# -- custom objects -----------------------------------------------------------------------

def _version(obj: dict) -> str:
    av = obj.get("apiVersion") or ""
    return av.split("/", 1)[1] if "/" in av else av


def check(kind, obj: dict) -> list[FieldError]:
    """What a manifest of a custom kind gets wrong, before anything else (prepare time):
    the schema of its version, and unknown fields (kubectl's strict field validation)."""
    from kubelite.api.crd import defaulting, pruning, validation

    crd = kinds.definition(kind)
    if crd is None:
        return []
    schema = definition.schema_of(crd, _version(obj))
    probe = copy.deepcopy(obj)
    unknown = pruning.prune(probe, schema)
    defaulting.apply(probe, schema)  # upstream validates the defaulted object
    errs = validation.validate(schema, probe)
    for path in unknown:
        errs.append(FieldError(path, "Unknown field", None, f'unknown field "{path}"'))
    return errs


def finish(api, kind, obj: dict, old: dict | None) -> list[FieldError]:
    """Prepare a custom object for storage as upstream's strategy does (mutates obj);
    returns its validation errors."""
    from kubelite.api import validation as builtin
    from kubelite.api.crd import cel, defaulting, pruning, validation

    crd = kinds.definition(kind)
    if crd is None:
        return []
    version = _version(obj)
    meta = obj.get("metadata") or {}
    if old is None and (crd.get("metadata") or {}).get("deletionTimestamp"):
        raise Forbidden(f'{kind.resource} "{meta.get("name", "")}" is forbidden: '
                        "create not allowed while custom resource definition is terminating")
    v = definition.version(crd, version) or {}
    if v.get("deprecated") is True:
        api.warnings.append(v.get("deprecationWarning") or f"{kind.group}/{version} {kind.kind} is deprecated")
    schema = definition.schema_of(crd, version)
    if "status" in definition.subresources(crd, version):
        sub = api.subresource
        if sub == "status":
            if old is not None:  # a status write changes status only
                status = obj.get("status")
                obj.clear()
                obj.update(copy.deepcopy(old))
                obj["metadata"] = meta
                if status is None:
                    obj.pop("status", None)
                else:
                    obj["status"] = status
        elif old is None:
            obj.pop("status", None)
        elif "status" in old:
            obj["status"] = copy.deepcopy(old["status"])
        else:
            obj.pop("status", None)
    pruning.prune(obj, schema)
    defaulting.apply(obj, schema)
    errs = validation.validate(schema, obj)
    errs += builtin.validate_metadata(obj)
    if not errs:
        old_versioned = old
        errs += cel.validate(schema, obj, old_versioned)
    obj["apiVersion"] = kind.api_version  # stored in the storage version
    return errs


# -- the admission hook -------------------------------------------------------------------

def admit(api, kind, obj: dict, old: dict | None, dry_run: bool):
    if kind.kind == CRD and not kind.custom:
        _admit_crd(api, obj, old)
    return None


def finish_deletion(api, kind, crd: dict) -> bool:
    """A CRD marked for deletion with no objects left goes at once, as upstream's finalizer
    controller lets it go within moments; with objects, the crd controller deletes them first."""
    if kind.kind != CRD or kind.custom:
        return False
    from kubelite.api.crd import served

    finalizers = list(crd["metadata"].get("finalizers") or [])
    if finalizers != [naming.CLEANUP_FINALIZER]:
        return False
    served_kind = served.kind_of(crd)
    if served_kind is not None and api.store.list(served_kind):
        return False
    updated = copy.deepcopy(crd)
    updated["metadata"]["finalizers"] = []
    api.store.update(kind, updated)
    return not api.store.exists(kind, None, crd["metadata"]["name"])


apiserver.ADMISSION.append(admit)
apiserver.ON_MARKED.append(finish_deletion)
apiserver.AFTER_DELETE.append(lambda api, kind, obj: kinds.invalidate_custom() if kind.kind == CRD and not kind.custom else None)
