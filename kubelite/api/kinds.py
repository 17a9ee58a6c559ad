"""The kinds registry: every resource kubelite serves, as upstream names it."""
from __future__ import annotations

from kubelite.errors import UsageError

_FIELDS = ("kind", "group", "version", "plural", "singular", "namespaced", "short_names", "has_spec", "categories",
           "custom")


class Kind:
    """One resource kind, as upstream names it; immutable, equal and hashed by its fields.

    Written out rather than a frozen dataclass: importing dataclasses costs about 5 ms,
    which the CLI's fast path (kubelite.cli.fast) cannot spare.
    """

    __slots__ = _FIELDS

    kind: str
    group: str
    version: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...]
    # Kinds whose writes bump metadata.generation only on spec changes; for
    # kinds without a spec (ConfigMap, Secret, RBAC) upstream never sets it.
    has_spec: bool
    categories: tuple[str, ...]
    # Served from a CustomResourceDefinition (kubelite.api.crd.served), not built in.
    custom: bool

    def __init__(self, kind: str, group: str, version: str, plural: str, singular: str, namespaced: bool,
                 short_names: tuple[str, ...] = (), has_spec: bool = True, categories: tuple[str, ...] = (),
                 custom: bool = False):
        for field, value in zip(_FIELDS, (kind, group, version, plural, singular, namespaced, short_names, has_spec,
                                          categories, custom)):
            object.__setattr__(self, field, value)

    def _values(self) -> tuple:
        return (self.kind, self.group, self.version, self.plural, self.singular, self.namespaced,
                self.short_names, self.has_spec, self.categories, self.custom)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other is self:  # the registry's kinds are single instances: the usual case
            return True
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        return "Kind(" + ", ".join(f"{f}={getattr(self, f)!r}" for f in _FIELDS) + ")"

    def __reduce__(self) -> tuple:
        return (Kind, self._values())

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """`deployment.apps`, `pod`: the name kubectl prints with -o name."""
        return f"{self.singular}.{self.group}" if self.group else self.singular

    @property
    def dir(self) -> str:
        """The folder of its objects under registry/: `pods`; `crontabs.stable.example.com` for
        custom kinds, whose plurals are unique only within their group (as etcd's keys)."""
        return f"{self.plural}.{self.group}" if self.custom else self.plural

    @property
    def resource(self) -> str:
        """`deployments.apps`, `pods`: the name in server messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


_RBAC = "rbac.authorization.k8s.io"
_FED_TYPES = "types.kubefed.io"
_ADMREG = "admissionregistration.k8s.io"
_STORAGE = "storage.k8s.io"
_NET = "networking.k8s.io"
_FLOW = "flowcontrol.apiserver.k8s.io"
_EXT = ("api-extensions",)

# Every GA kind a Kubernetes 1.32 API server stores, with the plural, singular, short
# names, categories and scope of `kubectl api-resources` (upstream's registry
# strategies, pkg/registry/*/*/storage). Request-only kinds (reviews, Eviction, Binding,
# Scale, TokenRequest) and computed ones (ComponentStatus) are not stored, so not here.
KINDS: tuple[Kind, ...] = (
    Kind("Pod", "", "v1", "pods", "pod", True, ("po",), categories=("all",)),
    Kind("ReplicationController", "", "v1", "replicationcontrollers", "replicationcontroller", True, ("rc",), categories=("all",)),
    Kind("Service", "", "v1", "services", "service", True, ("svc",), categories=("all",)),
    Kind("Endpoints", "", "v1", "endpoints", "endpoints", True, ("ep",), has_spec=False),
    Kind("Node", "", "v1", "nodes", "node", False, ("no",)),
    Kind("Namespace", "", "v1", "namespaces", "namespace", False, ("ns",)),
    Kind("Secret", "", "v1", "secrets", "secret", True, has_spec=False),
    Kind("ConfigMap", "", "v1", "configmaps", "configmap", True, ("cm",), has_spec=False),
    Kind("ServiceAccount", "", "v1", "serviceaccounts", "serviceaccount", True, ("sa",), has_spec=False),
    Kind("PersistentVolume", "", "v1", "persistentvolumes", "persistentvolume", False, ("pv",)),
    Kind("PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", "persistentvolumeclaim", True, ("pvc",)),
    Kind("Event", "", "v1", "events", "event", True, ("ev",), has_spec=False),
    Kind("LimitRange", "", "v1", "limitranges", "limitrange", True, ("limits",)),
    Kind("ResourceQuota", "", "v1", "resourcequotas", "resourcequota", True, ("quota",)),
    Kind("PodTemplate", "", "v1", "podtemplates", "podtemplate", True, has_spec=False),
    Kind("ReplicaSet", "apps", "v1", "replicasets", "replicaset", True, ("rs",), categories=("all",)),
    Kind("Deployment", "apps", "v1", "deployments", "deployment", True, ("deploy",), categories=("all",)),
    Kind("DaemonSet", "apps", "v1", "daemonsets", "daemonset", True, ("ds",), categories=("all",)),
    Kind("StatefulSet", "apps", "v1", "statefulsets", "statefulset", True, ("sts",), categories=("all",)),
    Kind("ControllerRevision", "apps", "v1", "controllerrevisions", "controllerrevision", True, has_spec=False),
    Kind("Job", "batch", "v1", "jobs", "job", True, categories=("all",)),
    Kind("CronJob", "batch", "v1", "cronjobs", "cronjob", True, ("cj",), categories=("all",)),
    Kind("HorizontalPodAutoscaler", "autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", True,
         ("hpa",), categories=("all",)),
    Kind("Role", _RBAC, "v1", "roles", "role", True, has_spec=False),
    Kind("ClusterRole", _RBAC, "v1", "clusterroles", "clusterrole", False, has_spec=False),
    Kind("RoleBinding", _RBAC, "v1", "rolebindings", "rolebinding", True, has_spec=False),
    Kind("ClusterRoleBinding", _RBAC, "v1", "clusterrolebindings", "clusterrolebinding", False, has_spec=False),
    Kind("StorageClass", _STORAGE, "v1", "storageclasses", "storageclass", False, ("sc",), has_spec=False),
    Kind("CSIDriver", _STORAGE, "v1", "csidrivers", "csidriver", False),
    Kind("CSINode", _STORAGE, "v1", "csinodes", "csinode", False),
    Kind("CSIStorageCapacity", _STORAGE, "v1", "csistoragecapacities", "csistoragecapacity", True, has_spec=False),
    Kind("VolumeAttachment", _STORAGE, "v1", "volumeattachments", "volumeattachment", False),
    Kind("Lease", "coordination.k8s.io", "v1", "leases", "lease", True),
    Kind("EndpointSlice", "discovery.k8s.io", "v1", "endpointslices", "endpointslice", True, has_spec=False),
    Kind("Ingress", _NET, "v1", "ingresses", "ingress", True, ("ing",)),
    Kind("IngressClass", _NET, "v1", "ingressclasses", "ingressclass", False),
    Kind("NetworkPolicy", _NET, "v1", "networkpolicies", "networkpolicy", True, ("netpol",)),
    Kind("PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", True, ("pdb",)),
    Kind("PriorityClass", "scheduling.k8s.io", "v1", "priorityclasses", "priorityclass", False, ("pc",), has_spec=False),
    Kind("RuntimeClass", "node.k8s.io", "v1", "runtimeclasses", "runtimeclass", False, has_spec=False),
    Kind("CertificateSigningRequest", "certificates.k8s.io", "v1", "certificatesigningrequests",
         "certificatesigningrequest", False, ("csr",)),
    Kind("FlowSchema", _FLOW, "v1", "flowschemas", "flowschema", False),
    Kind("PriorityLevelConfiguration", _FLOW, "v1", "prioritylevelconfigurations", "prioritylevelconfiguration", False),
    Kind("MutatingWebhookConfiguration", _ADMREG, "v1", "mutatingwebhookconfigurations",
         "mutatingwebhookconfiguration", False, has_spec=False, categories=_EXT),
    Kind("ValidatingWebhookConfiguration", _ADMREG, "v1", "validatingwebhookconfigurations",
         "validatingwebhookconfiguration", False, has_spec=False, categories=_EXT),
    Kind("ValidatingAdmissionPolicy", _ADMREG, "v1", "validatingadmissionpolicies", "validatingadmissionpolicy", False,
         categories=_EXT),
    Kind("ValidatingAdmissionPolicyBinding", _ADMREG, "v1", "validatingadmissionpolicybindings",
         "validatingadmissionpolicybinding", False, categories=_EXT),
    Kind("CustomResourceDefinition", "apiextensions.k8s.io", "v1", "customresourcedefinitions",
         "customresourcedefinition", False, ("crd", "crds"), categories=_EXT),
    Kind("APIService", "apiregistration.k8s.io", "v1", "apiservices", "apiservice", False, categories=_EXT),
    # Federation, in KubeFed's (Federation v2) groups and names; see kubelite/federation/.
    # Short names are kubefedctl's: "f" + the target's short names.
    Kind("KubeFedCluster", "core.kubefed.io", "v1beta1", "kubefedclusters", "kubefedcluster", True),
    Kind("FederatedNamespace", _FED_TYPES, "v1beta1", "federatednamespaces", "federatednamespace", True, ("fns",)),
    Kind("FederatedDeployment", _FED_TYPES, "v1beta1", "federateddeployments", "federateddeployment", True, ("fdeploy",)),
    Kind("FederatedReplicaSet", _FED_TYPES, "v1beta1", "federatedreplicasets", "federatedreplicaset", True, ("frs",)),
    Kind("FederatedService", _FED_TYPES, "v1beta1", "federatedservices", "federatedservice", True, ("fsvc",)),
    Kind("FederatedConfigMap", _FED_TYPES, "v1beta1", "federatedconfigmaps", "federatedconfigmap", True, ("fcm",)),
    Kind("FederatedSecret", _FED_TYPES, "v1beta1", "federatedsecrets", "federatedsecret", True),
    Kind("FederatedJob", _FED_TYPES, "v1beta1", "federatedjobs", "federatedjob", True),
    Kind("FederatedDaemonSet", _FED_TYPES, "v1beta1", "federateddaemonsets", "federateddaemonset", True, ("fds",)),
    Kind("FederatedStatefulSet", _FED_TYPES, "v1beta1", "federatedstatefulsets", "federatedstatefulset", True, ("fsts",)),
    Kind("FederatedServiceAccount", _FED_TYPES, "v1beta1", "federatedserviceaccounts", "federatedserviceaccount", True, ("fsa",)),
    Kind("ReplicaSchedulingPreference", "scheduling.kubefed.io", "v1alpha1", "replicaschedulingpreferences",
         "replicaschedulingpreference", True),
    Kind("ServiceDNSRecord", "multiclusterdns.kubefed.io", "v1alpha1", "servicednsrecords", "servicednsrecord", True),
)

_BY_KIND: dict[str, Kind] = {k.kind: k for k in KINDS}
_BY_GVK: dict[tuple[str, str], Kind] = {(k.api_version, k.kind): k for k in KINDS}
_BY_NAME: dict[str, list[Kind]] = {}
for _k in KINDS:
    for _n in {_k.plural, _k.singular, _k.kind.lower(), *_k.short_names}:
        _BY_NAME.setdefault(_n, []).append(_k)
        if _k.group:
            _BY_NAME.setdefault(f"{_n}.{_k.group}", []).append(_k)
            _BY_NAME.setdefault(f"{_n}.{_k.version}.{_k.group}", []).append(_k)


def by_kind(kind: str) -> Kind:
    found = _BY_KIND.get(kind) or _custom().by_kind.get(kind)
    if found is None:
        raise UsageError(f'the server doesn\'t have a resource type "{kind.lower()}"')
    return found


def for_object(api_version: object, kind: object) -> Kind | None:
    """The registered kind of a manifest, or None when apiVersion/kind is unknown."""
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    found = _BY_GVK.get((api_version, kind))
    if found is None and "." in api_version.split("/", 1)[0]:  # custom groups have a dot
        found = _custom().by_gvk.get((api_version, kind))
    return found


def known_versions(kind: str) -> list[str]:
    return [k.api_version for k in KINDS if k.kind == kind]


def resolve(name: str) -> Kind:
    """Resolve a user's type word (`po`, `deploy`, `deployments.apps`) to a kind."""
    found = _BY_NAME.get(name.lower()) or _custom().by_name.get(name.lower())
    if not found:
        words = [n for n in _BY_NAME if "." not in n]
        raise UsageError(f'the server doesn\'t have a resource type "{name}"' + did_you_mean(name.lower(), words))
    return found[0]


