"""KubeFed's (Federation v2) kinds, which no Kubernetes release defines: kubelite's federation.

schemas/generate.py renders these next to the official Kubernetes kinds. KubeFed ships
them as CustomResourceDefinitions; here they are described field by field, and point
at the official definitions (ObjectMeta, DeploymentSpec, ...) for everything Kubernetes
defines. Groups: core.kubefed.io/v1beta1 (KubeFedCluster), types.kubefed.io/v1beta1
(Federated<Kind>), scheduling.kubefed.io/v1alpha1 (ReplicaSchedulingPreference),
multiclusterdns.kubefed.io/v1alpha1 (ServiceDNSRecord); see kubelite/federation/.
"""
from __future__ import annotations

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

# The official definitions these kinds embed, by their Go type name.
UPSTREAM = {
    "ObjectMeta": "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    "LabelSelector": "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
    "ObjectReference": "io.k8s.api.core.v1.ObjectReference",
    "LocalObjectReference": "io.k8s.api.core.v1.LocalObjectReference",
    "LoadBalancerStatus": "io.k8s.api.core.v1.LoadBalancerStatus",
    "NamespaceSpec": "io.k8s.api.core.v1.NamespaceSpec",
    "ServiceSpec": "io.k8s.api.core.v1.ServiceSpec",
    "DeploymentSpec": "io.k8s.api.apps.v1.DeploymentSpec",
    "ReplicaSetSpec": "io.k8s.api.apps.v1.ReplicaSetSpec",
    "DaemonSetSpec": "io.k8s.api.apps.v1.DaemonSetSpec",
    "StatefulSetSpec": "io.k8s.api.apps.v1.StatefulSetSpec",
    "JobSpec": "io.k8s.api.batch.v1.JobSpec",
}

# A tiny DSL for describing Go structs as JSON Schema
# ---------------------------------------------------------------------------


class Scalar:
    """A leaf value (string, integer, boolean, quantity, ...)."""

    def __init__(self, types, **extra):
        self.types = [types] if isinstance(types, str) else list(types)
        self.extra = extra

    def render(self, nullable: bool) -> dict:
        types = self.types + (["null"] if nullable else [])
        out = {"type": types[0] if len(types) == 1 else types}
        out.update(self.extra)
        return out


class Ref:
    """A reference to a named struct in DEFS."""

    def __init__(self, name: str):
        self.name = name

    def render(self, nullable: bool) -> dict:
        name = UPSTREAM.get(self.name, self.name)
        if name not in DEFS and name == self.name:
            raise KeyError(f"unknown definition {self.name!r}")
        out = {"$ref": f"#/$defs/{name}"}
        if not nullable:
            out["type"] = "object"
        return out


class Arr:
    """A JSON array (Go slice)."""

    def __init__(self, item):
        self.item = item

    def render(self, nullable: bool) -> dict:
        return {
            "type": ["array", "null"] if nullable else "array",
            "items": self.item.render(False),
        }


class Map:
    """A string-keyed JSON object (Go map[string]T)."""

    def __init__(self, value):
        self.value = value

    def render(self, nullable: bool) -> dict:
        return {
            "type": ["object", "null"] if nullable else "object",
            "additionalProperties": self.value.render(False),
        }


class FreeObject:
    """An object whose contents are not described (RawExtension, FieldsV1)."""

    def render(self, nullable: bool) -> dict:
        return {"type": ["object", "null"] if nullable else "object"}


STR = Scalar("string")
BOOL = Scalar("boolean")
I32 = Scalar("integer", format="int32", minimum=INT32_MIN, maximum=INT32_MAX)
I64 = Scalar("integer", format="int64")
TIME = Scalar("string")  # metav1.Time, RFC 3339
BYTES = Scalar("string", format="byte")  # base64-encoded []byte
STRMAP = Map(STR)
FREE = FreeObject()


class Field:
    def __init__(self, type_, desc=None, required=False, merge_key=None, strategy=None):
        self.type = type_
        self.desc = desc
        self.required = required
        self.merge_key = merge_key
        self.strategy = strategy if strategy is not None else ("merge" if merge_key else None)

    def render(self) -> dict:
        out = self.type.render(nullable=not self.required)
        if self.desc:
            out["description"] = self.desc
        if self.merge_key:
            out["x-kubernetes-patch-merge-key"] = self.merge_key
        if self.strategy:
            out["x-kubernetes-patch-strategy"] = self.strategy
        return out


