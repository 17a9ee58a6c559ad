"""ServiceAccount: a `default` ServiceAccount exists in every active namespace."""
from __future__ import annotations

from kubelite.controllers import _common as c


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    for ns in ctx.snap.list("Namespace"):
        name = ns["metadata"]["name"]
        if c.is_terminating(ns) or (ns.get("status") or {}).get("phase") == "Terminating":
            continue
        if ctx.snap.get("ServiceAccount", name, "default") is None:
            sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": name}}
            if ctx.create(sa) is not None:
                ctx.change(sa, "created")