# API groups of Kubernetes 1.32 itself, stored kinds or not: no CRD can add a kind to them.
BUILTIN_GROUPS = frozenset({
    "", "admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io", "apps",
    "authentication.k8s.io", "authorization.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
    "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io", "policy", "rbac.authorization.k8s.io",
    "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io", "storagemigration.k8s.io",
})


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, as cobra's command suggestions use."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def closest(word: str, candidates: list[str]) -> str | None:
    """The candidate a mistyped word most likely meant, or None when none is close.

    Close is cobra's rule for kubectl's command suggestions: at most 2 edits away
    (ignoring case), or starting with the word.
    """
    low = word.lower()
    close = [c for c in candidates if _distance(low, c.lower()) <= 2 or (low and c.lower().startswith(low))]
    return min(close, key=lambda c: (_distance(low, c.lower()), c)) if close else None


def did_you_mean(word: str, candidates: list[str], what: str = "") -> str:
    """`; did you mean "deployment"?` for the closest candidate, or "" (the message stays one line)."""
    best = closest(word, candidates)
    return f'; did you mean {what}"{best}"?' if best else ""


def unknown_kind_hint(api_version: str, kind: str) -> str:
    """Why kubelite serves no kind of this apiVersion, and what to do about it.

    In a group of Kubernetes itself no CRD can help: point at the version that serves the
    kind, or the closest kind of the group. A group without a dot cannot be a CRD's either.
    Anywhere else a CustomResourceDefinition could supply the kind.
    """
    group = api_version.rpartition("/")[0]
    none = f'no matches for kind "{kind}" in version "{api_version}"'
    if group in BUILTIN_GROUPS:
        served = [k.api_version for k in KINDS if k.group == group and k.kind == kind]
        if served:
            return f'{none}; did you mean apiVersion "{served[0]}"?'
        return none + did_you_mean(kind, [k.kind for k in KINDS if k.group == group], "kind ")
    if "." not in group:
        return none
    return "ensure CRDs are installed first"


