"""RBAC as upstream evaluates it: rules, bindings, and the escalation check (pure)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from kubelite.auth.identity import Identity


@dataclass(frozen=True)
class Request:
    verb: str
    group: str
    resource: str
    subresource: str = ""
    namespace: str = ""
    name: str = ""

    @property
    def full_resource(self) -> str:
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource


def _has(values: Iterable[str] | None, want: str) -> bool:
    values = list(values or [])
    return "*" in values or want in values


def rule_allows(rule: dict, req: Request) -> bool:
    """One PolicyRule against one request (upstream's RuleAllows)."""
    if not _has(rule.get("verbs"), req.verb):
        return False
    if not _has(rule.get("apiGroups"), req.group):
        return False
    resources = rule.get("resources") or []
    combined = req.full_resource
    ok = False
    for r in resources:
        if r == "*" or r == combined:
            ok = True
        elif req.subresource and r == f"*/{req.subresource}":
            ok = True
    if not ok:
        return False
    names = rule.get("resourceNames") or []
    return not names or req.name in names


def subject_matches(subject: dict, who: Identity, binding_ns: str) -> bool:
    kind = subject.get("kind")
    if kind == "User":
        return subject.get("name") == who.user
    if kind == "Group":
        return subject.get("name") in who.groups
    if kind == "ServiceAccount":
        sa = who.service_account()
        ns = subject.get("namespace") or binding_ns
        return sa is not None and sa == (ns, subject.get("name"))
    return False


def rules_for(who: Identity, namespace: str, cluster_bindings: list[dict], role_bindings: list[dict],
              cluster_role, role) -> list[dict]:
    """Every rule that applies to `who` in `namespace` (cluster-wide only when namespace is '')."""
    rules: list[dict] = []
    for b in cluster_bindings:
        if any(subject_matches(s, who, "") for s in b.get("subjects") or []):
            cr = cluster_role(b["roleRef"]["name"])
            if cr is not None:
                rules += cr.get("rules") or []
    if namespace:
        for b in role_bindings:
            if not any(subject_matches(s, who, namespace) for s in b.get("subjects") or []):
                continue
            ref = b.get("roleRef") or {}
            r = cluster_role(ref.get("name")) if ref.get("kind") == "ClusterRole" else role(namespace, ref.get("name"))
            if r is not None:
                rules += r.get("rules") or []
    return rules


def allowed(rules: list[dict], req: Request) -> bool:
    return any(rule_allows(r, req) for r in rules)


def _expand(rule: dict) -> list[dict]:
    """Break a rule into simple rules with one verb, group, resource and name each."""
    out = []
    names = rule.get("resourceNames") or [None]
    for v in rule.get("verbs") or []:
        for g in rule.get("apiGroups") or [""]:
            for r in rule.get("resources") or []:
                for n in names:
                    simple = {"verbs": [v], "apiGroups": [g], "resources": [r]}
                    if n is not None:
                        simple["resourceNames"] = [n]
                    out.append(simple)
    for url in rule.get("nonResourceURLs") or []:
        for v in rule.get("verbs") or []:
            out.append({"verbs": [v], "nonResourceURLs": [url]})
    return out


def _covers_simple(owner: dict, want: dict) -> bool:
    if "nonResourceURLs" in want:
        urls = owner.get("nonResourceURLs") or []
        return _has(owner.get("verbs"), want["verbs"][0]) and any(
            u == want["nonResourceURLs"][0] or u == "*" or (u.endswith("*") and want["nonResourceURLs"][0].startswith(u[:-1])) for u in urls)
    v, g, r = want["verbs"][0], want["apiGroups"][0], want["resources"][0]
    if not (_has(owner.get("verbs"), v) and _has(owner.get("apiGroups"), g)):
        return False
    res = owner.get("resources") or []
    if not ("*" in res or r in res or ("/" in r and f"*/{r.split('/', 1)[1]}" in res)):
        return False
    onames = owner.get("resourceNames") or []
    if not onames:
        return True
    return bool(want.get("resourceNames")) and want["resourceNames"][0] in onames


def uncovered(owner_rules: list[dict], wanted: list[dict]) -> list[dict]:
    """The simple rules of `wanted` that `owner_rules` do not grant (upstream's Covers)."""
    missing = []
    for rule in wanted:
        for simple in _expand(rule):
            if not any(_covers_simple(o, simple) for o in owner_rules):
                missing.append(simple)
    return missing


def describe_rule(rule: dict) -> str:
    """Upstream's compact rendering in escalation errors: {APIGroups:[""], Resources:["pods"], Verbs:["delete"]}."""
    parts = []
    if rule.get("apiGroups") is not None:
        parts.append("APIGroups:[" + " ".join(f'"{g}"' for g in rule["apiGroups"]) + "]")
    if rule.get("resources"):
        parts.append("Resources:[" + " ".join(f'"{r}"' for r in rule["resources"]) + "]")
    if rule.get("resourceNames"):
        parts.append("ResourceNames:[" + " ".join(f'"{r}"' for r in rule["resourceNames"]) + "]")
    if rule.get("nonResourceURLs"):
        parts.append("NonResourceURLs:[" + " ".join(f'"{r}"' for r in rule["nonResourceURLs"]) + "]")
    parts.append("Verbs:[" + " ".join(f'"{v}"' for v in rule.get("verbs") or []) + "]")
    return "{" + ", ".join(parts) + "}"


def aggregate(target: dict, roles: list[dict]) -> list[dict]:
    """The union of matching roles' rules, in name order, without duplicates."""
    from kubelite.api import selectors

    sels = [selectors.from_label_selector(s) for s in (target.get("aggregationRule") or {}).get("clusterRoleSelectors") or []]
    rules: list[dict] = []
    for role in sorted(roles, key=lambda r: r["metadata"]["name"]):
        if role["metadata"]["name"] == target["metadata"]["name"]:
            continue
        labels = role["metadata"].get("labels") or {}
        if any(s.matches(labels) for s in sels):
            for rule in role.get("rules") or []:
                if rule not in rules:
                    rules.append(dict(rule))
    return rules
