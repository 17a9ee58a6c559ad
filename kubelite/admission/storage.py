"""Storage admission, as upstream's plugins of the same names:

- DefaultStorageClass: a claim created without a class (no spec.storageClassName, no beta
  annotation) gets the default StorageClass, the newest one annotated
  storageclass.kubernetes.io/is-default-class: "true". An explicit "" means no class and stays.
- StorageObjectInUseProtection: claims get the kubernetes.io/pvc-protection finalizer and
  volumes kubernetes.io/pv-protection when they are created; the volume binder removes them.
- PersistentVolumeClaimResize: a bound claim's storage request may grow only when its class
  has allowVolumeExpansion: true.

Plus the registry strategies' status handling: a new claim or volume starts with an empty,
Pending status, and a volume's status.lastPhaseTransitionTime follows its phase.

The state directory starts with the StorageClass `standard` (provisioner kubelite.io/hostpath,
the default class); volumes it provisions live in STATE/volumes/<pv-name>/, and a Delete-policy
volume's directory goes when its PersistentVolume leaves the store.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from kubelite import apiserver
from kubelite.api import kinds, quantity
from kubelite.errors import Forbidden

PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"
BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
PROVISIONER = "kubelite.io/hostpath"
STANDARD = "standard"


def volumes_dir(api) -> Path:
    """Where kubelite's hostpath provisioner keeps its volumes: STATE/volumes/."""
    return Path(api.store.root) / "volumes"


def is_default_class(sc: dict) -> bool:
    ann = (sc.get("metadata") or {}).get("annotations") or {}
    return ann.get(DEFAULT_CLASS) == "true" or ann.get(BETA_DEFAULT_CLASS) == "true"


def default_class(classes: list[dict]) -> dict | None:
    """Upstream's GetDefaultClass: of the classes marked default, the newest; ties by name."""
    marked = [sc for sc in classes if is_default_class(sc)]
    if not marked:
        return None
    marked.sort(key=lambda sc: sc["metadata"]["name"])
    marked.sort(key=lambda sc: sc["metadata"].get("creationTimestamp") or "", reverse=True)
    return marked[0]


def _has_class(pvc: dict) -> bool:
    """Upstream's PersistentVolumeClaimHasClass: the beta annotation, or storageClassName set (even to "")."""
    ann = (pvc.get("metadata") or {}).get("annotations") or {}
    return BETA_STORAGE_CLASS in ann or (pvc.get("spec") or {}).get("storageClassName") is not None


def _request(pvc: dict | None):
    raw = ((((pvc or {}).get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage")
    try:
        return quantity.parse(raw) if raw is not None else 0
    except quantity.QuantityError:
        return 0


def _claim_class(pvc: dict) -> str:
    ann = (pvc.get("metadata") or {}).get("annotations") or {}
    if BETA_STORAGE_CLASS in ann:
        return ann[BETA_STORAGE_CLASS]
    return (pvc.get("spec") or {}).get("storageClassName") or ""


def _add_finalizer(obj: dict, finalizer: str) -> None:
    fins = obj["metadata"].setdefault("finalizers", [])
    if finalizer not in fins:
        fins.append(finalizer)


def _admit_claim(api, obj: dict, old: dict | None) -> None:
    name = obj["metadata"].get("name", "")
    if old is None:
        obj["status"] = {"phase": "Pending"}
        if not _has_class(obj):
            sc = default_class(api.list(kinds.by_kind("StorageClass")))
            if sc is not None:
                obj.setdefault("spec", {})["storageClassName"] = sc["metadata"]["name"]
        _add_finalizer(obj, PVC_PROTECTION)
        return
    # PersistentVolumeClaimResize
    if _request(obj) <= _request(old):
        return
    if ((old.get("status") or {}).get("phase")) != "Bound":
        raise Forbidden(f'persistentvolumeclaims "{name}" is forbidden: Only bound persistent volume claims can be expanded')
    new_class, old_class = _claim_class(obj), _claim_class(old)
    sc = api.try_get(kinds.by_kind("StorageClass"), None, new_class) if new_class else None
    if not new_class or new_class != old_class or sc is None or sc.get("allowVolumeExpansion") is not True:
        raise Forbidden(f'persistentvolumeclaims "{name}" is forbidden: only dynamically provisioned pvc can be resized '
                        "and the storageclass that provisions the pvc must support resize")


def _admit_volume(api, obj: dict, old: dict | None) -> None:
    now = api.clock.stamp()
    if old is None:
        obj["status"] = {"phase": "Pending", "lastPhaseTransitionTime": now}
        _add_finalizer(obj, PV_PROTECTION)
        return
    status = obj.get("status")
    if not isinstance(status, dict):
        status = obj["status"] = {}
    old_status = old.get("status") or {}
    stamp, old_stamp = status.get("lastPhaseTransitionTime"), old_status.get("lastPhaseTransitionTime")
    if status.get("phase") == old_status.get("phase"):
        if not stamp and old_stamp:
            status["lastPhaseTransitionTime"] = old_stamp  # the phase did not change: keep its time
    elif not stamp or stamp == old_stamp:
        status["lastPhaseTransitionTime"] = now  # the phase changed and the writer did not stamp it


def admit(api, kind, obj: dict, old: dict | None, dry_run: bool):
    if kind.kind == "PersistentVolumeClaim":
        _admit_claim(api, obj, old)
    elif kind.kind == "PersistentVolume":
        _admit_volume(api, obj, old)
    return None


def released(api, kind, obj: dict) -> None:
    """A Delete-policy volume kubelite provisioned takes its directory with it."""
    if kind.kind != "PersistentVolume":
        return
    ann = (obj.get("metadata") or {}).get("annotations") or {}
    if ann.get(PROVISIONED_BY) != PROVISIONER:
        return
    if (obj.get("spec") or {}).get("persistentVolumeReclaimPolicy") != "Delete":
        return
    path = volumes_dir(api) / obj["metadata"]["name"]
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def _bootstrap(api) -> None:
    api.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": STANDARD, "annotations": {DEFAULT_CLASS: "true"}},
                "provisioner": PROVISIONER, "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"})


apiserver.ADMISSION.append(admit)
apiserver.AFTER_DELETE.append(released)
apiserver.BOOTSTRAP.append(_bootstrap)