def all_category() -> list[Kind]:
    """The kinds `kubectl get all` lists, in kubectl's order."""
    order = ["Pod", "ReplicationController", "Service", "DaemonSet", "Deployment",
             "ReplicaSet", "StatefulSet", "HorizontalPodAutoscaler", "Job", "CronJob"]
    return [_BY_KIND[k] for k in order]


def register(kind: Kind) -> None:
    """Add a kind at import time (federation types register themselves)."""
    global KINDS
    if kind.kind in _BY_KIND:
        return
    KINDS = KINDS + (kind,)
    _BY_KIND[kind.kind] = kind
    _BY_GVK[(kind.api_version, kind.kind)] = kind
    for n in {kind.plural, kind.singular, kind.kind.lower(), *kind.short_names}:
        _BY_NAME.setdefault(n, []).append(kind)
        if kind.group:
            _BY_NAME.setdefault(f"{n}.{kind.group}", []).append(kind)


# -- the dynamic part: kinds served from CustomResourceDefinitions ------------------------
# Loaded from the state directory the API server opened, only when a name or apiVersion
# is not built in, so the cost of a command does not grow with the number of CRDs.

class CustomKinds:
    """The kinds a set of CRDs serves, indexed as the built-in ones are."""

    def __init__(self, crds: list[dict] = ()):
        from kubelite.api.crd import served  # only when custom kinds are asked for

        self.kinds, self.by_gvk, self.by_name, self.definitions = served.index(list(crds))
        self.by_kind = {}
        for k in self.kinds:
            self.by_kind.setdefault(k.kind, k)