def f(type_, desc=None, **kw) -> Field:
    """Optional field."""
    return Field(type_, desc, **kw)


def req(type_, desc=None, **kw) -> Field:
    """Required field (also rejects null)."""
    return Field(type_, desc, required=True, **kw)


DEFS: dict[str, tuple[str, dict[str, Field]]] = {}


def struct(name: str, desc: str, /, **fields: Field) -> Ref:
    if name in DEFS:
        raise ValueError(f"duplicate definition {name!r}")
    DEFS[name] = (desc, fields)
    return Ref(name)


def render_def(name: str) -> dict:
    desc, fields = DEFS[name]
    out = render_object(fields, ["object", "null"])
    out["title"] = name
    out["description"] = desc
    return out


# (kind, group, version, description, fields) of every KubeFed kind, in order.
KINDS: list[tuple[str, str, str, str, dict[str, Field]]] = []


def kind(name: str, group: str, version: str, desc: str, /, **fields: Field) -> None:
    KINDS.append((name, group, version, desc, fields))


def root(name: str, group: str, version: str, desc: str, fields: dict[str, Field]) -> dict:
    """The top of a kind's schema, without $defs (generate.py collects them)."""
    api_version = f"{group}/{version}" if group else version
    props = {
        "apiVersion": req(Scalar("string", const=api_version), "Versioned schema of this object: " + api_version + "."),
        "kind": req(Scalar("string", const=name), "Kind of this object: " + name + "."),
        "metadata": req(R("ObjectMeta"), "Standard object metadata (name, namespace, labels, ...)."),
    }
    props.update(fields)
    return render_object(props, "object")


SPEC = "Desired state of the object."
STATUS = "Most recently observed state; written by controllers."


def render_object(fields: dict[str, Field], types) -> dict:
    out = {
        "type": types,
        "properties": {k: v.render() for k, v in fields.items()},
        "additionalProperties": False,
    }
    required = sorted(k for k, v in fields.items() if v.required)
    if required:
        out["required"] = required
    return out


R = Ref  # shorthand for forward references inside struct() calls


class AnyValue:
    """Any JSON value (Go interface{} / apiextensions JSON), e.g. an override's value."""

    def render(self, nullable: bool) -> dict:
        return {}


ANY = AnyValue()
NONNEG64 = Scalar("integer", format="int64", minimum=0)

