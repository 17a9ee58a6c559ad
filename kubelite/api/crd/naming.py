"""Names and conditions of a CRD, as upstream's naming and establishing controllers set them.

Pure: a CRD and the other CRDs of its group in, (acceptedNames, conditions) out. kubelite
runs this when a CRD is written, so its kind is servable at once, and again in the crd
controller, where a conflict a deleted CRD freed is resolved.
"""
from __future__ import annotations

CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"


def _used(others: list[dict]) -> tuple[set[str], set[str]]:
    resources: set[str] = set()
    kinds: set[str] = set()
    for o in others:
        n = (o.get("status") or {}).get("acceptedNames") or {}
        resources.update(x for x in (n.get("plural"), n.get("singular"), *(n.get("shortNames") or ())) if x)
        kinds.update(x for x in (n.get("kind"), n.get("listKind")) if x)
    return resources, kinds


def _conflict(requested: str | None, accepted: str | None, used: set[str]) -> str | None:
    if requested == accepted or requested not in used:
        return None
    return f'"{requested}" is already in use'


def calculate(crd: dict, others: list[dict]) -> tuple[dict, dict, dict]:
    """(acceptedNames, NamesAccepted condition, Established condition) without timestamps.

    `others`: the other CRDs of the same group.
    """
    resources, kinds = _used(others)
    requested = (crd.get("spec") or {}).get("names") or {}
    status = crd.get("status") or {}
    accepted = status.get("acceptedNames") or {}
    new = dict(accepted)
    cond = {"type": "NamesAccepted", "status": "Unknown"}

    def fail(reason: str, message: str) -> None:
        cond.update(status="False", reason=reason, message=message)

    for field, reason, used in (("plural", "PluralConflict", resources), ("singular", "SingularConflict", resources)):
        err = _conflict(requested.get(field), accepted.get(field), used)
        if err:
            fail(reason, err)
        elif requested.get(field) is not None:
            new[field] = requested[field]
    short = list(requested.get("shortNames") or [])
    if short != list(accepted.get("shortNames") or []):
        mine = set(accepted.get("shortNames") or [])
        errs = [e for s in short if s not in mine and s not in (accepted.get("plural"), accepted.get("singular"))
                for e in [_conflict(s, "", resources)] if e]
        if errs:
            fail("ShortNamesConflict", errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]")
        elif short:
            new["shortNames"] = short
        else:
            new.pop("shortNames", None)
    for field, reason in (("kind", "KindConflict"), ("listKind", "ListKindConflict")):
        err = _conflict(requested.get(field), accepted.get(field), kinds)
        if err:
            fail(reason, err)
        elif requested.get(field) is not None:
            new[field] = requested[field]
    if requested.get("categories"):
        new["categories"] = list(requested["categories"])
    else:
        new.pop("categories", None)
    if cond["status"] == "Unknown":
        cond.update(status="True", reason="NoConflicts", message="no conflicts found")

    established = next((dict(c) for c in status.get("conditions") or [] if c.get("type") == "Established"), None)
    if established is None:
        established = {"type": "Established", "status": "False", "reason": "NotAccepted", "message": "not all names are accepted"}
    if established.get("status") != "True" and cond["status"] == "True":
        # Upstream's establishing controller follows at once; kubelite does both in one step.
        established = {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                       "message": "the initial names have been accepted"}
    established.pop("lastTransitionTime", None)
    return new, cond, established


def set_condition(status: dict, cond: dict, now: str) -> bool:
    """Set a condition as upstream's SetCRDCondition: the transition time moves only when
    the status does. Returns whether anything changed."""
    if not isinstance(status.get("conditions"), list):
        status["conditions"] = []
    conds = status["conditions"]
    for i, c in enumerate(conds):
        if c.get("type") == cond["type"]:
            same_status = c.get("status") == cond.get("status")
            merged = dict(cond, lastTransitionTime=c.get("lastTransitionTime") if same_status else now)
            if not merged.get("lastTransitionTime"):
                merged["lastTransitionTime"] = now
            if merged == c:
                return False
            conds[i] = merged
            return True
    conds.append(dict(cond, lastTransitionTime=now))
    return True
