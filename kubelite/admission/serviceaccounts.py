"""ServiceAccount admission, as upstream's plugin: a pod runs as a ServiceAccount that
must exist, and a new namespace gets its `default` ServiceAccount at once (the
serviceaccount controller keeps it there)."""
from __future__ import annotations

from kubelite import apiserver
from kubelite.api import kinds
from kubelite.errors import Forbidden, KubeliteError


def admit(api, kind, obj: dict, old: dict | None, dry_run: bool):
    if kind.kind != "Pod" or old is not None:
        return None
    ns = obj["metadata"].get("namespace", "default")
    sa = (obj.get("spec") or {}).get("serviceAccountName") or "default"
    if not api.store.exists(kinds.by_kind("ServiceAccount"), ns, sa):
        name = obj["metadata"].get("name", "")
        raise Forbidden(f'pods "{name}" is forbidden: error looking up service account {ns}/{sa}: serviceaccount "{sa}" not found')
    return None


def after_create(api, kind, obj: dict) -> None:
    if kind.kind != "Namespace":
        return
    sak = kinds.by_kind("ServiceAccount")
    ns = obj["metadata"]["name"]
    if api.store.exists(sak, ns, "default"):
        return
    try:
        api.store.create(sak, {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}})
    except KubeliteError:
        pass  # the serviceaccount controller will create it on its next pass


apiserver.ADMISSION.append(admit)
apiserver.AFTER_CREATE.append(after_create)
