"""ClusterRole aggregation: a ClusterRole with an aggregationRule gets the rules of every
ClusterRole its selectors match, as upstream's clusterrole-aggregation controller."""
from __future__ import annotations


from kubelite.api.fastcopy import clone
from kubelite.auth.rbac import aggregate


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    roles = ctx.snap.list("ClusterRole")
    for role in roles:
        if not role.get("aggregationRule"):
            continue
        want = aggregate(role, roles)
        if want != (role.get("rules") or []):
            updated = clone(role)
            updated["rules"] = want
            if ctx.update(updated) is not None:
                ctx.change(role, f"aggregated {len(want)} rule(s)")
