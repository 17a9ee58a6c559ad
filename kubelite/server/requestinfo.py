"""Which resource a URL names: upstream's RequestInfo, parsed from the path alone."""
from __future__ import annotations

from dataclasses import dataclass

from kubelite.api import kinds
from kubelite.api.kinds import Kind
from kubelite.server.status import HTTPError


@dataclass
class RequestInfo:
    group: str
    version: str
    kind: Kind | None  # None for virtual resources (reviews)
    plural: str
    namespace: str | None = None
    name: str = ""
    subresource: str = ""

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


def kind_for(group: str, version: str, plural: str) -> Kind | None:
    for k in kinds.all_kinds():
        if k.plural == plural and k.group == group and k.version == version:
            return k
    return served_as(group, version, plural)


def served_as(group: str, version: str, plural: str) -> Kind | None:
    """The stored kind that another served version's URL names (/apis/autoscaling/v1/...
    horizontalpodautoscalers): the handlers work on it, and app.py converts what goes in
    and out (kubelite.api.versions)."""
    from kubelite.api import versions

    api_version = f"{group}/{version}" if group else version
    for av, kind_name in versions.OTHER_VERSIONS:
        k = kinds.by_kind(kind_name)
        if av == api_version and k.plural == plural:
            return k
    return None


def parse(path: str) -> RequestInfo:
    """/api/v1/namespaces/NS/pods/NAME/status -> RequestInfo; 404 Status when nothing matches."""
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["api"] and len(parts) >= 2:
        group, version, rest = "", parts[1], parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        raise HTTPError("NotFound", "the server could not find the requested resource")
    if not rest:
        raise HTTPError("NotFound", "the server could not find the requested resource")
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        # /namespaces/NS/PLURAL[/NAME[/SUB]]; but /namespaces/NAME/status|finalize is the namespace itself
        if group == "" and len(rest) == 3 and rest[2] in ("status", "finalize"):
            plural, name, sub = "namespaces", rest[1], rest[2]
        else:
            namespace, plural = rest[1], rest[2]
            name = rest[3] if len(rest) > 3 else ""
            sub = "/".join(rest[4:])
    else:
        plural = rest[0]
        name = rest[1] if len(rest) > 1 else ""
        sub = "/".join(rest[2:])
    kind = kind_for(group, version, plural)
    if kind is None and (group, plural) not in VIRTUAL:
        raise HTTPError("NotFound", "the server could not find the requested resource")
    if kind is not None and not kind.namespaced and namespace is not None:
        raise HTTPError("NotFound", "the server could not find the requested resource")
    return RequestInfo(group, version, kind, plural, namespace, name, sub)


# Request-only resources: created, answered, never stored.
VIRTUAL = {
    ("authorization.k8s.io", "selfsubjectaccessreviews"): ("SelfSubjectAccessReview", False),
    ("authorization.k8s.io", "selfsubjectrulesreviews"): ("SelfSubjectRulesReview", False),
    ("authorization.k8s.io", "subjectaccessreviews"): ("SubjectAccessReview", False),
    ("authorization.k8s.io", "localsubjectaccessreviews"): ("LocalSubjectAccessReview", True),
    ("authentication.k8s.io", "tokenreviews"): ("TokenReview", False),
    ("authentication.k8s.io", "selfsubjectreviews"): ("SelfSubjectReview", False),
}
