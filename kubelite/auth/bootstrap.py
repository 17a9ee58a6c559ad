"""The bootstrap RBAC policy: cluster-admin, admin, edit and view with upstream's meaning,
the aggregate-to-* roles they gather from, and system:masters bound to cluster-admin."""
from __future__ import annotations

RO = ["get", "list", "watch"]
RW = ["create", "delete", "deletecollection", "patch", "update"]
AGG = "rbac.authorization.k8s.io/aggregate-to-"


def _rule(groups: list[str], resources: list[str], verbs: list[str]) -> dict:
    return {"apiGroups": groups, "resources": resources, "verbs": verbs}


VIEW_RULES = [
    _rule([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
                 "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], RO),
    _rule([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                 "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], RO),
    _rule([""], ["namespaces"], RO),
    _rule(["discovery.k8s.io"], ["endpointslices"], RO),
    _rule(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                     "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
                     "statefulsets/scale", "statefulsets/status"], RO),
    _rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], RO),
    _rule(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], RO),
    _rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], RO),
    _rule(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], RO),
]
EDIT_RULES = [
    _rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], RO),
    _rule([""], ["serviceaccounts"], ["impersonate"]),
    _rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], RW),
    _rule([""], ["pods/eviction"], ["create"]),
    _rule([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale",
                 "secrets", "serviceaccounts", "services", "services/proxy"], RW),
    _rule([""], ["serviceaccounts/token"], ["create"]),
    _rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                     "replicasets/scale", "statefulsets", "statefulsets/scale"], RW),
    _rule(["autoscaling"], ["horizontalpodautoscalers"], RW),
    _rule(["batch"], ["cronjobs", "jobs"], RW),
    _rule(["policy"], ["poddisruptionbudgets"], RW),
    _rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], RW),
    _rule(["coordination.k8s.io"], ["leases"], RO + RW),
]
ADMIN_RULES = [
    _rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
    _rule(["rbac.authorization.k8s.io"], ["rolebindings", "roles"], RO + RW),
]
BASIC_USER_RULES = [
    _rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
    _rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"]),
]


def _cr(name: str, rules: list[dict] | None = None, labels: dict | None = None, aggregate_from: list[str] | None = None) -> dict:
    meta: dict = {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults", **(labels or {})},
                  "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}}
    cr: dict = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta, "rules": rules or []}
    if aggregate_from:
        cr["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {AGG + a: "true"}} for a in aggregate_from]}
    return cr


def _crb(name: str, role: str, group: str) -> dict:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
                         "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}]}


def objects() -> list[dict]:
    """The bootstrap ClusterRoles (rules of aggregated roles already gathered) and bindings."""
    from kubelite.auth.rbac import aggregate

    objs = [
        _cr("cluster-admin", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]),
        _cr("system:aggregate-to-view", VIEW_RULES, {AGG + "view": "true", AGG + "edit": "true", AGG + "admin": "true"}),
        _cr("system:aggregate-to-edit", EDIT_RULES, {AGG + "edit": "true", AGG + "admin": "true"}),
        _cr("system:aggregate-to-admin", ADMIN_RULES, {AGG + "admin": "true"}),
        _cr("view", VIEW_RULES, {AGG + "edit": "true", AGG + "admin": "true"}, ["view"]),
        _cr("edit", VIEW_RULES + EDIT_RULES, {AGG + "admin": "true"}, ["edit"]),
        _cr("admin", VIEW_RULES + EDIT_RULES + ADMIN_RULES, None, ["admin"]),
        _cr("system:basic-user", BASIC_USER_RULES),
        _crb("cluster-admin", "cluster-admin", "system:masters"),
        _crb("system:basic-user", "system:basic-user", "system:authenticated"),
    ]
    roles = [o for o in objs if o["kind"] == "ClusterRole"]
    for role in roles:
        if role.get("aggregationRule"):
            role["rules"] = aggregate(role, roles)
    return objs
