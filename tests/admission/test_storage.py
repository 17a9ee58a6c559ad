"""Storage admission (DefaultStorageClass, StorageObjectInUseProtection, PersistentVolumeClaimResize),
the bootstrap StorageClass, and the PV/PVC/StorageClass rules of validation and the printers,
in-process against a fresh state directory."""
from __future__ import annotations

import copy
import datetime as dt

import pytest

from kubelite.api import kinds
from kubelite.apiserver import APIServer
from kubelite.cli import printers
from kubelite.clock import Clock, parse_time
from kubelite.errors import KubeliteError
from tests.conftest import T0

PVC, PV, SC = kinds.by_kind("PersistentVolumeClaim"), kinds.by_kind("PersistentVolume"), kinds.by_kind("StorageClass")


def claim(name="data", size="1Gi", **spec) -> dict:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": "default"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}, **spec}}


def volume(name="disk", size="1Gi", **spec) -> dict:
    s = {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}, **spec}
    if not any(k in s for k in ("hostPath", "nfs", "local", "csi")):
        s["hostPath"] = {"path": f"/srv/{name}"}
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name}, "spec": s}


def storage_class(name, provisioner="kubelite.io/hostpath", default=False, **extra) -> dict:
    meta = {"name": name}
    if default:
        meta["annotations"] = {"storageclass.kubernetes.io/is-default-class": "true"}
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta, "provisioner": provisioner, **extra}


def error(fn, *args, **kw) -> str:
    with pytest.raises(KubeliteError) as e:
        fn(*args, **kw)
    return str(e.value)


def bind(api, name: str, volume_name: str = "disk") -> dict:
    """What the binder writes to a bound claim."""
    c = copy.deepcopy(api.get(PVC, "default", name))
    c["spec"]["volumeName"] = volume_name
    c["status"] = {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}
    return api.write(PVC, c)[0]


def resized(api, name: str, size: str) -> dict:
    c = copy.deepcopy(api.get(PVC, "default", name))
    c["spec"]["resources"]["requests"]["storage"] = size
    return c


# -- bootstrap and DefaultStorageClass -----------------------------------------------------------

