"""The volume binder: upstream's PersistentVolume controller (binding and reclaim), kubelite's
hostpath provisioner, the volume expander, and the pvc-protection and pv-protection controllers,
in one pass (upstream pkg/controller/volume/persistentvolume, pvcprotection, pvprotection).

One pass, in this order, so a deleted claim's volume is reclaimed on the same pass:

1. claim protection: a claim marked for deletion loses kubernetes.io/pvc-protection once no
   scheduled pod that still exists refers to it (a pod force-deleted or shut down does not count);
2. volumes: Available when unclaimed, Bound when their claim is bound to them, Released when
   their claim is gone, then reclaimed by policy: Retain keeps the volume (and its data),
   Delete removes it (and, for kubelite's provisioner, its directory), Recycle empties a
   kubelite directory and makes the volume Available again;
3. claims, oldest first: a Pending claim binds to its pre-bound volume, else to the smallest
   Available volume that satisfies its class, access modes, size, volumeMode and selector; failing
   that it gets the default class (retroactively), waits for its first consumer, or is provisioned
   by its class. A bound claim whose volume vanished is Lost. A bound claim whose request grew
   (its class allowing expansion) grows its volume;
4. volume protection: a volume marked for deletion loses kubernetes.io/pv-protection once it is
   not Bound.

WaitForFirstConsumer: the scheduler annotates the claim volume.kubernetes.io/selected-node when it
places a pod that uses it; the binder then binds a matching volume that fits that node, or
provisions one with node affinity to it.

Events that report a wait (FailedBinding, WaitForFirstConsumer, ExternalProvisioning, ...) are
recorded once per object and message, so a pass that changes nothing writes nothing.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from kubelite.api import kinds
from kubelite.api.fastcopy import clone
from kubelite.controllers import _common as c
from kubelite.runtime import events

PVC, PV, SC = "PersistentVolumeClaim", "PersistentVolume", "StorageClass"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"
PROVISIONER = "kubelite.io/hostpath"
HOSTNAME_LABEL = "kubernetes.io/hostname"

COMPONENT = "persistentvolume-controller"
PROVISIONER_COMPONENT = f"{PROVISIONER}_kubelite"
RESIZER_COMPONENT = "external-resizer kubelite.io/hostpath"

NO_CLASS_MSG = "no persistent volumes available for this claim and no storage class is set"
WAIT_FIRST_CONSUMER_MSG = "waiting for first consumer to be created before binding"
EXTERNAL_PROVISIONING_MSG = ("Waiting for a volume to be created either by the external provisioner '{}' or manually "
                             "by the system administrator. If volume creation is delayed, please verify that the "
                             "provisioner is running and correctly registered.")


# -- small pure helpers ------------------------------------------------------------------------

def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _ann(obj: dict) -> dict:
    return _meta(obj).get("annotations") or {}


def _spec(obj: dict) -> dict:
    return obj.get("spec") or {}


def _phase(obj: dict) -> str:
    return (obj.get("status") or {}).get("phase") or ""


def _set_ann(obj: dict, key: str, value: str) -> None:
    obj["metadata"].setdefault("annotations", {})[key] = value


def _drop_ann(obj: dict, key: str) -> None:
    ann = obj["metadata"].get("annotations")
    if ann and key in ann:
        del ann[key]
        if not ann:
            del obj["metadata"]["annotations"]


def claim_ref(pvc: dict) -> dict:
    """What reference.GetReference makes of a claim."""
    m = _meta(pvc)
    return {"kind": PVC, "namespace": m.get("namespace"), "name": m.get("name"), "uid": m.get("uid"),
            "apiVersion": "v1", "resourceVersion": m.get("resourceVersion")}


def is_delay_binding(pvc: dict, classes: dict[str, dict]) -> bool:
    """Upstream's IsDelayBindingMode: the claim's class exists and waits for the first consumer."""
    sc = classes.get(c.pvc_storage_class(pvc))
    return sc is not None and sc.get("volumeBindingMode") == c.WAIT_FOR_FIRST_CONSUMER


def default_class(classes: dict[str, dict]) -> dict | None:
    """Upstream's GetDefaultClass: of the classes marked default, the newest; ties by name."""
    marked = [sc for sc in classes.values()
              if _ann(sc).get(DEFAULT_CLASS) == "true" or _ann(sc).get(BETA_DEFAULT_CLASS) == "true"]
    marked.sort(key=lambda sc: sc["metadata"]["name"])
    marked.sort(key=lambda sc: sc["metadata"].get("creationTimestamp") or "", reverse=True)
    return marked[0] if marked else None


