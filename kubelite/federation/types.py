"""The federated types: which target kind each Federated<Kind> propagates, in sync order.

The kinds themselves are registered in kubelite/api/kinds.py (so every command knows
them without importing this package); this table adds what federation needs to know.
"""
from __future__ import annotations

from dataclasses import dataclass

from kubelite.api import kinds
from kubelite.api.kinds import Kind


@dataclass(frozen=True)
class FederatedType:
    federated: str  # FederatedDeployment
    target: str  # Deployment
    scalable: bool = False  # has spec.replicas (ReplicaSchedulingPreference, retainReplicas)

    @property
    def federated_kind(self) -> Kind:
        return kinds.by_kind(self.federated)

    @property
    def target_kind(self) -> Kind:
        return kinds.by_kind(self.target)


# Namespaces first, then what pods use (accounts, configuration), then the workloads.
TYPES: tuple[FederatedType, ...] = (
    FederatedType("FederatedNamespace", "Namespace"),
    FederatedType("FederatedServiceAccount", "ServiceAccount"),
    FederatedType("FederatedConfigMap", "ConfigMap"),
    FederatedType("FederatedSecret", "Secret"),
    FederatedType("FederatedService", "Service"),
    FederatedType("FederatedDeployment", "Deployment", scalable=True),
    FederatedType("FederatedReplicaSet", "ReplicaSet", scalable=True),
    FederatedType("FederatedStatefulSet", "StatefulSet", scalable=True),
    FederatedType("FederatedDaemonSet", "DaemonSet"),
    FederatedType("FederatedJob", "Job"),
)
BY_FEDERATED: dict[str, FederatedType] = {t.federated: t for t in TYPES}

# ReplicaSchedulingPreference.spec.targetKind values KubeFed accepts.
RSP_TARGETS = ("FederatedDeployment", "FederatedReplicaSet")


def for_federated(kind: str) -> FederatedType | None:
    return BY_FEDERATED.get(kind)