def test_the_state_directory_starts_with_the_default_standard_class(api):
    sc = api.get(SC, None, "standard")
    assert sc["provisioner"] == "kubelite.io/hostpath"
    assert sc["reclaimPolicy"] == "Delete" and sc["volumeBindingMode"] == "Immediate"
    assert sc["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
    assert printers.display_name(sc) == "standard (default)"


def test_a_claim_without_a_class_gets_the_default_and_an_explicit_empty_class_stays(api):
    assert api.create(claim("a")).obj["spec"]["storageClassName"] == "standard"
    assert api.create(claim("b", storageClassName="")).obj["spec"]["storageClassName"] == ""
    assert api.create(claim("c", storageClassName="manual")).obj["spec"]["storageClassName"] == "manual"
    beta = claim("d")
    beta["metadata"]["annotations"] = {"volume.beta.kubernetes.io/storage-class": "old"}
    assert "storageClassName" not in api.create(beta).obj["spec"]


def test_of_several_default_classes_the_newest_wins_then_the_first_name(api):
    later = APIServer.open(api.store.root, Clock(parse_time(T0) + dt.timedelta(seconds=5)))
    later.create(storage_class("zeta", default=True))
    later.create(storage_class("alpha", default=True))
    assert api.create(claim("a")).obj["spec"]["storageClassName"] == "alpha"


def test_without_a_default_class_a_claim_keeps_no_class(api):
    sc = copy.deepcopy(api.get(SC, None, "standard"))
    del sc["metadata"]["annotations"]
    api.update(sc)
    assert "storageClassName" not in api.create(claim("a")).obj["spec"]


# -- StorageObjectInUseProtection and status on create --------------------------------------------

def test_claims_and_volumes_get_their_protection_finalizer_and_a_fresh_pending_status(api):
    c = claim()
    c["status"] = {"phase": "Bound"}
    stored = api.create(c).obj
    assert stored["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    assert stored["status"] == {"phase": "Pending"}
    v = volume()
    v["metadata"]["finalizers"] = ["example.com/keep"]
    stored = api.create(v).obj
    assert stored["metadata"]["finalizers"] == ["example.com/keep", "kubernetes.io/pv-protection"]
    assert stored["status"] == {"phase": "Pending", "lastPhaseTransitionTime": T0}
    assert stored["spec"]["persistentVolumeReclaimPolicy"] == "Retain" and stored["spec"]["volumeMode"] == "Filesystem"


def test_a_volume_phase_change_stamps_its_transition_time(api):
    api.create(volume())
    later = APIServer.open(api.store.root, Clock(parse_time(T0) + dt.timedelta(seconds=30)))
    v = copy.deepcopy(later.get(PV, None, "disk"))
    v["status"]["phase"] = "Available"
    stored = later.write(PV, v)[0]
    assert stored["status"]["lastPhaseTransitionTime"] == "2026-01-02T15:04:35Z"
    v = copy.deepcopy(stored)
    v["metadata"]["labels"] = {"a": "b"}
    del v["status"]["lastPhaseTransitionTime"]
    assert later.write(PV, v)[0]["status"]["lastPhaseTransitionTime"] == "2026-01-02T15:04:35Z"


def test_a_delete_policy_volume_kubelite_provisioned_takes_its_directory_when_it_goes(api):
    directory = api.store.root / "volumes" / "pvc-1"
    directory.mkdir(parents=True)
    v = volume("pvc-1", persistentVolumeReclaimPolicy="Delete")
    v["metadata"]["annotations"] = {"pv.kubernetes.io/provisioned-by": "kubelite.io/hostpath"}
    api.create(v)
    api.delete(PV, None, "pvc-1")
    assert directory.is_dir()  # pv-protection holds it
    held = copy.deepcopy(api.get(PV, None, "pvc-1"))
    held["metadata"]["finalizers"] = []
    api.write(PV, held)
    assert api.try_get(PV, None, "pvc-1") is None and not directory.exists()


# -- PersistentVolumeClaimResize and claim updates ----------------------------------------------------

def test_an_unbound_claim_spec_is_immutable(api):
    api.create(claim())
    assert "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims" \
        in error(api.update, resized(api, "data", "2Gi"))


def test_a_bound_claim_grows_only_with_an_expandable_class_and_never_shrinks(api):
    api.create(storage_class("elastic", allowVolumeExpansion=True))
    api.create(claim("fixed"))
    api.create(claim("grow", storageClassName="elastic"))
    bind(api, "fixed")
    bind(api, "grow")
    assert error(api.update, resized(api, "fixed", "2Gi")) == (
        'persistentvolumeclaims "fixed" is forbidden: only dynamically provisioned pvc can be resized '
        "and the storageclass that provisions the pvc must support resize")
    assert api.update(resized(api, "grow", "2Gi")).obj["spec"]["resources"]["requests"]["storage"] == "2Gi"
    assert "spec.resources.requests.storage: Forbidden: field can not be less than previous value" \
        in error(api.update, resized(api, "grow", "1Gi"))


def test_a_claim_may_get_a_class_and_a_volume_name_once(api):
    api.create(claim("a", storageClassName="manual"))
    c = copy.deepcopy(api.get(PVC, "default", "a"))
    c["spec"]["volumeName"] = "disk"
    api.write(PVC, c)
    c = copy.deepcopy(api.get(PVC, "default", "a"))
    c["spec"]["volumeName"] = "other"
    assert "spec is immutable" in error(api.write, PVC, c)
    c = copy.deepcopy(api.get(PVC, "default", "a"))
    c["spec"]["storageClassName"] = "fast"
    assert "spec is immutable" in error(api.write, PVC, c)


# -- validation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("obj, message", [
    (storage_class("x", reclaimPolicy="Recycle"), 'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"'),
    (storage_class("x", volumeBindingMode="Later"), 'volumeBindingMode: Unsupported value: "Later"'),
    (storage_class("x", provisioner="bad/name/x"), 'provisioner: Invalid value: "bad/name/x"'),
    ({**volume(), "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}}, "spec: Required value: must specify a volume type"),
    (volume(nfs={"server": "s", "path": "/x"}, hostPath={"path": "/y"}), "may not specify more than 1 volume type"),
    (volume(local={"path": "/mnt"}), "spec.nodeAffinity: Required value: Local volume requires node affinity"),
    (volume(volumeMode="Raw"), 'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"'),
    (volume(accessModes=["ReadWriteOncePod", "ReadWriteOnce"]), "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"),
    (claim(storageClassName="Not_A_Name"), 'spec.storageClassName: Invalid value: "Not_A_Name"'),
    (claim(size="0"), 'spec.resources[storage]: Invalid value: "0": must be greater than zero'),
])
def test_storage_objects_are_validated_like_upstream(api, obj, message):
    assert message in error(api.create, obj)


def test_a_storage_class_keeps_its_provisioner_parameters_policy_and_binding_mode(api):
    sc = copy.deepcopy(api.get(SC, None, "standard"))
    for field, value, message in (("provisioner", "other.io/x", "provisioner: Forbidden: updates to provisioner are forbidden."),
                                  ("parameters", {"a": "b"}, "parameters: Forbidden: updates to parameters are forbidden."),
                                  ("reclaimPolicy", "Retain", "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden."),
                                  ("volumeBindingMode", "WaitForFirstConsumer", 'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable')):
        changed = copy.deepcopy(sc)
        changed[field] = value
        assert message in error(api.update, changed)


def test_a_volume_source_is_immutable_but_its_capacity_may_grow(api):
    api.create(volume())
    v = copy.deepcopy(api.get(PV, None, "disk"))
    v["spec"]["hostPath"]["path"] = "/elsewhere"
    assert "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation" in error(api.update, v)
    v = copy.deepcopy(api.get(PV, None, "disk"))
    v["spec"]["capacity"]["storage"] = "2Gi"
    assert api.update(v).obj["spec"]["capacity"]["storage"] == "2Gi"


def test_pod_volumes_are_checked_and_every_mount_names_one(api):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
           "spec": {"containers": [{"name": "c", "image": "x", "volumeMounts": [{"name": "nope", "mountPath": "/d"}]}],
                    "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": ""}}]}}
    msg = error(api.create, pod)
    assert 'spec.containers[0].volumeMounts[0].name: Not found: "nope"' in msg
    assert "spec.volumes[0].persistentVolumeClaim.claimName: Required value" in msg