def claim_status(pvc: dict, phase: str, pv: dict | None) -> dict:
    """Upstream's updateClaimStatus: phase, and access modes and capacity from the volume (cleared without one)."""
    status = clone(pvc.get("status") or {})
    status["phase"] = phase
    if pv is None:
        status.pop("accessModes", None)
        status.pop("capacity", None)
        return status
    modes = list(_spec(pv).get("accessModes") or [])
    if status.get("accessModes") != modes:
        status["accessModes"] = modes
    cap = _spec(pv).get("capacity") or {}
    if "storage" not in (status.get("capacity") or {}) or \
            c.storage_quantity(status.get("capacity")) != c.storage_quantity(cap):
        status["capacity"] = dict(cap)
    return status


def _pod_shut_down(pod: dict) -> bool:
    """Upstream's podIsShutDown: force-deleted or finished by the kubelet (deletion with no grace)."""
    m = _meta(pod)
    return bool(m.get("deletionTimestamp")) and m.get("deletionGracePeriodSeconds") == 0


def claim_in_use(pods: list[dict]) -> bool:
    """pvc-protection's podUsesPVC: a scheduled pod that still exists and is not shut down."""
    return any(_spec(p).get("nodeName") and not _pod_shut_down(p) for p in pods)


def _users(ctx) -> dict[tuple[str, str], list[dict]]:
    """Pods by the claims they name: (namespace, claim) -> pods."""
    out: dict[tuple[str, str], list[dict]] = {}
    for pod in ctx.snap.list("Pod"):
        ns = _meta(pod).get("namespace") or ""
        for v in _spec(pod).get("volumes") or []:
            name = (v.get("persistentVolumeClaim") or {}).get("claimName")
            if name:
                out.setdefault((ns, name), []).append(pod)
    return out


def _volume_dir(ctx, name: str) -> Path:
    return Path(ctx.api.store.root) / "volumes" / name


def _ours(pv: dict) -> bool:
    return _ann(pv).get(ANN_PROVISIONED_BY) == PROVISIONER


# -- the pass ------------------------------------------------------------------------------------

