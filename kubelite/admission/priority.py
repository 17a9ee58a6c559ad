"""Priority admission, as upstream's Priority plugin: a new pod's priorityClassName (or the
globalDefault class) becomes spec.priority and spec.preemptionPolicy; an unknown class is
refused. PriorityClasses: at most one globalDefault, user values up to one billion, and the
`system-` prefix reserved. system-node-critical and system-cluster-critical exist from the
start. The rules are kubelite.policy.priority.
"""
from __future__ import annotations

from kubelite import apiserver
from kubelite.api import kinds
from kubelite.api.fielderrors import FieldError, invalid
from kubelite.errors import Forbidden


def _kind():
    return kinds.for_object("scheduling.k8s.io/v1", "PriorityClass")


def classes(api) -> list[dict]:
    """Every PriorityClass, with the system classes even in a state directory made before them."""
    from kubelite.policy import priority

    stored = api.store.list(_kind())
    names = {pc["metadata"]["name"] for pc in stored}
    return stored + [pc for pc in priority.SYSTEM_CLASSES if pc["metadata"]["name"] not in names]


def admit(api, kind, obj: dict, old: dict | None, dry_run: bool):
    from kubelite.policy import priority

    if _kind() is None:
        return None
    name = obj["metadata"].get("name", "")
    if kind.kind == "Pod" and old is None:
        try:
            priority.resolve(obj, classes(api))
        except priority.PriorityError as e:
            raise Forbidden(f'pods "{name}" is forbidden: {e}') from None
    elif kind.kind == "PriorityClass":
        system = {pc["metadata"]["name"]: pc for pc in priority.SYSTEM_CLASSES}
        errs = []
        if name.startswith("system-") and name not in system:
            errs.append(FieldError("metadata.name", "Forbidden", None,
                                   "priority class names with 'system-' prefix are reserved for system use only"))
        elif name in system and obj.get("value") != system[name]["value"]:
            errs.append(FieldError("value", "Forbidden", None, f"value of {name} PriorityClass must be {system[name]['value']}"))
        elif name not in system and int(obj.get("value") or 0) > priority.HIGHEST_USER_DEFINABLE:
            errs.append(FieldError("value", "Forbidden", None,
                                   f"maximum allowed value of a user defined priority is {priority.HIGHEST_USER_DEFINABLE}"))
        if errs:
            raise invalid("PriorityClass", name, errs)
        if obj.get("globalDefault") and not (old or {}).get("globalDefault"):
            try:
                priority.check_class(obj, api.store.list(_kind()))
            except priority.PriorityError as e:
                raise Forbidden(f'priorityclasses.scheduling.k8s.io "{name}" is forbidden: {e}') from None
    return None


def _bootstrap(api) -> None:
    from kubelite.policy import priority

    if _kind() is not None:
        for pc in priority.SYSTEM_CLASSES:
            api.create(dict(pc, metadata=dict(pc["metadata"])))


apiserver.ADMISSION.append(admit)
apiserver.BOOTSTRAP.append(_bootstrap)