# -- printers -----------------------------------------------------------------------------------------

def test_pv_and_pvc_rows_follow_kubectl():
    now = parse_time(T0)
    pv = {"metadata": {"name": "v", "creationTimestamp": T0, "deletionTimestamp": T0},
          "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"],
                   "persistentVolumeReclaimPolicy": "Retain", "claimRef": {"namespace": "ns", "name": "c"},
                   "storageClassName": "manual"}, "status": {"phase": "Bound"}}
    _, row, _, wide = printers.table_for("PersistentVolume")
    assert row(pv, now) == ["5Gi", "RWO,RWX", "Retain", "Terminating", "ns/c", "manual", "<unset>", "", "0s"]
    assert wide(pv, now) == ["<unset>"]
    pvc = {"metadata": {"name": "c", "creationTimestamp": T0, "annotations": {"volume.beta.kubernetes.io/storage-class": "old"}},
           "spec": {"volumeName": "v", "storageClassName": "new"},
           "status": {"phase": "Pending", "capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"]}}
    _, row, _, _ = printers.table_for("PersistentVolumeClaim")
    assert row(pvc, now) == ["Pending", "v", "5Gi", "RWO", "old", "<unset>", "0s"]
    pvc["spec"].pop("volumeName")
    assert row(pvc, now)[1:4] == ["", "", ""]