class _Binder:
    def __init__(self, ctx):
        self.ctx = ctx
        ctx.snap.load_all([PVC, PV, SC, "Pod", "Node"])
        self.classes = {sc["metadata"]["name"]: sc for sc in ctx.snap.list(SC)}
        self.users = _users(ctx)

    # reading the current object (earlier steps of the pass may have rewritten or removed it)
    def current(self, obj: dict) -> dict | None:
        m = _meta(obj)
        cur = self.ctx.snap.get(obj["kind"], m.get("namespace"), m["name"])
        if cur is None or _meta(cur).get("uid") != m.get("uid"):
            return None
        return cur

    def event_once(self, obj: dict, etype: str, reason: str, message: str, component: str = COMPONENT) -> None:
        """Record a waiting condition once per object and message (upstream repeats it every resync)."""
        name = events.event_name(obj, etype, reason, message)
        ns = _meta(obj).get("namespace") or "default"
        if self.ctx.api.store.exists(kinds.by_kind("Event"), ns, name):
            return
        self.ctx.event(obj, etype, reason, message, component=component)

    def run(self) -> None:
        ctx = self.ctx
        by_age = lambda o: (_meta(o).get("creationTimestamp") or "", _meta(o).get("namespace") or "", _meta(o)["name"])  # noqa: E731
        ctx.guarded(sorted(ctx.snap.list(PVC), key=by_age), self.protect_claim)
        ctx.guarded(sorted(ctx.snap.list(PV), key=by_age), self.sync_volume)
        ctx.guarded(sorted(ctx.snap.list(PVC), key=by_age), self.sync_claim)
        ctx.guarded(sorted(ctx.snap.list(PV), key=by_age), self.protect_volume)

    # -- protection ----------------------------------------------------------------------------
    def protect_claim(self, pvc: dict) -> None:
        pvc = self.current(pvc)
        if pvc is None:
            return
        m = _meta(pvc)
        fins = list(m.get("finalizers") or [])
        if m.get("deletionTimestamp"):
            if PVC_PROTECTION in fins and not claim_in_use(self.users.get((m.get("namespace") or "", m["name"]), [])):
                self._set_finalizers(pvc, [f for f in fins if f != PVC_PROTECTION], "removed finalizer kubernetes.io/pvc-protection")
        elif PVC_PROTECTION not in fins:
            self._set_finalizers(pvc, fins + [PVC_PROTECTION], "added finalizer kubernetes.io/pvc-protection")

    def protect_volume(self, pv: dict) -> None:
        pv = self.current(pv)
        if pv is None:
            return
        m = _meta(pv)
        fins = list(m.get("finalizers") or [])
        if m.get("deletionTimestamp"):
            if PV_PROTECTION in fins and _phase(pv) != "Bound":
                self._set_finalizers(pv, [f for f in fins if f != PV_PROTECTION], "removed finalizer kubernetes.io/pv-protection")
        elif PV_PROTECTION not in fins:
            self._set_finalizers(pv, fins + [PV_PROTECTION], "added finalizer kubernetes.io/pv-protection")

    def _set_finalizers(self, obj: dict, fins: list[str], note: str) -> None:
        updated = clone(obj)
        if fins:
            updated["metadata"]["finalizers"] = fins
        else:
            updated["metadata"].pop("finalizers", None)
        if self.ctx.update(updated) is not None:
            gone = self.current(obj) is None
            self.ctx.change(obj, "removed" if gone else note)

    # -- volumes ---------------------------------------------------------------------------------
    def set_volume_phase(self, pv: dict, phase: str, message: str = "") -> dict | None:
        """Upstream's updateVolumePhase: writes only when the phase changes."""
        if _phase(pv) == phase:
            return pv
        updated = clone(pv)
        status = updated.setdefault("status", {})
        status["phase"] = phase
        if message:
            status["message"] = message
        else:
            status.pop("message", None)
        stored = self.ctx.update(updated)
        if stored is not None:
            self.ctx.change(pv, f"phase {phase}")
        return stored

    def sync_volume(self, pv: dict) -> None:
        pv = self.current(pv)
        if pv is None:
            return
        ref = _spec(pv).get("claimRef")
        if not ref or not ref.get("uid"):
            # unused, or reserved for a claim that has not bound to it yet
            self.set_volume_phase(pv, "Available")
            return
        claim = self.ctx.snap.get(PVC, ref.get("namespace") or "", ref.get("name") or "")
        if claim is not None and _meta(claim).get("uid") != ref.get("uid"):
            claim = None  # the claim was deleted and another made with its name
        if claim is None:
            if _phase(pv) not in ("Released", "Failed"):
                pv = self.set_volume_phase(pv, "Released")
                if pv is None:
                    return
            self.reclaim(pv)
            return
        volume_name = _spec(claim).get("volumeName")
        if not volume_name:
            if c.volume_mode_mismatch(claim, pv):
                self.event_once(pv, "Warning", "VolumeMismatch",
                                f'Cannot bind PersistentVolume to requested PersistentVolumeClaim "{_meta(claim)["name"]}" due to incompatible volumeMode.')
                self.event_once(claim, "Warning", "VolumeMismatch",
                                f'Cannot bind PersistentVolume "{_meta(pv)["name"]}" to requested PersistentVolumeClaim due to incompatible volumeMode.')
            return  # the claim's sync binds it
        if volume_name == _meta(pv)["name"]:
            self.set_volume_phase(pv, "Bound")
            return
        # the claim is bound to another volume
        if _ann(pv).get(ANN_PROVISIONED_BY) and _spec(pv).get("persistentVolumeReclaimPolicy") == "Delete":
            if _phase(pv) not in ("Released", "Failed"):
                pv = self.set_volume_phase(pv, "Released")
                if pv is None:
                    return
            self.reclaim(pv)
        else:
            self.unbind_volume(pv)

    def unbind_volume(self, pv: dict) -> dict | None:
        """Upstream's unbindVolume: a binding the controller made is undone; a user's pre-binding
        keeps its name and loses only the uid."""
        updated = clone(pv)
        if ANN_BOUND_BY_CONTROLLER in _ann(pv):
            updated["spec"].pop("claimRef", None)
            _drop_ann(updated, ANN_BOUND_BY_CONTROLLER)
        else:
            updated["spec"]["claimRef"].pop("uid", None)
        updated.setdefault("status", {})["phase"] = "Available"
        updated["status"].pop("message", None)
        stored = self.ctx.update(updated)
        if stored is not None:
            self.ctx.change(pv, "unbound, phase Available")
        return stored

    def reclaim(self, pv: dict) -> None:
        policy = _spec(pv).get("persistentVolumeReclaimPolicy") or "Retain"
        name = _meta(pv)["name"]
        if policy == "Retain":
            return
        if policy == "Recycle":
            path = _volume_dir(self.ctx, name)
            if not (_ours(pv) and path.is_dir()):
                if _phase(pv) != "Failed":
                    stored = self.set_volume_phase(pv, "Failed", "No recycler plugin found for the volume!")
                    if stored is not None:
                        self.ctx.event(pv, "Warning", "VolumeFailedRecycle", "No recycler plugin found for the volume!", component=COMPONENT)
                return
            for child in path.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
            self.ctx.event(pv, "Normal", "VolumeRecycled", "Volume recycled", component=COMPONENT)
            self.unbind_volume(pv)
            return
        # Delete
        if _meta(pv).get("deletionTimestamp"):
            return  # already going; volume protection lets it go now that it is not Bound
        if _ours(pv):
            path = _volume_dir(self.ctx, name)
            try:
                if path.is_dir():
                    shutil.rmtree(path)
            except OSError as e:
                msg = f"failed to delete volume directory {path}: {e.strerror}"
                if _phase(pv) != "Failed":
                    if self.set_volume_phase(pv, "Failed", msg) is not None:
                        self.ctx.event(pv, "Warning", "VolumeFailedDelete", msg, component=COMPONENT)
                return
        if self.ctx.delete(pv):
            self.ctx.change(pv, "deleted (reclaim policy Delete)")

    # -- claims ----------------------------------------------------------------------------------
    def sync_claim(self, pvc: dict) -> None:
        pvc = self.current(pvc)
        if pvc is None:
            return
        if ANN_BIND_COMPLETED not in _ann(pvc):
            self.sync_unbound_claim(pvc)
        else:
            self.sync_bound_claim(pvc)

    def set_claim_status(self, pvc: dict, phase: str, pv: dict | None, event: tuple[str, str, str] | None = None) -> dict | None:
        """Upstream's updateClaimStatus(WithEvent): the event only when the phase changes."""
        status = claim_status(pvc, phase, pv)
        if status == (pvc.get("status") or {}):
            return pvc
        updated = clone(pvc)
        updated["status"] = status
        stored = self.ctx.update(updated)
        if stored is not None and _phase(pvc) != phase:
            self.ctx.change(pvc, f"phase {phase}")
            if event is not None:
                self.ctx.event(pvc, *event, component=COMPONENT)
        return stored

    def sync_unbound_claim(self, pvc: dict) -> None:
        m = _meta(pvc)
        wanted = _spec(pvc).get("volumeName")
        if wanted:
            self.sync_prebound_claim(pvc, wanted)
            return
        delay = is_delay_binding(pvc, self.classes)
        selected = _ann(pvc).get(c.ANN_SELECTED_NODE)
        node = self.ctx.snap.get("Node", "", selected) if delay and selected else None
        volumes = self.ctx.snap.list(PV)
        if node is not None:
            pv = c.find_matching_volume(pvc, volumes, node, frozenset(), True)
        else:
            pv = c.best_volume_for_claim(pvc, volumes, delay)
        if pv is not None:
            self.bind(pv, pvc)
            return
        # No volume: try the default class (retroactively), then wait or provision.
        spec = _spec(pvc)
        if spec.get("storageClassName") is None and c.ANN_BETA_STORAGE_CLASS not in _ann(pvc):
            sc = default_class(self.classes)
            if sc is not None:
                updated = clone(pvc)
                updated["spec"]["storageClassName"] = sc["metadata"]["name"]
                stored = self.ctx.update(updated)
                if stored is not None:
                    self.ctx.change(pvc, f"assigned the default storage class {sc['metadata']['name']}")
                    self.sync_unbound_claim(stored)
                return
        klass = c.pvc_storage_class(pvc)
        if delay and not selected:
            waiting = sorted(_meta(p)["name"] for p in self.users.get((m.get("namespace") or "", m["name"]), [])
                             if not _spec(p).get("nodeName") and c.pod_phase(p) not in ("Succeeded", "Failed"))
            if waiting:
                pods = "pods " + ",".join(waiting) if len(waiting) > 1 else "pod " + waiting[0]
                self.event_once(pvc, "Normal", "WaitForPodScheduled", f"waiting for {pods} to be scheduled")
            else:
                self.event_once(pvc, "Normal", "WaitForFirstConsumer", WAIT_FIRST_CONSUMER_MSG)
        elif klass:
            stored = self.provision(pvc, klass, selected if delay else None)
            if stored is not None:
                return
            pvc = self.current(pvc) or pvc
        else:
            self.event_once(pvc, "Warning", "FailedBinding", NO_CLASS_MSG)
        self.set_claim_status(pvc, "Pending", None)

    def sync_prebound_claim(self, pvc: dict, wanted: str) -> None:
        """The user asked for a particular volume (spec.volumeName)."""
        pv = self.ctx.snap.get(PV, "", wanted)
        if pv is None:
            self.set_claim_status(pvc, "Pending", None)  # it may appear later
            return
        if not _spec(pv).get("claimRef"):
            problem = volume_unsatisfying(pv, pvc)
            if problem:
                self.event_once(pvc, "Warning", "VolumeMismatch", f'Cannot bind to requested volume "{wanted}": {problem}')
                self.set_claim_status(pvc, "Pending", None)
            else:
                self.bind(pv, pvc)
            return
        if c.is_volume_bound_to_claim(pv, pvc):
            self.bind(pv, pvc)
            return
        if ANN_BOUND_BY_CONTROLLER not in _ann(pvc):
            self.event_once(pvc, "Warning", "FailedBinding", f'volume "{wanted}" already bound to a different claim.')
        self.set_claim_status(pvc, "Pending", None)

    def sync_bound_claim(self, pvc: dict) -> None:
        name = _spec(pvc).get("volumeName")
        if not name:
            self.set_claim_status(pvc, "Lost", None, ("Warning", "ClaimLost",
                                  "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"))
            return
        pv = self.ctx.snap.get(PV, "", name)
        if pv is None:
            self.set_claim_status(pvc, "Lost", None, ("Warning", "ClaimLost",
                                  "Bound claim has lost its PersistentVolume. Data on the volume is lost!"))
            return
        ref = _spec(pv).get("claimRef")
        if not ref or ref.get("uid") == _meta(pvc).get("uid"):
            if ref:
                pv = self.expand(pv, pvc) or pv
            self.bind(pv, pvc)
            return
        self.set_claim_status(pvc, "Lost", None, ("Warning", "ClaimMisbound",
                              "Two claims are bound to the same volume, this one is bound incorrectly"))

    # -- binding -----------------------------------------------------------------------------
    def bind(self, pv: dict, pvc: dict) -> bool:
        """Upstream's bind: the volume's claimRef and phase, then the claim's volumeName,
        annotations and status; each written only if it changes."""
        updated = clone(pv)
        if not c.is_volume_bound_to_claim(pv, pvc) and ANN_BOUND_BY_CONTROLLER not in _ann(pv):
            _set_ann(updated, ANN_BOUND_BY_CONTROLLER, "yes")
        ref = _spec(pv).get("claimRef") or {}
        pm = _meta(pvc)
        if (ref.get("name"), ref.get("namespace"), ref.get("uid")) != (pm.get("name"), pm.get("namespace"), pm.get("uid")):
            updated["spec"]["claimRef"] = claim_ref(pvc)
        status = updated.setdefault("status", {})
        if status.get("phase") != "Bound":
            status["phase"] = "Bound"
            status.pop("message", None)
        if updated != pv:
            stored = self.ctx.update(updated)
            if stored is None:
                return False
            pv = stored
        claim = clone(pvc)
        name = _meta(pv)["name"]
        if _spec(pvc).get("volumeName") != name:
            claim["spec"]["volumeName"] = name
            if ANN_BOUND_BY_CONTROLLER not in _ann(claim):
                _set_ann(claim, ANN_BOUND_BY_CONTROLLER, "yes")
        if ANN_BIND_COMPLETED not in _ann(claim):
            _set_ann(claim, ANN_BIND_COMPLETED, "yes")
        claim["status"] = claim_status(claim, "Bound", pv)
        if claim != pvc:
            if self.ctx.update(claim) is None:
                return False
            if _phase(pvc) != "Bound":
                self.ctx.change(pvc, f"bound to persistentvolume {name}")
        return True

    def expand(self, pv: dict, pvc: dict) -> dict | None:
        """The resizer: a bound claim asking for more than its volume holds grows the volume,
        if its class allows expansion."""
        request = c.claim_request(pvc)
        if request <= c.storage_quantity(_spec(pv).get("capacity")):
            return None
        sc = self.classes.get(c.pvc_storage_class(pvc))
        if sc is None or sc.get("allowVolumeExpansion") is not True:
            return None
        updated = clone(pv)
        raw = (((_spec(pvc).get("resources") or {}).get("requests")) or {})["storage"]
        updated["spec"].setdefault("capacity", {})["storage"] = raw
        stored = self.ctx.update(updated)
        if stored is not None:
            name = _meta(pv)["name"]
            self.ctx.event(pvc, "Normal", "Resizing", f"External resizer is resizing volume {name}", component=RESIZER_COMPONENT)
            self.ctx.event(pvc, "Normal", "VolumeResizeSuccessful", "Resize volume succeeded", component=RESIZER_COMPONENT)
            self.ctx.change(pv, f"expanded to {raw}")
        return stored

    # -- provisioning ----------------------------------------------------------------------------
    def provision(self, pvc: dict, klass: str, selected: str | None) -> dict | None:
        """Upstream's provisionClaim for the claim's class; kubelite.io/hostpath is served here.
        Returns the claim once bound to a new volume, else None (still Pending)."""
        m = _meta(pvc)
        sc = self.classes.get(klass)
        if sc is None:
            self.event_once(pvc, "Warning", "ProvisioningFailed", f'storageclass.storage.k8s.io "{klass}" not found')
            return None
        if m.get("deletionTimestamp"):
            return None
        provisioner = sc.get("provisioner") or ""
        ann = _ann(pvc)
        if ann.get(ANN_STORAGE_PROVISIONER) != provisioner or ann.get(ANN_BETA_STORAGE_PROVISIONER) != provisioner:
            updated = clone(pvc)
            _set_ann(updated, ANN_BETA_STORAGE_PROVISIONER, provisioner)
            _set_ann(updated, ANN_STORAGE_PROVISIONER, provisioner)
            pvc = self.ctx.update(updated)
            if pvc is None:
                return None
        self.event_once(pvc, "Normal", "ExternalProvisioning", EXTERNAL_PROVISIONING_MSG.format(provisioner))
        if provisioner != PROVISIONER:
            return None  # an external provisioner (or an administrator) must make the volume
        name = f"pvc-{m['uid']}"
        if self.ctx.snap.get(PV, "", name) is not None:
            return None  # made already; it binds once it satisfies the claim
        fail = self._unprovisionable(pvc)
        node, node_gone = None, False
        if fail is None and selected:
            node = self.ctx.snap.get("Node", "", selected)
            if node is None:
                fail, node_gone = f'failed to get target node: node "{selected}" not found', True
        if fail:
            self.event_once(pvc, "Warning", "ProvisioningFailed", fail, component=PROVISIONER_COMPONENT)
            if node_gone:
                # As the external provisioner does: give the choice of node back to the scheduler.
                updated = clone(pvc)
                _drop_ann(updated, c.ANN_SELECTED_NODE)
                if self.ctx.update(updated) is not None:
                    self.ctx.change(pvc, f"dropped selected node {selected} (not found)")
            return None
        self.event_once(pvc, "Normal", "Provisioning",
                        f'External provisioner is provisioning volume for claim "{m.get("namespace")}/{m["name"]}"',
                        component=PROVISIONER_COMPONENT)
        path = _volume_dir(self.ctx, name)
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o777)
        except OSError as e:
            self.event_once(pvc, "Warning", "ProvisioningFailed", f"failed to create volume directory {path}: {e.strerror}",
                            component=PROVISIONER_COMPONENT)
            return None
        created = self.ctx.create(provisioned_volume(pvc, sc, klass, name, str(path), node))
        if created is None:
            return None
        self.ctx.event(pvc, "Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {name}", component=PROVISIONER_COMPONENT)
        self.ctx.change(pvc, f"provisioned persistentvolume {name}")
        if not self.bind(created, pvc):
            return None
        return self.current(pvc)

    @staticmethod
    def _unprovisionable(pvc: dict) -> str | None:
        spec = _spec(pvc)
        if spec.get("selector") is not None:
            return "claim Selector is not supported"
        if spec.get("volumeMode") == "Block":
            return f"{PROVISIONER} does not support block volume provisioning"
        if "storage" not in ((spec.get("resources") or {}).get("requests") or {}):
            return "claim has no storage request"
        return None


