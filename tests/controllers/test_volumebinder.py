"""The volume binder: binding, reclaim, dynamic provisioning, protection, WaitForFirstConsumer
and expansion, through the real CLI (every write checked against the schemas), plus its pure
matching rules."""
from __future__ import annotations

import json

from kubelite.api import kinds
from kubelite.apiserver import APIServer
from kubelite.controllers import _common as c
from kubelite.controllers import volumebinder as vb
from tests.controllers.helpers import at, cond, node_yaml, reconcile

# -- manifests and reads ---------------------------------------------------------------------

def _doc(obj: dict) -> str:
    return json.dumps(obj) + "\n---\n"


def pv_yaml(name: str, size: str, klass: str | None = "manual", policy: str | None = None, modes=("ReadWriteOnce",),
            labels: dict | None = None, **spec) -> str:
    s = {"capacity": {"storage": size}, "accessModes": list(modes), "hostPath": {"path": f"/srv/{name}"}, **spec}
    if klass is not None:
        s["storageClassName"] = klass
    if policy:
        s["persistentVolumeReclaimPolicy"] = policy
    meta = {"name": name}
    if labels:
        meta["labels"] = labels
    return _doc({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": meta, "spec": s})


def pvc_yaml(name: str, size: str, klass: str | None = "manual", modes=("ReadWriteOnce",), **spec) -> str:
    s = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}, **spec}
    if klass is not None:
        s["storageClassName"] = klass
    return _doc({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": s})


def pod_yaml(name: str, *claims: str, node_selector: dict | None = None) -> str:
    spec = {"containers": [{"name": "c", "image": "nginx",
                            "volumeMounts": [{"name": f"v{i}", "mountPath": f"/data{i}"} for i in range(len(claims))]}],
            "volumes": [{"name": f"v{i}", "persistentVolumeClaim": {"claimName": cl}} for i, cl in enumerate(claims)]}
    if node_selector:
        spec["nodeSelector"] = node_selector
    return _doc({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec})


def class_yaml(name: str, provisioner: str = "kubelite.io/hostpath", mode: str = "Immediate", **extra) -> str:
    return _doc({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name},
                 "provisioner": provisioner, "volumeBindingMode": mode, **extra})


def apply(kl, text: str, now: str) -> None:
    r = kl(["apply", "-f", "-"], stdin=text, now=now)
    assert r.rc == 0, r.err


def state_of(state) -> dict[str, dict]:
    """Every PV, PVC and pod by `kind/name`, read in-process (the CLI's own output is checked apart)."""
    api = APIServer.open(state, create=False)
    return {f"{o['kind']}/{o['metadata']['name']}": o
            for k in ("PersistentVolume", "PersistentVolumeClaim", "Pod") for o in api.list(kinds.by_kind(k))}


def events_of(state) -> list[tuple[str, str, str]]:
    api = APIServer.open(state, create=False)
    return [(e["involvedObject"]["name"], e["reason"], e["message"]) for e in api.list(kinds.by_kind("Event"))]


def ann(obj: dict) -> dict:
    """Annotations other than kubectl's last-applied-configuration."""
    a = dict(obj["metadata"].get("annotations") or {})
    a.pop("kubectl.kubernetes.io/last-applied-configuration", None)
    return a


def writes(kl, now: str) -> int:
    r = kl(["reconcile", "-o", "json"], now=now)
    assert r.rc == 0, r.out + r.err
    summary = json.loads(r.out)
    assert summary["changes"] == [], summary["changes"]
    return summary["writes"]


# -- scenarios through the CLI ---------------------------------------------------------------

def test_a_claim_binds_the_smallest_fitting_volume_and_reclaim_follows_the_policy(kl, state):
    apply(kl, pv_yaml("pv5", "5Gi") + pv_yaml("pv10", "10Gi") + pv_yaml("pv20", "20Gi", policy="Delete")
          + pvc_yaml("small", "8Gi") + pvc_yaml("big", "15Gi"), at(0))
    reconcile(kl, at(0))
    s = state_of(state)
    small, big = s["PersistentVolumeClaim/small"], s["PersistentVolumeClaim/big"]
    assert small["spec"]["volumeName"] == "pv10" and big["spec"]["volumeName"] == "pv20"
    assert small["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}}
    assert ann(small) == {"pv.kubernetes.io/bind-completed": "yes",
                                                "pv.kubernetes.io/bound-by-controller": "yes"}
    pv10 = s["PersistentVolume/pv10"]
    assert pv10["status"]["phase"] == "Bound" and pv10["status"]["lastPhaseTransitionTime"] == at(0)
    assert pv10["spec"]["claimRef"]["name"] == "small" and pv10["spec"]["claimRef"]["uid"] == small["metadata"]["uid"]
    assert ann(pv10) == {"pv.kubernetes.io/bound-by-controller": "yes"}
    assert pv10["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    assert s["PersistentVolume/pv5"]["status"]["phase"] == "Available"
    r = kl(["get", "pv", "pv10"], now=at(0))
    assert r.out.split("\n")[1].split() == ["pv10", "10Gi", "RWO", "Retain", "Bound", "default/small", "manual", "<unset>", "0s"]
    r = kl(["get", "pvc", "small"], now=at(0))
    assert r.out.split("\n")[1].split() == ["small", "Bound", "pv10", "10Gi", "RWO", "manual", "<unset>", "0s"]
    assert writes(kl, at(0)) == 0  # a second reconcile at a fixed time writes nothing

    assert kl(["delete", "pvc", "small", "big"], now=at(10)).rc == 0
    reconcile(kl, at(10))
    s = state_of(state)
    assert not any(k.startswith("PersistentVolumeClaim/") for k in s)
    assert s["PersistentVolume/pv10"]["status"]["phase"] == "Released"  # Retain keeps it, still naming its claim
    assert s["PersistentVolume/pv10"]["spec"]["claimRef"]["name"] == "small"
    assert "PersistentVolume/pv20" not in s  # Delete removes it
    assert s["PersistentVolume/pv5"]["status"]["phase"] == "Available"
    assert writes(kl, at(10)) == 0


def test_a_claim_without_a_class_gets_standard_and_a_provisioned_directory(kl, state):
    apply(kl, pvc_yaml("data", "3Gi", klass=None), at(0))
    r = kl(["get", "pvc", "data", "-o", "json"], now=at(0))
    claim = json.loads(r.out)
    assert claim["spec"]["storageClassName"] == "standard"
    assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    reconcile(kl, at(0))
    s = state_of(state)
    claim = s["PersistentVolumeClaim/data"]
    name = f"pvc-{claim['metadata']['uid']}"
    pv = s[f"PersistentVolume/{name}"]
    assert claim["spec"]["volumeName"] == name and claim["status"]["phase"] == "Bound"
    assert claim["status"]["capacity"] == {"storage": "3Gi"}
    assert ann(claim)["volume.kubernetes.io/storage-provisioner"] == "kubelite.io/hostpath"
    assert ann(pv) == {"pv.kubernetes.io/provisioned-by": "kubelite.io/hostpath"}
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Delete" and pv["spec"]["storageClassName"] == "standard"
    assert pv["spec"]["capacity"] == {"storage": "3Gi"} and pv["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
    assert "nodeAffinity" not in pv["spec"]
    directory = state / "volumes" / name
    assert directory.is_dir() and pv["spec"]["hostPath"]["path"] == str(directory)
    (directory / "file").write_text("data")
    assert ("data", "ProvisioningSucceeded", f"Successfully provisioned volume {name}") in events_of(state)
    assert writes(kl, at(0)) == 0

    assert kl(["delete", "pvc", "data"], now=at(5)).rc == 0
    reconcile(kl, at(5))
    s = state_of(state)
    assert s == {} and not directory.exists()


def test_a_pod_is_scheduled_only_once_its_claim_exists_and_binds(kl, state):
    apply(kl, node_yaml("n1") + pod_yaml("web", "data"), at(0))
    reconcile(kl, at(0))
    web = state_of(state)["Pod/web"]
    assert cond(web, "PodScheduled")["message"] == '0/1 nodes are available: persistentvolumeclaim "data" not found.'

    apply(kl, pvc_yaml("data", "1Gi", klass=""), at(1))
    reconcile(kl, at(1))
    s = state_of(state)
    assert s["PersistentVolumeClaim/data"]["status"]["phase"] == "Pending"
    assert cond(s["Pod/web"], "PodScheduled")["message"] == "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims."
    assert ("data", "FailedBinding", vb.NO_CLASS_MSG) in events_of(state)
    assert writes(kl, at(1)) == 0  # waiting writes nothing more

    apply(kl, pv_yaml("disk", "2Gi", klass=None), at(2))
    reconcile(kl, at(2))
    s = state_of(state)
    assert s["PersistentVolumeClaim/data"]["spec"]["volumeName"] == "disk"
    assert s["Pod/web"]["spec"]["nodeName"] == "n1" and s["Pod/web"]["status"]["phase"] == "Running"

    # A claim in use is not removed until its pod is gone; its volume stays Bound meanwhile.
    assert kl(["delete", "pvc", "data"], now=at(3)).rc == 0
    reconcile(kl, at(3))
    s = state_of(state)
    assert s["PersistentVolumeClaim/data"]["metadata"]["deletionTimestamp"] == at(3)
    assert s["PersistentVolume/disk"]["status"]["phase"] == "Bound"
    assert kl(["get", "pvc", "data"], now=at(3)).out.split("\n")[1].split()[1] == "Terminating"
    assert writes(kl, at(3)) == 0
    assert kl(["delete", "pod", "web"], now=at(4)).rc == 0
    reconcile(kl, at(4))
    s = state_of(state)
    assert list(s) == ["PersistentVolume/disk"] and s["PersistentVolume/disk"]["status"]["phase"] == "Released"


def test_wait_for_first_consumer_binds_and_provisions_on_the_pods_node(kl, state):
    local_pv = pv_yaml("local-a", "5Gi", klass="local", local={"path": "/mnt/disk"},
                       nodeAffinity={"required": {"nodeSelectorTerms": [{"matchExpressions": [
                           {"key": "kubernetes.io/hostname", "operator": "In", "values": ["a"]}]}]}})
    local_pv = local_pv.replace('"hostPath": {"path": "/srv/local-a"}, ', "")
    apply(kl, node_yaml("a") + node_yaml("b") + class_yaml("wffc", mode="WaitForFirstConsumer")
          + class_yaml("local", provisioner="kubernetes.io/no-provisioner", mode="WaitForFirstConsumer")
          + local_pv + pvc_yaml("scratch", "1Gi", klass="wffc") + pvc_yaml("disk", "4Gi", klass="local"), at(0))
    reconcile(kl, at(0))
    s = state_of(state)
    assert s["PersistentVolumeClaim/scratch"]["status"]["phase"] == "Pending"
    assert s["PersistentVolume/local-a"]["status"]["phase"] == "Available"
    assert ("scratch", "WaitForFirstConsumer", vb.WAIT_FIRST_CONSUMER_MSG) in events_of(state)
    assert writes(kl, at(0)) == 0

    # Only node a has a volume for `disk`, so the pod goes there and both claims follow it.
    apply(kl, pod_yaml("app", "scratch", "disk"), at(1))
    reconcile(kl, at(1))
    s = state_of(state)
    assert s["Pod/app"]["spec"]["nodeName"] == "a"
    for claim in ("scratch", "disk"):
        assert s[f"PersistentVolumeClaim/{claim}"]["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == "a"
    reconcile(kl, at(2))
    s = state_of(state)
    scratch = s["PersistentVolumeClaim/scratch"]
    assert scratch["status"]["phase"] == "Bound" and s["PersistentVolumeClaim/disk"]["spec"]["volumeName"] == "local-a"
    made = s[f"PersistentVolume/{scratch['spec']['volumeName']}"]
    assert made["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"] == [
        {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["a"]}]}]
    assert s["Pod/app"]["status"]["phase"] == "Running"
    assert writes(kl, at(2)) == 0


def test_a_bound_claim_grows_only_when_its_class_allows_expansion(kl, state):
    apply(kl, class_yaml("elastic", allowVolumeExpansion=True) + pvc_yaml("grow", "1Gi", klass="elastic")
          + pvc_yaml("fixed", "1Gi", klass=None), at(0))
    reconcile(kl, at(0))
    apply(kl, pvc_yaml("grow", "2Gi", klass="elastic"), at(1))
    reconcile(kl, at(1))
    s = state_of(state)
    grow = s["PersistentVolumeClaim/grow"]
    assert grow["status"]["capacity"] == {"storage": "2Gi"}
    assert s[f"PersistentVolume/{grow['spec']['volumeName']}"]["spec"]["capacity"] == {"storage": "2Gi"}
    assert writes(kl, at(1)) == 0

    r = kl(["apply", "-f", "-"], stdin=pvc_yaml("fixed", "2Gi", klass=None), now=at(2))
    assert r.rc == 1
    assert 'persistentvolumeclaims "fixed" is forbidden: only dynamically provisioned pvc can be resized and ' \
           "the storageclass that provisions the pvc must support resize" in r.err
    r = kl(["apply", "-f", "-"], stdin=pvc_yaml("grow", "1Gi", klass="elastic"), now=at(2))
    assert r.rc == 1 and "spec.resources.requests.storage: Forbidden: field can not be less than previous value" in r.err


# -- pure rules ------------------------------------------------------------------------------------

def _pv(name, size, modes=("ReadWriteOnce",), klass="", phase="Available", labels=None, **spec):
    return {"kind": "PersistentVolume", "metadata": {"name": name, "labels": labels or {}},
            "spec": {"capacity": {"storage": size}, "accessModes": list(modes), "storageClassName": klass, **spec},
            "status": {"phase": phase}}


def _pvc(size, modes=("ReadWriteOnce",), klass="", **spec):
    return {"kind": "PersistentVolumeClaim", "metadata": {"name": "c", "namespace": "default", "uid": "u1"},
            "spec": {"accessModes": list(modes), "resources": {"requests": {"storage": size}}, "storageClassName": klass, **spec}}


def _name(pv):
    return pv["metadata"]["name"] if pv else None


def test_matching_takes_the_smallest_available_volume_of_the_class_mode_and_selector():
    vols = [_pv("a", "5Gi"), _pv("b", "10Gi"), _pv("c", "20Gi"), _pv("d", "9Gi", phase="Released"),
            _pv("e", "9Gi", klass="fast"), _pv("f", "9Gi", volumeMode="Block"), _pv("g", "9Gi", labels={"tier": "gold"})]
    assert _name(c.best_volume_for_claim(_pvc("8Gi"), vols)) == "g"
    assert _name(c.best_volume_for_claim(_pvc("8Gi", selector={"matchLabels": {"tier": "silver"}}), vols)) is None
    assert _name(c.best_volume_for_claim(_pvc("8Gi", selector={"matchLabels": {"tier": "gold"}}), vols)) == "g"
    assert _name(c.best_volume_for_claim(_pvc("8Gi", klass="fast"), vols)) == "e"
    assert _name(c.best_volume_for_claim(_pvc("8Gi", volumeMode="Block"), vols)) == "f"
    assert _name(c.best_volume_for_claim(_pvc("30Gi"), vols)) is None


def test_matching_prefers_the_fewest_access_modes_then_size():
    vols = [_pv("rwo-big", "50Gi"), _pv("many-small", "1Gi", modes=("ReadWriteOnce", "ReadOnlyMany"))]
    assert _name(c.best_volume_for_claim(_pvc("1Gi"), vols)) == "rwo-big"
    assert _name(c.best_volume_for_claim(_pvc("1Gi", modes=("ReadOnlyMany",)), vols)) == "many-small"
    assert _name(c.best_volume_for_claim(_pvc("1Gi", modes=("ReadWriteMany",)), vols)) is None


def test_a_pre_bound_volume_wins_and_waits_for_its_claim_even_when_binding_is_delayed():
    claim = _pvc("1Gi")
    mine = _pv("mine", "5Gi", phase="Pending", claimRef={"name": "c", "namespace": "default"})
    other = _pv("other", "1Gi", claimRef={"name": "x", "namespace": "default"})
    assert _name(c.best_volume_for_claim(claim, [other, mine, _pv("free", "1Gi")])) == "mine"
    assert _name(c.best_volume_for_claim(claim, [_pv("free", "1Gi")], delay_binding=True)) is None
    assert _name(c.best_volume_for_claim(claim, [mine], delay_binding=True)) == "mine"
    stale = _pv("stale", "5Gi", claimRef={"name": "c", "namespace": "default", "uid": "old"})
    assert not c.is_volume_bound_to_claim(stale, claim)


def test_node_matching_checks_the_volume_node_affinity():
    pinned = _pv("pinned", "5Gi", nodeAffinity={"required": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1"]}]}]}})
    z1 = {"metadata": {"name": "n1", "labels": {"zone": "z1"}}}
    z2 = {"metadata": {"name": "n2", "labels": {"zone": "z2"}}}
    assert _name(c.find_matching_volume(_pvc("1Gi"), [pinned], z1, delay_binding=True)) == "pinned"
    assert c.find_matching_volume(_pvc("1Gi"), [pinned], z2, delay_binding=True) is None
    assert c.find_matching_volume(_pvc("1Gi"), [pinned], z1, frozenset({"pinned"}), True) is None


def test_claim_status_follows_the_volume_and_is_cleared_without_one():
    claim = _pvc("1Gi")
    claim["status"] = {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1024Mi"}}
    pv = _pv("v", "1Gi")
    assert vb.claim_status(claim, "Bound", pv)["capacity"] == {"storage": "1024Mi"}  # equal quantities are left alone
    assert vb.claim_status(claim, "Lost", None) == {"phase": "Lost"}


def test_a_claim_is_in_use_while_a_scheduled_pod_that_is_not_shut_down_names_it():
    running = {"metadata": {}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}}
    done = {"metadata": {}, "spec": {"nodeName": "n1"}, "status": {"phase": "Succeeded"}}
    unscheduled = {"metadata": {}, "spec": {}}
    forced = {"metadata": {"deletionTimestamp": at(0), "deletionGracePeriodSeconds": 0}, "spec": {"nodeName": "n1"}}
    assert vb.claim_in_use([running]) and vb.claim_in_use([done])  # upstream waits until the pod is gone
    assert not vb.claim_in_use([unscheduled, forced])
