"""Federation in KubeFed's (Federation v2) shapes, over several kubelite state directories.

The host state directory holds the federation API; each member cluster is another
state directory, registered as a KubeFedCluster whose spec.apiEndpoint is its path.
The federation controller (kubelite/controllers/federation.py, last in every host
`reconcile`) copies Federated<Kind> objects into the members through each member's
own APIServer, so the member's locks and validation apply.

API groups (KubeFed's, with the `kubefed.io` suffix of KubeFed v0.1+):

    core.kubefed.io/v1beta1              KubeFedCluster (namespaced, in kube-federation-system)
    types.kubefed.io/v1beta1             FederatedNamespace, FederatedDeployment, FederatedReplicaSet,
                                         FederatedService, FederatedConfigMap, FederatedSecret,
                                         FederatedJob, FederatedDaemonSet, FederatedStatefulSet,
                                         FederatedServiceAccount
    scheduling.kubefed.io/v1alpha1       ReplicaSchedulingPreference
    multiclusterdns.kubefed.io/v1alpha1  ServiceDNSRecord

The package is pure where it can be: placement, overrides and the replica planner
are functions of their inputs; members.py is the only place that touches a member's
directory.
"""
from __future__ import annotations

FED_NAMESPACE = "kube-federation-system"
MANAGED_LABEL = "kubefed.io/managed"
FINALIZER = "kubefed.io/sync-controller"
ORPHAN_ANNOTATION = "kubefed.io/orphan"
# The <federation> part of cross-cluster DNS names when a ServiceDNSRecord is created
# for a FederatedService: NAME.NAMESPACE.kubefed.svc.<cluster domain>.
DEFAULT_FEDERATION = "kubefed"

CORE_GROUP = "core.kubefed.io"
TYPES_GROUP = "types.kubefed.io"
SCHEDULING_GROUP = "scheduling.kubefed.io"
DNS_GROUP = "multiclusterdns.kubefed.io"