def volume_unsatisfying(pv: dict, pvc: dict) -> str:
    """Upstream's checkVolumeSatisfyClaim: why a requested volume cannot serve the claim ("" if it can)."""
    if _meta(pv).get("deletionTimestamp"):
        return f'the volume is marked for deletion "{_meta(pv)["name"]}"'
    if c.storage_quantity(_spec(pv).get("capacity")) < c.claim_request(pvc):
        return "requested PV is too small"
    if c.pv_storage_class(pv) != c.pvc_storage_class(pvc):
        return "storageClassName does not match"
    if c.volume_mode_mismatch(pvc, pv):
        return "incompatible volumeMode"
    if not c.access_modes_satisfied(pvc, pv):
        return "incompatible accessMode"
    return ""


def provisioned_volume(pvc: dict, sc: dict, klass: str, name: str, path: str, node: dict | None) -> dict:
    """The PersistentVolume kubelite's hostpath provisioner makes for a claim."""
    spec = _spec(pvc)
    pv_spec: dict = {
        "accessModes": list(spec.get("accessModes") or []),
        "capacity": {"storage": spec["resources"]["requests"]["storage"]},
        "claimRef": claim_ref(pvc),
        "hostPath": {"path": path, "type": "DirectoryOrCreate"},
        "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy") or "Delete",
        "storageClassName": klass,
        "volumeMode": spec.get("volumeMode") or "Filesystem",
    }
    if sc.get("mountOptions"):
        pv_spec["mountOptions"] = list(sc["mountOptions"])
    if node is not None:
        host = (_meta(node).get("labels") or {}).get(HOSTNAME_LABEL)
        if host:
            term = {"matchExpressions": [{"key": HOSTNAME_LABEL, "operator": "In", "values": [host]}]}
        else:  # a node without the hostname label is pinned by name
            term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [_meta(node)["name"]]}]}
        pv_spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [term]}}
    return {"apiVersion": "v1", "kind": PV,
            "metadata": {"name": name, "annotations": {ANN_PROVISIONED_BY: PROVISIONER}},
            "spec": pv_spec}


REQUEUES = True  # every wait on the clock is reported with ctx.requeue_after (runtime/quiet.py)


def sync(ctx) -> None:
    _Binder(ctx).run()
