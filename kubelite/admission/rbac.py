"""RBAC admission: the bootstrap policy, and upstream's escalation prevention.

You may create or update a Role or ClusterRole only if you already hold every
permission in it, or have the `escalate` verb on it; you may bind a role only if you
hold its permissions, or have the `bind` verb on it.
"""
from __future__ import annotations

from kubelite import apiserver
from kubelite.api import kinds
from kubelite.auth import bootstrap, rbac
from kubelite.errors import Forbidden

_ROLE_KINDS = ("Role", "ClusterRole")
_BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")


def _groups(who) -> str:
    return "[" + " ".join(f'"{g}"' for g in who.groups) + "]"


def admit(api, kind, obj: dict, old: dict | None, dry_run: bool):
    who = api.identity
    if who is None or who.is_master or kind.kind not in _ROLE_KINDS + _BINDING_KINDS:
        return None
    ns = obj["metadata"].get("namespace", "") if kind.namespaced else ""
    name = obj["metadata"]["name"]
    owner = api.authorizer.rules(who, ns)
    if kind.kind in _ROLE_KINDS:
        wanted = obj.get("rules") or []
        missing = rbac.uncovered(owner, wanted)
        if missing and not api.authorizer.allows(who, rbac.Request("escalate", kind.group, kind.plural, "", ns, name)):
            raise Forbidden(
                f'{kind.resource} "{name}" is forbidden: user "{who.user}" (groups={_groups(who)}) is attempting to grant '
                f"RBAC permissions not currently held: " + "; ".join(rbac.describe_rule(m) for m in missing[:5])
                + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            )
        return None
    ref = obj.get("roleRef") or {}
    rk = kinds.by_kind(ref.get("kind", "ClusterRole")) if ref.get("kind") in _ROLE_KINDS else None
    if rk is None:
        return None
    role = api.store.try_get(rk, ns if rk.namespaced else None, ref.get("name", ""))
    rules = (role or {}).get("rules") or []
    missing = rbac.uncovered(owner, rules)
    if missing and not api.authorizer.allows(who, rbac.Request("bind", rk.group, rk.plural, "", ns if rk.namespaced else ns, ref.get("name", ""))):
        raise Forbidden(
            f'{kind.resource} "{name}" is forbidden: user "{who.user}" (groups={_groups(who)}) is attempting to grant '
            f"RBAC permissions not currently held: " + "; ".join(rbac.describe_rule(m) for m in missing[:5])
            + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        )
    return None


def _bootstrap(api) -> None:
    for obj in bootstrap.objects():
        api.create(obj)


apiserver.ADMISSION.append(admit)
apiserver.BOOTSTRAP.append(_bootstrap)
