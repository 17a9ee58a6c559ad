"""ReplicaSet: keep `replicas` pods matching the selector (upstream pkg/controller/replicaset)."""
from __future__ import annotations

from kubelite.api import selectors
from kubelite.controllers import _replicas


def sync(ctx) -> None:
    _replicas.sync(ctx, "ReplicaSet", lambda rs: selectors.from_label_selector((rs.get("spec") or {}).get("selector")))
