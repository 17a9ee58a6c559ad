"""ReplicaSet: keep `replicas` pods matching the selector (upstream pkg/controller/replicaset)."""
from __future__ import annotations

from kubelite.api import selectors
from kubelite.controllers import _replicas

# Re-run in the same pass when these change after it ran: its pods' phases and readiness make its status.
WATCHES = ("Pod",)


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)
# A focused pass visits only ReplicaSets its changes reach (runtime/focus.py): a ReplicaSet's
# sync reads its pods, whose changes focus it (ownerless pods: their whole namespace).
FOCUSED = True


def sync(ctx) -> None:
    _replicas.sync(ctx, "ReplicaSet", lambda rs: selectors.from_label_selector((rs.get("spec") or {}).get("selector")))
