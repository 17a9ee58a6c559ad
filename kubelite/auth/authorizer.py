"""Authorize requests against the RBAC objects in the store, and explain denials as upstream does."""
from __future__ import annotations

from kubelite.api import kinds
from kubelite.auth import rbac
from kubelite.auth.identity import Identity
from kubelite.errors import Forbidden


class Authorizer:
    def __init__(self, store):
        self.store = store
        self._crbs: list[dict] | None = None
        self._rbs: dict[str, list[dict]] = {}
        self._crs: dict[str, dict | None] = {}
        self._roles: dict[tuple[str, str], dict | None] = {}

    # Lookups are cached for one command: RBAC objects are few, and a command asks many times.
    def _cluster_bindings(self) -> list[dict]:
        if self._crbs is None:
            self._crbs = self.store.list(kinds.by_kind("ClusterRoleBinding"))
        return self._crbs

    def _role_bindings(self, ns: str) -> list[dict]:
        if ns not in self._rbs:
            self._rbs[ns] = self.store.list(kinds.by_kind("RoleBinding"), ns)
        return self._rbs[ns]

    def _cluster_role(self, name: str) -> dict | None:
        if name not in self._crs:
            self._crs[name] = self.store.try_get(kinds.by_kind("ClusterRole"), None, name)
        return self._crs[name]

    def _role(self, ns: str, name: str) -> dict | None:
        if (ns, name) not in self._roles:
            self._roles[(ns, name)] = self.store.try_get(kinds.by_kind("Role"), ns, name)
        return self._roles[(ns, name)]

    def rules(self, who: Identity, namespace: str) -> list[dict]:
        return rbac.rules_for(who, namespace, self._cluster_bindings(), self._role_bindings(namespace) if namespace else [],
                              self._cluster_role, self._role)

    def allows(self, who: Identity, req: rbac.Request) -> bool:
        if who.is_master:
            return True
        return rbac.allowed(self.rules(who, req.namespace), req)

    def check(self, who: Identity, req: rbac.Request) -> None:
        if not self.allows(who, req):
            raise Forbidden(denial(who, req))


def denial(who: Identity, req: rbac.Request) -> str:
    """`pods "x" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "dev"`."""
    resource = f"{req.resource}.{req.group}" if req.group else req.resource
    subject = f'{resource} "{req.name}"' if req.name else resource
    sub = f'"{req.resource}/{req.subresource}"' if req.subresource else f'"{req.resource}"'
    where = f'in the namespace "{req.namespace}"' if req.namespace else "at the cluster scope"
    return f'{subject} is forbidden: User "{who.user}" cannot {req.verb} resource {sub} in API group "{req.group}" {where}'
