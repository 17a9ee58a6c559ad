"""ReplicationController: ReplicaSet's logic with a map selector (upstream's replication package)."""
from __future__ import annotations

from kubelite.api import selectors
from kubelite.controllers import _replicas

# Re-run in the same pass when these change after it ran: its pods' phases and readiness make its status.
WATCHES = ("Pod",)


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)
# A focused pass visits only controllers its changes reach (runtime/focus.py), as for ReplicaSets.
FOCUSED = True


def sync(ctx) -> None:
    _replicas.sync(ctx, "ReplicationController", lambda rc: selectors.from_map((rc.get("spec") or {}).get("selector")))