struct(
    "LocalSecretReference",
    "Names a Secret in the KubeFed system namespace.",
    name=req(STR, "Name of the Secret."),
)
struct(
    "KubeFedClusterSpec",
    "How to reach a member cluster: for kubelite, its state directory.",
    apiEndpoint=req(STR, "The member's state directory: an absolute path or a file:// URL."),
    caBundle=f(BYTES, "Certificate authority data; unused by kubelite (kept for KubeFed compatibility)."),
    secretRef=f(R("LocalSecretReference"), "Secret with the member's credentials; unused by kubelite."),
    disabledTLSValidations=f(Arr(STR), "TLS validations to skip; unused by kubelite."),
    proxyURL=f(STR, "Proxy to reach the member through; unused by kubelite."),
)
struct(
    "ClusterCondition",
    "One aspect of a member cluster's health (Ready, Offline or ClusterConfigMalformed).",
    type=req(STR, "Ready, Offline or ClusterConfigMalformed."),
    status=req(STR, "True, False or Unknown."),
    lastProbeTime=f(TIME, "Last time the condition was found to change."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Machine-readable reason, e.g. ClusterReady or ClusterNotReachable."),
    message=f(STR, "Human-readable details."),
)
struct(
    "KubeFedClusterStatus",
    "Observed health of a member cluster; written by the federation controller.",
    conditions=f(Arr(R("ClusterCondition")), "Current conditions of the cluster."),
    zones=f(Arr(STR), "Availability zones of the member's nodes (topology.kubernetes.io/zone)."),
    region=f(STR, "Region of the member's nodes (topology.kubernetes.io/region)."),
)
struct(
    "GenericClusterReference",
    "Names a member cluster.",
    name=req(STR, "Name of the KubeFedCluster."),
)
struct(
    "GenericPlacement",
    "Where a federated object goes: named clusters win over the selector; an empty selector selects every cluster; "
    "neither selects none.",
    clusters=f(Arr(R("GenericClusterReference")), "Member clusters, by name."),
    clusterSelector=f(R("LabelSelector"), "Label query over KubeFedClusters; ignored when clusters is set."),
)
struct(
    "ClusterOverride",
    "One JSON-pointer operation applied to the object for one cluster.",
    op=f(Scalar("string", enum=["add", "remove", "replace", None]), "add, remove or replace (the default)."),
    path=req(STR, "JSON pointer into the object, e.g. /spec/replicas or /spec/template/spec/containers/0/image."),
    value=f(ANY, "The value to add or replace with; ignored for remove."),
)
struct(
    "GenericOverrideItem",
    "Overrides for one member cluster.",
    clusterName=req(STR, "Name of the KubeFedCluster the overrides apply to."),
    clusterOverrides=f(Arr(R("ClusterOverride")), "Operations applied in order."),
)
struct(
    "GenericCondition",
    "A condition of a federated object (type Propagation).",
    type=req(STR, "Propagation."),
    status=req(STR, "True when every placed cluster is as intended, else False."),
    lastUpdateTime=f(TIME, "Last time a change was propagated or reconciliation failed."),
    lastTransitionTime=f(TIME, "Last time the status changed."),
    reason=f(STR, "Why not True: CheckClusters, ComputePlacementFailed, ..."),
)
struct(
    "GenericClusterStatus",
    "Propagation status of a federated object in one cluster.",
    name=req(STR, "Name of the KubeFedCluster."),
    status=f(STR, "Empty when propagated; else ClusterNotReady, AlreadyExists, ManagedLabelFalse, CreationFailed, ..."),
    remoteStatus=f(FREE, "The status of the object in the member cluster, when collected."),
)
struct(
    "GenericFederatedStatus",
    "Propagation status of a federated object; written by the federation controller.",
    observedGeneration=f(I64, "The generation the status was computed from."),
    conditions=f(Arr(R("GenericCondition")), "The Propagation condition."),
    clusters=f(Arr(R("GenericClusterStatus")), "Per-cluster propagation status."),
)

_FED_TEMPLATES = {
    # federated kind: (target description, {template field: Field}, scalable)
    "Namespace": ("a namespace", {"spec": f(R("NamespaceSpec"), "Desired state of the namespace.")}, False),
    "Deployment": ("a deployment", {"spec": f(R("DeploymentSpec"), "Desired state of the deployment.")}, True),
    "ReplicaSet": ("a replica set", {"spec": f(R("ReplicaSetSpec"), "Desired state of the replica set.")}, True),
    "Service": ("a service", {"spec": f(R("ServiceSpec"), "Desired behaviour of the service.")}, False),
    "ConfigMap": ("a config map", {
        "immutable": f(BOOL, "When true, data cannot be changed after creation."),
        "data": f(STRMAP, "UTF-8 configuration values."),
        "binaryData": f(Map(BYTES), "Binary configuration values, base64 encoded."),
    }, False),
    "Secret": ("a secret", {
        "immutable": f(BOOL, "When true, data cannot be changed after creation."),
        "data": f(Map(BYTES), "Secret values, base64 encoded."),
        "stringData": f(STRMAP, "Write-only plain-text values merged into data on write."),
        "type": f(STR, "Type of the secret, e.g. Opaque or kubernetes.io/tls."),
    }, False),
    "Job": ("a job", {"spec": f(R("JobSpec"), "Desired state of the job.")}, False),
    "DaemonSet": ("a daemon set", {"spec": f(R("DaemonSetSpec"), "Desired state of the daemon set.")}, False),
    "StatefulSet": ("a stateful set", {"spec": f(R("StatefulSetSpec"), "Desired state of the stateful set.")}, True),
    "ServiceAccount": ("a service account", {
        "secrets": f(Arr(R("ObjectReference")), "Legacy token secrets of the account.", merge_key="name"),
        "imagePullSecrets": f(Arr(R("LocalObjectReference")), "Secrets used to pull images for pods using this account."),
        "automountServiceAccountToken": f(BOOL, "Whether pods mount the API token automatically."),
    }, False),
}

for _target, (_what, _fields, _scalable) in _FED_TEMPLATES.items():
    struct(
        f"Federated{_target}Template",
        f"The {_target} to create in each placed cluster, without its name and namespace.",
        metadata=f(R("ObjectMeta"), "Labels and annotations of the member objects; name and namespace are the federated object's."),
        **_fields,
    )
    _spec_fields = dict(
        template=f(R(f"Federated{_target}Template"), f"The {_target} each placed cluster gets."),
        placement=f(R("GenericPlacement"), "The member clusters that get the object; none when absent."),
        overrides=f(Arr(R("GenericOverrideItem")), "Per-cluster changes to the template."),
    )
    if _scalable:
        _spec_fields["retainReplicas"] = f(BOOL, "Keep each member's spec.replicas (e.g. for a member's autoscaler).")
    struct(f"Federated{_target}Spec", f"Template, placement and overrides of a federated {_target}.", **_spec_fields)
    kind(
        f"Federated{_target}",
        "types.kubefed.io",
        "v1beta1",
        f"Propagates {_what} to member clusters (KubeFed's Federated{_target}).",
        spec=f(R(f"Federated{_target}Spec"), SPEC),
        status=f(R("GenericFederatedStatus"), "Propagation status; written by the federation controller."),
    )

kind(
    "KubeFedCluster",
    "core.kubefed.io",
    "v1beta1",
    "A member cluster of the federation: another kubelite state directory.",
    spec=req(R("KubeFedClusterSpec"), "How to reach the member."),
    status=f(R("KubeFedClusterStatus"), "Health of the member; written by the federation controller."),
)

struct(
    "ClusterPreferences",
    "How many replicas one cluster (or every cluster, under \"*\") should get.",
    minReplicas=f(NONNEG64, "Replicas the cluster gets before any weighting; 0 by default."),
    maxReplicas=f(NONNEG64, "At most this many replicas; unbounded when absent."),
    weight=f(NONNEG64, "Relative share of the remaining replicas; 0 by default."),
)
struct(
    "ReplicaSchedulingPreferenceSpec",
    "Preferences for splitting a federated workload's replicas between clusters.",
    targetKind=req(STR, "FederatedDeployment or FederatedReplicaSet (same namespace and name as the preference)."),
    totalReplicas=req(I32, "Replicas across all clusters; the target's spec.replicas is ignored."),
    rebalance=f(BOOL, "Move replicas away from clusters that are offline or cannot schedule them."),
    clusters=f(Map(R("ClusterPreferences")), "Preferences per cluster name; \"*\" applies to clusters not named. "
                                              "Without any, every cluster has weight 1."),
)
struct(
    "ReplicaSchedulingResult",
    "Replicas the planner gave one cluster.",
    name=req(STR, "Name of the KubeFedCluster."),
    replicas=req(I64, "Replicas scheduled to the cluster."),
)
struct(
    "ReplicaSchedulingPreferenceStatus",
    "The last plan (a kubelite addition: KubeFed leaves this empty).",
    clusters=f(Arr(R("ReplicaSchedulingResult")), "Replicas per cluster of the last plan."),
)
kind(
    "ReplicaSchedulingPreference",
    "scheduling.kubefed.io",
    "v1alpha1",
    "Splits the replicas of the federated workload of the same name between member clusters.",
    spec=req(R("ReplicaSchedulingPreferenceSpec"), SPEC),
    status=f(R("ReplicaSchedulingPreferenceStatus"), STATUS),
)

struct(
    "ServiceDNSRecordSpec",
    "The DNS names of a federated service: NAME.NAMESPACE.<domainRef>.svc.<cluster domain>.",
    domainRef=req(STR, "The federation's name in the DNS names."),
    recordTTL=f(NONNEG64, "TTL in seconds of the records."),
    dnsPrefix=f(STR, "An extra name, <dnsPrefix>.<domain>, for the records (not served by kubelite resolve)."),
    externalName=f(STR, "Replaces the service name in the records (not served by kubelite resolve)."),
    allowServiceWithoutEndpoints=f(BOOL, "List clusters whose service has no ready endpoints too."),
)
struct(
    "ClusterDNS",
    "The addresses one member cluster serves the service at.",
    cluster=f(STR, "Name of the KubeFedCluster."),
    loadBalancer=f(R("LoadBalancerStatus"), "The ready endpoint addresses of the cluster's copy of the service."),
    zones=f(Arr(STR), "Availability zones of the cluster."),
    region=f(STR, "Region of the cluster."),
)
struct(
    "ServiceDNSRecordStatus",
    "Where the service is served, per cluster; written by the federation controller.",
    domain=f(STR, "The DNS domain of the records (the host's cluster domain)."),
    dns=f(Arr(R("ClusterDNS")), "Clusters whose copy of the service has ready endpoints."),
)
kind(
    "ServiceDNSRecord",
    "multiclusterdns.kubefed.io",
    "v1alpha1",
    "Cross-cluster DNS for the services of the same name in member clusters.",
    spec=req(R("ServiceDNSRecordSpec"), SPEC),
    status=f(R("ServiceDNSRecordStatus"), STATUS),
)

