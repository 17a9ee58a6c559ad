"""Who is acting: the state directory's administrator, an impersonated user, or a ServiceAccount."""
from __future__ import annotations

from dataclasses import dataclass, field

AUTHENTICATED = "system:authenticated"
MASTERS = "system:masters"


@dataclass(frozen=True)
class Identity:
    user: str
    groups: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, user: str, groups: tuple[str, ...] | list[str] = ()) -> "Identity":
        """A user with their groups; every authenticated identity is in system:authenticated."""
        gs = list(dict.fromkeys(groups))
        if user.startswith("system:serviceaccount:"):
            ns = user.split(":")[2] if user.count(":") >= 3 else ""
            for g in ("system:serviceaccounts", f"system:serviceaccounts:{ns}"):
                if g not in gs:
                    gs.append(g)
        if AUTHENTICATED not in gs:
            gs.append(AUTHENTICATED)
        return cls(user, tuple(gs))

    @property
    def is_master(self) -> bool:
        return MASTERS in self.groups

    def service_account(self) -> tuple[str, str] | None:
        parts = self.user.split(":")
        if len(parts) == 4 and parts[:2] == ["system", "serviceaccount"]:
            return parts[2], parts[3]
        return None


# The state directory's administrator, like kind's admin kubeconfig.
ADMIN = Identity.of("kubernetes-admin", (MASTERS,))
