"""The object a member should hold for a federated object, and the federated status (pure).

KubeFed's order: the template becomes the object (with the federated object's name and
namespace); fields the member's own controllers and admission own are retained from the
object already there; the cluster's overrides are applied; the replicas a
ReplicaSchedulingPreference planned replace spec.replicas; the managed label is set.

Retained from the member's current object: metadata.annotations (the template's win),
finalizers, ownerReferences and resourceVersion; status; a Service's clusterIP(s), IP families and
nodePorts; a ServiceAccount's secrets (when the template has none); a Job's generated
selector and pod labels; spec.replicas of scalable kinds with retainReplicas.
"""
from __future__ import annotations

import copy
from typing import Any

from kubelite.federation import MANAGED_LABEL, overrides
from kubelite.federation.types import FederatedType

# Propagation status per cluster, KubeFed's values ("" is success).
OK = ""
CLUSTER_NOT_READY = "ClusterNotReady"
ALREADY_EXISTS = "AlreadyExists"
MANAGED_LABEL_FALSE = "ManagedLabelFalse"
APPLY_OVERRIDES_FAILED = "ApplyOverridesFailed"
CREATION_FAILED = "CreationFailed"
UPDATE_FAILED = "UpdateFailed"
DELETION_FAILED = "DeletionFailed"
RETRIEVAL_FAILED = "RetrievalFailed"
WAITING_FOR_REMOVAL = "WaitingForRemoval"
LABEL_REMOVAL_FAILED = "LabelRemovalFailed"

# Aggregate reasons of the Propagation condition.
CHECK_CLUSTERS = "CheckClusters"
COMPUTE_PLACEMENT_FAILED = "ComputePlacementFailed"


def target_name(ft: FederatedType, fed: dict) -> tuple[str | None, str]:
    """(namespace, name) of the member object: a FederatedNamespace's target is its namespace."""
    m = fed["metadata"]
    if ft.target == "Namespace":
        return None, m.get("namespace") or ""
    return m.get("namespace"), m["name"]


def from_template(ft: FederatedType, fed: dict) -> dict:
    """The template as an object of the target kind, named after the federated object."""
    kind = ft.target_kind
    tmpl = copy.deepcopy((fed.get("spec") or {}).get("template") or {})
    tmpl.pop("apiVersion", None)
    tmpl.pop("kind", None)
    tmeta = tmpl.pop("metadata", None) or {}
    tmpl.pop("status", None)
    ns, name = target_name(ft, fed)
    meta: dict[str, Any] = {"name": name}
    if ns is not None:
        meta["namespace"] = ns
    for k in ("labels", "annotations"):
        if tmeta.get(k):
            meta[k] = dict(tmeta[k])
    return {"apiVersion": kind.api_version, "kind": kind.kind, "metadata": meta, **tmpl}


def retain(ft: FederatedType, desired: dict, current: dict, retain_replicas: bool = False) -> dict:
    """Carry over what the member owns from its current object (in place; returns desired)."""
    m, cm = desired["metadata"], current.get("metadata") or {}
    ann = dict(cm.get("annotations") or {})
    ann.update(m.get("annotations") or {})
    if ann:
        m["annotations"] = ann
    for k in ("finalizers", "ownerReferences", "resourceVersion"):
        if cm.get(k) is not None:
            m[k] = copy.deepcopy(cm[k])
    if "status" in current:
        desired["status"] = copy.deepcopy(current["status"])
    spec, cspec = desired.get("spec"), current.get("spec") or {}
    if ft.target == "Service" and isinstance(spec, dict):
        for k in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "healthCheckNodePort"):
            if spec.get(k) is None and cspec.get(k) is not None:
                spec[k] = copy.deepcopy(cspec[k])
        old_ports = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in cspec.get("ports") or []}
        for p in spec.get("ports") or []:
            if isinstance(p, dict) and p.get("nodePort") is None:
                np = old_ports.get((p.get("port"), p.get("protocol", "TCP")))
                if np is not None and spec.get("type") in ("NodePort", "LoadBalancer"):
                    p["nodePort"] = np
    if ft.target == "ServiceAccount" and not desired.get("secrets") and current.get("secrets"):
        desired["secrets"] = copy.deepcopy(current["secrets"])
    if ft.target == "Job" and isinstance(spec, dict) and not spec.get("manualSelector"):
        if spec.get("selector") is None and cspec.get("selector") is not None:
            spec["selector"] = copy.deepcopy(cspec["selector"])
        clabels = (((cspec.get("template") or {}).get("metadata") or {}).get("labels") or {})
        if clabels and isinstance(spec.get("template"), dict):
            tmeta = spec["template"].setdefault("metadata", {})
            labels = tmeta.setdefault("labels", {})
            for k, v in clabels.items():
                labels.setdefault(k, v)
    if retain_replicas and ft.scalable and isinstance(spec, dict) and "replicas" in cspec:
        spec["replicas"] = cspec["replicas"]
    return desired


def render(ft: FederatedType, fed: dict, cluster: str, current: dict | None, replicas: int | None = None) -> dict:
    """The object `cluster` should hold. Raises overrides.OverrideError."""
    desired = from_template(ft, fed)
    spec = fed.get("spec") or {}
    if current is not None:
        retain(ft, desired, current, bool(spec.get("retainReplicas")))
    ops = overrides.for_cluster(spec.get("overrides"), cluster)
    if ops:
        desired = overrides.apply(desired, ops)
    if replicas is not None:
        desired.setdefault("spec", {})["replicas"] = int(replicas)
    meta = desired.setdefault("metadata", {})
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    labels[MANAGED_LABEL] = "true"
    meta["labels"] = labels
    return desired


def is_managed(obj: dict) -> bool:
    return ((obj.get("metadata") or {}).get("labels") or {}).get(MANAGED_LABEL) == "true"


def unmanaged_status(obj: dict) -> str:
    """Why an object federation finds in a member is not its to change."""
    value = ((obj.get("metadata") or {}).get("labels") or {}).get(MANAGED_LABEL)
    return MANAGED_LABEL_FALSE if value == "false" else ALREADY_EXISTS


# -- status -----------------------------------------------------------------------------

def set_status(fed: dict, reason: str, clusters: dict[str, str], changes_propagated: bool, now: str) -> dict:
    """KubeFed's SetFederatedStatus: a copy of fed with status updated (unchanged if nothing to say)."""
    out = copy.deepcopy(fed)
    status = out.get("status") if isinstance(out.get("status"), dict) else {}
    gen = (out.get("metadata") or {}).get("generation")
    if gen is not None:
        status["observedGeneration"] = gen
    if reason == OK and any(v != OK for v in clusters.values()):
        reason = CHECK_CLUSTERS
    new_clusters = [{"name": n, **({"status": s} if s else {})} for n, s in sorted(clusters.items())]
    clusters_changed = (status.get("clusters") or []) != new_clusters
    if new_clusters:
        status["clusters"] = new_clusters
    else:
        status.pop("clusters", None)
    conds = [c for c in status.get("conditions") or [] if isinstance(c, dict)]
    cond = next((c for c in conds if c.get("type") == "Propagation"), None)
    if cond is None:
        cond = {"type": "Propagation"}
        conds.append(cond)
    want = "True" if reason == OK else "False"
    transition = cond.get("status") != want or (cond.get("reason") or "") != reason
    if transition:
        cond["status"] = want
        cond["lastTransitionTime"] = now
        if reason:
            cond["reason"] = reason
        else:
            cond.pop("reason", None)
    if transition or changes_propagated or clusters_changed:
        cond["lastUpdateTime"] = now
    status["conditions"] = conds
    out["status"] = status
    return out