class _Empty:
    kinds: tuple = ()
    by_gvk: dict = {}
    by_name: dict = {}
    by_kind: dict = {}
    definitions: dict = {}


_EMPTY = _Empty()
_source: tuple[object, object, object] | None = None  # (state directory, fn() -> CRDs, fn() -> stamp)
_loaded: CustomKinds | None = None
_stamp: object = None


def use_custom_source(root: object, load, stamp=None) -> None:
    """Serve the CRDs of this state directory: `load()` returns its CRD objects; `stamp()`,
    when given, changes whenever they may have (a long-lived process sees other writers)."""
    global _source, _loaded
    if _source is None or _source[0] != root:
        _loaded = None
    _source = (root, load, stamp)


def invalidate_custom() -> None:
    """A CRD changed: load them again when next needed."""
    global _loaded
    _loaded = None


def _custom():
    global _loaded, _stamp
    if _source is None:
        return _EMPTY
    stamp = _source[2]() if _source[2] is not None else None
    if _loaded is None or stamp != _stamp:
        _loaded, _stamp = CustomKinds(_source[1]()), stamp
    return _loaded


def custom_kinds() -> tuple[Kind, ...]:
    return tuple(_custom().kinds)


def all_kinds() -> tuple[Kind, ...]:
    """Every kind served: the built-in ones, then those of the CRDs (discovery lists these)."""
    return KINDS + custom_kinds()


def definition(kind: Kind) -> dict | None:
    """The CustomResourceDefinition that serves a custom kind."""
    return _custom().definitions.get(kind) if kind.custom else None
